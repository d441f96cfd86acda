//! SMTP connections of our own for plain and STARTTLS servers, with `TCP_NODELAY` set.
//!
//! lettre 0.11 writes a message's body and its final `.` in two writes on a socket with Nagle's
//! algorithm on, so each message waits for the server's delayed ACK: 40 ms on Linux, about 22
//! messages a second per connection. Setting `TCP_NODELAY` removes the wait. Implicit TLS (port
//! 465) still goes through lettre's own pooled transport.

use std::time::Duration;

use lettre::Message;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;
use tokio::sync::Mutex;

use super::SendError;
use crate::domain::delivery::DeliveryError;

pub struct SmtpPool {
    pub host: String,
    pub port: u16,
    /// STARTTLS with these parameters (the server's name, the authorities trusted), or plain.
    pub starttls: Option<TlsParameters>,
    pub credentials: Option<Credentials>,
    pub timeout: Duration,
    pub max_idle: usize,
    hello: ClientId,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
}

fn error(permanent: bool, error: DeliveryError) -> SendError {
    SendError { permanent, error }
}

impl SmtpPool {
    pub fn new(
        host: String,
        port: u16,
        starttls: Option<TlsParameters>,
        credentials: Option<Credentials>,
        timeout: Duration,
        max_idle: usize,
    ) -> Self {
        SmtpPool {
            host,
            port,
            starttls,
            credentials,
            timeout,
            max_idle,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::new()),
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let address = (self.host.as_str(), self.port);
        let stream = tokio::time::timeout(self.timeout, tokio::net::TcpStream::connect(address))
            .await
            .map_err(|_| {
                error(
                    false,
                    DeliveryError::with(
                        "connect-timed-out",
                        format!("{}:{}", self.host, self.port),
                    ),
                )
            })?
            .map_err(|e| {
                error(
                    false,
                    DeliveryError::with(
                        "connect-failed",
                        format!("{}:{}: {e}", self.host, self.port),
                    ),
                )
            })?;
        stream
            .set_nodelay(true)
            .map_err(|e| error(false, DeliveryError::with("tcp-nodelay", e)))?;
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello)
            .await
            .map_err(|e| error(e.is_permanent(), super::smtp_error(&e)))?;
        if let Some(tls) = &self.starttls {
            conn.starttls(tls.clone(), &self.hello)
                .await
                .map_err(|e| error(e.is_permanent(), super::smtp_error(&e)))?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                .await
                .map_err(|e| error(e.is_permanent(), super::smtp_error(&e)))?;
        }
        Ok(conn)
    }

    async fn attempt(
        &self,
        conn: &mut AsyncSmtpConnection,
        message: &Message,
    ) -> Result<Response, lettre::transport::smtp::Error> {
        conn.send(message.envelope(), &message.formatted()).await
    }

    /// Sends one message, on an idle connection when there is one.
    pub async fn send(&self, message: &Message) -> Result<Response, SendError> {
        let reused = self.idle.lock().await.pop();
        let fresh = reused.is_none();
        let mut conn = match reused {
            Some(c) => c,
            None => self.connect().await?,
        };
        let first = tokio::time::timeout(self.timeout, self.attempt(&mut conn, message)).await;
        let result = match first {
            Ok(Ok(r)) => Ok(r),
            // An idle connection the server has closed: once more on a new one.
            Ok(Err(e)) if !fresh && !e.is_permanent() && !e.is_transient() => {
                conn = self.connect().await?;
                match tokio::time::timeout(self.timeout, self.attempt(&mut conn, message)).await {
                    Ok(r) => r.map_err(|e| error(e.is_permanent(), super::smtp_error(&e))),
                    Err(_) => {
                        return Err(error(false, DeliveryError::new("smtp-timed-out")));
                    }
                }
            }
            Ok(Err(e)) => Err(error(e.is_permanent(), super::smtp_error(&e))),
            Err(_) => {
                return Err(error(false, DeliveryError::new("smtp-timed-out")));
            }
        };
        if result.is_ok() && !conn.has_broken() {
            let mut idle = self.idle.lock().await;
            if idle.len() < self.max_idle {
                idle.push(conn);
            }
        }
        result
    }
}
