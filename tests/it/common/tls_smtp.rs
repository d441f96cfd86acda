//! An SMTP server over TLS for the tests, with a certificate from a certificate authority the
//! test makes (rcgen): STARTTLS on a plain connection, or TLS from the first byte. It takes
//! every message and keeps it.

use std::sync::{Arc, Mutex};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// A certificate authority made for one test.
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap();
        TestCa { issuer }
    }

    /// The authority's certificate, as `smtp_ca_file` reads it.
    pub fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// Writes [`TestCa::pem`] to `dir` and returns the file's path.
    pub fn write(&self, dir: &std::path::Path) -> String {
        let path = dir.join(format!("ca-{}.pem", admit::security::tokens::random_hex(4)));
        std::fs::write(&path, self.pem()).unwrap();
        path.display().to_string()
    }

    /// A server certificate for `host`, and its key.
    fn server_cert(&self, host: &str) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![host.to_string()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, host);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        (
            cert.der().clone(),
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// A plain connection, upgraded on `STARTTLS` (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Implicit,
}

impl TlsMode {
    /// The `smtp_security` setting for this mode.
    pub fn setting(self) -> &'static str {
        match self {
            TlsMode::StartTls => "starttls",
            TlsMode::Implicit => "tls",
        }
    }
}

/// The running server: its port and the messages it took.
pub struct TlsSmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TlsSmtpServer {
    /// Listens on 127.0.0.1 with a certificate for `cert_host` signed by `ca`.
    pub async fn start(ca: &TestCa, cert_host: &str, mode: TlsMode) -> TlsSmtpServer {
        let (cert, key) = ca.server_cert(cert_host);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received: Arc<Mutex<Vec<String>>> = Arc::default();
        let kept = received.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, kept) = (acceptor.clone(), kept.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, acceptor, mode, kept).await;
                });
            }
        });
        TlsSmtpServer {
            port,
            received,
            task,
        }
    }

    /// The messages taken so far.
    pub fn messages(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for TlsSmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    stream: TcpStream,
    acceptor: TlsAcceptor,
    mode: TlsMode,
    kept: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<()> {
    match mode {
        TlsMode::Implicit => {
            let tls = acceptor.accept(stream).await?;
            session(&mut BufReader::new(tls), true, false, kept).await?;
        }
        TlsMode::StartTls => {
            let mut plain = BufReader::new(stream);
            if session(&mut plain, true, true, kept.clone()).await? {
                let tls = acceptor.accept(plain.into_inner()).await?;
                // After STARTTLS the client speaks first (EHLO again).
                session(&mut BufReader::new(tls), false, false, kept).await?;
            }
        }
    }
    Ok(())
}

/// One SMTP conversation, opened with a greeting when `greet`. With `offer_starttls` it offers
/// STARTTLS and returns `true` once the client asks for it (the caller then speaks TLS);
/// otherwise it ends at QUIT.
async fn session<S: AsyncBufRead + AsyncWrite + Unpin>(
    s: &mut S,
    greet: bool,
    offer_starttls: bool,
    kept: Arc<Mutex<Vec<String>>>,
) -> std::io::Result<bool> {
    if greet {
        s.write_all(b"220 localhost ESMTP test\r\n").await?;
        s.flush().await?;
    }
    let mut line = String::new();
    loop {
        line.clear();
        if s.read_line(&mut line).await? == 0 {
            return Ok(false);
        }
        let verb = line.trim_end().to_ascii_uppercase();
        let answer: &[u8] = if verb.starts_with("EHLO") {
            if offer_starttls {
                b"250-localhost\r\n250 STARTTLS\r\n"
            } else {
                b"250-localhost\r\n250 8BITMIME\r\n"
            }
        } else if verb.starts_with("HELO") || verb.starts_with("MAIL") || verb.starts_with("RCPT") {
            b"250 OK\r\n"
        } else if verb == "STARTTLS" && offer_starttls {
            s.write_all(b"220 Ready to start TLS\r\n").await?;
            s.flush().await?;
            return Ok(true);
        } else if verb == "DATA" {
            s.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            s.flush().await?;
            let mut message = String::new();
            loop {
                line.clear();
                if s.read_line(&mut line).await? == 0 {
                    return Ok(false);
                }
                if line == ".\r\n" {
                    break;
                }
                message.push_str(&line);
            }
            kept.lock().unwrap().push(message);
            b"250 OK queued\r\n"
        } else if verb == "QUIT" {
            s.write_all(b"221 Bye\r\n").await?;
            s.flush().await?;
            return Ok(false);
        } else if verb == "RSET" || verb == "NOOP" {
            b"250 OK\r\n"
        } else {
            b"502 Not implemented\r\n"
        };
        s.write_all(answer).await?;
        s.flush().await?;
    }
}
