//! Queries for API keys. Only a key's SHA-256 is stored.

use serde::Serialize;

use super::{Result, Tx};
use crate::{exec_tx, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
    #[sqlx(skip)]
    pub area_ids: Vec<i64>,
}

const SELECT: &str = "SELECT id, name, prefix, created_at, revoked_at, last_used_at FROM api_keys";

pub async fn insert(
    tx: &mut Tx,
    name: &str,
    prefix: &str,
    key_hash: &str,
    now: i64,
) -> Result<i64> {
    on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO api_keys (name, prefix, key_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id"
    )
    .bind(name)
    .bind(prefix)
    .bind(key_hash)
    .bind(now)
    .fetch_one(c)
    .await
    })
}

pub async fn set_areas(tx: &mut Tx, id: i64, areas: &[i64]) -> Result<()> {
    for area in areas {
        exec_tx!(tx, |c| sqlx::query(
            "INSERT INTO api_key_areas (api_key_id, area_id) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(*area)
        .execute(c)
        .await)?;
    }
    Ok(())
}

async fn area_ids(tx: &mut Tx, id: i64) -> Result<Vec<i64>> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT area_id FROM api_key_areas WHERE api_key_id = $1 ORDER BY area_id"
    )
    .bind(id)
    .fetch_all(c)
    .await)
}

pub async fn list(tx: &mut Tx) -> Result<Vec<ApiKey>> {
    let mut keys: Vec<ApiKey> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} ORDER BY revoked_at IS NOT NULL, name, id"
    )))
    .fetch_all(c)
    .await)?;
    for k in &mut keys {
        k.area_ids = area_ids(tx, k.id).await?;
    }
    Ok(keys)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<ApiKey>> {
    let key: Option<ApiKey> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)?;
    match key {
        Some(mut k) => {
            k.area_ids = area_ids(tx, k.id).await?;
            Ok(Some(k))
        }
        None => Ok(None),
    }
}

/// The active key with this hash, with its areas: one query, a row per area.
pub async fn find_active(tx: &mut Tx, key_hash: &str) -> Result<Option<ApiKey>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        key: ApiKey,
        area_id: Option<i64>,
    }
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT k.id, k.name, k.prefix, k.created_at, k.revoked_at, k.last_used_at, ka.area_id \
         FROM api_keys k LEFT JOIN api_key_areas ka ON ka.api_key_id = k.id \
         WHERE k.key_hash = $1 AND k.revoked_at IS NULL ORDER BY ka.area_id"
    )
    .bind(key_hash)
    .fetch_all(c)
    .await)?;
    let mut rows = rows.into_iter();
    let Some(first) = rows.next() else {
        return Ok(None);
    };
    let mut key = first.key;
    key.area_ids = std::iter::once(first.area_id)
        .chain(rows.map(|r| r.area_id))
        .flatten()
        .collect();
    Ok(Some(key))
}

pub async fn mark_used(tx: &mut Tx, id: i64, now: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE api_keys SET last_used_at = $1 WHERE id = $2"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn revoke(tx: &mut Tx, id: i64, now: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}
