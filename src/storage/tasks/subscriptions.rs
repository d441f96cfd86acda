//! Digest subscriptions (who gets which digest, and when it is next due), the digests made (one
//! per subscription and period) and their one-click unsubscribe tokens (stored as hashes).
//!
//! Claiming due subscriptions is the one engine-specific query: PostgreSQL skips rows another
//! process holds (`FOR NO KEY UPDATE SKIP LOCKED`); SQLite serializes writers anyway.

use serde::Serialize;

use super::super::{Engine, Result, Tx};
use crate::{exec_tx, on_tx};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Subscription {
    pub id: i64,
    pub account_id: Option<i64>,
    pub staff_user_id: Option<i64>,
    pub frequency: String,
    pub categories: String,
    pub next_due_at: Option<i64>,
}

const SUBSCRIPTION: &str = "SELECT id, account_id, staff_user_id, frequency, categories, next_due_at FROM digest_subscriptions";

/// These subscriptions as they are now (those that still exist).
pub async fn subscriptions(tx: &mut Tx, ids: &[i64]) -> Result<Vec<Subscription>> {
    let mut out = Vec::with_capacity(ids.len());
    for part in ids.chunks(super::IN_LIST) {
        let rows: Vec<Subscription> = on_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(SUBSCRIPTION);
            qb.push(" WHERE id IN (");
            let mut list = qb.separated(", ");
            for id in super::padded(part) {
                list.push_bind(id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// Whose subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Account(i64),
    Staff(i64),
}

pub async fn subscription_of(tx: &mut Tx, owner: Owner) -> Result<Option<Subscription>> {
    let (column, id) = match owner {
        Owner::Account(id) => ("account_id", id),
        Owner::Staff(id) => ("staff_user_id", id),
    };
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUBSCRIPTION} WHERE {column} = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)
}

pub async fn subscription(tx: &mut Tx, id: i64) -> Result<Option<Subscription>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUBSCRIPTION} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// Writes an owner's subscription (made when missing). Returns its id.
pub async fn save_subscription(
    tx: &mut Tx,
    owner: Owner,
    frequency: &str,
    categories: &str,
    next_due_at: Option<i64>,
    now: i64,
) -> Result<i64> {
    if let Some(s) = subscription_of(tx, owner).await? {
        exec_tx!(tx, |c| sqlx::query(
            "UPDATE digest_subscriptions SET frequency = $1, categories = $2, next_due_at = $3, \
             updated_at = $4 WHERE id = $5"
        )
        .bind(frequency)
        .bind(categories)
        .bind(next_due_at)
        .bind(now)
        .bind(s.id)
        .execute(c)
        .await)?;
        return Ok(s.id);
    }
    let (account, staff) = match owner {
        Owner::Account(id) => (Some(id), None),
        Owner::Staff(id) => (None, Some(id)),
    };
    on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO digest_subscriptions (account_id, staff_user_id, frequency, categories, \
         next_due_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id"
    )
    .bind(account)
    .bind(staff)
    .bind(frequency)
    .bind(categories)
    .bind(next_due_at)
    .bind(now)
    .fetch_one(c)
    .await)
}

pub async fn set_next_due(tx: &mut Tx, id: i64, next_due_at: Option<i64>) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE digest_subscriptions SET next_due_at = $1 WHERE id = $2"
    )
    .bind(next_due_at)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

/// Claims up to `limit` subscriptions whose digest is due, soonest first, and after `after`
/// (the due time and id of the last one claimed before, when a run reads ahead of its writes).
/// On PostgreSQL the rows stay locked until `tx` ends and other processes skip them. The lock
/// is `NO KEY UPDATE` (the claim changes the due time, never the key): a digest being sent
/// meanwhile, whose unsubscribe token refers to the subscription (a key share lock), does not
/// make the claim skip the row.
pub async fn claim_due(
    tx: &mut Tx,
    now: i64,
    after: Option<(i64, i64)>,
    limit: i64,
) -> Result<Vec<Subscription>> {
    let lock = match tx.engine() {
        Engine::Postgres => " FOR NO KEY UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    // Without a cursor, from before any due time and id.
    let (at, id) = after.unwrap_or((i64::MIN, i64::MIN));
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUBSCRIPTION} WHERE next_due_at IS NOT NULL AND next_due_at <= $1 \
         AND (next_due_at > $2 OR (next_due_at = $2 AND id > $3)) \
         ORDER BY next_due_at, id LIMIT $4{lock}"
    )))
    .bind(now)
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// The time zone an account or a staff user lives in (their digests come at 08:00 there).
pub async fn time_zone_of(tx: &mut Tx, owner: Owner) -> Result<Option<String>> {
    let sql = match owner {
        Owner::Account(_) => "SELECT time_zone FROM portal_accounts WHERE id = $1",
        Owner::Staff(_) => "SELECT time_zone FROM staff_users WHERE id = $1",
    };
    let id = match owner {
        Owner::Account(id) | Owner::Staff(id) => id,
    };
    on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// Takes the period for a subscription: true when this call made the row (the digest is
/// ours to make), false when it exists (made before, by this process or another).
pub async fn claim_period(
    tx: &mut Tx,
    subscription: i64,
    period: &str,
    due_at: i64,
    now: i64,
) -> Result<bool> {
    let n = exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO digests (subscription_id, period, due_at, made_at, tasks) \
         VALUES ($1, $2, $3, $4, 0) ON CONFLICT (subscription_id, period) DO NOTHING"
    )
    .bind(subscription)
    .bind(period)
    .bind(due_at)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(n == 1)
}

/// What the digest of a period held and which message carries it.
pub async fn record_digest(
    tx: &mut Tx,
    subscription: i64,
    period: &str,
    tasks: i64,
    outbox_id: Option<i64>,
) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE digests SET tasks = $1, outbox_id = $2 WHERE subscription_id = $3 AND period = $4"
    )
    .bind(tasks)
    .bind(outbox_id)
    .bind(subscription)
    .bind(period)
    .execute(c)
    .await)?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DigestRow {
    pub period: String,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub due_at: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub made_at: i64,
    /// How many tasks it listed (0: nothing to say, nothing sent).
    pub tasks: i64,
    pub outbox_id: Option<i64>,
}

/// The digests of a subscription, newest first.
pub async fn digests_of(tx: &mut Tx, subscription: i64, limit: i64) -> Result<Vec<DigestRow>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT period, due_at, made_at, tasks, outbox_id FROM digests \
         WHERE subscription_id = $1 ORDER BY due_at DESC, id DESC LIMIT $2"
    )
    .bind(subscription)
    .bind(limit)
    .fetch_all(c)
    .await)
}

pub async fn insert_unsubscribe_token(
    tx: &mut Tx,
    token_hash: &str,
    subscription: i64,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO unsubscribe_tokens (token_hash, subscription_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)"
    )
    .bind(token_hash)
    .bind(subscription)
    .bind(now)
    .bind(expires_at)
    .execute(c)
    .await)?;
    Ok(())
}

/// The subscription an unsubscribe link is for, while it has not expired.
pub async fn unsubscribe_target(tx: &mut Tx, token_hash: &str, now: i64) -> Result<Option<i64>> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT subscription_id FROM unsubscribe_tokens WHERE token_hash = $1 AND expires_at > $2"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await)
}

pub async fn purge_unsubscribe_tokens(tx: &mut Tx, now: i64) -> Result<u64> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM unsubscribe_tokens WHERE expires_at <= $1"
    )
    .bind(now)
    .execute(c)
    .await)
}
