//! The open tasks kept counted per portal, customer and category (`task_tallies`), with the
//! soonest due day. [`insert_task`](super::insert_task) and [`update_task`](super::update_task)
//! change them in the task's own transaction; deleting a portal, a customer or a category takes
//! its tallies along (foreign keys). A digest reads the tallies of its scope, then only the
//! first few tasks of the pairs that can hold the soonest due: its cost grows with the
//! customers in scope, not with their tasks.
//!
//! On PostgreSQL two transactions may change one pair at once. The count is changed first (an
//! upsert, which takes the row's lock and adds to the latest committed count); the soonest due
//! day is read again in a later statement, whose snapshot sees every task of a transaction that
//! held the lock before.

use std::collections::BTreeMap;

use sqlx::QueryBuilder;

use super::super::{Result, Tx};
use super::{IN_LIST, TaskScope};
use crate::domain::task_tallies::{NO_DUE, Pair, Tally, plan};
use crate::{exec_tx, on_tx};

/// Changes the tallies for one task that was open in `before` (if it was) and is open in
/// `after` (if it is). Pairs are changed in key order, so two transactions moving tasks between
/// the same two pairs wait for each other rather than deadlock.
pub(super) async fn moved(tx: &mut Tx, before: Option<Pair>, after: Option<Pair>) -> Result<()> {
    let mut changes: BTreeMap<Pair, i64> = BTreeMap::new();
    if let Some(p) = before {
        *changes.entry(p).or_default() -= 1;
    }
    if let Some(p) = after {
        *changes.entry(p).or_default() += 1;
    }
    for (p, delta) in changes {
        // A count that goes down is updated (an insert of it would break the check on its
        // value before its conflict is seen); an emptied pair loses its row.
        let sql = if delta > 0 {
            "INSERT INTO task_tallies (portal_id, customer_id, category_id, open_tasks, first_due) \
             VALUES ($1, $2, $3, $4, 2147483647) \
             ON CONFLICT (portal_id, customer_id, category_id) \
             DO UPDATE SET open_tasks = task_tallies.open_tasks + excluded.open_tasks"
        } else {
            "UPDATE task_tallies SET open_tasks = open_tasks + $4 \
             WHERE portal_id = $1 AND customer_id = $2 AND category_id = $3"
        };
        exec_tx!(tx, |c| sqlx::query(sql)
            .bind(p.portal)
            .bind(p.customer)
            .bind(p.category)
            .bind(delta)
            .execute(c)
            .await)?;
        if delta < 0 {
            exec_tx!(tx, |c| sqlx::query(
                "DELETE FROM task_tallies WHERE portal_id = $1 AND customer_id = $2 \
                 AND category_id = $3 AND open_tasks = 0"
            )
            .bind(p.portal)
            .bind(p.customer)
            .bind(p.category)
            .execute(c)
            .await)?;
        }
        exec_tx!(tx, |c| sqlx::query(
            "UPDATE task_tallies SET first_due = COALESCE((SELECT COALESCE(t.due_date, 2147483647) \
             FROM tasks t WHERE t.portal_id = $1 AND t.customer_id = $2 AND t.category_id = $3 \
             AND t.status = 'open' ORDER BY COALESCE(t.due_date, 2147483647), t.id LIMIT 1), \
             2147483647) \
             WHERE portal_id = $1 AND customer_id = $2 AND category_id = $3"
        )
        .bind(p.portal)
        .bind(p.customer)
        .bind(p.category)
        .execute(c)
        .await)?;
    }
    Ok(())
}

/// A tally as stored.
#[derive(sqlx::FromRow)]
struct Row {
    portal_id: i64,
    customer_id: i64,
    category_id: i64,
    open_tasks: i64,
    first_due: i64,
}

impl From<Row> for Tally {
    fn from(r: Row) -> Self {
        Tally {
            pair: Pair {
                portal: r.portal_id,
                customer: r.customer_id,
                category: r.category_id,
            },
            open: r.open_tasks,
            first_due: r.first_due,
        }
    }
}

/// The tallies of these categories in a scope.
async fn in_scope(tx: &mut Tx, categories: &[i64], scope: TaskScope<'_>) -> Result<Vec<Tally>> {
    let mut out = Vec::new();
    if categories.is_empty() {
        return Ok(out);
    }
    let parts: Vec<Option<&[i64]>> = match &scope {
        TaskScope::Customers { customers: [], .. } => return Ok(out),
        TaskScope::Customers { customers, .. } => customers.chunks(IN_LIST).map(Some).collect(),
        TaskScope::Areas(_) => vec![None],
    };
    for part in parts {
        let rows: Vec<Row> = on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "SELECT n.portal_id, n.customer_id, n.category_id, n.open_tasks, n.first_due \
                 FROM task_tallies n",
            );
            if matches!(scope, TaskScope::Areas(Some(_))) {
                qb.push(" JOIN organizations o ON o.id = n.customer_id");
            }
            qb.push(" WHERE n.category_id IN (");
            let mut list = qb.separated(", ");
            for k in categories {
                list.push_bind(*k);
            }
            qb.push(")");
            match (&scope, part) {
                (TaskScope::Customers { portal, .. }, Some(customers)) => {
                    qb.push(" AND n.portal_id = ").push_bind(*portal);
                    qb.push(" AND n.customer_id IN (");
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
            qb.build_query_as().fetch_all(c).await
        })?;
        out.extend(rows.into_iter().map(Tally::from));
    }
    Ok(out)
}

