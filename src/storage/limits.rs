//! Counters for rate limits and lockouts, one row per key (stored as its hash), and the
//! browsers known to have logged in as an address (device cookies, stored as hashes).

use super::{Result, Tx};
use crate::domain::limits::Rule;
use crate::{exec_tx, on_tx};

pub use crate::domain::limits::Counter;

// The arithmetic of `Counter::hit`, in SQL over the stored row (`rate_limits.*` is the row
// before the attempt; $2 is now, $3 the window, $4 the most attempts, $5 the first block,
// $6 the longest block). An attempt whose time is before the window's start (it was taken
// before another's that was counted first) counts in that window: it never starts a new one.
macro_rules! blocked {
    () => {
        "(rate_limits.blocked_until IS NOT NULL AND rate_limits.blocked_until > $2)"
    };
}
macro_rules! new_window {
    () => {
        "($2 - rate_limits.window_start >= $3)"
    };
}
macro_rules! strikes {
    () => {
        "(CASE WHEN $2 - rate_limits.window_start >= 4 * $3 THEN 0 ELSE rate_limits.strikes END)"
    };
}
macro_rules! hits {
    () => {
        concat!(
            "(CASE WHEN ",
            new_window!(),
            " THEN 1 ELSE rate_limits.hits + 1 END)"
        )
    };
}
macro_rules! full {
    () => {
        concat!("(", hits!(), " >= $4)")
    };
}
macro_rules! block {
    () => {
        concat!(
            "(CASE WHEN ",
            strikes!(),
            " >= 20 OR ($5 << CAST(",
            strikes!(),
            " AS INTEGER)) > $6 THEN $6 ELSE ($5 << CAST(",
            strikes!(),
            " AS INTEGER)) END)"
        )
    };
}

/// Counts an attempt and answers in one statement: the row as it is after it. Two attempts at
/// once are counted one after the other (the row is locked by the first), never both against
/// the same count.
const HIT: &str = concat!(
    "INSERT INTO rate_limits (key_hash, window_start, hits, strikes, blocked_until, refused) \
     VALUES ($1, $2, CASE WHEN 1 >= $4 THEN 0 ELSE 1 END, CASE WHEN 1 >= $4 THEN 1 ELSE 0 END, \
     CASE WHEN 1 >= $4 THEN $2 + $5 ELSE NULL END, 0) \
     ON CONFLICT (key_hash) DO UPDATE SET \
     window_start = CASE WHEN ",
    blocked!(),
    " THEN rate_limits.window_start WHEN ",
    full!(),
    " OR ",
    new_window!(),
    " THEN $2 ELSE rate_limits.window_start END, \
     hits = CASE WHEN ",
    blocked!(),
    " THEN rate_limits.hits WHEN ",
    full!(),
    " THEN 0 ELSE ",
    hits!(),
    " END, \
     strikes = CASE WHEN ",
    blocked!(),
    " THEN rate_limits.strikes WHEN ",
    full!(),
    " THEN ",
    strikes!(),
    " + 1 ELSE ",
    strikes!(),
    " END, \
     blocked_until = CASE WHEN ",
    blocked!(),
    " THEN rate_limits.blocked_until WHEN ",
    full!(),
    " THEN $2 + ",
    block!(),
    " ELSE NULL END, \
     refused = CASE WHEN ",
    blocked!(),
    " THEN rate_limits.refused + 1 ELSE 0 END \
     RETURNING blocked_until, refused"
);

/// What counting an attempt did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// Counted; `blocks` when this attempt reached the most and starts a block.
    Counted { blocks: bool },
    /// Refused, the key being blocked until `until`: nothing counted. `first` for the first
    /// refusal of this block.
    Refused { until: i64, first: bool },
}

/// Counts an attempt under `key_hash` at `now` by `rule`, checking and counting in one write.
pub async fn hit(tx: &mut Tx, key_hash: &str, now: i64, rule: &Rule) -> Result<Hit> {
    let (blocked_until, refused): (Option<i64>, i64) = on_tx!(tx, |c| sqlx::query_as(HIT)
        .bind(key_hash)
        .bind(now)
        .bind(rule.window_ms)
        .bind(rule.max)
        .bind(rule.block_ms)
        .bind(rule.max_block_ms)
        .fetch_one(c)
        .await)?;
    Ok(match (blocked_until, refused) {
        (Some(until), n) if n > 0 => Hit::Refused {
            until,
            first: n == 1,
        },
        (blocked, _) => Hit::Counted {
            blocks: blocked.is_some_and(|u| u > now),
        },
    })
}

/// Gives back one attempt counted under `key_hash` (one that turned out right), unless it
/// started a block.
pub async fn refund(tx: &mut Tx, key_hash: &str) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE rate_limits SET hits = hits - 1 WHERE key_hash = $1 AND hits > 0"
    )
    .bind(key_hash)
    .execute(c)
    .await)?;
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

/// True when the browser with the device cookie `token_hash` logged in as `login_hash`.
pub async fn device_known(tx: &mut Tx, token_hash: &str, login_hash: &str) -> Result<bool> {
    let n: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM login_devices WHERE token_hash = $1 AND login_hash = $2"
    )
    .bind(token_hash)
    .bind(login_hash)
    .fetch_one(c)
    .await)?;
    Ok(n > 0)
}

/// Remembers that the browser with the device cookie `token_hash` logged in as `login_hash`.
pub async fn remember_device(
    tx: &mut Tx,
    token_hash: &str,
    login_hash: &str,
    now: i64,
) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO login_devices (token_hash, login_hash, created_at, last_used_at) \
         VALUES ($1, $2, $3, $3) \
         ON CONFLICT (token_hash, login_hash) DO UPDATE SET last_used_at = excluded.last_used_at"
    )
    .bind(token_hash)
    .bind(login_hash)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(())
}

/// Forgets the browsers that have not logged in since `before`.
pub async fn purge_devices(tx: &mut Tx, before: i64) -> Result<u64> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM login_devices WHERE last_used_at < $1"
    )
    .bind(before)
    .execute(c)
    .await)
}

/// Counts one more under `key_hash` in a window of `window_ms` that starts with the first
/// count: the count in this window, 1 for the first (in one statement).
pub async fn tally(tx: &mut Tx, key_hash: &str, now: i64, window_ms: i64) -> Result<i64> {
    on_tx!(tx, |c| sqlx::query_scalar(concat!(
        "INSERT INTO rate_limits (key_hash, window_start, hits, strikes, blocked_until, refused) \
         VALUES ($1, $2, 1, 0, NULL, 0) \
         ON CONFLICT (key_hash) DO UPDATE SET \
         window_start = CASE WHEN ",
        new_window!(),
        " THEN $2 ELSE rate_limits.window_start END, \
         hits = CASE WHEN ",
        new_window!(),
        " THEN 1 ELSE rate_limits.hits + 1 END \
         RETURNING hits"
    ))
    .bind(key_hash)
    .bind(now)
    .bind(window_ms)
    .fetch_one(c)
    .await)
}
