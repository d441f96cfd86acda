//! Bulk inserts of organizations, partnerships, contacts, portal accounts, their modules,
//! customer assignments, tasks and digest subscriptions, many rows per statement, for the data
//! generators of `admit-bench accounts`, `admit-bench access` and `admit-bench digests`. No
//! audit events, no outbox: these write rows as they would be after the use cases made them, in
//! the caller's transaction.

use admit::on_tx;
use admit::storage::{Db, Result, Tx};
use sqlx::QueryBuilder;

/// Rows per INSERT: the most bound values per statement stay below SQLite's 32,766.
const ROWS_PER_STATEMENT: usize = 1000;

pub struct BulkOrganization {
    pub kind: &'static str,
    pub name: String,
    /// The parent of a sub-account (inserted before it).
    pub parent_id: Option<i64>,
    pub area_id: Option<i64>,
    pub external_id: Option<String>,
}

pub struct BulkContact {
    pub organization_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub language: &'static str,
}

pub struct BulkAccount {
    pub portal_id: i64,
    pub email: String,
    pub contact_id: Option<i64>,
    pub name: String,
    pub role: &'static str,
    pub registration: &'static str,
    pub approval: &'static str,
    pub access_granted: bool,
    pub valid_until: Option<i64>,
    pub lifecycle: &'static str,
    pub password_hash: Option<String>,
    pub language: &'static str,
    pub time_zone: &'static str,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

/// Ids are handed out in insertion order on both engines: sorted, they line up with the rows.
fn in_order(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

/// Inserts organizations; returns their ids in the order of `rows`.
pub async fn insert_organizations(
    tx: &mut Tx,
    rows: &[BulkOrganization],
    now: i64,
) -> Result<Vec<i64>> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let ids: Vec<i64> = on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO organizations (kind, name, parent_id, area_id, external_id, search_text, \
                 created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, o| {
                let search = admit::domain::validation::search_text(&[
                    Some(o.name.as_str()),
                    o.external_id.as_deref(),
                ]);
                b.push_bind(o.kind)
                    .push_bind(o.name.clone())
                    .push_bind(o.parent_id)
                    .push_bind(o.area_id)
                    .push_bind(o.external_id.clone())
                    .push_bind(search)
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.push(" RETURNING id");
            qb.build_query_scalar().fetch_all(c).await
        })?;
        out.extend(in_order(ids));
    }
    Ok(out)
}

/// Inserts contacts; returns their ids in the order of `rows`.
pub async fn insert_contacts(tx: &mut Tx, rows: &[BulkContact], now: i64) -> Result<Vec<i64>> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let ids: Vec<i64> = on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO contacts (organization_id, name, email, phone, language, external_id, \
                 search_text, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, ct| {
                let search = admit::domain::validation::search_text(&[
                    Some(ct.name.as_str()),
                    ct.email.as_deref(),
                ]);
                b.push_bind(ct.organization_id)
                    .push_bind(ct.name.clone())
                    .push_bind(ct.email.clone())
                    .push_bind(None::<String>)
                    .push_bind(ct.language)
                    .push_bind(None::<String>)
                    .push_bind(search)
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.push(" RETURNING id");
            qb.build_query_scalar().fetch_all(c).await
        })?;
        out.extend(in_order(ids));
    }
    Ok(out)
}

/// Inserts portal accounts (without modules); returns their ids in the order of `rows`.
pub async fn insert_accounts(tx: &mut Tx, rows: &[BulkAccount]) -> Result<Vec<i64>> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let ids: Vec<i64> = on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO portal_accounts (portal_id, email, contact_id, name, role, registration, \
                 approval, access_granted, valid_until, lifecycle, password_hash, language, time_zone, \
                 created_at, updated_at, last_login_at) ",
            );
            qb.push_values(chunk, |mut b, a| {
                b.push_bind(a.portal_id)
                    .push_bind(a.email.clone())
                    .push_bind(a.contact_id)
                    .push_bind(a.name.clone())
                    .push_bind(a.role)
                    .push_bind(a.registration)
                    .push_bind(a.approval)
                    .push_bind(a.access_granted)
                    .push_bind(a.valid_until)
                    .push_bind(a.lifecycle)
                    .push_bind(a.password_hash.clone())
                    .push_bind(a.language)
                    .push_bind(a.time_zone)
                    .push_bind(a.created_at)
                    .push_bind(a.created_at)
                    .push_bind(a.last_login_at);
            });
            qb.push(" RETURNING id");
            qb.build_query_scalar().fetch_all(c).await
        })?;
        out.extend(in_order(ids));
    }
    Ok(out)
}

