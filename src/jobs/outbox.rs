//! The outbox worker: claims due messages under a lease, renders and sends them, and records
//! the outcome. Delivery is at least once: a worker that dies mid-send leaves its claims to be
//! taken again when the lease ends, so a message is sent twice only in that window.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::Config;
use crate::domain::delivery::{DeliveryError, gave_up};
use crate::mail::{Mailer, SendError, Transport};
use crate::metrics::{Delivery, Job};
use crate::storage::outbox::{self as store, NewMailboxMessage, OutboxMessage};
use crate::usecases::Ctx;
use crate::usecases::mail::render_message;

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub connections: usize,
    pub lease_ms: i64,
    pub retry_ms: i64,
    pub retry_max_ms: i64,
    pub poll: Duration,
}

impl WorkerSettings {
    pub fn from_config(config: &Config) -> Self {
        WorkerSettings {
            connections: config.smtp_connections as usize,
            lease_ms: config.mail_lease_seconds * 1000,
            retry_ms: config.mail_retry_seconds * 1000,
            retry_max_ms: config.mail_retry_max_seconds * 1000,
            poll: Duration::from_secs(1),
        }
    }
}

/// The wait before attempt `attempts + 1`: doubling from `base`, capped, plus up to a tenth more.
pub fn backoff(attempts: i64, base: i64, cap: i64) -> i64 {
    let exp = attempts.clamp(1, 30) - 1;
    let delay = base.saturating_mul(1i64 << exp).min(cap);
    let jitter = if delay >= 10 {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b).ok();
        (u32::from_le_bytes(b) as i64) % (delay / 10)
    } else {
        0
    };
    delay + jitter
}

pub struct OutboxWorker {
    cx: Ctx,
    mailer: Mailer,
    settings: WorkerSettings,
    owner: String,
}

