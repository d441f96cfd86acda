//! Impersonations: a staff member viewing a portal as one of its accounts, through a portal
//! session of its own. An impersonation ends with its portal session (see
//! [`super::sessions`]), which ends with the staff member's console session; its end is then
//! settled: recorded in the audit log and told to the person.

use super::{Result, Tx};
use crate::{exec_tx, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Impersonation {
    pub id: i64,
    pub account_id: i64,
    pub portal_id: i64,
    pub staff_user_id: i64,
    pub staff_session_hash: String,
    pub session_hash: String,
    pub reason: String,
    pub minutes: i64,
    pub started_at: i64,
    pub expires_at: i64,
    pub ended_at: Option<i64>,
    pub end_reason: Option<String>,
    pub settled_at: Option<i64>,
    pub client_addr: Option<String>,
    pub staff_email: String,
    pub staff_name: String,
    /// `en` or `de`: the banner speaks it.
    pub staff_language: String,
}

const SELECT: &str = "SELECT i.id, i.account_id, i.portal_id, i.staff_user_id, \
     i.staff_session_hash, i.session_hash, i.reason, i.minutes, i.started_at, i.expires_at, \
     i.ended_at, i.end_reason, i.settled_at, i.client_addr, s.email AS staff_email, \
     s.name AS staff_name, s.language AS staff_language \
     FROM impersonations i JOIN staff_users s ON s.id = i.staff_user_id";

pub struct NewImpersonation<'a> {
    pub account_id: i64,
    pub portal_id: i64,
    pub staff_user_id: i64,
    pub staff_session_hash: &'a str,
    pub session_hash: &'a str,
    pub reason: &'a str,
    pub minutes: i64,
    pub now: i64,
    pub expires_at: i64,
    pub client_addr: Option<&'a str>,
}

/// A new running impersonation; a unique violation when the staff member runs one already.
pub async fn insert(tx: &mut Tx, n: &NewImpersonation<'_>) -> Result<i64> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO impersonations (account_id, portal_id, staff_user_id, staff_session_hash, \
         session_hash, reason, minutes, started_at, expires_at, client_addr) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id"
    )
    .bind(n.account_id)
    .bind(n.portal_id)
    .bind(n.staff_user_id)
    .bind(n.staff_session_hash)
    .bind(n.session_hash)
    .bind(n.reason)
    .bind(n.minutes)
    .bind(n.now)
    .bind(n.expires_at)
    .bind(n.client_addr)
    .fetch_one(c)
    .await)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<Impersonation>> {
    let sql = sqlx::AssertSqlSafe(format!("{SELECT} WHERE i.id = $1"));
    on_tx!(tx, |c| sqlx::query_as(sql).bind(id).fetch_optional(c).await)
}

/// The running impersonation of a portal session, if it is one.
pub async fn running_of_session(tx: &mut Tx, session_hash: &str) -> Result<Option<Impersonation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE i.session_hash = $1 AND i.ended_at IS NULL"
    ));
    on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(session_hash)
        .fetch_optional(c)
        .await)
}

/// The ended impersonation of a portal session that no longer is one (for the page that says
/// so to a browser still holding its cookie).
pub async fn ended_of_session(tx: &mut Tx, session_hash: &str) -> Result<Option<Impersonation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE i.session_hash = $1 AND i.ended_at IS NOT NULL"
    ));
    on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(session_hash)
        .fetch_optional(c)
        .await)
}

/// The staff member's running impersonation.
pub async fn running_of_staff(tx: &mut Tx, staff_user_id: i64) -> Result<Option<Impersonation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE i.staff_user_id = $1 AND i.ended_at IS NULL"
    ));
    on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(staff_user_id)
        .fetch_optional(c)
        .await)
}

/// The account's impersonations, the newest first (at most `limit`).
pub async fn of_account(tx: &mut Tx, account_id: i64, limit: i64) -> Result<Vec<Impersonation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE i.account_id = $1 ORDER BY i.started_at DESC, i.id DESC LIMIT $2"
    ));
    on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(account_id)
        .bind(limit)
        .fetch_all(c)
        .await)
}

/// Says how a running impersonation is about to end (kept when its session ends next).
pub async fn set_end_reason(tx: &mut Tx, id: i64, reason: &str) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE impersonations SET end_reason = $1 WHERE id = $2 AND ended_at IS NULL"
    )
    .bind(reason)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

