//! Building and running the server: connect, migrate, bind, serve until asked to stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::clock::{SharedClock, SystemClock};
use crate::config::{Config, redact_url};
use crate::security::passwords::PasswordHasher;
use crate::storage::{Db, migrate};
use crate::usecases::Ctx;
use crate::usecases::staff::SessionPolicy;
use crate::web::{self, AppState};

pub struct Application {
    listener: TcpListener,
    /// `metrics_listen`'s listener, when set.
    metrics: Option<TcpListener>,
    state: AppState,
}

/// Connects to the configured database and applies the migrations.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url, config.database_max_connections)
        .await
        .with_context(|| format!("connecting to {}", redact_url(&config.database_url)))?;
    let applied = migrate::run(&db).await.context("applying migrations")?;
    if applied > 0 {
        tracing::info!(applied, "database migrated");
    }
    Ok(db)
}

pub fn context(db: Db, clock: SharedClock) -> Ctx {
    context_with(db, clock, &Config::default())
}

/// The context of the use cases, with the outbox settings of `config`.
pub fn context_with(db: Db, clock: SharedClock, config: &Config) -> Ctx {
    let limit = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let domain = config
        .mail_from
        .parse::<lettre::message::Mailbox>()
        .map(|m| m.email.domain().to_string())
        .unwrap_or_else(|_| "localhost.localdomain".into());
    Ctx {
        db,
        clock,
        hasher: PasswordHasher::new(limit),
        passwords: crate::security::password_policy::PasswordPolicy::new(
            config.breached_password_check.then(|| {
                crate::security::breached::BreachCheck::new(&config.breached_password_url)
            }),
        ),
        mail: crate::usecases::mail::MailSettings {
            max_attempts: config.mail_max_attempts,
            domain,
            public_url: config.public_url(),
        },
        mail_wakeup: Default::default(),
        logout_wakeup: Default::default(),
        rotations: Default::default(),
        scopes: Default::default(),
        clients: Default::default(),
        metrics: Default::default(),
        // A secret that does not read was refused by `Config::load` (and by `build_with`).
        keys: Arc::new(crate::usecases::oidc::keys::KeyCache::new(
            config
                .keys_secret
                .as_deref()
                .and_then(|s| crate::security::sealing::Sealer::from_secret(s).ok()),
        )),
    }
}

impl Application {
    /// Connects, migrates and binds the listener (port 0 picks a free port).
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let db = open_database(&config).await?;
        Self::build_with(config, db, Arc::new(SystemClock)).await
    }

    /// As [`Application::build`], with a database and a clock of the caller's (tests move the clock).
    pub async fn build_with(config: Config, db: Db, clock: SharedClock) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        let metrics = match &config.metrics_listen {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("listening on {addr} (metrics_listen)"))?,
            ),
            None => None,
        };
        let mut config = config;
        if config.public_url.is_none() {
            // Links in e-mail point at the address actually bound (port 0 picks one).
            config.public_url = Some(format!("http://{}", listener.local_addr()?));
        }
        let policy = SessionPolicy {
            idle_ms: config.session_idle_minutes * 60_000,
            absolute_ms: config.session_absolute_hours * 3_600_000,
        };
        let mailer = crate::mail::Mailer::from_config(&config)?;
        if let Some(secret) = &config.keys_secret {
            crate::security::sealing::Sealer::from_secret(secret).context("keys_secret")?;
        }
        let cx = context_with(db, clock, &config);
        if mailer.is_mailbox() && config.mail_mode != "mailbox" {
            tracing::warn!(
                "smtp_host (ADMIT_SMTP_HOST) is not set: every e-mail goes to the built-in mailbox (console: Mail) and reaches nobody; set smtp_host, or mail_mode = \"mailbox\" if this is meant"
            );
        }
        if config.keys_secret.is_none() {
            tracing::warn!(
                "keys_secret (ADMIT_KEYS_SECRET) is not set: the private keys that sign OpenID Connect tokens are stored in clear in the database"
            );
        }
        crate::usecases::oidc::keys::ensure(&cx)
            .await
            .context("preparing the keys that sign OpenID Connect tokens")?;
        let state = AppState::new(crate::web::Shared {
            cx,
            proxies: config.proxies(),
            config: Arc::new(config),
            policy,
            mailer,
        });
        Ok(Self {
            listener,
            metrics,
            state,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// The address of `metrics_listen`, when set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|l| l.local_addr().ok())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let state = self.state.clone();
        let jobs = tokio::spawn(background_jobs(state.clone()));
        let worker = crate::jobs::outbox::OutboxWorker::new(
            state.cx.clone(),
            state.mailer.clone(),
            crate::jobs::outbox::WorkerSettings::from_config(&state.config),
        );
        let (stop_workers, stopped) = tokio::sync::watch::channel(false);
        let mut outbox = tokio::spawn(worker.run(stopped.clone()));
        let logouts = crate::jobs::backchannel::BackchannelWorker::new(
            state.cx.clone(),
            crate::jobs::backchannel::Settings::from_config(&state.config),
        );
        let mut backchannel = tokio::spawn(logouts.run(stopped));
        let limits = web::serve::Limits {
            header_timeout: Duration::from_secs(state.config.header_timeout_seconds),
            max_connections: state.config.max_connections,
        };
        let (stop_metrics, metrics_stopped) = tokio::sync::watch::channel(false);
        let metrics = self.metrics.map(|listener| {
            let mut stopped = metrics_stopped;
            let router = web::metrics::own_router(state.cx.clone());
            let limits = web::serve::Limits {
                max_connections: 16,
                ..limits
            };
            tokio::spawn(web::serve::serve(listener, router, limits, async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            }))
        });
        web::serve::serve(self.listener, web::router(state.clone()), limits, shutdown).await;
        let _ = stop_metrics.send(true);
        if let Some(metrics) = metrics {
            let _ = metrics.await;
        }
        jobs.abort();
        // Let the messages and back-channel logouts in flight finish; a worker still busy
        // after 10 s leaves them to its lease, and they are sent again later.
        let _ = stop_workers.send(true);
        let drained = tokio::time::timeout(Duration::from_secs(10), async {
            let _ = (&mut outbox).await;
            let _ = (&mut backchannel).await;
        })
        .await;
        if drained.is_err() {
            outbox.abort();
            backchannel.abort();
        }
        state.cx.db.close().await;
        Ok(())
    }
}

/// The work that runs inside the server besides the outbox: housekeeping every minute
/// (expired sessions, links and counters), and the digest scheduler.
async fn background_jobs(state: AppState) {
    let digests = crate::jobs::digests::run(
        state.cx.clone(),
        Duration::from_secs(state.config.digest_poll_seconds),
    );
    let housekeeping = crate::jobs::maintenance::run(
        state.cx.clone(),
        state.policy.clone(),
        Duration::from_secs(60),
    );
    tokio::join!(digests, housekeeping);
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
