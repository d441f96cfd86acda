//! A portal's task categories, and the tasks the operator's systems post (created, updated
//! or unchanged, by their own id) and close.

use serde::Serialize;

use super::super::directory::Outcome;
use super::super::{Actor, Ctx, Error, Result, Target, json, record};
use crate::domain::FieldErrors;
use crate::domain::directory::OrganizationKind;
use crate::domain::tasks::{self as rules, CategoryInput, TaskInput, TaskStatus};
use crate::storage::directory;
use crate::storage::tasks::{self as store, Category};

/// A portal's task categories, in their order.
pub async fn categories(cx: &Ctx, portal_id: i64) -> Result<Vec<Category>> {
    let mut tx = cx.db.read().await?;
    directory::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    Ok(store::categories(&mut tx, portal_id).await?)
}

/// Makes a portal's categories this list (by key: kept, added, removed). A category that still
/// holds tasks is not removed.
pub async fn set_categories(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    list: &[CategoryInput],
) -> Result<Vec<Category>> {
    actor.require_admin()?;
    let list = rules::validate_categories(list)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let portal = directory::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let before = store::categories(&mut tx, portal_id).await?;
    let mut errors = FieldErrors::new();
    for old in &before {
        if !list.iter().any(|c| c.key == old.key) {
            let n = store::tasks_in_category(&mut tx, old.id).await?;
            if n > 0 {
                errors.add(
                    "categories",
                    format!(
                        "`{}` still holds {n} task{}; it cannot be removed",
                        old.key,
                        if n == 1 { "" } else { "s" }
                    ),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Conflict(errors));
    }
    store::set_categories(&mut tx, portal_id, &list, now).await?;
    let after = store::categories(&mut tx, portal_id).await?;
    if after != before {
        record(
            &mut tx,
            now,
            actor,
            "portal.task_categories_set",
            Target {
                kind: "portal",
                id: Some(portal_id),
                label: &portal.name,
            },
            json(&before),
            json(&after),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(after)
}

/// A task as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub portal_id: i64,
    /// The posting system's own id.
    pub external_id: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub category: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub due_date: Option<String>,
    pub link: Option<String>,
    pub status: TaskStatus,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
}

fn day_text(day: Option<i64>) -> Option<String> {
    day.and_then(rules::day_date)
        .map(|d| d.format("%Y-%m-%d").to_string())
}

impl From<store::Task> for TaskView {
    fn from(t: store::Task) -> Self {
        TaskView {
            id: t.id,
            portal_id: t.portal_id,
            external_id: t.external_id,
            customer_id: t.customer_id,
            customer_name: t.customer_name,
            category: t.category,
            title: t.title,
            due_date: day_text(t.due_date),
            link: t.link,
            status: t.status,
            created_at: crate::clock::rfc3339(t.created_at),
            updated_at: crate::clock::rfc3339(t.updated_at),
            closed_at: t.closed_at.map(crate::clock::rfc3339),
        }
    }
}

fn same_task(t: &store::Task, v: &rules::ValidTask, category: i64) -> bool {
    t.customer_id == v.customer_id
        && t.category_id == category
        && t.title == v.title
        && t.due_date == v.due_date
        && t.link == v.link
        && t.status == v.status
}

/// Posts a task under the system's own id: made when new, changed when different, left
/// alone when the same (posting twice changes nothing). `status: closed` closes it.
pub async fn put_task(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    external_id: &str,
    input: &TaskInput,
) -> Result<(TaskView, Outcome)> {
    let v = rules::validate_task(external_id, input)?;
    // Two posts of a new id at once on PostgreSQL: the second one's insert meets the first's
    // row, and a second try finds it.
    match put_task_once(cx, actor, portal_id, &v).await {
        Err(Error::Db(e)) if crate::storage::is_unique_violation(&e) => {
            put_task_once(cx, actor, portal_id, &v).await
        }
        other => other,
    }
}

async fn put_task_once(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    v: &rules::ValidTask,
) -> Result<(TaskView, Outcome)> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    directory::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let mut errors = FieldErrors::new();
    let categories = store::categories(&mut tx, portal_id).await?;
    let category = categories.iter().find(|c| c.key == v.category);
    if category.is_none() {
        let known: Vec<&str> = categories.iter().map(|c| c.key.as_str()).collect();
        errors.add(
            "category",
            if known.is_empty() {
                format!(
                    "no category `{}`: this portal has no task categories yet",
                    v.category
                )
            } else {
                format!(
                    "no category `{}` on this portal; it has {}",
                    v.category,
                    known.join(", ")
                )
            },
        );
    }
    match directory::get_organization(&mut tx, v.customer_id).await? {
        Some(o) if actor.scope.allows_area(o.area_id) => {
            if o.kind != OrganizationKind::Customer {
                errors.add("customer_id", "must be a customer, not a partner");
            }
        }
        _ => errors.add(
            "customer_id",
            format!("no customer {} (or not in your areas)", v.customer_id),
        ),
    }
    errors.into_result()?;
    let category = category.expect("checked").id;
    let before = store::lock_task(&mut tx, portal_id, &v.external_id).await?;
    let (id, outcome, action) = match &before {
        Some(t) if same_task(t, v, category) => return Ok((t.clone().into(), Outcome::Unchanged)),
        Some(t) => {
            store::update_task(&mut tx, t, v, category, now).await?;
            let action = match (t.status, v.status) {
                (TaskStatus::Open, TaskStatus::Closed) => "task.closed",
                (TaskStatus::Closed, TaskStatus::Open) => "task.reopened",
                _ => "task.updated",
            };
            (t.id, Outcome::Updated, action)
        }
        None => {
            let id = store::insert_task(&mut tx, portal_id, v, category, now).await?;
            (id, Outcome::Created, "task.created")
        }
    };
    let after = store::find_task(&mut tx, portal_id, &v.external_id)
        .await?
        .ok_or(Error::NotFound("task"))?;
    let view = TaskView::from(after);
    record(
        &mut tx,
        now,
        actor,
        action,
        Target {
            kind: "task",
            id: Some(id),
            label: &view.title,
        },
        before.map(TaskView::from).and_then(|b| json(&b)),
        json(&view),
    )
    .await?;
    tx.commit().await?;
    Ok((view, outcome))
}

/// A task by the system's own id, when its customer is in the actor's reach.
pub async fn get_task(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    external_id: &str,
) -> Result<TaskView> {
    let mut tx = cx.db.read().await?;
    let t = store::find_task(&mut tx, portal_id, external_id)
        .await?
        .ok_or(Error::NotFound("task"))?;
    let customer = directory::get_organization(&mut tx, t.customer_id).await?;
    if !customer.is_some_and(|o| actor.scope.allows_area(o.area_id)) {
        return Err(Error::NotFound("task"));
    }
    Ok(t.into())
}

/// Tasks in id order, filtered, within the actor's areas.
pub async fn list_tasks(
    cx: &Ctx,
    actor: &Actor,
    mut filter: store::TaskFilter,
) -> Result<Vec<TaskView>> {
    filter.limit = filter.limit.clamp(1, 500);
    filter.areas = actor.scope.area_filter().map(<[i64]>::to_vec);
    let mut tx = cx.db.read().await?;
    Ok(store::list_tasks(&mut tx, &filter)
        .await?
        .into_iter()
        .map(TaskView::from)
        .collect())
}
