//! Bulk inserts of organizations, contacts and portal accounts, many rows per statement, for
//! the data generator of `admit bench accounts`. No audit events, no outbox: these write rows
//! as they would be after the use cases made them, in the caller's transaction.

use sqlx::QueryBuilder;

use super::{Result, Tx};
use crate::on_tx;

/// Rows per INSERT: the most bound values per statement stay below SQLite's 32,766.
const ROWS_PER_STATEMENT: usize = 1000;

pub struct BulkOrganization {
    pub kind: &'static str,
    pub name: String,
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
                let search = crate::domain::validation::search_text(&[
                    Some(o.name.as_str()),
                    o.external_id.as_deref(),
                ]);
                b.push_bind(o.kind)
                    .push_bind(o.name.clone())
                    .push_bind(None::<i64>)
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
                let search = crate::domain::validation::search_text(&[
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

/// Inserts portal accounts (without modules).
pub async fn insert_accounts(tx: &mut Tx, rows: &[BulkAccount]) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        crate::exec_tx!(tx, |c| {
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
            qb.build().execute(c).await
        })?;
    }
    Ok(())
}

/// Before a bulk load in `tx`: on SQLite a page cache of 256 MiB for its connection, so that
/// the indexes being filled stay in memory between statements; on PostgreSQL nothing.
pub async fn prepare_connection(tx: &mut Tx) -> Result<()> {
    if let Tx::Sqlite(t) = tx {
        sqlx::query("PRAGMA cache_size = -262144")
            .execute(&mut **t)
            .await?;
    }
    Ok(())
}

/// After a bulk load, PostgreSQL's `VACUUM (ANALYZE)` of the loaded tables, which autovacuum
/// would run by itself a minute later. On SQLite nothing: Admit collects no SQLite statistics,
/// so its queries must find their plans without them.
pub async fn refresh_statistics(db: &super::Db) -> Result<()> {
    match db {
        super::Db::Sqlite(_) => Ok(()),
        super::Db::Postgres(p) => {
            sqlx::raw_sql("VACUUM (ANALYZE) organizations, contacts, portal_accounts")
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
