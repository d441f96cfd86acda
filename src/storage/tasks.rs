//! Queries for notifications: a portal's task categories, the tasks posted by the operator's
//! systems, digest subscriptions, the digests made (one per subscription and period), the
//! one-click unsubscribe tokens, and what a digest lists: open tasks by customer or area, and
//! Admit's own tasks read from the accounts and the outbox.
//!
//! Claiming due subscriptions is the one engine-specific query: PostgreSQL skips rows another
//! process holds (`FOR UPDATE SKIP LOCKED`); SQLite serializes writers anyway.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use sqlx::QueryBuilder;

use super::{Engine, Result, Tx};
use crate::domain::tasks::{CategoryInput, ValidTask};
use crate::{exec_tx, on_tx};

/// The most values one `IN (...)` list binds; longer lists are read in parts.
const IN_LIST: usize = 5_000;

// ---------------------------------------------------------------- categories

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
    pub fn description(&self, language: crate::domain::directory::Language) -> &str {
        match language {
            crate::domain::directory::Language::De => &self.description_de,
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

// ---------------------------------------------------------------- tasks

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
    pub status: String,
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

pub async fn insert_task(
    tx: &mut Tx,
    portal: i64,
    t: &ValidTask,
    category: i64,
    now: i64,
) -> Result<i64> {
    on_tx!(tx, |c| {
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
    .bind(if t.open { "open" } else { "closed" })
    .bind(now)
    .bind((!t.open).then_some(now))
    .fetch_one(c)
    .await
    })
}

/// Changes a task; `closed_at` is set when it closes and cleared when it opens again.
pub async fn update_task(
    tx: &mut Tx,
    id: i64,
    t: &ValidTask,
    category: i64,
    now: i64,
) -> Result<()> {
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
    .bind(if t.open { "open" } else { "closed" })
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    })?;
    Ok(())
}

/// What a list of tasks is filtered on.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub portal_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub category: Option<String>,
    pub open: Option<bool>,
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
        if let Some(open) = f.open {
            qb.push(" AND t.status = ")
                .push_bind(if open { "open" } else { "closed" });
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

// ---------------------------------------------------------------- subscriptions

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

/// Claims up to `limit` subscriptions whose digest is due, soonest first. On PostgreSQL the
/// rows stay locked until `tx` ends and other processes skip them.
pub async fn claim_due(tx: &mut Tx, now: i64, limit: i64) -> Result<Vec<Subscription>> {
    let lock = match tx.engine() {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SUBSCRIPTION} WHERE next_due_at IS NOT NULL AND next_due_at <= $1 \
         ORDER BY next_due_at, id LIMIT $2{lock}"
    )))
    .bind(now)
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

// ---------------------------------------------------------------- digests

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

// ---------------------------------------------------------------- unsubscribe links

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

// ---------------------------------------------------------------- what a digest lists

/// Up to `per` of a category's open tasks (soonest due first), each with the count of all.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ListedTask {
    pub category_id: i64,
    pub total: i64,
    pub title: String,
    pub customer_name: String,
    pub due_date: Option<i64>,
    pub link: Option<String>,
}

