//! Queries for notifications: a portal's task categories and the tasks posted by the
//! operator's systems. Digest subscriptions, the digests made and their unsubscribe tokens are in
//! [`subscriptions`]; what a digest lists (open tasks by customer or area, and Admit's own tasks
//! read from the accounts and the outbox) is in [`content`].

use serde::Serialize;
use sqlx::QueryBuilder;

use super::{IN_LIST, Result, Tx, padded};
use crate::domain::task_tallies::Pair;
use crate::domain::tasks::{CategoryInput, TaskStatus, ValidTask};
use crate::{exec_tx, on_tx};

mod content;
mod digest_batch;
mod subscriptions;
pub mod tallies;

pub use content::{OwnScope, OwnTask, failed_messages, own_tasks, own_tasks_of_teams};
pub use digest_batch::{claim_periods, record_digests, set_next_due_all};
pub use subscriptions::{
    DigestRow, Owner, Subscription, claim_due, claim_period, digests_of, insert_unsubscribe_token,
    purge_unsubscribe_tokens, record_digest, save_subscription, set_next_due, subscription,
    subscription_of, subscriptions, time_zone_of, unsubscribe_target,
};
pub use tallies::{NextTask, of_customers, open_by_id, open_tasks};

/// Where the tasks of a digest come from.
pub enum TaskScope<'a> {
    /// A portal account: its portal's tasks about these customers.
    Customers { portal: i64, customers: &'a [i64] },
    /// Staff: every portal's tasks about customers in these areas (`None`: all).
    Areas(Option<&'a [i64]>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Category {
    pub id: i64,
    pub portal_id: i64,
    pub key: String,
    pub name_en: String,
    pub name_de: String,
    pub description_en: String,
    pub description_de: String,
    #[serde(skip)]
    pub position: i64,
}

impl Category {
    pub fn name(&self, language: crate::domain::directory::Language) -> &str {
        match language {
            crate::domain::directory::Language::De => &self.name_de,
            _ => &self.name_en,
        }
    }
    /// The description in `language`; without a German one, the English.
    pub fn description(&self, language: crate::domain::directory::Language) -> &str {
        match language {
            crate::domain::directory::Language::De if !self.description_de.trim().is_empty() => {
                &self.description_de
            }
            _ => &self.description_en,
        }
    }
}

const CATEGORY: &str = "SELECT id, portal_id, key, name_en, name_de, description_en, description_de, position \
     FROM task_categories";

/// A portal's categories, in their order.
pub async fn categories(tx: &mut Tx, portal: i64) -> Result<Vec<Category>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CATEGORY} WHERE portal_id = $1 ORDER BY position, id"
    )))
    .bind(portal)
    .fetch_all(c)
    .await)
}

/// Every portal's categories, by portal and order.
pub async fn all_categories(tx: &mut Tx) -> Result<Vec<Category>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CATEGORY} ORDER BY portal_id, position, id"
    )))
    .fetch_all(c)
    .await)
}

/// How many tasks (open or closed) a category holds.
pub async fn tasks_in_category(tx: &mut Tx, category: i64) -> Result<i64> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM tasks WHERE category_id = $1"
    )
    .bind(category)
    .fetch_one(c)
    .await)
}

/// Makes a portal's categories these, in this order: kept by key (their tasks with them),
/// new ones added, missing ones deleted (the caller checked that they hold no tasks).
pub async fn set_categories(
    tx: &mut Tx,
    portal: i64,
    list: &[CategoryInput],
    now: i64,
) -> Result<()> {
    let before = categories(tx, portal).await?;
    for old in &before {
        if !list.iter().any(|c| c.key == old.key) {
            exec_tx!(tx, |c| sqlx::query(
                "DELETE FROM task_categories WHERE id = $1"
            )
            .bind(old.id)
            .execute(c)
            .await)?;
        }
    }
    for (position, c) in list.iter().enumerate() {
        let position = position as i64;
        match before.iter().find(|b| b.key == c.key) {
            Some(b) => {
                exec_tx!(tx, |conn| sqlx::query(
                    "UPDATE task_categories SET name_en = $1, name_de = $2, description_en = $3, \
                     description_de = $4, position = $5, updated_at = $6 WHERE id = $7"
                )
                .bind(&c.name_en)
                .bind(&c.name_de)
                .bind(&c.description_en)
                .bind(&c.description_de)
                .bind(position)
                .bind(now)
                .bind(b.id)
                .execute(conn)
                .await)?;
            }
            None => {
                exec_tx!(tx, |conn| {
                    sqlx::query(
                    "INSERT INTO task_categories (portal_id, key, name_en, name_de, description_en, \
                     description_de, position, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
                )
                .bind(portal)
                .bind(&c.key)
                .bind(&c.name_en)
                .bind(&c.name_de)
                .bind(&c.description_en)
                .bind(&c.description_de)
                .bind(position)
                .bind(now)
                .execute(conn)
                .await
                })?;
            }
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Task {
    pub id: i64,
    pub portal_id: i64,
    pub external_id: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub category_id: i64,
    pub category: String,
    pub title: String,
    pub due_date: Option<i64>,
    pub link: Option<String>,
    pub status: TaskStatus,
    pub created_at: i64,
    pub updated_at: i64,
    pub closed_at: Option<i64>,
}

const TASK: &str = "SELECT t.id, t.portal_id, t.external_id, t.customer_id, o.name AS customer_name, \
     t.category_id, k.key AS category, t.title, t.due_date, t.link, t.status, t.created_at, t.updated_at, t.closed_at \
     FROM tasks t JOIN organizations o ON o.id = t.customer_id JOIN task_categories k ON k.id = t.category_id";

pub async fn find_task(tx: &mut Tx, portal: i64, external_id: &str) -> Result<Option<Task>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{TASK} WHERE t.portal_id = $1 AND t.external_id = $2"
    )))
    .bind(portal)
    .bind(external_id)
    .fetch_optional(c)
    .await)
}

