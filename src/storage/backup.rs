//! Backups of the SQLite database: a consistent copy made while Admit runs (`VACUUM INTO`,
//! which reads one snapshot while writers go on), and putting a checked copy back in place of a
//! database that nothing has open. PostgreSQL has its own tools (`pg_dump`, `pg_restore`).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};

use super::migrate::MIGRATIONS;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// Nothing was written: the reason says why.
    #[error("{0}")]
    Refused(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

type Result<T> = std::result::Result<T, BackupError>;

fn refused(message: impl Into<String>) -> BackupError {
    BackupError::Refused(message.into())
}

/// What a checked copy holds.
#[derive(Debug, Clone)]
pub struct Summary {
    pub path: PathBuf,
    /// The last migration applied to it.
    pub schema_version: i64,
    pub bytes: u64,
}

/// The file of a `sqlite:` database URL; `None` for any other database.
pub fn sqlite_file(database_url: &str) -> Option<PathBuf> {
    if !database_url.starts_with("sqlite:") {
        return None;
    }
    SqliteConnectOptions::from_str(database_url)
        .ok()
        .map(|o| o.get_filename().to_path_buf())
}

async fn open(path: &Path, read_only: bool, busy: Duration) -> Result<SqliteConnection> {
    Ok(SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .read_only(read_only)
        .busy_timeout(busy)
        .connect()
        .await?)
}

/// The last migration of an Admit database, or a refusal naming what it is not.
async fn schema_version(conn: &mut SqliteConnection, path: &Path) -> Result<i64> {
    let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM admit_migrations")
        .fetch_one(&mut *conn)
        .await
        .map_err(|_| {
            refused(format!(
                "{} is not an Admit database (it has no admit_migrations table)",
                path.display()
            ))
        })?;
    let version = version.ok_or_else(|| {
        refused(format!(
            "{} is not an Admit database (no migration was applied to it)",
            path.display()
        ))
    })?;
    let known = MIGRATIONS.last().map(|m| m.version).unwrap_or(0);
    if version > known {
        return Err(refused(format!(
            "{} has migration {version}, which this version of Admit does not know; use a newer Admit",
            path.display()
        )));
    }
    Ok(version)
}

/// Checks that `path` is an Admit database whose pages and indexes are sound
/// (`PRAGMA integrity_check`), without changing it.
pub async fn check(path: &Path) -> Result<Summary> {
    let meta = std::fs::metadata(path)
        .map_err(|e| refused(format!("cannot read {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(refused(format!("{} is not a file", path.display())));
    }
    let mut conn = open(path, true, Duration::from_secs(10))
        .await
        .map_err(|e| refused(format!("{} is not a SQLite database: {e}", path.display())))?;
    let problems: std::result::Result<Vec<String>, _> =
        sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(&mut conn)
            .await;
    let problems = problems
        .map_err(|e| refused(format!("{} fails the integrity check: {e}", path.display())))?;
    if problems != ["ok"] {
        let _ = conn.close().await;
        return Err(refused(format!(
            "{} fails the integrity check: {}",
            path.display(),
            problems.join("; ")
        )));
    }
    let schema_version = schema_version(&mut conn, path).await;
    conn.close().await?;
    Ok(Summary {
        path: path.to_path_buf(),
        schema_version: schema_version?,
        bytes: meta.len(),
    })
}

/// A file beside `target` for writing before it takes `target`'s name.
fn partial_beside(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "admit.db".into());
    target.with_file_name(format!(
        ".{name}.partial-{}",
        crate::security::tokens::random_hex(4)
    ))
}

/// Copies the database at `database` to the new file `to` while others read and write it: the
/// copy is one consistent snapshot, checked before it gets its name.
pub async fn backup(database: &Path, to: &Path) -> Result<Summary> {
    if to.exists() {
        return Err(refused(format!(
            "{} exists: name a new file for the backup",
            to.display()
        )));
    }
    if !database.is_file() {
        return Err(refused(format!("no database at {}", database.display())));
    }
    if let Some(folder) = to.parent().filter(|p| !p.as_os_str().is_empty())
        && !folder.is_dir()
    {
        return Err(refused(format!("no folder {}", folder.display())));
    }
    let mut conn = open(database, false, Duration::from_secs(30)).await?;
    schema_version(&mut conn, database).await?;
    let partial = partial_beside(to);
    let copied = sqlx::query("VACUUM INTO $1")
        .bind(partial.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await;
    conn.close().await?;
    let checked = match copied {
        Ok(_) => check(&partial).await,
        Err(e) => Err(e.into()),
    };
    let result = checked.and_then(|summary| {
        std::fs::File::open(&partial)?.sync_all()?;
        // `rename` would replace a file made meanwhile; a hard link does not.
        std::fs::hard_link(&partial, to)
            .map_err(|e| refused(format!("cannot name the backup {}: {e}", to.display())))?;
        Ok(Summary {
            path: to.to_path_buf(),
            ..summary
        })
    });
    let _ = std::fs::remove_file(&partial);
    result
}

/// Puts the checked copy `from` in place of the database at `database`. Refused while any
/// connection has that database open (a running Admit keeps one open at all times): SQLite
/// leaves write-ahead logging only for a connection that is alone on the file.
pub async fn restore(database: &Path, from: &Path) -> Result<Summary> {
    let summary = check(from).await?;
    if database.exists() {
        let same = std::fs::canonicalize(database)? == std::fs::canonicalize(from)?;
        if same {
            return Err(refused("the backup and the database are the same file"));
        }
        let mut conn = open(database, false, Duration::ZERO).await?;
        let in_use = || {
            refused(format!(
                "the database {} is in use (is `admit serve` running?): stop every Admit process that uses it, then restore",
                database.display()
            ))
        };
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode = DELETE")
            .fetch_one(&mut conn)
            .await
            .map_err(|_| in_use())?;
        if mode != "delete" {
            return Err(in_use());
        }
        // Nobody may open it until it is replaced.
        sqlx::query("BEGIN EXCLUSIVE")
            .execute(&mut conn)
            .await
            .map_err(|_| in_use())?;
        let replaced = replace(database, from);
        let _ = sqlx::query("ROLLBACK").execute(&mut conn).await;
        conn.close().await?;
        replaced?;
    } else {
        replace(database, from)?;
    }
    Ok(Summary {
        path: database.to_path_buf(),
        ..summary
    })
}

fn replace(database: &Path, from: &Path) -> Result<()> {
    let partial = partial_beside(database);
    let copied = std::fs::copy(from, &partial)
        .and_then(|_| std::fs::File::open(&partial)?.sync_all())
        .and_then(|_| std::fs::rename(&partial, database));
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(refused(format!("cannot write {}: {e}", database.display())));
    }
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = database.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    Ok(())
}
