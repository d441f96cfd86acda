//! Queries for the back-channel logouts owed to clients: written in the transaction that ends a
//! portal session, then delivered like the outbox's e-mails (the same statuses, leases and
//! retries).
//!
//! Claiming due logouts is the one engine-specific query: PostgreSQL skips rows another worker
//! holds (`FOR UPDATE SKIP LOCKED`); SQLite serializes writers anyway.

use serde::Serialize;

use super::oidc_grants::EndedGrant;
use super::{Engine, Result, Tx};
use crate::domain::outbox::OutboxStatus;
use crate::{exec_tx, on_tx};

/// A back-channel logout owed to a client, and how its delivery went.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OidcLogout {
    pub id: i64,
    /// The client's id (as in `/api/v1/oidc-clients/{id}`).
    pub client_id: i64,
    /// The portal account whose session ended (the logout token's `sub`).
    pub account_id: i64,
    /// The account's address, while the account exists.
    #[sqlx(default)]
    pub account_email: Option<String>,
    /// The session the client is told has ended (the logout token's `sid`).
    pub sid: String,
    /// Why it is owed: `session_ended`.
    pub reason: String,
    pub status: OutboxStatus,
    /// Attempts so far.
    pub attempts: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: i64,
    #[serde(skip)]
    pub lease_owner: Option<String>,
    #[serde(skip)]
    pub lease_until: Option<i64>,
    /// Why the last attempt failed.
    #[serde(serialize_with = "crate::domain::delivery::json_english")]
    pub last_error: Option<String>,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
    /// When the client took it (answered 200 or 204).
    #[serde(serialize_with = "crate::clock::json::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<i64>,
}

const COLUMNS: &str = "id, client_id, account_id, sid, reason, status, attempts, next_attempt_at, \
     lease_owner, lease_until, last_error, created_at, updated_at, sent_at";

/// The columns of [`COLUMNS`] on `l`, with the account's address.
const SELECT: &str = "SELECT l.id, l.client_id, l.account_id, a.email AS account_email, l.sid, \
     l.reason, l.status, l.attempts, l.next_attempt_at, l.lease_owner, l.lease_until, \
     l.last_error, l.created_at, l.updated_at, l.sent_at \
     FROM oidc_logouts l LEFT JOIN portal_accounts a ON a.id = l.account_id";

/// Queues a back-channel logout for each ended grant whose client has a back-channel logout URI.
pub async fn enqueue(tx: &mut Tx, ended: &[EndedGrant], now: i64) -> Result<u64> {
    let mut n = 0;
    for g in ended {
        n += exec_tx!(tx, |c| sqlx::query(
            "INSERT INTO oidc_logouts (client_id, account_id, sid, reason, status, attempts, \
             next_attempt_at, created_at, updated_at) \
             SELECT id, $1, $2, 'session_ended', 'queued', 0, $3, $3, $3 FROM oidc_clients \
             WHERE id = $4 AND backchannel_logout_uri IS NOT NULL"
        )
        .bind(g.account_id)
        .bind(&g.sid)
        .bind(now)
        .bind(g.client_id)
        .execute(c)
        .await)?;
    }
    Ok(n)
}

/// Claims up to `limit` due logouts for `owner` until `lease_until`: queued or retrying ones
/// whose time has come, and sending ones whose worker's lease ran out (it died). Each claim
/// counts as an attempt.
pub async fn claim_due(
    tx: &mut Tx,
    owner: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<OidcLogout>> {
    let lock = match tx.engine() {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    let sql = format!(
        "UPDATE oidc_logouts SET status = 'sending', lease_owner = $1, lease_until = $2, \
         attempts = attempts + 1, updated_at = $3 \
         WHERE id IN (SELECT id FROM oidc_logouts \
           WHERE (status IN ('queued', 'retrying') AND next_attempt_at <= $3) \
              OR (status = 'sending' AND lease_until <= $3) \
           ORDER BY next_attempt_at, id LIMIT $4{lock}) \
         RETURNING {COLUMNS}"
    );
    let mut rows: Vec<OidcLogout> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(owner)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(c)
        .await)?;
    rows.sort_by_key(|l| (l.next_attempt_at, l.id));
    Ok(rows)
}

/// Marks a logout delivered, if `owner` still holds it. Returns whether it did.
pub async fn mark_sent(tx: &mut Tx, id: i64, owner: &str, now: i64) -> Result<bool> {
    let n = exec_tx!(tx, |c| sqlx::query(
        "UPDATE oidc_logouts SET status = 'sent', sent_at = $1, updated_at = $1, \
         last_error = NULL, lease_owner = NULL, lease_until = NULL \
         WHERE id = $2 AND lease_owner = $3"
    )
    .bind(now)
    .bind(id)
    .bind(owner)
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// Records a failed attempt, if `owner` still holds the logout: `retrying` at
/// `next_attempt_at`, or `failed` when that is `None`. Returns whether it did.
pub async fn mark_attempt_failed(
    tx: &mut Tx,
    id: i64,
    owner: &str,
    now: i64,
    error: &str,
    next_attempt_at: Option<i64>,
) -> Result<bool> {
    let (status, next) = match next_attempt_at {
        Some(t) => (OutboxStatus::Retrying, t),
        None => (OutboxStatus::Failed, now),
    };
    let n = exec_tx!(tx, |c| sqlx::query(
        "UPDATE oidc_logouts SET status = $1, next_attempt_at = $2, last_error = $3, \
         updated_at = $4, lease_owner = NULL, lease_until = NULL \
         WHERE id = $5 AND lease_owner = $6"
    )
    .bind(status)
    .bind(next)
    .bind(error)
    .bind(now)
    .bind(id)
    .bind(owner)
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// Puts a failed logout back in the queue, with a fresh count of attempts. Returns whether it
/// did (false when it is not failed).
pub async fn requeue(tx: &mut Tx, id: i64, now: i64) -> Result<bool> {
    let n = exec_tx!(tx, |c| sqlx::query(
        "UPDATE oidc_logouts SET status = 'queued', attempts = 0, next_attempt_at = $1, \
         updated_at = $1 WHERE id = $2 AND status = 'failed'"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(n == 1)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<OidcLogout>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE l.id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// A client's most recent logouts, newest first.
pub async fn of_client(tx: &mut Tx, client_id: i64, limit: i64) -> Result<Vec<OidcLogout>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE l.client_id = $1 ORDER BY l.created_at DESC, l.id DESC LIMIT $2"
    )))
    .bind(client_id)
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// Whether any logout is due at `now` (a read, so that an idle worker takes no write lock).
pub async fn any_due(tx: &mut Tx, now: i64) -> Result<bool> {
    let due: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM oidc_logouts \
         WHERE (status IN ('queued', 'retrying') AND next_attempt_at <= $1) \
            OR (status = 'sending' AND lease_until <= $1) LIMIT 1"
    )
    .bind(now)
    .fetch_optional(c)
    .await)?;
    Ok(due.is_some())
}
