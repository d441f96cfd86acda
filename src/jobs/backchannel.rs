//! The back-channel logout worker: claims due logouts under a lease, signs a logout token for
//! each and posts it to its client, and records the outcome, like the outbox worker does with
//! e-mails. A client that answers 200 or 204 has it; any other answer, or none, is retried with
//! backoff, and after the last attempt the logout is `failed` (an administrator may send it
//! again). Delivery is at least once: a worker that dies mid-post leaves its claims to be taken
//! again when the lease ends. Tokens are never logged.

mod post;

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::Config;
use crate::domain::delivery::{DeliveryError, gave_up};
use crate::jobs::outbox::backoff;
use crate::metrics::Job;
use crate::storage::oidc_clients;
use crate::storage::oidc_logouts::{self as store, OidcLogout};
use crate::usecases::Ctx;
use crate::usecases::oidc::backchannel::logout_token;

pub use post::Poster;

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Logouts posted at the same time.
    pub concurrency: usize,
    pub lease_ms: i64,
    pub retry_ms: i64,
    pub retry_max_ms: i64,
    pub max_attempts: i64,
    /// How often an idle worker looks for due logouts (a read; it claims only when one is due).
    pub poll: Duration,
    /// The longest a client may take to answer.
    pub timeout: Duration,
}

impl Settings {
    /// The outbox's leases, retries and attempts; a client answers within 5 s.
    pub fn from_config(config: &Config) -> Self {
        Settings {
            concurrency: 8,
            lease_ms: config.mail_lease_seconds * 1000,
            retry_ms: config.mail_retry_seconds * 1000,
            retry_max_ms: config.mail_retry_max_seconds * 1000,
            max_attempts: config.mail_max_attempts,
            poll: Duration::from_millis(250),
            timeout: Duration::from_secs(5),
        }
    }
}

pub struct BackchannelWorker {
    cx: Ctx,
    settings: Settings,
    owner: String,
    poster: Poster,
}

impl BackchannelWorker {
    pub fn new(cx: Ctx, settings: Settings) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "admit".into());
        let owner = format!(
            "{host}-{}-{}",
            std::process::id(),
            crate::security::tokens::random_hex(4)
        );
        let poster = Poster::new(settings.timeout);
        BackchannelWorker {
            cx,
            settings,
            owner,
            poster,
        }
    }

    /// Runs until `stop` turns true, waking when a logout is queued, or looking every poll
    /// interval. A batch in flight is finished first.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let this = Arc::new(self);
        while !*stop.borrow() {
            let ticked = this.clone().tick().await;
            if ticked.is_ok() {
                this.cx
                    .metrics
                    .job_succeeded(Job::Backchannel, this.cx.now());
            }
            match ticked {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the back-channel logout worker could not claim logouts")
                }
            }
            tokio::select! {
                _ = this.cx.logout_wakeup.notified() => {}
                _ = tokio::time::sleep(this.settings.poll) => {}
                _ = stop.changed() => {}
            }
        }
    }

    /// Claims one batch of due logouts and delivers them. Returns how many it handled.
    pub async fn tick(self: Arc<Self>) -> anyhow::Result<usize> {
        let now = self.cx.now();
        {
            let mut tx = self.cx.db.reads().await?;
            let due = store::any_due(&mut tx, now).await?;
            tx.release();
            if !due {
                return Ok(0);
            }
        }
        let limit = (self.settings.concurrency * 4).max(1) as i64;
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
        let permits = Arc::new(Semaphore::new(self.settings.concurrency.max(1)));
        let mut tasks = JoinSet::new();
        for logout in batch {
            let this = self.clone();
            let permits = permits.clone();
            tasks.spawn(async move {
                let _permit = permits.acquire().await;
                if let Err(e) = this.deliver(&logout).await {
                    tracing::warn!(id = logout.id, error = %e, "recording a back-channel logout failed; the lease will expire and it is tried again");
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        Ok(n)
    }

    async fn deliver(&self, l: &OidcLogout) -> anyhow::Result<()> {
        let max = self.settings.max_attempts;
        if l.attempts > max {
            return self.fail(l, &gave_up(l.last_error.as_deref()), None).await;
        }
        let client = {
            let mut tx = self.cx.db.read().await?;
            oidc_clients::get(&mut tx, l.client_id).await?
        };
        let Some(client) = client else {
            return self
                .fail(l, &DeliveryError::new("client-deleted"), None)
                .await;
        };
        if !client.active {
            return self.fail(l, &DeliveryError::new("client-off"), None).await;
        }
        let Some(uri) = client.backchannel_logout_uri.as_deref() else {
            return self
                .fail(l, &DeliveryError::new("no-logout-uri"), None)
                .await;
        };
        let retry = || {
            (l.attempts < max).then(|| {
                self.cx.now()
                    + backoff(
                        l.attempts,
                        self.settings.retry_ms,
                        self.settings.retry_max_ms,
                    )
            })
        };
        let token = match logout_token(&self.cx, &client, l).await {
            Ok(token) => token,
            Err(e) => {
                return self
                    .fail(l, &DeliveryError::with("token-unsigned", e), retry())
                    .await;
            }
        };
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("logout_token", &token)
            .finish();
        let error = match self.poster.post_form(uri, body).await {
            Ok(StatusCode::OK | StatusCode::NO_CONTENT) => {
                let now = self.cx.now();
                let mut tx = self.cx.db.write().await?;
                store::mark_sent(&mut tx, l.id, &self.owner, now).await?;
                tx.commit().await?;
                tracing::info!(id = l.id, client = %client.client_id, attempt = l.attempts, "back-channel logout delivered");
                return Ok(());
            }
            Ok(status) if status.is_redirection() => {
                DeliveryError::with("client-redirected", status)
            }
            Ok(status) => DeliveryError::with("client-answered", status),
            Err(e) => e,
        };
        self.fail(l, &error, retry()).await
    }

    async fn fail(
        &self,
        l: &OidcLogout,
        error: &DeliveryError,
        next: Option<i64>,
    ) -> anyhow::Result<()> {
        let now = self.cx.now();
        let mut tx = self.cx.db.write().await?;
        let stored = error.stored();
        store::mark_attempt_failed(&mut tx, l.id, &self.owner, now, &stored, next).await?;
        tx.commit().await?;
        match next {
            Some(_) => tracing::info!(
                id = l.id,
                attempt = l.attempts,
                error = %error,
                "back-channel logout not delivered; will retry"
            ),
            None => tracing::warn!(
                id = l.id,
                attempt = l.attempts,
                error = %error,
                "back-channel logout failed"
            ),
        }
        Ok(())
    }
}
