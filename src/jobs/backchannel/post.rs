//! Posting a logout token to a client's back-channel logout URI: `http` or `https`, one
//! request, within a time limit, no redirect followed. Only the answer's status matters.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{Request, StatusCode, Uri, header};
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::domain::delivery::DeliveryError;

/// Posts forms to clients.
#[derive(Clone)]
pub struct Poster {
    tls: tokio_rustls::TlsConnector,
    timeout: Duration,
}

impl Poster {
    pub fn new(timeout: Duration) -> Self {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        Poster {
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
            timeout,
        }
    }

    /// POSTs `body` (`application/x-www-form-urlencoded`) to `url`: the answer's status, or
    /// why there was none.
    pub async fn post_form(&self, url: &str, body: String) -> Result<StatusCode, DeliveryError> {
        match tokio::time::timeout(self.timeout, self.post(url, body)).await {
            Ok(result) => result,
            Err(_) => Err(DeliveryError::with("no-answer", self.timeout.as_secs_f32())),
        }
    }

    async fn post(&self, url: &str, body: String) -> Result<StatusCode, DeliveryError> {
        let said = |e: &dyn std::fmt::Display| DeliveryError::said(e.to_string());
        let uri: Uri = url.parse().map_err(|e| said(&e))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(DeliveryError::new("uri-not-http")),
        };
        let host = uri
            .host()
            .ok_or_else(|| DeliveryError::new("uri-no-host"))?
            .to_string();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let tcp = TcpStream::connect((host.trim_matches(['[', ']']), port))
            .await
            .map_err(|e| {
                DeliveryError::with("post-connect-failed", format!("{host}:{port}: {e}"))
            })?;
        let request = Request::post(uri.path_and_query().map_or("/", |p| p.as_str()))
            .header(
                header::HOST,
                uri.authority().map_or(host.as_str(), |a| a.as_str()),
            )
            .header(header::USER_AGENT, "admit")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::CACHE_CONTROL, "no-store")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| said(&e))?;
        if https {
            let name =
                rustls::pki_types::ServerName::try_from(host.clone()).map_err(|e| said(&e))?;
            let tls = self
                .tls
                .connect(name, tcp)
                .await
                .map_err(|e| DeliveryError::with("tls-failed", format!("{host}: {e}")))?;
            send(TokioIo::new(tls), request).await.map_err(|e| said(&e))
        } else {
            send(TokioIo::new(tcp), request).await.map_err(|e| said(&e))
        }
    }
}

async fn send<T>(io: T, request: Request<Full<Bytes>>) -> anyhow::Result<StatusCode>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let response = sender.send_request(request).await?;
    Ok(response.status())
}
