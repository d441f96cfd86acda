//! Embedded migrations, one folder per engine (`migrations/sqlite`, `migrations/postgres`),
//! applied in order, each in its own transaction, recorded with a checksum so that an edited
//! migration is noticed. A test checks that both folders produce the same tables and columns.

use sha2::{Digest, Sha256};

use super::{Db, Result};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sqlite: &'static str,
    pub postgres: &'static str,
}

macro_rules! migration {
    ($version:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../../migrations/postgres/", $name, ".sql")),
        }
    };
}

pub const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation"),
    migration!(2, "0002_mail"),
    migration!(3, "0003_search"),
    migration!(4, "0004_portal_accounts"),
    migration!(5, "0005_portal_sessions"),
    migration!(6, "0006_account_search"),
    migration!(7, "0007_limits"),
    migration!(8, "0008_account_order"),
    migration!(9, "0009_customer_scope"),
    migration!(10, "0010_notifications"),
    migration!(11, "0011_throttling"),
    migration!(13, "0013_session_reauth"),
    migration!(14, "0014_oidc_clients"),
    migration!(15, "0015_oidc_keys"),
    migration!(16, "0016_oidc_grants"),
    migration!(17, "0017_impersonation"),
    migration!(18, "0018_scope_generation"),
    migration!(19, "0019_task_tallies"),
    migration!(20, "0020_portal_time_zone"),
    migration!(21, "0021_mail_template_parts"),
    migration!(22, "0022_client_generation"),
    migration!(23, "0023_translated_names"),
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS admit_migrations (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)";

fn checksum(sql: &str) -> String {
    let digest = Sha256::digest(sql.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error(
        "migration {version} ({name}) was changed after it was applied; restore it and add a new migration instead"
    )]
    Changed { version: i64, name: String },
    #[error(
        "the database has migration {0}, which this version of Admit does not know; run a newer Admit"
    )]
    Newer(i64),
}

/// Applies every migration not yet applied. Returns how many were applied.
pub async fn run(db: &Db) -> std::result::Result<usize, MigrateError> {
    let now = chrono::Utc::now().timestamp_millis();
    match db {
        Db::Sqlite(pool) => {
            let mut conn = pool.acquire().await?;
            sqlx::query(CREATE_TABLE).execute(&mut *conn).await?;
            let mut applied_count = 0;
            // BEGIN IMMEDIATE serializes concurrent migrators on one file.
            let mut tx = sqlx::Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
            let applied: Vec<(i64, String, String)> =
                sqlx::query_as("SELECT version, name, checksum FROM admit_migrations")
                    .fetch_all(&mut *tx)
                    .await?;
            check_applied(&applied, |m| m.sqlite)?;
            for m in MIGRATIONS {
                if applied.iter().any(|(v, _, _)| *v == m.version) {
                    continue;
                }
                sqlx::raw_sql(sqlx::AssertSqlSafe(m.sqlite))
                    .execute(&mut *tx)
                    .await?;
                record(&mut *tx, m, checksum(m.sqlite), now).await?;
                applied_count += 1;
            }
            tx.commit().await?;
            Ok(applied_count)
        }
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            // One migrator at a time across every Admit process on this database.
            sqlx::query("SELECT pg_advisory_xact_lock(7274100215)")
                .execute(&mut *tx)
                .await?;
            sqlx::query(CREATE_TABLE).execute(&mut *tx).await?;
            let applied: Vec<(i64, String, String)> =
                sqlx::query_as("SELECT version, name, checksum FROM admit_migrations")
                    .fetch_all(&mut *tx)
                    .await?;
            check_applied(&applied, |m| m.postgres)?;
            let mut applied_count = 0;
            for m in MIGRATIONS {
                if applied.iter().any(|(v, _, _)| *v == m.version) {
                    continue;
                }
                sqlx::raw_sql(sqlx::AssertSqlSafe(m.postgres))
                    .execute(&mut *tx)
                    .await?;
                record(&mut *tx, m, checksum(m.postgres), now).await?;
                applied_count += 1;
            }
            tx.commit().await?;
            Ok(applied_count)
        }
    }
}

fn check_applied(
    applied: &[(i64, String, String)],
    sql_of: impl Fn(&Migration) -> &'static str,
) -> std::result::Result<(), MigrateError> {
    for (version, name, sum) in applied {
        match MIGRATIONS.iter().find(|m| m.version == *version) {
            None => return Err(MigrateError::Newer(*version)),
            Some(m) if checksum(sql_of(m)) != *sum => {
                return Err(MigrateError::Changed {
                    version: *version,
                    name: name.clone(),
                });
            }
            Some(_) => {}
        }
    }
    Ok(())
}

async fn record<'c, E>(conn: E, m: &Migration, sum: String, now: i64) -> Result<()>
where
    E: sqlx::Executor<'c>,
    for<'q> i64: sqlx::Encode<'q, E::Database> + sqlx::Type<E::Database>,
    for<'q> String: sqlx::Encode<'q, E::Database> + sqlx::Type<E::Database>,
    for<'q> &'q str: sqlx::Encode<'q, E::Database> + sqlx::Type<E::Database>,
    for<'q> <E::Database as sqlx::Database>::Arguments: sqlx::IntoArguments<E::Database>,
{
    sqlx::query(
        "INSERT INTO admit_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(m.version)
    .bind(m.name)
    .bind(sum)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