/// Inserts partnerships (partner, name); returns their ids in the order of `rows`.
pub async fn insert_partnerships(
    tx: &mut Tx,
    rows: &[(i64, String)],
    now: i64,
) -> Result<Vec<i64>> {
    let mut out = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let ids: Vec<i64> = on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO partnerships (partner_id, name, external_id, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, (partner, name)| {
                b.push_bind(*partner)
                    .push_bind(name.clone())
                    .push_bind(None::<String>)
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.push(" RETURNING id");
            qb.build_query_scalar().fetch_all(c).await
        })?;
        out.extend(in_order(ids));
    }
    Ok(out)
}

/// Rows per INSERT of two or three integer columns (and a time): as many as SQLite binds.
const NARROW_ROWS_PER_STATEMENT: usize = 8000;

/// Inserts the customers of partnerships: (partnership, customer), each pair once.
pub async fn insert_partnership_customers(
    tx: &mut Tx,
    rows: &[(i64, i64)],
    now: i64,
) -> Result<()> {
    for chunk in rows.chunks(NARROW_ROWS_PER_STATEMENT) {
        admit::exec_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO partnership_customers (partnership_id, customer_id, created_at) ",
            );
            qb.push_values(chunk, |mut b, (p, customer)| {
                b.push_bind(*p).push_bind(*customer).push_bind(now);
            });
            qb.build().execute(c).await
        })?;
    }
    Ok(())
}

/// Grants modules to accounts: (account, module name), each pair once.
pub async fn insert_account_modules(tx: &mut Tx, rows: &[(i64, &str)]) -> Result<()> {
    for chunk in rows.chunks(NARROW_ROWS_PER_STATEMENT) {
        admit::exec_tx!(tx, |c| {
            let mut qb =
                QueryBuilder::new("INSERT INTO portal_account_modules (account_id, module) ");
            qb.push_values(chunk, |mut b, (account, module)| {
                b.push_bind(*account).push_bind(module.to_string());
            });
            qb.build().execute(c).await
        })?;
    }
    Ok(())
}

/// A customer assignment: the account, its grouping (`None`: the sub-accounts), the customer.
pub type BulkAssignment = (i64, Option<i64>, i64);

/// Inserts customer assignments, each once: on SQLite 8,000 rows per INSERT (its most bound
/// values), on PostgreSQL all of `rows` in one INSERT from arrays (`UNNEST`).
pub async fn insert_assignments(tx: &mut Tx, rows: &[BulkAssignment], now: i64) -> Result<()> {
    match tx {
        Tx::Sqlite(t) => {
            for chunk in rows.chunks(NARROW_ROWS_PER_STATEMENT) {
                let mut qb = QueryBuilder::new(
                    "INSERT INTO portal_account_customers (account_id, partnership_id, customer_id, \
                     created_at) ",
                );
                qb.push_values(chunk, |mut b, (account, partnership, customer)| {
                    b.push_bind(*account)
                        .push_bind(*partnership)
                        .push_bind(*customer)
                        .push_bind(now);
                });
                qb.build().execute(&mut **t).await?;
            }
        }
        Tx::Postgres(t) => {
            let accounts: Vec<i64> = rows.iter().map(|r| r.0).collect();
            let partnerships: Vec<Option<i64>> = rows.iter().map(|r| r.1).collect();
            let customers: Vec<i64> = rows.iter().map(|r| r.2).collect();
            sqlx::query(
                "INSERT INTO portal_account_customers (account_id, partnership_id, customer_id, \
                 created_at) SELECT a, p, c, $4 FROM UNNEST($1::BIGINT[], $2::BIGINT[], \
                 $3::BIGINT[]) AS u (a, p, c)",
            )
            .bind(accounts)
            .bind(partnerships)
            .bind(customers)
            .bind(now)
            .execute(&mut **t)
            .await?;
        }
    }
    Ok(())
}

/// Before a bulk load in `tx`: on SQLite a page cache of 256 MiB for its connection, so that
/// the indexes being filled stay in memory between statements (each pooled connection keeps
/// its own, so this bounds the load's memory); on PostgreSQL nothing.
pub async fn prepare_connection(tx: &mut Tx) -> Result<()> {
    if let Tx::Sqlite(t) = tx {
        sqlx::query("PRAGMA cache_size = -262144")
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// After a bulk load, PostgreSQL's `VACUUM (ANALYZE)` of the loaded tables, which autovacuum
/// would run by itself a minute later. On SQLite a checkpoint only: Admit collects no SQLite
/// statistics, so its queries must find their plans without them.
pub async fn refresh_statistics(db: &Db) -> Result<()> {
    match db {
        // The write-ahead log written back into the file, as its automatic checkpoints leave
        // it when nobody is reading (a load leaves hundreds of megabytes in it).
        Db::Sqlite(p) => {
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(p)
                .await?;
            Ok(())
        }
        Db::Postgres(p) => {
            sqlx::raw_sql(
                "VACUUM (ANALYZE) organizations, contacts, portal_accounts, partnerships, \
                 partnership_customers, portal_account_modules, portal_account_customers, \
                 task_categories, tasks, digest_subscriptions",
            )
            .execute(p)
            .await?;
            Ok(())
        }
    }
}

/// Up to `n` accounts (portal, e-mail) that may log in on `today`, spread over the table.
pub async fn loginable(tx: &mut Tx, today: i64, n: i64) -> Result<Vec<(i64, String)>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT portal_id, email FROM portal_accounts \
         WHERE registration = 'registered' AND approval = 'approved' AND contact_id IS NOT NULL \
         AND access_granted = TRUE AND lifecycle = 'active' AND role <> 'notifications' \
         AND password_hash IS NOT NULL AND (valid_until IS NULL OR valid_until >= $1) \
         AND id % 50 = 0 ORDER BY id LIMIT $2"
    )
    .bind(today)
    .bind(n)
    .fetch_all(c)
    .await)
}

