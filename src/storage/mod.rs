//! Storage on SQLite (embedded default) and PostgreSQL (several instances), with one set of
//! queries for both. Every query lives in a function of this module's children, and runs on
//! both engines through [`on_tx!`], which expands its body once per engine.
//!
//! Engine-specific SQL is confined to a few named functions (`lock_*`, the migration lock).

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};

pub mod accounts;
pub mod apikeys;
pub mod audit;
pub mod bulk;
pub mod directory;
pub mod migrate;
pub mod outbox;
pub mod staff;

/// Runs `$body` with `$c` bound to the transaction's connection, on whichever engine it is.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::storage::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::storage::Tx::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// As [`on_tx!`], for a statement that returns no rows: yields the number of rows affected.
#[macro_export]
macro_rules! exec_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::storage::Tx::Sqlite(t) => {
                let $c = &mut **t;
                ($body).map(|r| r.rows_affected())
            }
            $crate::storage::Tx::Postgres(t) => {
                let $c = &mut **t;
                ($body).map(|r| r.rows_affected())
            }
        }
    };
}

/// Limits a query to the areas of a scoped actor (a supervisor, an area-limited key): adds
/// `AND {column} IN (...)`, or nothing for an actor who sees everything. A row without an
/// area belongs to no supervisor.
#[macro_export]
macro_rules! push_area_scope {
    ($qb:expr, $scope:expr, $column:literal) => {
        if let Some(areas) = $scope.area_filter() {
            $qb.push(concat!(" AND ", $column, " IN (NULL"));
            for a in areas {
                $qb.push(", ").push_bind(*a);
            }
            $qb.push(")");
        }
    };
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub type Result<T, E = sqlx::Error> = std::result::Result<T, E>;

impl Db {
    /// Connects to `url` (`sqlite:...` or `postgres://...`). A SQLite file is created when missing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // Security state (sessions, tokens, audit) must survive a power cut.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                // Reads through the memory map (up to SQLite's limit of 2 GiB) rather than a
                // copy into each connection's 2 MiB page cache: several times fewer system
                // calls on the lists. The cost: an I/O error while reading a page stops the
                // process (SIGBUS) instead of failing the query.
                .pragma("mmap_size", "2147418112");
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections.max(2))
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(options)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            let options = PgConnectOptions::from_str(url)?.application_name("admit");
            let pool = PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// A transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so that two writers never deadlock on a lock upgrade.
    pub async fn write(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// A transaction that only reads.
    pub async fn read(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// True when the database answers.
    pub async fn ping(&self) -> bool {
        let result = match self {
            Db::Sqlite(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ()),
            Db::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(|_| ()),
        };
        result.is_ok()
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Tx::Sqlite(_) => Engine::Sqlite,
            Tx::Postgres(_) => Engine::Postgres,
        }
    }
}

/// True when `err` is a unique-constraint violation.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern and wraps it in `%`.
pub fn like_pattern(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for ch in text.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}
