//! Queries for staff users and their areas (their console sessions are in `sessions`).

use serde::Serialize;

use super::{Engine, Result, Tx};
use crate::domain::staff::StaffRole;
use crate::{exec_tx, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct StaffUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: StaffRole,
    pub active: bool,
    #[serde(skip)]
    pub password_hash: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_login_at: Option<i64>,
    /// `en` or `de`: the language of their digests.
    pub language: String,
    /// Their digests come at 08:00 in this zone.
    pub time_zone: String,
    #[sqlx(skip)]
    pub area_ids: Vec<i64>,
}

impl StaffUser {
    pub fn is_admin(&self) -> bool {
        self.role == StaffRole::Administrator
    }
}

const STAFF_SELECT: &str = "SELECT id, email, name, role, active, password_hash, created_at, updated_at, last_login_at, \
     language, time_zone FROM staff_users";

/// A staff user's language and time zone (for their digests).
pub async fn set_locale(
    tx: &mut Tx,
    id: i64,
    language: &str,
    time_zone: &str,
    now: i64,
) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE staff_users SET language = $1, time_zone = $2, updated_at = $3 WHERE id = $4"
    )
    .bind(language)
    .bind(time_zone)
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

async fn with_areas(tx: &mut Tx, user: Option<StaffUser>) -> Result<Option<StaffUser>> {
    match user {
        Some(mut u) => {
            u.area_ids = staff_area_ids(tx, u.id).await?;
            Ok(Some(u))
        }
        None => Ok(None),
    }
}

pub async fn get_staff(tx: &mut Tx, id: i64) -> Result<Option<StaffUser>> {
    let user = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{STAFF_SELECT} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)?;
    with_areas(tx, user).await
}

pub async fn find_staff_by_email(tx: &mut Tx, email: &str) -> Result<Option<StaffUser>> {
    let user = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{STAFF_SELECT} WHERE email = $1"
    )))
    .bind(email)
    .fetch_optional(c)
    .await)?;
    with_areas(tx, user).await
}

pub async fn list_staff(tx: &mut Tx) -> Result<Vec<StaffUser>> {
    let users: Vec<StaffUser> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{STAFF_SELECT} ORDER BY email LIMIT 10000"
    )))
    .fetch_all(c)
    .await)?;
    let mut out = Vec::with_capacity(users.len());
    for u in users {
        out.extend(with_areas(tx, Some(u)).await?);
    }
    Ok(out)
}

/// A staff user's name as given ("" when none was), or `None` when there is no such user.
pub async fn staff_name(tx: &mut Tx, id: i64) -> Result<Option<String>> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT name FROM staff_users WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

pub async fn staff_area_ids(tx: &mut Tx, id: i64) -> Result<Vec<i64>> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT area_id FROM staff_user_areas WHERE staff_user_id = $1 ORDER BY area_id"
    )
    .bind(id)
    .fetch_all(c)
    .await)
}

pub async fn insert_staff(
    tx: &mut Tx,
    email: &str,
    name: &str,
    role: StaffRole,
    password_hash: &str,
    now: i64,
) -> Result<i64> {
    on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO staff_users (email, name, role, active, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, TRUE, $4, $5, $5) RETURNING id"
    )
    .bind(email)
    .bind(name)
    .bind(role)
    .bind(password_hash)
    .bind(now)
    .fetch_one(c)
    .await
    })
}

pub async fn update_staff(
    tx: &mut Tx,
    id: i64,
    name: &str,
    role: StaffRole,
    active: bool,
    now: i64,
) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE staff_users SET name = $1, role = $2, active = $3, updated_at = $4 WHERE id = $5"
    )
    .bind(name)
    .bind(role)
    .bind(active)
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn set_staff_password(tx: &mut Tx, id: i64, hash: &str, now: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE staff_users SET password_hash = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(hash)
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn set_staff_areas(tx: &mut Tx, id: i64, areas: &[i64]) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM staff_user_areas WHERE staff_user_id = $1"
    )
    .bind(id)
    .execute(c)
    .await)?;
    for area in areas {
        exec_tx!(tx, |c| sqlx::query(
            "INSERT INTO staff_user_areas (staff_user_id, area_id) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(*area)
        .execute(c)
        .await)?;
    }
    Ok(())
}

/// The ids of the active administrators, locked until the transaction ends, so that two
/// concurrent demotions cannot both see "another administrator remains".
/// SQLite's write transactions (`BEGIN IMMEDIATE`) are already serialized.
pub async fn lock_active_admins(tx: &mut Tx) -> Result<Vec<i64>> {
    match tx.engine() {
        Engine::Postgres => {
            // Lock every administrator row (active or not) in id order: a second transaction
            // waits here until the first commits, then sees its result.
            exec_tx!(tx, |c| sqlx::query(
                "SELECT id FROM staff_users WHERE role = 'administrator' ORDER BY id FOR UPDATE"
            )
            .execute(c)
            .await)?;
        }
        Engine::Sqlite => {}
    }
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM staff_users WHERE role = 'administrator' AND active = TRUE ORDER BY id"
    )
    .fetch_all(c)
    .await)
}

pub async fn count_staff(tx: &mut Tx) -> Result<i64> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM staff_users"
    )
    .fetch_one(c)
    .await)
}