impl OutboxWorker {
    pub fn new(cx: Ctx, mailer: Mailer, settings: WorkerSettings) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "admit".into());
        let owner = format!(
            "{host}-{}-{}",
            std::process::id(),
            crate::security::tokens::random_hex(4)
        );
        OutboxWorker {
            cx,
            mailer,
            settings,
            owner,
        }
    }

    /// Runs until `stop` turns true, waking on new mail or every poll interval. A batch in
    /// flight is finished first.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let this = Arc::new(self);
        while !*stop.borrow() {
            let ticked = this.clone().tick().await;
            if ticked.is_ok() {
                this.cx.metrics.job_succeeded(Job::Outbox, this.cx.now());
            }
            match ticked {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "the outbox worker could not claim messages"),
            }
            tokio::select! {
                _ = this.cx.mail_wakeup.notified() => {}
                _ = tokio::time::sleep(this.settings.poll) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Claims one batch of due messages and sends them. Returns how many it handled.
    pub async fn tick(self: Arc<Self>) -> anyhow::Result<usize> {
        let now = self.cx.now();
        let limit = (self.settings.connections * 4).max(1) as i64;
        let mut tx = self.cx.db.write().await?;
        let batch = store::claim_due(
            &mut tx,
            &self.owner,
            now,
            now + self.settings.lease_ms,
            limit,
        )
        .await?;
        tx.commit().await?;
        let n = batch.len();
        if n == 0 {
            return Ok(0);
        }
        let permits = Arc::new(Semaphore::new(self.settings.connections.max(1)));
        let mut tasks = JoinSet::new();
        for message in batch {
            let this = self.clone();
            let permits = permits.clone();
            tasks.spawn(async move {
                let _permit = permits.acquire().await;
                if let Err(e) = this.deliver(&message).await {
                    tracing::warn!(id = message.id, error = %e, "recording a delivery failed; the lease will expire and it is tried again");
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        Ok(n)
    }

    async fn deliver(&self, m: &OutboxMessage) -> anyhow::Result<()> {
        if m.attempts > m.max_attempts {
            return self.fail(m, &gave_up(m.last_error.as_deref()), None).await;
        }
        let link = if m.link_purpose.is_some() {
            match crate::usecases::accounts::mint_link(&self.cx, m).await {
                Ok(Ok(link)) => Some(link),
                Ok(Err(reason)) => return self.fail(m, &reason, None).await,
                Err(e) => return Err(anyhow::anyhow!("making the link: {e}")),
            }
        } else {
            None
        };
        let unsubscribe = match m.unsubscribe_subscription_id {
            Some(sub) => {
                match crate::usecases::notifications::mint_unsubscribe(&self.cx, sub).await {
                    Ok(Some(url)) => Some(url),
                    Ok(None) => {
                        return self
                            .fail(m, &DeliveryError::new("no-subscription"), None)
                            .await;
                    }
                    Err(e) => return Err(anyhow::anyhow!("making the unsubscribe link: {e}")),
                }
            }
            // A digest whose subscription went (the account was removed) is not sent.
            None if m.event == "digest" => {
                return self
                    .fail(m, &DeliveryError::new("no-subscription"), None)
                    .await;
            }
            None => None,
        };
        let rendered = {
            let mut tx = self.cx.db.read().await?;
            let link = link.as_ref().map(|(u, e)| (u.as_str(), e.as_str()));
            render_message(&mut tx, &self.cx.mail, m, link, unsubscribe.as_deref()).await
        };
        let (rendered, sender_name) = match rendered {
            Ok(r) => r,
            Err(e) => {
                return self
                    .fail(m, &DeliveryError::with("template-failed", e), None)
                    .await;
            }
        };
        let message = match self.mailer.build(
            &m.message_id,
            &sender_name,
            &m.recipient,
            m.recipient_name.as_deref(),
            &rendered,
            unsubscribe.as_deref(),
        ) {
            Ok(msg) => msg,
            Err(e) => return self.fail(m, &e.error, None).await,
        };
        match &self.mailer.transport {
            Transport::Mailbox => {
                let now = self.cx.now();
                let mut tx = self.cx.db.write().await?;
                let sender = format!(
                    "{} <{}>",
                    crate::mail::templates::one_line(&sender_name),
                    self.mailer.from.email
                );
                store::deliver_to_mailbox(
                    &mut tx,
                    &NewMailboxMessage {
                        outbox_id: m.id,
                        message_id: &m.message_id,
                        sender: &sender,
                        recipient: &m.recipient,
                        subject: &rendered.subject,
                        html_body: &rendered.html,
                        text_body: &rendered.text,
                    },
                    now,
                )
                .await?;
                if store::mark_sent(
                    &mut tx,
                    m.id,
                    &self.owner,
                    now,
                    // The catalog's words for it, by their code.
                    &DeliveryError::new("to-mailbox").stored(),
                )
                .await?
                {
                    tx.commit().await?;
                    self.cx.metrics.delivery(Delivery::Sent);
                }
                Ok(())
            }
            Transport::Smtp(smtp) => match Mailer::send_smtp(smtp, &message).await {
                Ok(answer) => {
                    let now = self.cx.now();
                    let mut tx = self.cx.db.write().await?;
                    store::mark_sent(&mut tx, m.id, &self.owner, now, &answer).await?;
                    tx.commit().await?;
                    self.cx.metrics.delivery(Delivery::Sent);
                    tracing::info!(id = m.id, event = %m.event, answer = %answer, "e-mail sent");
                    Ok(())
                }
                Err(SendError {
                    permanent: true,
                    error,
                }) => self.fail(m, &error, None).await,
                Err(SendError {
                    permanent: false,
                    error,
                }) => {
                    let next = (m.attempts < m.max_attempts).then(|| {
                        self.cx.now()
                            + backoff(
                                m.attempts,
                                self.settings.retry_ms,
                                self.settings.retry_max_ms,
                            )
                    });
                    self.fail(m, &error, next).await
                }
            },
        }
    }

    async fn fail(
        &self,
        m: &OutboxMessage,
        error: &DeliveryError,
        next: Option<i64>,
    ) -> anyhow::Result<()> {
        let now = self.cx.now();
        let mut tx = self.cx.db.write().await?;
        let stored = error.stored();
        store::mark_attempt_failed(&mut tx, m.id, &self.owner, now, &stored, next).await?;
        tx.commit().await?;
        self.cx.metrics.delivery(match next {
            Some(_) => Delivery::Retry,
            None => Delivery::Failed,
        });
        match next {
            Some(_) => tracing::info!(
                id = m.id,
                attempt = m.attempts,
                error = %error,
                "e-mail not sent; will retry"
            ),
            None => {
                tracing::warn!(id = m.id, attempt = m.attempts, error = %error, "e-mail failed")
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let b1 = backoff(1, 30_000, 3_600_000);
        let b2 = backoff(2, 30_000, 3_600_000);
        let b10 = backoff(10, 30_000, 3_600_000);
        assert!((30_000..33_000).contains(&b1), "{b1}");
        assert!((60_000..66_000).contains(&b2), "{b2}");
        assert!((3_600_000..3_960_000).contains(&b10), "{b10}");
        assert!(backoff(1000, 30_000, 3_600_000) <= 3_960_000);
    }
}
