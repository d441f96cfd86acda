//! Areas: the regions organizations belong to and supervisors are limited to.

use serde::Serialize;

use crate::storage::{Result, Tx};
use crate::{exec_tx, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Area {
    pub id: i64,
    pub name: String,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

pub async fn list_areas(tx: &mut Tx) -> Result<Vec<Area>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, name, created_at, updated_at FROM areas ORDER BY name, id"
    )
    .fetch_all(c)
    .await)
}

pub async fn get_area(tx: &mut Tx, id: i64) -> Result<Option<Area>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, name, created_at, updated_at FROM areas WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

pub async fn find_area_by_name(tx: &mut Tx, name: &str) -> Result<Option<Area>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, name, created_at, updated_at FROM areas WHERE lower(name) = lower($1)"
    )
    .bind(name)
    .fetch_optional(c)
    .await)
}

pub async fn insert_area(tx: &mut Tx, name: &str, now: i64) -> Result<i64> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO areas (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id"
    )
    .bind(name)
    .bind(now)
    .fetch_one(c)
    .await)
}

pub async fn update_area(tx: &mut Tx, id: i64, name: &str, now: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE areas SET name = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(name)
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}