/// Says how the running impersonations of an account are about to end.
pub async fn set_end_reason_of_account(tx: &mut Tx, account_id: i64, reason: &str) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE impersonations SET end_reason = $1 \
         WHERE account_id = $2 AND ended_at IS NULL AND end_reason IS NULL"
    )
    .bind(reason)
    .bind(account_id)
    .execute(c)
    .await)?;
    Ok(())
}

/// Says how the running impersonations of the console sessions `staff_hashes` are about to end.
pub async fn set_end_reason_of_staff_sessions(
    tx: &mut Tx,
    staff_hashes: &[&str],
    reason: &str,
) -> Result<()> {
    for hash in staff_hashes {
        exec_tx!(tx, |c| sqlx::query(
            "UPDATE impersonations SET end_reason = $1 \
             WHERE staff_session_hash = $2 AND ended_at IS NULL AND end_reason IS NULL"
        )
        .bind(reason)
        .bind(*hash)
        .execute(c)
        .await)?;
    }
    Ok(())
}

/// In the transaction that ended the portal sessions `session_hashes`: their impersonations
/// end, at their time limit or for the reason said before (else `reason`).
pub async fn end_with_sessions(
    tx: &mut Tx,
    session_hashes: &[String],
    reason: &str,
    now: i64,
) -> Result<u64> {
    let mut n = 0;
    for hash in session_hashes {
        n += exec_tx!(tx, |c| sqlx::query(
            "UPDATE impersonations SET ended_at = $1, end_reason = CASE \
             WHEN end_reason IS NOT NULL THEN end_reason \
             WHEN expires_at <= $1 THEN 'time_limit' ELSE $2 END \
             WHERE session_hash = $3 AND ended_at IS NULL"
        )
        .bind(now)
        .bind(reason)
        .bind(hash)
        .execute(c)
        .await)?;
    }
    Ok(n)
}

/// The portal sessions of the running impersonations opened from the console sessions
/// `staff_hashes`.
pub async fn sessions_of_staff_sessions(
    tx: &mut Tx,
    staff_hashes: &[String],
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for hash in staff_hashes {
        let found: Vec<String> = on_tx!(tx, |c| sqlx::query_scalar(
            "SELECT session_hash FROM impersonations \
             WHERE staff_session_hash = $1 AND ended_at IS NULL"
        )
        .bind(hash)
        .fetch_all(c)
        .await)?;
        out.extend(found);
    }
    Ok(out)
}

/// The ended impersonations whose end is not yet recorded (the oldest first, at most `limit`).
pub async fn unsettled(tx: &mut Tx, limit: i64) -> Result<Vec<Impersonation>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE i.settled_at IS NULL AND i.ended_at IS NOT NULL \
         ORDER BY i.ended_at, i.id LIMIT $1"
    ));
    on_tx!(tx, |c| sqlx::query_as(sql).bind(limit).fetch_all(c).await)
}

/// Claims the settling of an ended impersonation: true for the one transaction that does it.
pub async fn claim_settle(tx: &mut Tx, id: i64, now: i64) -> Result<bool> {
    let n = exec_tx!(tx, |c| sqlx::query(
        "UPDATE impersonations SET settled_at = $1 \
         WHERE id = $2 AND settled_at IS NULL AND ended_at IS NOT NULL"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// The staff member acting in the portal session of a grant (for the `act` claim): their id
/// and e-mail address.
pub async fn actor_of_grant(tx: &mut Tx, grant_public_id: &str) -> Result<Option<(i64, String)>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT s.id, s.email FROM oidc_grants g \
         JOIN impersonations i ON i.session_hash = g.session_hash \
         JOIN staff_users s ON s.id = i.staff_user_id \
         WHERE g.public_id = $1 AND i.ended_at IS NULL"
    )
    .bind(grant_public_id)
    .fetch_optional(c)
    .await)
}

/// Is `email` a staff user's address? (Staff are never impersonated, not even through a portal
/// account of their own.)
pub async fn is_staff_address(tx: &mut Tx, email: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM staff_users WHERE lower(email) = lower($1)"
    )
    .bind(email)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}
