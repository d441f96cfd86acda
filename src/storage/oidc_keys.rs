//! Queries for the keys that sign OpenID Connect tokens. The private key column holds the
//! key as `usecases::oidc::keys` wrote it (sealed, or in clear without a keys secret).

use super::{Result, Tx};
use crate::domain::oidc::keys::KeyState;
use crate::security::jwt::Alg;
use crate::{exec_tx, on_tx};

crate::domain::column::status_column!(Alg);

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KeyRow {
    pub id: i64,
    pub kid: String,
    pub alg: Alg,
    pub public_jwk: String,
    pub private_key: String,
    pub state: KeyState,
    pub created_at: i64,
    pub retiring_at: Option<i64>,
    pub retired_at: Option<i64>,
}

const SELECT: &str = "SELECT id, kid, alg, public_jwk, private_key, state, created_at, \
     retiring_at, retired_at FROM oidc_keys";

pub struct NewKey<'a> {
    pub kid: &'a str,
    pub alg: Alg,
    pub public_jwk: &'a str,
    pub private_key: &'a str,
}

/// The keys in the JWKS: active and retiring, the active first, newest first.
pub async fn published(tx: &mut Tx) -> Result<Vec<KeyRow>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE state IN ('active', 'retiring') \
         ORDER BY CASE state WHEN 'active' THEN 0 ELSE 1 END, alg, created_at DESC, id DESC"
    )))
    .fetch_all(c)
    .await)
}

/// Every key, retired ones too, oldest first.
pub async fn all(tx: &mut Tx) -> Result<Vec<KeyRow>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} ORDER BY created_at, id"
    )))
    .fetch_all(c)
    .await)
}

/// Adds an active key unless its algorithm has one already (another process may have made
/// it a moment ago): true when added.
pub async fn insert_active(tx: &mut Tx, new: &NewKey<'_>, now: i64) -> Result<bool> {
    let added = exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO oidc_keys (kid, alg, public_jwk, private_key, state, created_at) \
         VALUES ($1, $2, $3, $4, 'active', $5) ON CONFLICT DO NOTHING"
    )
    .bind(new.kid)
    .bind(new.alg)
    .bind(new.public_jwk)
    .bind(new.private_key)
    .bind(now)
    .execute(c)
    .await)?;
    Ok(added == 1)
}

/// The active key of `alg` becomes retiring. Returns its kid, if there was one.
pub async fn start_retiring(tx: &mut Tx, alg: Alg, now: i64) -> Result<Option<String>> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE oidc_keys SET state = 'retiring', retiring_at = $1 \
         WHERE alg = $2 AND state = 'active' RETURNING kid"
    )
    .bind(now)
    .bind(alg)
    .fetch_optional(c)
    .await)
}

/// Retiring keys that began retiring at or before `before` become retired. Returns their kids.
pub async fn retire_until(tx: &mut Tx, before: i64, now: i64) -> Result<Vec<String>> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE oidc_keys SET state = 'retired', retired_at = $1 \
         WHERE state = 'retiring' AND retiring_at <= $2 RETURNING kid"
    )
    .bind(now)
    .bind(before)
    .fetch_all(c)
    .await)
}

/// Replaces a key's stored private key (sealing keys kept in clear).
pub async fn set_private_key(tx: &mut Tx, id: i64, private_key: &str) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE oidc_keys SET private_key = $1 WHERE id = $2"
    )
    .bind(private_key)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}
