//! Admit's benchmarks: measurements on this machine, printed with its core count. Each one
//! generates its data into an empty database through the `admit` library (the use cases for the
//! few rows a deployment makes by hand, bulk inserts for the many), then times what Admit does
//! with it. The `admit-bench` binary runs them; `bench/casbin` takes its random numbers and
//! percentiles from here.
//!
//! - [`accounts`]: the access list with many portal accounts, and password logins;
//! - [`access`]: the access decision, in process and over HTTP on loopback;
//! - [`digests`]: computing and enqueueing one Monday's weekly digests;
//! - [`mail`]: enqueue and delivery throughput to an SMTP server on this machine;
//! - [`oidc`]: the OpenID Connect provider beside oidc-provider: logins, refresh, userinfo.
#![forbid(unsafe_code)]

pub mod access;
pub mod accounts;
mod bulk;
pub mod digests;
pub mod mail;
mod measure;
pub mod oidc;
mod rng;
mod seed;

pub use measure::{Timings, cores, percentiles};
pub use rng::Rng;

use std::sync::Arc;

use admit::clock::SystemClock;
use admit::config::Config;
use admit::storage::Db;
use admit::usecases::Ctx;

/// The database of a benchmark, migrated, with a context on the system clock.
struct Opened {
    config: Config,
    db: Db,
    cx: Ctx,
    /// The engine's name, for the first line of the figures.
    engine: String,
    /// Whether the database has no portal accounts yet.
    empty: bool,
}

/// Opens (and migrates) the database at `database_url` with Admit's default configuration.
async fn open(database_url: &str) -> anyhow::Result<Opened> {
    let config = Config {
        database_url: database_url.to_string(),
        ..Config::default()
    };
    let db = admit::app::open_database(&config).await?;
    let engine = format!("{:?}", db.engine());
    let cx = admit::app::context_with(db.clone(), Arc::new(SystemClock), &config);
    let empty = {
        let mut tx = cx.db.read().await?;
        bulk::middle_account(&mut tx).await?.0 == 0
    };
    Ok(Opened {
        config,
        db,
        cx,
        engine,
        empty,
    })
}
