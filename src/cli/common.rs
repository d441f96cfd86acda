//! What the commands share: the configuration argument, logging, the database and context,
//! and how a use case's error reads on the terminal.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Args;

use crate::app;
use crate::config::Config;
use crate::storage::Db;
use crate::usecases;

#[derive(Args, Clone)]
pub struct ConfigArg {
    /// A TOML configuration file; `ADMIT_` environment variables override it.
    #[arg(long, env = "ADMIT_CONFIG")]
    pub config: Option<PathBuf>,
}

pub fn init_logging(format: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("ADMIT_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub fn load(config: &ConfigArg) -> anyhow::Result<Config> {
    Config::load(config.config.as_deref()).context("reading the configuration")
}

/// The database (migrated) and a context with the configured settings.
pub async fn open(config: &Config) -> anyhow::Result<(Db, usecases::Ctx)> {
    let db = app::open_database(config).await?;
    let cx = app::context_with(
        db.clone(),
        std::sync::Arc::new(crate::clock::SystemClock),
        config,
    );
    Ok((db, cx))
}

/// A password from standard input, without its line end. It is never echoed.
pub fn password_from_stdin() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("reading the password")?;
    let password = s.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!("no password came on standard input");
    }
    Ok(password)
}

pub async fn resolve_areas(cx: &usecases::Ctx, names: &[String]) -> anyhow::Result<Vec<i64>> {
    let mut ids = Vec::new();
    let mut tx = cx.db.read().await?;
    for n in names {
        let found = match crate::storage::directory::find_area_by_name(&mut tx, n).await? {
            Some(a) => Some(a.id),
            None => match n.parse::<i64>() {
                Ok(id) => crate::storage::directory::get_area(&mut tx, id)
                    .await?
                    .map(|a| a.id),
                Err(_) => None,
            },
        };
        match found {
            Some(id) => ids.push(id),
            None => bail!("no area named {n}"),
        }
    }
    Ok(ids)
}

pub fn describe(e: usecases::Error) -> anyhow::Error {
    match e {
        usecases::Error::Invalid(f) | usecases::Error::Conflict(f) => anyhow::anyhow!("{f}"),
        other => anyhow::anyhow!("{other}"),
    }
}