/// A task about to be changed: on PostgreSQL its row stays locked until `tx` ends, so that
/// two changes at once each see the other's result (and move its tallies from where it is).
/// The lock is taken on the task alone first: locking it in the read with its joins would miss
/// a task that a change at once had moved to another customer or category.
pub async fn lock_task(tx: &mut Tx, portal: i64, external_id: &str) -> Result<Option<Task>> {
    if tx.engine() == super::Engine::Postgres {
        exec_tx!(tx, |c| sqlx::query(
            "SELECT id FROM tasks WHERE portal_id = $1 AND external_id = $2 FOR UPDATE"
        )
        .bind(portal)
        .bind(external_id)
        .execute(c)
        .await)?;
    }
    find_task(tx, portal, external_id).await
}

/// Adds a task (and counts it in its tally when open).
pub async fn insert_task(
    tx: &mut Tx,
    portal: i64,
    t: &ValidTask,
    category: i64,
    now: i64,
) -> Result<i64> {
    let id = on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO tasks (portal_id, external_id, customer_id, category_id, title, due_date, link, \
         status, created_at, updated_at, closed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id"
    )
    .bind(portal)
    .bind(&t.external_id)
    .bind(t.customer_id)
    .bind(category)
    .bind(&t.title)
    .bind(t.due_date)
    .bind(&t.link)
    .bind(t.status)
    .bind(now)
    .bind((t.status == TaskStatus::Closed).then_some(now))
    .fetch_one(c)
    .await
    })?;
    let pair = Pair {
        portal,
        customer: t.customer_id,
        category,
    };
    tallies::moved(tx, None, (t.status == TaskStatus::Open).then_some(pair)).await?;
    Ok(id)
}

/// Changes a task (`before`, as read in this transaction) and the tallies it was and is
/// counted in; `closed_at` is set when it closes and cleared when it opens again.
pub async fn update_task(
    tx: &mut Tx,
    before: &Task,
    t: &ValidTask,
    category: i64,
    now: i64,
) -> Result<()> {
    let id = before.id;
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE tasks SET customer_id = $1, category_id = $2, title = $3, due_date = $4, link = $5, \
         status = $6, updated_at = $7, \
         closed_at = CASE WHEN $6 = 'open' THEN NULL ELSE COALESCE(closed_at, $7) END \
         WHERE id = $8"
    )
    .bind(t.customer_id)
    .bind(category)
    .bind(&t.title)
    .bind(t.due_date)
    .bind(&t.link)
    .bind(t.status)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    })?;
    let was = Pair {
        portal: before.portal_id,
        customer: before.customer_id,
        category: before.category_id,
    };
    let is = Pair {
        customer: t.customer_id,
        category,
        ..was
    };
    tallies::moved(
        tx,
        (before.status == TaskStatus::Open).then_some(was),
        (t.status == TaskStatus::Open).then_some(is),
    )
    .await?;
    Ok(())
}

/// What a list of tasks is filtered on.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub portal_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub category: Option<String>,
    pub status: Option<TaskStatus>,
    /// Only tasks of customers in these areas (a scoped key); `None`: every area.
    pub areas: Option<Vec<i64>>,
    pub after_id: Option<i64>,
    pub limit: i64,
}

/// Tasks in id order, from `after_id`.
pub async fn list_tasks(tx: &mut Tx, f: &TaskFilter) -> Result<Vec<Task>> {
    on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(TASK);
        qb.push(" WHERE 1 = 1");
        if let Some(p) = f.portal_id {
            qb.push(" AND t.portal_id = ").push_bind(p);
        }
        if let Some(cu) = f.customer_id {
            qb.push(" AND t.customer_id = ").push_bind(cu);
        }
        if let Some(k) = &f.category {
            qb.push(" AND k.key = ").push_bind(k.clone());
        }
        if let Some(status) = f.status {
            qb.push(" AND t.status = ").push_bind(status);
        }
        if let Some(areas) = &f.areas {
            qb.push(" AND o.area_id IN (NULL");
            for a in areas {
                qb.push(", ").push_bind(*a);
            }
            qb.push(")");
        }
        if let Some(after) = f.after_id {
            qb.push(" AND t.id > ").push_bind(after);
        }
        qb.push(" ORDER BY t.id LIMIT ").push_bind(f.limit);
        qb.build_query_as().fetch_all(c).await
    })
}
