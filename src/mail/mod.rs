//! Delivering e-mail: over SMTP (lettre, pooled connections, plain / STARTTLS / TLS, optional
//! authentication), or into the built-in mailbox when no SMTP server is configured.
//! Messages come from the outbox ([`crate::jobs::outbox`]); nothing here decides what to send.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, header};

use crate::domain::delivery::DeliveryError;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{Config, Security};

pub mod defaults;
pub mod layout;
pub mod parts;
pub mod smtp;
pub mod source;
pub mod templates;
pub mod variables;

/// An SMTP server to send to.
pub enum SmtpClient {
    /// Plain or STARTTLS: our own connections, with `TCP_NODELAY`.
    Direct(Box<smtp::SmtpPool>),
    /// Implicit TLS: lettre's pooled transport.
    Lettre(AsyncSmtpTransport<Tokio1Executor>),
}

/// Where messages go.
#[derive(Clone)]
pub enum Transport {
    Smtp(std::sync::Arc<SmtpClient>),
    /// The built-in mailbox: messages are stored and shown on the console's Mail page.
    Mailbox,
}

/// The sender and the transport.
#[derive(Clone)]
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
    /// For Message-IDs: `<id@domain>`.
    pub domain: String,
}

/// What the SMTP server answered when it took a message.
pub type Answer = String;

/// Why a message was not delivered, and whether trying again may help.
#[derive(Debug, Clone)]
pub struct SendError {
    pub permanent: bool,
    pub error: DeliveryError,
}

impl Mailer {
    pub fn from_config(config: &Config) -> anyhow::Result<Self> {
        let from: Mailbox = config.mail_from.parse().map_err(|e| {
            anyhow::anyhow!("mail_from `{}` is not an address: {e}", config.mail_from)
        })?;
        let domain = from.email.domain().to_string();
        let transport = match &config.smtp_host {
            None => Transport::Mailbox,
            Some(host) => {
                let security =
                    Security::parse(&config.smtp_security).map_err(anyhow::Error::msg)?;
                let credentials = match (&config.smtp_username, &config.smtp_password) {
                    (Some(user), Some(password)) => {
                        Some(Credentials::new(user.clone(), password.clone()))
                    }
                    _ => None,
                };
                let timeout = Duration::from_secs(config.smtp_timeout_seconds);
                let client = match security {
                    Security::None | Security::StartTls => {
                        SmtpClient::Direct(Box::new(smtp::SmtpPool::new(
                            host.clone(),
                            config.smtp_port,
                            match security {
                                Security::StartTls => Some(tls_parameters(host, config)?),
                                _ => None,
                            },
                            credentials,
                            timeout,
                            config.smtp_connections as usize,
                        )))
                    }
                    Security::Tls => {
                        let mut builder =
                            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
                                .tls(Tls::Wrapper(tls_parameters(host, config)?))
                                .port(config.smtp_port)
                                .timeout(Some(timeout))
                                .pool_config(PoolConfig::new().max_size(config.smtp_connections));
                        if let Some(c) = credentials {
                            builder = builder.credentials(c);
                        }
                        SmtpClient::Lettre(builder.build())
                    }
                };
                Transport::Smtp(std::sync::Arc::new(client))
            }
        };
        Ok(Mailer {
            transport,
            from,
            domain,
        })
    }

    pub fn is_mailbox(&self) -> bool {
        matches!(self.transport, Transport::Mailbox)
    }

    /// Builds the MIME message. Names and subjects are encoded by lettre; a line break in
    /// either cannot start a new header. With `unsubscribe` (an `https://` or `http://` URL
    /// that takes a POST), the one-click unsubscribe headers of RFC 8058.
    pub fn build(
        &self,
        message_id: &str,
        sender_name: &str,
        to: &str,
        to_name: Option<&str>,
        rendered: &templates::Rendered,
        unsubscribe: Option<&str>,
    ) -> Result<Message, SendError> {
        let to_address = to.parse().map_err(|e| SendError {
            permanent: true,
            error: DeliveryError::with("not-an-address", format!("{to}: {e}")),
        })?;
        let to = Mailbox::new(
            to_name.map(templates::one_line).filter(|n| !n.is_empty()),
            to_address,
        );
        let from = Mailbox::new(
            Some(templates::one_line(sender_name)),
            self.from.email.clone(),
        );
        let mut builder = Message::builder()
            .message_id(Some(format!("<{message_id}>")))
            .from(from)
            .to(to)
            .subject(templates::one_line(&rendered.subject))
            .header(header::MIME_VERSION_1_0);
        if let Some(url) = unsubscribe {
            if !(url.starts_with("https://") || url.starts_with("http://"))
                || url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '>')
            {
                return Err(SendError {
                    permanent: true,
                    error: DeliveryError::with("unsubscribe-link", url),
                });
            }
            builder = builder
                .header(ListUnsubscribe(format!("<{url}>")))
                .header(ListUnsubscribePost);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                rendered.text.clone(),
                rendered.html.clone(),
            ))
            .map_err(|e| SendError {
                permanent: true,
                error: DeliveryError::with("build-failed", e),
            })
    }

    /// Sends over SMTP. Temporary failures (4xx answers, connection trouble) may succeed later;
    /// permanent ones (5xx) will not.
    pub async fn send_smtp(client: &SmtpClient, message: &Message) -> Result<Answer, SendError> {
        let result = match client {
            SmtpClient::Direct(pool) => pool.send(message).await,
            SmtpClient::Lettre(transport) => {
                transport
                    .send(message.clone())
                    .await
                    .map_err(|e| SendError {
                        permanent: e.is_permanent(),
                        error: smtp_error(&e),
                    })
            }
        };
        result.map(|response| {
            format!(
                "{} {}",
                response.code(),
                response.message().collect::<Vec<_>>().join(" ")
            )
        })
    }
}