/// One open task as a digest lists it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct NextTask {
    pub id: i64,
    pub category_id: i64,
    pub title: String,
    pub customer_name: String,
    pub due_date: Option<i64>,
    pub link: Option<String>,
}

impl NextTask {
    /// Where it stands in a digest's list: soonest due first, those without a due day last.
    pub fn place(&self) -> (i64, i64) {
        (self.due_date.unwrap_or(NO_DUE), self.id)
    }
}

/// Pairs read per statement (a compound SELECT of one part each; SQLite allows 500).
const PAIRS_PER_READ: usize = 200;

/// The first `limit` open tasks of each pair, in listing order (from the index `tasks_open`).
async fn first_tasks(tx: &mut Tx, wanted: &[(Pair, i64)]) -> Result<Vec<NextTask>> {
    let mut out = Vec::new();
    for part in wanted.chunks(PAIRS_PER_READ) {
        let rows: Vec<NextTask> = on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new("");
            for (i, (p, limit)) in part.iter().enumerate() {
                if i > 0 {
                    qb.push(" UNION ALL ");
                }
                qb.push(
                    "SELECT * FROM (SELECT t.id, t.category_id, t.title, o.name AS customer_name, \
                     t.due_date, t.link FROM tasks t JOIN organizations o ON o.id = t.customer_id \
                     WHERE t.portal_id = ",
                )
                .push_bind(p.portal)
                .push(" AND t.customer_id = ")
                .push_bind(p.customer)
                .push(" AND t.category_id = ")
                .push_bind(p.category)
                .push(
                    " AND t.status = 'open' ORDER BY COALESCE(t.due_date, 2147483647), t.id LIMIT ",
                )
                .push_bind(*limit)
                .push(format!(") AS p{i}"));
            }
            qb.build_query_as().fetch_all(c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// The open tasks of these categories in a scope: per category the count of all (from the
/// tallies) and the first `per` (soonest due first, then by id), read from the few pairs that
/// can hold them.
pub async fn open_tasks(
    tx: &mut Tx,
    categories: &[i64],
    scope: TaskScope<'_>,
    per: usize,
) -> Result<BTreeMap<i64, (usize, Vec<NextTask>)>> {
    let plans = plan(&in_scope(tx, categories, scope).await?, per);
    let wanted: Vec<(Pair, i64)> = plans.values().flat_map(|p| p.read.clone()).collect();
    let mut listed: BTreeMap<i64, Vec<NextTask>> = BTreeMap::new();
    for t in first_tasks(tx, &wanted).await? {
        listed.entry(t.category_id).or_default().push(t);
    }
    Ok(plans
        .into_iter()
        .map(|(category, p)| {
            let mut tasks = listed.remove(&category).unwrap_or_default();
            tasks.sort_by_key(NextTask::place);
            tasks.truncate(per);
            (category, (p.total, tasks))
        })
        .collect())
}

/// Counts every pair's open tasks again from the tasks themselves.
pub async fn recount(tx: &mut Tx) -> Result<Vec<Tally>> {
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT portal_id, customer_id, category_id, COUNT(*) AS open_tasks, \
         MIN(COALESCE(due_date, 2147483647)) AS first_due FROM tasks WHERE status = 'open' \
         GROUP BY portal_id, customer_id, category_id ORDER BY portal_id, customer_id, category_id"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Tally::from).collect())
}

/// Every kept tally, in key order.
pub async fn all(tx: &mut Tx) -> Result<Vec<Tally>> {
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT portal_id, customer_id, category_id, open_tasks, first_due FROM task_tallies \
         ORDER BY portal_id, customer_id, category_id"
    )
    .fetch_all(c)
    .await)?;
    Ok(rows.into_iter().map(Tally::from).collect())
}

/// Makes the tallies again from the tasks (after tasks were loaded in bulk, around
/// [`insert_task`](super::insert_task)).
pub async fn rebuild(tx: &mut Tx) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query("DELETE FROM task_tallies")
        .execute(c)
        .await)?;
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO task_tallies (portal_id, customer_id, category_id, open_tasks, first_due) \
         SELECT portal_id, customer_id, category_id, COUNT(*), MIN(COALESCE(due_date, 2147483647)) \
         FROM tasks WHERE status = 'open' GROUP BY portal_id, customer_id, category_id"
    )
    .execute(c)
    .await)?;
    Ok(())
}
