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
    let limit = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    Ctx {
        db,
        clock,
        hasher: PasswordHasher::new(limit),
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
        let policy = SessionPolicy {
            idle_ms: config.session_idle_minutes * 60_000,
            absolute_ms: config.session_absolute_hours * 3_600_000,
        };
        let state = AppState {
            cx: context(db, clock),
            config: Arc::new(config),
            policy,
        };
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
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
        let app = web::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, app)
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving")?;
        jobs.abort();
        state.cx.db.close().await;
        Ok(())
    }
}

/// Housekeeping that runs inside the server: expired sessions are removed.
async fn background_jobs(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        match crate::usecases::staff::purge_sessions(&state.cx, &state.policy).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "expired console sessions removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "removing expired sessions failed"),
        }
    }
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
