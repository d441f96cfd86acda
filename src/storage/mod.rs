//! Storage on SQLite (embedded default) and PostgreSQL (several instances), with one set of
//! queries for both. Every query lives in a function of this module's children, and runs on
//! both engines through [`on_tx!`], which expands its body once per engine.
//!
//! Engine-specific SQL is confined to a few named functions (`lock_*`, the migration lock).

use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};

pub mod access;
pub mod accounts;
pub mod apikeys;
pub mod audit;
pub mod backup;
pub mod collation;
pub mod directory;
pub mod impersonations;
pub mod limits;
pub mod listing;
pub mod migrate;
pub mod oidc_clients;
pub mod oidc_grants;
pub mod oidc_keys;
pub mod oidc_logouts;
pub mod outbox;
pub mod readers;
pub mod sessions;
pub mod staff;
pub mod tasks;

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

/// How long a SQLite writer waits for the lock before it fails.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

pub enum Tx {
    Sqlite(SqliteTx),
    Postgres(Handle<Postgres>),
}

/// A transaction, or a reading connection with none (see [`Db::reads`]).
pub enum Handle<DB: sqlx::Database> {
    Tx(sqlx::Transaction<'static, DB>),
    Plain(readers::Reader<DB::Connection>),
}

impl<DB: sqlx::Database> std::ops::Deref for Handle<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &Self::Target {
        match self {
            Handle::Tx(t) => t,
            Handle::Plain(c) => c,
        }
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for Handle<DB> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            Handle::Tx(t) => t,
            Handle::Plain(c) => c,
        }
    }
}

impl<DB: sqlx::Database> Handle<DB> {
    async fn commit(self) -> Result<()> {
        match self {
            Handle::Tx(t) => t.commit().await,
            Handle::Plain(mut r) => {
                r.done();
                Ok(())
            }
        }
    }
}