/// Where the tasks of a digest come from.
pub enum TaskScope<'a> {
    /// A portal account: its portal's tasks about these customers.
    Customers { portal: i64, customers: &'a [i64] },
    /// Staff: every portal's tasks about customers in these areas (`None`: all).
    Areas(Option<&'a [i64]>),
}

/// The open tasks of these categories in a scope: per category the count of all and the
/// first `per` (soonest due first). A long customer list is read in parts and added up (the
/// caller picks the soonest of the parts' first few).
pub async fn open_tasks(
    tx: &mut Tx,
    categories: &[i64],
    scope: TaskScope<'_>,
    per: i64,
) -> Result<BTreeMap<i64, (usize, Vec<ListedTask>)>> {
    let mut out: BTreeMap<i64, (usize, Vec<ListedTask>)> = BTreeMap::new();
    if categories.is_empty() {
        return Ok(out);
    }
    let parts: Vec<Option<&[i64]>> = match &scope {
        TaskScope::Customers { customers: [], .. } => return Ok(out),
        TaskScope::Customers { customers, .. } => customers.chunks(IN_LIST).map(Some).collect(),
        TaskScope::Areas(_) => vec![None],
    };
    for part in parts {
        let rows: Vec<ListedTask> = on_tx!(tx, |c| {
            // Counted and ranked from the index (`tasks_open`); only the listed few are read.
            // The LIMIT tells PostgreSQL how few rows come out, so that it looks them up by
            // id rather than hashing the whole table.
            let mut qb = QueryBuilder::new(
                "SELECT x.category_id, x.total, t.title, o.name AS customer_name, t.due_date, t.link \
                 FROM (SELECT * FROM (SELECT t.id, t.category_id, \
                 COUNT(*) OVER (PARTITION BY t.category_id) AS total, \
                 ROW_NUMBER() OVER (PARTITION BY t.category_id \
                     ORDER BY t.due_date IS NULL, t.due_date, t.id) AS place \
                 FROM tasks t",
            );
            if matches!(scope, TaskScope::Areas(Some(_))) {
                qb.push(" JOIN organizations o ON o.id = t.customer_id");
            }
            qb.push(" WHERE t.status = 'open' AND t.category_id IN (");
            let mut list = qb.separated(", ");
            for k in categories {
                list.push_bind(*k);
            }
            qb.push(")");
            match (&scope, part) {
                (TaskScope::Customers { portal, .. }, Some(customers)) => {
                    qb.push(" AND t.portal_id = ").push_bind(*portal);
                    qb.push(" AND t.customer_id IN (");
                    let mut list = qb.separated(", ");
                    for cu in customers {
                        list.push_bind(*cu);
                    }
                    qb.push(")");
                }
                (TaskScope::Areas(Some(areas)), _) => {
                    qb.push(" AND o.area_id IN (NULL");
                    for a in *areas {
                        qb.push(", ").push_bind(*a);
                    }
                    qb.push(")");
                }
                _ => {}
            }
            qb.push(") w WHERE w.place <= ")
                .push_bind(per)
                .push(" ORDER BY w.category_id, w.place LIMIT ")
                .push_bind(per * categories.len() as i64)
                .push(
                    ") x JOIN tasks t ON t.id = x.id JOIN organizations o ON o.id = t.customer_id \
                     ORDER BY x.category_id, x.place",
                );
            qb.build_query_as().fetch_all(c).await
        })?;
        // Each row of a part repeats its category's count in that part.
        let mut counted = BTreeSet::new();
        for row in rows {
            let entry = out.entry(row.category_id).or_default();
            if counted.insert(row.category_id) {
                entry.0 += row.total as usize;
            }
            entry.1.push(row);
        }
    }
    Ok(out)
}

/// One of Admit's own tasks: an account (or a message) and the count of all in its kind.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OwnTask {
    pub total: i64,
    pub id: i64,
    pub title: String,
    pub subject: String,
    pub due_date: Option<i64>,
}

/// Whose accounts Admit's own tasks are about.
#[derive(Debug, Clone, Copy)]
pub enum OwnScope<'a> {
    /// Staff: accounts of contacts in these areas (`None`: every account).
    Areas(Option<&'a [i64]>),
    /// An organization admin: its organization's accounts on its portal.
    Team { organization: i64, portal: i64 },
}

