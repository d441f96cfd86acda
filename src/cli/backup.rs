//! `admit backup` and `admit restore`: a copy of the SQLite database made while Admit runs,
//! and putting one back while it does not. PostgreSQL is backed up with its own tools.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

use super::common::{ConfigArg, load};
use crate::config::redact_url;
use crate::storage::backup;

#[derive(Args)]
pub struct BackupArgs {
    /// The new file to write (refused when it exists).
    #[arg(long)]
    to: PathBuf,
    #[command(flatten)]
    config: ConfigArg,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A backup made by `admit backup`; checked before anything changes.
    #[arg(long)]
    from: PathBuf,
    #[command(flatten)]
    config: ConfigArg,
}

fn postgres_advice(url: &str) -> String {
    let url = redact_url(url);
    format!(
        "the database is PostgreSQL ({url}): back it up with its own tools, which copy a \
         consistent snapshot while Admit runs:\n  pg_dump --format=custom --file admit.dump '{url}'\n\
         and restore, with every Admit instance stopped, into an empty database:\n  \
         pg_restore --no-owner --dbname '{url}' admit.dump"
    )
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let config = load(&args.config)?;
    let Some(database) = backup::sqlite_file(&config.database_url) else {
        bail!(postgres_advice(&config.database_url));
    };
    let summary = backup::backup(&database, &args.to).await?;
    println!(
        "Backed up {} to {} ({} bytes, schema version {}); it passes the integrity check.",
        database.display(),
        summary.path.display(),
        summary.bytes,
        summary.schema_version
    );
    Ok(())
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let config = load(&args.config)?;
    let Some(database) = backup::sqlite_file(&config.database_url) else {
        bail!(postgres_advice(&config.database_url));
    };
    let summary = backup::restore(&database, &args.from).await?;
    println!(
        "Restored {} from {} (schema version {}). The next start applies any newer migrations.",
        summary.path.display(),
        args.from.display(),
        summary.schema_version
    );
    Ok(())
}