/// A SQLite transaction; a writer's also holds its turn to write (see [`Db::write`]).
pub struct SqliteTx {
    // Dropped before the turn: the rollback of an abandoned transaction is under way when
    // the next writer gets its turn.
    tx: Handle<Sqlite>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl std::ops::Deref for SqliteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for SqliteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

/// The turn to write to a SQLite file, one per file in this process. SQLite lets one
/// transaction write at a time; the others wait in its busy handler, which sleeps 1, 2, 5,
/// 10... ms between tries, so that a writer often sleeps on after the lock is free (a portal
/// login writes once: with four at a time the sleeps cost a tenth of the login rate). Writers
/// of this process wait here instead, each woken as the one before it ends; another process
/// on the same file still meets the busy handler.
fn write_turn(pool: &SqlitePool) -> Arc<tokio::sync::Mutex<()>> {
    static TURNS: LazyLock<Mutex<HashMap<PathBuf, Arc<tokio::sync::Mutex<()>>>>> =
        LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut turns = TURNS.lock().unwrap_or_else(|e| e.into_inner());
    turns.entry(file).or_default().clone()
}

/// The reading connections to a pool's SQLite file: as many as the pool may hold.
fn sqlite_readers(pool: &SqlitePool) -> Arc<readers::Readers<sqlx::SqliteConnection>> {
    let options = pool.connect_options();
    let file = options.get_filename().to_string_lossy().into_owned();
    let max = pool.options().get_max_connections();
    readers::Readers::of(file, &*options, max)
}

/// The reading connections to a pool's PostgreSQL database: as many as the pool may hold.
fn pg_readers(pool: &PgPool) -> Arc<readers::Readers<sqlx::PgConnection>> {
    let o = pool.connect_options();
    let key = format!(
        "{}@{}:{}/{}",
        o.get_username(),
        o.get_host(),
        o.get_port(),
        o.get_database().unwrap_or("")
    );
    let max = pool.options().get_max_connections();
    readers::Readers::of(key, &*o, max)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub type Result<T, E = sqlx::Error> = std::result::Result<T, E>;

/// The most values one `IN (...)` list binds; longer lists are read in parts.
pub(crate) const IN_LIST: usize = 5_000;

/// A list for `IN (...)` padded with its last value to a length of 8, 16, 32...: the same
/// few statements serve every length (and stay prepared).
pub(crate) fn padded(list: &[i64]) -> Vec<i64> {
    let mut out = list.to_vec();
    if let Some(&last) = list.last() {
        out.resize(list.len().next_power_of_two().max(8), last);
    }
    out
}

impl Db {
    /// Connects to `url` (`sqlite:...` or `postgres://...`). A SQLite file is created when missing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self> {
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // Security state (sessions, tokens, audit) must survive a power cut.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
                // Reads through the memory map (up to SQLite's limit of 2 GiB) rather than a
                // copy into each connection's 2 MiB page cache: several times fewer system
                // calls on the lists. The cost: an I/O error while reading a page stops the
                // process (SIGBUS) instead of failing the query.
                .pragma("mmap_size", "2147418112")
                // The order of names in the lists (storage/collation.rs).
                .collation(collation::SQLITE_COLLATION, collation::compare);
            let pool = SqlitePoolOptions::new()
                .max_connections(max_connections.max(2))
                // One connection stays open as long as the pool: `admit restore` sees the file
                // is in use (storage/backup.rs).
                .min_connections(1)
                // A file's connection cannot drop the way a server's can: no ping before each
                // use (on SQLite every statement is a round trip to the connection's thread).
                .test_before_acquire(false)
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
            Db::Sqlite(p) => {
                // As long as SQLite's own busy timeout: a writer that waits longer fails.
                let turn = tokio::time::timeout(SQLITE_BUSY_TIMEOUT, write_turn(p).lock_owned())
                    .await
                    .map_err(|_| sqlx::Error::PoolTimedOut)?;
                Tx::Sqlite(SqliteTx {
                    tx: Handle::Tx(p.begin_with("BEGIN IMMEDIATE").await?),
                    _turn: Some(turn),
                })
            }
            Db::Postgres(p) => Tx::Postgres(Handle::Tx(p.begin().await?)),
        })
    }

    /// A transaction that only reads: every query in it sees the same state.
    pub async fn read(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(SqliteTx {
                tx: Handle::Tx(p.begin().await?),
                _turn: None,
            }),
            Db::Postgres(p) => Tx::Postgres(Handle::Tx(p.begin().await?)),
        })
    }

    /// A connection for reads that need not see one state, each query on its own: no `BEGIN`
    /// and no `ROLLBACK`, and none of the pool's pings (see [`readers`]). For the hot paths
    /// that read a row or two by key (an API key, a decision, a token's grant). Never for
    /// writes. Give it back with [`Tx::release`] when the reads went well; one dropped
    /// without it is pinged before it is used again.
    pub async fn reads(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(SqliteTx {
                tx: Handle::Plain(sqlite_readers(p).get().await?),
                _turn: None,
            }),
            Db::Postgres(p) => Tx::Postgres(Handle::Plain(pg_readers(p).get().await?)),
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
            Db::Sqlite(p) => {
                sqlite_readers(p).close();
                p.close().await
            }
            Db::Postgres(p) => {
                pg_readers(p).close();
                p.close().await
            }
        }
    }
}

impl Tx {
    /// Gives back a handle that only read, after reads that went well: a [`Db::reads`]
    /// connection is handed out again without a ping. A transaction ends as when dropped
    /// (rolled back, which for one that only read changes nothing).
    pub fn release(self) {
        match self {
            Tx::Sqlite(SqliteTx {
                tx: Handle::Plain(mut r),
                ..
            }) => r.done(),
            Tx::Postgres(Handle::Plain(mut r)) => r.done(),
            _ => {}
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(t) => t.tx.commit().await,
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