/// The organizations with portal accounts, and how many, the most first.
pub async fn organization_sizes(tx: &mut Tx) -> Result<Vec<(i64, i64)>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT ct.organization_id, COUNT(*) AS n FROM portal_accounts a \
         JOIN contacts ct ON ct.id = a.contact_id GROUP BY ct.organization_id \
         ORDER BY n DESC, ct.organization_id"
    )
    .fetch_all(c)
    .await)
}

/// The number of portal accounts, and the e-mail of the one in the middle of the table.
pub async fn middle_account(tx: &mut Tx) -> Result<(i64, Option<String>)> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM portal_accounts"
    )
    .fetch_one(c)
    .await)?;
    let email = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT email FROM portal_accounts ORDER BY id LIMIT 1 OFFSET $1"
    )
    .bind(n / 2)
    .fetch_optional(c)
    .await)?;
    Ok((n, email))
}

/// The smallest and largest organization ids (0, 0 when there are none).
pub async fn organization_id_range(tx: &mut Tx) -> Result<(i64, i64)> {
    let row: (Option<i64>, Option<i64>) = on_tx!(tx, |c| sqlx::query_as(
        "SELECT MIN(id), MAX(id) FROM organizations"
    )
    .fetch_one(c)
    .await)?;
    Ok((row.0.unwrap_or(0), row.1.unwrap_or(0)))
}

/// Up to `n` accounts, every `step`th by id: (account, portal, organization of its contact).
pub async fn spread_accounts(
    tx: &mut Tx,
    step: i64,
    n: i64,
) -> Result<Vec<(i64, i64, Option<i64>)>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT a.id, a.portal_id, ct.organization_id FROM portal_accounts a \
         LEFT JOIN contacts ct ON ct.id = a.contact_id \
         WHERE a.id % $1 = 0 ORDER BY a.id LIMIT $2"
    )
    .bind(step.max(1))
    .bind(n)
    .fetch_all(c)
    .await)
}

/// The rows of the tables behind access decisions.
pub async fn access_counts(tx: &mut Tx) -> Result<Vec<(&'static str, i64)>> {
    let mut out = Vec::new();
    for table in [
        "organizations",
        "partnerships",
        "partnership_customers",
        "portal_accounts",
        "portal_account_modules",
        "portal_account_customers",
    ] {
        let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {table}"
        )))
        .fetch_one(c)
        .await)?;
        out.push((table, n));
    }
    Ok(out)
}

/// An open task, for `admit-bench digests`.
pub struct BulkTask {
    pub portal_id: i64,
    pub external_id: String,
    pub customer_id: i64,
    pub category_id: i64,
    pub title: String,
    pub due_date: Option<i64>,
}

/// Inserts open tasks.
pub async fn insert_tasks(tx: &mut Tx, rows: &[BulkTask], now: i64) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO tasks (portal_id, external_id, customer_id, category_id, title, \
                 due_date, status, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, t| {
                b.push_bind(t.portal_id)
                    .push_bind(t.external_id.clone())
                    .push_bind(t.customer_id)
                    .push_bind(t.category_id)
                    .push_bind(t.title.clone())
                    .push_bind(t.due_date)
                    .push_bind("open")
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Inserts digest subscriptions of portal accounts: (account, frequency, categories, next due).
pub async fn insert_subscriptions(
    tx: &mut Tx,
    rows: &[(i64, &str, String, i64)],
    now: i64,
) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO digest_subscriptions (account_id, frequency, categories, next_due_at, \
                 created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, (account, frequency, categories, next)| {
                b.push_bind(*account)
                    .push_bind(*frequency)
                    .push_bind(categories.clone())
                    .push_bind(*next)
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.build().execute(c).await.map(|_| ())
        })?;
    }
    Ok(())
}