/// What TLS checks of the SMTP server: its certificate names `host` and comes from a public
/// authority, or from one in `smtp_ca_file`.
fn tls_parameters(host: &str, config: &Config) -> anyhow::Result<TlsParameters> {
    let mut builder = TlsParameters::builder(host.to_string());
    if let Some(file) = &config.smtp_ca_file {
        let pem = std::fs::read(file)
            .map_err(|e| anyhow::anyhow!("smtp_ca_file: cannot read {file}: {e}"))?;
        let certificate = Certificate::from_pem(&pem)
            .ok()
            .filter(|_| pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----"))
            .ok_or_else(|| anyhow::anyhow!("smtp_ca_file: {file} holds no PEM certificate"))?;
        builder = builder.add_root_certificate(certificate);
    }
    builder
        .build()
        .map_err(|e| anyhow::anyhow!("the TLS settings for {host}: {e}"))
}

/// `List-Unsubscribe: <url>` (RFC 2369).
#[derive(Debug, Clone)]
struct ListUnsubscribe(String);

impl header::Header for ListUnsubscribe {
    fn name() -> header::HeaderName {
        header::HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribe(s.to_string()))
    }
    fn display(&self) -> header::HeaderValue {
        header::HeaderValue::new(Self::name(), self.0.clone())
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): a mail client may
/// unsubscribe with one POST, without opening a page.
#[derive(Debug, Clone)]
struct ListUnsubscribePost;

impl header::Header for ListUnsubscribePost {
    fn name() -> header::HeaderName {
        header::HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(ListUnsubscribePost)
    }
    fn display(&self) -> header::HeaderValue {
        header::HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_string())
    }
}

fn smtp_error(e: &lettre::transport::smtp::Error) -> DeliveryError {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    let text: String = text.chars().take(1000).collect();
    // What to do about a certificate refused, in words an operator acts on.
    if text.contains("UnknownIssuer") || text.contains("unknown issuer") {
        DeliveryError::with("smtp-untrusted", text)
    } else if text.contains("NotValidForName") || text.contains("not valid for name") {
        DeliveryError::with("smtp-misnamed", text)
    } else {
        DeliveryError::said(text)
    }
}

/// A fresh Message-ID (without the angle brackets).
pub fn new_message_id(domain: &str) -> String {
    format!("{}@{}", crate::security::tokens::random_hex(16), domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailer() -> Mailer {
        Mailer::from_config(&Config::default()).unwrap()
    }

    #[test]
    fn header_injection_through_names_and_subjects_is_impossible() {
        let m = mailer();
        let rendered = templates::Rendered {
            subject: "Hello\r\nBcc: victim@example.com".into(),
            html: "<p>x</p>".into(),
            text: "x".into(),
        };
        let msg = m
            .build(
                "abc@example.com",
                "Portal\r\nBcc: a@example.com",
                "erika@example.com",
                Some("Erika\nBcc: b@example.com"),
                &rendered,
                None,
            )
            .unwrap();
        let raw = String::from_utf8(msg.formatted()).unwrap();
        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(
            !headers
                .lines()
                .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
            "{headers}"
        );
        assert!(headers.contains("Message-ID: <abc@example.com>"));
        // A recipient that is not an address is a permanent failure.
        assert!(
            m.build(
                "x@example.com",
                "P",
                "not an address",
                None,
                &rendered,
                None
            )
            .unwrap_err()
            .permanent
        );
    }
}
