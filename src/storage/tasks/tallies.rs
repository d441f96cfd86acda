//! The open tasks kept counted per portal, customer and category (`task_tallies`), with the
//! places of the first few in listing order. [`insert_task`](super::insert_task) and [`update_task`](super::update_task)
//! change them in the task's own transaction; deleting a portal, a customer or a category takes
//! its tallies along (foreign keys). A digest reads the tallies of its scope, then only the
//! tasks it lists: its cost grows with the customers in scope, not with their tasks.
//!
//! On PostgreSQL two transactions may change one pair at once. The count is changed first (an
//! upsert, which takes the row's lock and adds to the latest committed count); the first tasks
//! are read again in a later statement, whose snapshot sees every task of a transaction that
//! held the lock before.

use std::collections::BTreeMap;

use sqlx::QueryBuilder;

use super::super::{Engine, Result, Tx};
use super::{IN_LIST, TaskScope, padded};
use crate::domain::task_tallies::{
    KEPT_PER_PAIR, Pair, Place, Tally, plan, read_first, write_first,
};
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
            "INSERT INTO task_tallies (portal_id, customer_id, category_id, open_tasks, first_tasks) \
             VALUES ($1, $2, $3, $4, '') \
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
        let first: Vec<Place> = on_tx!(tx, |c| sqlx::query_as(
            "SELECT COALESCE(due_date, 2147483647), id FROM tasks WHERE portal_id = $1 \
             AND customer_id = $2 AND category_id = $3 AND status = 'open' \
             ORDER BY COALESCE(due_date, 2147483647), id LIMIT $4"
        )
        .bind(p.portal)
        .bind(p.customer)
        .bind(p.category)
        .bind(KEPT_PER_PAIR as i64)
        .fetch_all(c)
        .await)?;
        exec_tx!(tx, |c| sqlx::query(
            "UPDATE task_tallies SET first_tasks = $4 \
             WHERE portal_id = $1 AND customer_id = $2 AND category_id = $3"
        )
        .bind(p.portal)
        .bind(p.customer)
        .bind(p.category)
        .bind(write_first(&first))
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
    first_tasks: String,
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
            first: read_first(&r.first_tasks),
        }
    }
}

/// Every tally of these customers on a portal.
pub async fn of_customers(tx: &mut Tx, portal: i64, customers: &[i64]) -> Result<Vec<Tally>> {
    let mut out = Vec::new();
    for part in customers.chunks(IN_LIST) {
        let rows: Vec<Row> = on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "SELECT portal_id, customer_id, category_id, open_tasks, first_tasks \
                 FROM task_tallies WHERE portal_id = ",
            );
            qb.push_bind(portal).push(" AND customer_id IN (");
            let mut list = qb.separated(", ");
            for cu in padded(part) {
                list.push_bind(cu);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(c).await
        })?;
        out.extend(rows.into_iter().map(Tally::from));
    }
    Ok(out)
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
                "SELECT n.portal_id, n.customer_id, n.category_id, n.open_tasks, n.first_tasks \
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
                    for cu in padded(customers) {
                        list.push_bind(cu);
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

/// These tasks, if still open.
pub async fn open_by_id(tx: &mut Tx, ids: &[i64]) -> Result<Vec<NextTask>> {
    let mut out = Vec::with_capacity(ids.len());
    for part in ids.chunks(IN_LIST) {
        let rows: Vec<NextTask> = on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "SELECT t.id, t.category_id, t.title, o.name AS customer_name, t.due_date, t.link \
                 FROM tasks t JOIN organizations o ON o.id = t.customer_id \
                 WHERE t.status = 'open' AND t.id IN (",
            );
            let mut list = qb.separated(", ");
            for id in padded(part) {
                list.push_bind(id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// The open tasks of these categories in a scope: per category the count of all and the first
/// `per` (soonest due first, those without a due day last, then by id), from the tallies and
/// the tasks they name.
pub async fn open_tasks(
    tx: &mut Tx,
    categories: &[i64],
    scope: TaskScope<'_>,
    per: usize,
) -> Result<BTreeMap<i64, (usize, Vec<NextTask>)>> {
    let plans = plan(&in_scope(tx, categories, scope).await?, per);
    let ids: Vec<i64> = plans
        .values()
        .flat_map(|p| p.first.iter().copied())
        .collect();
    let mut found: BTreeMap<i64, NextTask> = open_by_id(tx, &ids)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    Ok(plans
        .into_iter()
        .map(|(category, p)| {
            let tasks = p.first.iter().filter_map(|id| found.remove(id)).collect();
            (category, (p.total, tasks))
        })
        .collect())
}

/// The tallies as made from the tasks themselves (what migration 0019 writes), in key order.
fn counted(engine: Engine) -> String {
    let first = match engine {
        Engine::Sqlite => {
            "group_concat(CASE WHEN place <= 10 THEN due || ':' || id END, ',' ORDER BY due, id)"
        }
        Engine::Postgres => {
            "COALESCE(string_agg(CASE WHEN place <= 10 THEN due || ':' || id END, ',' ORDER BY due, id), '')"
        }
    };
    format!(
        "SELECT portal_id, customer_id, category_id, COUNT(*) AS open_tasks, {first} AS first_tasks \
         FROM (SELECT portal_id, customer_id, category_id, id, COALESCE(due_date, 2147483647) AS due, \
         ROW_NUMBER() OVER (PARTITION BY portal_id, customer_id, category_id \
         ORDER BY COALESCE(due_date, 2147483647), id) AS place FROM tasks WHERE status = 'open') AS o \
         GROUP BY portal_id, customer_id, category_id"
    )
}

/// Counts every pair's open tasks again from the tasks themselves, in key order.
pub async fn recount(tx: &mut Tx) -> Result<Vec<Tally>> {
    let sql = format!(
        "{} ORDER BY portal_id, customer_id, category_id",
        counted(tx.engine())
    );
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .fetch_all(c)
        .await)?;
    Ok(rows.into_iter().map(Tally::from).collect())
}

/// Every kept tally, in key order.
pub async fn all(tx: &mut Tx) -> Result<Vec<Tally>> {
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT portal_id, customer_id, category_id, open_tasks, first_tasks FROM task_tallies \
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
    let sql = format!(
        "INSERT INTO task_tallies (portal_id, customer_id, category_id, open_tasks, first_tasks) {}",
        counted(tx.engine())
    );
    exec_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
        .execute(c)
        .await)?;
    Ok(())
}
