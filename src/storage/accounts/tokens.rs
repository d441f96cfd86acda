//! The single-use link tokens of portal accounts (invitation, activation, password, e-mail
//! change), stored only as their hashes, each bound to its purpose and account.

use super::super::{Result, Tx};
use crate::{exec_tx, on_tx};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountToken {
    pub token_hash: String,
    pub account_id: i64,
    pub purpose: String,
    pub new_email: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn insert_token(
    tx: &mut Tx,
    token_hash: &str,
    account_id: i64,
    purpose: &str,
    new_email: Option<&str>,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO account_tokens (token_hash, account_id, purpose, new_email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(purpose)
    .bind(new_email)
    .bind(now)
    .bind(expires_at)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn find_token(tx: &mut Tx, token_hash: &str) -> Result<Option<AccountToken>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT token_hash, account_id, purpose, new_email, created_at, expires_at, used_at \
         FROM account_tokens WHERE token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)
}

/// Uses a token once: true when it was unused and unexpired (and now is used).
pub async fn use_token(tx: &mut Tx, token_hash: &str, now: i64) -> Result<bool> {
    let n = exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE account_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1"
    )
    .bind(now)
    .bind(token_hash)
    .execute(c)
    .await
    })?;
    Ok(n == 1)
}

/// Ends every unused token of an account for a purpose (a new link replaces the old ones).
pub async fn revoke_tokens(tx: &mut Tx, account_id: i64, purpose: &str, now: i64) -> Result<u64> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE account_tokens SET used_at = $1 WHERE account_id = $2 AND purpose = $3 AND used_at IS NULL"
    )
    .bind(now)
    .bind(account_id)
    .bind(purpose)
    .execute(c)
    .await
    })
}

/// Deletes link tokens that are used up or expired.
pub async fn purge_tokens(tx: &mut Tx, now: i64) -> Result<u64> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM account_tokens WHERE expires_at <= $1 OR used_at IS NOT NULL"
    )
    .bind(now)
    .execute(c)
    .await)
}
