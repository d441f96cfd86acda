//! Counters for rate limits and lockouts, one row per key (stored as its hash).

use super::{Result, Tx};
use crate::{exec_tx, on_tx};

pub use crate::domain::limits::Counter;

#[derive(sqlx::FromRow)]
struct KeyedRow {
    key_hash: String,
    window_start: i64,
    hits: i64,
    strikes: i64,
    blocked_until: Option<i64>,
}

/// The counters of those of `key_hashes` that have one, in one query.
pub async fn get_many(tx: &mut Tx, key_hashes: &[&str]) -> Result<Vec<(String, Counter)>> {
    let rows: Vec<KeyedRow> = on_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT key_hash, window_start, hits, strikes, blocked_until FROM rate_limits \
             WHERE key_hash IN (",
        );
        let mut list = qb.separated(", ");
        for k in key_hashes {
            list.push_bind(k.to_string());
        }
        qb.push(")");
        qb.build_query_as().fetch_all(c).await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let counter = Counter {
                window_start: r.window_start,
                hits: r.hits,
                strikes: r.strikes,
                blocked_until: r.blocked_until,
            };
            (r.key_hash, counter)
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct Row {
    window_start: i64,
    hits: i64,
    strikes: i64,
    blocked_until: Option<i64>,
}

pub async fn get(tx: &mut Tx, key_hash: &str) -> Result<Option<Counter>> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT window_start, hits, strikes, blocked_until FROM rate_limits WHERE key_hash = $1"
    )
    .bind(key_hash)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| Counter {
        window_start: r.window_start,
        hits: r.hits,
        strikes: r.strikes,
        blocked_until: r.blocked_until,
    }))
}

pub async fn put(tx: &mut Tx, key_hash: &str, c: &Counter) -> Result<()> {
    exec_tx!(tx, |conn| {
        sqlx::query(
        "INSERT INTO rate_limits (key_hash, window_start, hits, strikes, blocked_until) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (key_hash) DO UPDATE SET window_start = excluded.window_start, hits = excluded.hits, \
         strikes = excluded.strikes, blocked_until = excluded.blocked_until"
    )
    .bind(key_hash)
    .bind(c.window_start)
    .bind(c.hits)
    .bind(c.strikes)
    .bind(c.blocked_until)
    .execute(conn)
    .await
    })?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, key_hash: &str) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM rate_limits WHERE key_hash = $1"
    )
    .bind(key_hash)
    .execute(c)
    .await)?;
    Ok(())
}

/// Forgets counters whose window began before `before` and that block nothing any more.
pub async fn purge(tx: &mut Tx, before: i64, now: i64) -> Result<u64> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "DELETE FROM rate_limits WHERE window_start < $1 AND (blocked_until IS NULL OR blocked_until < $2)"
    )
    .bind(before)
    .bind(now)
    .execute(c)
    .await
    })
}