/// The accounts of one of Admit's own categories (not `admit.mail_failed`): the first `per`
/// and the count. `now` in ms, `today` as a day number.
pub async fn own_tasks(
    tx: &mut Tx,
    key: &str,
    scope: OwnScope<'_>,
    now: i64,
    today: i64,
    per: i64,
) -> Result<Vec<OwnTask>> {
    use crate::domain::tasks as t;
    if ![
        t::APPROVAL,
        t::ASSIGNMENT,
        t::INVITATION_EXPIRING,
        t::ACCESS_EXPIRING,
    ]
    .contains(&key)
    {
        return Ok(Vec::new());
    }
    let due = if key == t::ACCESS_EXPIRING {
        "a.valid_until"
    } else {
        "CAST(NULL AS BIGINT)"
    };
    on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT COUNT(*) OVER () AS total, a.id, a.email AS title, \
             COALESCE(o.name, p.name) AS subject, ",
        );
        qb.push(due).push(" AS due_date FROM ");
        match scope {
            // A team's: from the organization's contacts to their accounts (CROSS JOIN keeps
            // SQLite to that order; a scan of the portal's accounts would be thousands of
            // times longer).
            OwnScope::Team { .. } => qb.push(
                "contacts ct CROSS JOIN portal_accounts a JOIN portals p ON p.id = a.portal_id \
                 LEFT JOIN organizations o ON o.id = ct.organization_id \
                 WHERE a.contact_id = ct.id AND ",
            ),
            // Staff's: every account, with or without a contact.
            OwnScope::Areas(_) => qb.push(
                "portal_accounts a JOIN portals p ON p.id = a.portal_id \
                 LEFT JOIN contacts ct ON ct.id = a.contact_id \
                 LEFT JOIN organizations o ON o.id = ct.organization_id WHERE ",
            ),
        };
        match key {
            t::APPROVAL => {
                qb.push("a.registration = 'registered' AND a.approval = 'pending'");
            }
            t::ASSIGNMENT => {
                qb.push(
                    "a.contact_id IS NULL AND a.registration = 'registered' \
                     AND a.approval <> 'declined'",
                );
            }
            t::INVITATION_EXPIRING => {
                qb.push(
                    "a.registration = 'invited' AND a.lifecycle = 'active' \
                     AND EXISTS (SELECT 1 FROM account_tokens k WHERE k.account_id = a.id \
                     AND k.purpose = 'invitation' AND k.used_at IS NULL AND k.expires_at > ",
                )
                .push_bind(now)
                .push(" AND k.expires_at <= ")
                .push_bind(now + t::INVITATION_WINDOW_MS)
                .push(")");
            }
            _ => {
                qb.push("a.valid_until IS NOT NULL AND a.valid_until >= ")
                    .push_bind(today)
                    .push(" AND a.valid_until <= ")
                    .push_bind(today + t::ACCESS_WINDOW_DAYS)
                    .push(" AND a.lifecycle = 'active' AND a.access_granted = TRUE");
            }
        }
        match scope {
            OwnScope::Areas(Some(areas)) => {
                qb.push(" AND o.area_id IN (NULL");
                for a in areas {
                    qb.push(", ").push_bind(*a);
                }
                qb.push(")");
            }
            OwnScope::Areas(None) => {}
            OwnScope::Team {
                organization,
                portal,
            } => {
                qb.push(" AND ct.organization_id = ")
                    .push_bind(organization)
                    .push(" AND a.portal_id = ")
                    .push_bind(portal);
            }
        }
        qb.push(" ORDER BY ")
            .push(if key == t::ACCESS_EXPIRING {
                "a.valid_until, a.id"
            } else {
                "a.id"
            })
            .push(" LIMIT ")
            .push_bind(per);
        qb.build_query_as().fetch_all(c).await
    })
}

/// Messages that failed to send since `since`: the first `per` and the count.
pub async fn failed_messages(tx: &mut Tx, since: i64, per: i64) -> Result<Vec<OwnTask>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*) OVER () AS total, id, recipient AS title, event AS subject, \
         CAST(NULL AS BIGINT) AS due_date FROM outbox_messages \
         WHERE status = 'failed' AND updated_at >= $1 ORDER BY updated_at DESC, id DESC LIMIT $2"
    )
    .bind(since)
    .bind(per)
    .fetch_all(c)
    .await)
}
