//! The optional breached-password check, by k-anonymity (the Have I Been Pwned range API):
//! only the first 5 hex characters of the password's SHA-1 leave the machine; the service
//! answers every suffix it knows under that prefix, and the comparison happens here.
//! When the service cannot be reached in time, the password is accepted and a warning
//! logged (fail open): the other rules still hold, and sign-up does not hang on a third party.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Request, Uri, header};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use sha1::{Digest, Sha1};
use tokio::net::TcpStream;

/// The public service's range endpoint.
pub const DEFAULT_URL: &str = "https://api.pwnedpasswords.com/range/";
/// The longest the check may take before the password is accepted without it.
pub const TIMEOUT: Duration = Duration::from_secs(3);
/// A bound on the answer (a real one is about 40 KB with padding).
const MAX_ANSWER: usize = 1 << 20;

#[derive(Clone)]
pub struct BreachCheck {
    /// The range endpoint; the prefix is appended to it.
    url: String,
    tls: tokio_rustls::TlsConnector,
}

impl BreachCheck {
    pub fn new(url: &str) -> Self {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        BreachCheck {
            url: url.to_string(),
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
        }
    }

    /// Whether the service knows `password` from a breach; false when it cannot say.
    pub async fn is_breached(&self, password: &str) -> bool {
        let digest = hex_upper(&Sha1::digest(password.as_bytes()));
        let (prefix, suffix) = digest.split_at(5);
        match tokio::time::timeout(TIMEOUT, self.range(prefix)).await {
            Ok(Ok(body)) => listed(&body, suffix),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "the breached-password check failed; the password was accepted without it");
                false
            }
            Err(_) => {
                tracing::warn!(
                    timeout_s = TIMEOUT.as_secs(),
                    "the breached-password check did not answer in time; the password was accepted without it"
                );
                false
            }
        }
    }

    /// `GET {url}{prefix}`: the answer's body.
    async fn range(&self, prefix: &str) -> anyhow::Result<String> {
        let uri: Uri = format!("{}{prefix}", self.url).parse()?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => anyhow::bail!("breached_password_url must be an http or https URL"),
        };
        let host = uri
            .host()
            .ok_or_else(|| anyhow::anyhow!("breached_password_url has no host"))?
            .to_string();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let tcp = TcpStream::connect((host.trim_matches(['[', ']']), port)).await?;
        let request = Request::get(uri.path_and_query().map_or("/", |p| p.as_str()))
            .header(
                header::HOST,
                uri.authority().map_or(host.as_str(), |a| a.as_str()),
            )
            .header(header::USER_AGENT, "admit")
            .header("add-padding", "true")
            .body(Empty::<Bytes>::new())?;
        let response = if https {
            let name = rustls::pki_types::ServerName::try_from(host.clone())?;
            let tls = self.tls.connect(name, tcp).await?;
            send(TokioIo::new(tls), request).await?
        } else {
            send(TokioIo::new(tcp), request).await?
        };
        Ok(response)
    }
}

async fn send<T>(io: T, request: Request<Empty<Bytes>>) -> anyhow::Result<String>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let response = sender.send_request(request).await?;
    if !response.status().is_success() {
        anyhow::bail!("the service answered {}", response.status());
    }
    let body = http_body_util::Limited::new(response.into_body(), MAX_ANSWER)
        .collect()
        .await
        .map_err(|e| anyhow::anyhow!("reading the answer: {e}"))?
        .to_bytes();
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// Whether `suffix` is among the answer's `SUFFIX:COUNT` lines with a count above 0 (padding
/// lines have 0).
fn listed(body: &str, suffix: &str) -> bool {
    body.lines().any(|line| {
        let (s, count) = line.trim().split_once(':').unwrap_or((line.trim(), ""));
        s.eq_ignore_ascii_case(suffix) && count.trim().parse::<u64>().is_ok_and(|c| c > 0)
    })
}

fn hex_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_are_compared_here() {
        // SHA-1 of "password" is 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8.
        let digest = hex_upper(&Sha1::digest(b"password"));
        assert_eq!(digest, "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8");
        let body = "0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:9545824\r\n";
        assert!(listed(body, &digest[5..]));
        assert!(!listed(body, "1E4C9B93F3F0682250B6CF8331B7EE68FD9"));
        assert!(!listed(
            "1E4C9B93F3F0682250B6CF8331B7EE68FD8:0\r\n",
            &digest[5..]
        ));
    }
}
