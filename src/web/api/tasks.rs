//! Notifications through the API: a portal's task categories, the tasks the operator's
//! systems post, update and close under their own ids, and a portal account's digest
//! preferences.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::directory::{check_external_id, limit, upserted};
use super::extract::{ApiActor, ApiJson, ApiQuery, Id};
use crate::domain::tasks::{CategoryInput, TaskInput, TaskStatus};
use crate::storage::tasks::{Category, Owner, TaskFilter};
use crate::usecases::notifications::{self as uc, Preferences, PreferencesInput, TaskView};
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};

type ApiResult<T> = Result<T, ApiError>;

/// A portal's task categories, in their order. Admit's own categories (`admit.approval`,
/// `admit.assignment`, `admit.invitation_expiring`, `admit.access_expiring`,
/// `admit.mail_failed`) are built in and not listed.
#[utoipa::path(get, path = "/api/v1/portals/{id}/task-categories", tag = "notifications",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Category>), (status = 404, body = ErrorBody)))]
pub async fn get_categories(
    State(s): State<AppState>,
    ApiActor(_actor): ApiActor,
    Id(id): Id,
) -> ApiResult<Json<Vec<Category>>> {
    Ok(Json(uc::categories(&s.cx, id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoriesInput {
    /// At most 100, their keys unique in the list.
    #[schema(max_items = 100)]
    pub categories: Vec<CategoryInput>,
}

/// Make a portal's task categories this list, in this order (unrestricted keys only): kept
/// by `key`, added, removed. A category that still holds tasks is not removed (409).
#[utoipa::path(put, path = "/api/v1/portals/{id}/task-categories", tag = "notifications",
    params(("id" = i64, Path)), request_body = CategoriesInput,
    responses((status = 200, body = Vec<Category>), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_categories(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<CategoriesInput>,
) -> ApiResult<Json<Vec<Category>>> {
    Ok(Json(
        uc::set_categories(&s.cx, &actor, id, &input.categories).await?,
    ))
}

fn task_path(portal: &str, external_id: &str) -> ApiResult<i64> {
    check_external_id(external_id)?;
    portal
        .parse::<i64>()
        .map_err(|_| ApiError::not_found("portal"))
}

/// Post a task under the system's own id: created (201) when new, changed when different,
/// left alone when the same, so that posting twice changes nothing. Close it with
/// `"status": "closed"`. The `Admit-Outcome` header says `created`, `updated` or `unchanged`.
/// The customer must lie in the key's areas.
#[utoipa::path(put, path = "/api/v1/portals/{id}/tasks/{external_id}", tag = "notifications",
    params(("id" = i64, Path), ("external_id" = String, Path, min_length = 1, max_length = 200, pattern = r"\S")), request_body = TaskInput,
    responses((status = 200, body = TaskView), (status = 201, body = TaskView),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn put_task(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, external_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<TaskInput>,
) -> ApiResult<Response> {
    let portal = task_path(&portal, &external_id)?;
    Ok(upserted(
        uc::put_task(&s.cx, &actor, portal, &external_id, &input).await?,
    ))
}

/// Read a task by the system's own id.
#[utoipa::path(get, path = "/api/v1/portals/{id}/tasks/{external_id}", tag = "notifications",
    params(("id" = i64, Path), ("external_id" = String, Path, min_length = 1, max_length = 200, pattern = r"\S")),
    responses((status = 200, body = TaskView), (status = 404, body = ErrorBody)))]
pub async fn get_task(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, external_id)): Path<(String, String)>,
) -> ApiResult<Json<TaskView>> {
    let portal = task_path(&portal, &external_id)?;
    Ok(Json(
        uc::get_task(&s.cx, &actor, portal, &external_id).await?,
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    pub portal_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// A category key.
    pub category: Option<String>,
    /// `open` or `closed`.
    #[param(value_type = Option<TaskStatus>, inline)]
    pub status: Option<String>,
    /// The last `id` of the previous page.
    pub after: Option<i64>,
    /// 1 to 500 (50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// List tasks in id order, filtered; page with `after` (the last id seen).
#[utoipa::path(get, path = "/api/v1/tasks", tag = "notifications", params(TaskQuery),
    responses((status = 200, body = Vec<TaskView>), (status = 400, body = ErrorBody)))]
pub async fn list_tasks(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult<Json<Vec<TaskView>>> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(TaskStatus::parse(s).map_err(|_| {
            ApiError::bad_request("Query parameter status: must be open or closed")
        })?),
    };
    let filter = TaskFilter {
        portal_id: q.portal_id,
        customer_id: q.customer_id,
        category: q.category.filter(|c| !c.trim().is_empty()),
        status,
        areas: None,
        after_id: q.after,
        limit: limit(q.limit)?,
    };
    Ok(Json(uc::list_tasks(&s.cx, &actor, filter).await?))
}

/// A portal account's digest preferences: frequency, chosen categories, the time zone the
/// digest keeps (08:00 there), when the next one is due, and the categories it may choose.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/notifications", tag = "notifications",
    params(("id" = i64, Path)),
    responses((status = 200, body = Preferences), (status = 404, body = ErrorBody)))]
pub async fn get_preferences(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> ApiResult<Json<Preferences>> {
    Ok(Json(
        uc::preferences(&s.cx, &actor, Owner::Account(id)).await?,
    ))
}

/// Set a portal account's digest preferences: `off`, `daily` or `weekly` (Monday), and the
/// categories among its choices (none: no digest). An unknown frequency or category is a 422
/// and nothing changes.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/notifications", tag = "notifications",
    params(("id" = i64, Path)), request_body = PreferencesInput,
    responses((status = 200, body = Preferences), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn set_preferences(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<PreferencesInput>,
) -> ApiResult<Json<Preferences>> {
    Ok(Json(
        uc::set_preferences(&s.cx, &actor, Owner::Account(id), &input).await?,
    ))
}
