//! What portal accounts may see, through the API: the decision a portal application asks for
//! on each page, an account's whole scope (with an `ETag`), and changing its role, modules and
//! customers.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::extract::{ApiActor, ApiJson, ApiQuery, AppActor, Id};
use crate::usecases::access::{
    self as uc, AccessInput, AccessView, Decision, DecisionQuery, ScopeView,
};
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};

/// May this account see this customer and/or this module? `allow` with the `rule` that decided
/// (the first that denied, else the last asked), and each part's own answer. Anything unknown
/// (an account, one of another portal when `portal_id` is given, a customer, a module) is
/// denied. Ask on every page: it reads a few rows by key, whatever the size of the directory.
#[utoipa::path(get, path = "/api/v1/decision", tag = "access", params(DecisionQuery),
    responses((status = 200, body = Decision), (status = 422, body = ErrorBody)))]
pub async fn decision(
    State(s): State<AppState>,
    caller: AppActor,
    ApiQuery(mut q): ApiQuery<DecisionQuery>,
) -> Result<Json<Decision>, ApiError> {
    if let Some(portal) = caller.portal {
        // A client's token: its own portal's accounts only.
        if q.portal_id.is_some_and(|p| p != portal) {
            return Ok(Json(uc::unknown_account()));
        }
        q.portal_id = Some(portal);
    }
    Ok(Json(uc::decide(&s.cx, &caller.actor, &q).await?))
}

/// An account's whole scope: the customers and modules it may see. Its `version` is also the
/// `ETag`: with `If-None-Match` the answer is 304 until anything it depends on changes (the
/// account, its assignments, the organization's partnerships and sub-accounts, the portal's
/// modules).
#[utoipa::path(get, path = "/api/v1/accounts/{id}/scope", tag = "access", params(("id" = i64, Path)),
    responses((status = 200, body = ScopeView), (status = 304, description = "unchanged since the ETag given"),
              (status = 404, body = ErrorBody)))]
pub async fn scope(
    State(s): State<AppState>,
    caller: AppActor,
    Id(id): Id,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let view = uc::scope_of(&s.cx, &caller.actor, id).await?;
    if caller.portal.is_some_and(|p| p != view.portal_id) {
        return Err(ApiError::not_found("account"));
    }
    let etag = format!("\"{}\"", view.version);
    // A quoted hex string is always a valid header value.
    let tag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"\""));
    let matches = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim() == etag || v.trim() == "*");
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, tag)]).into_response());
    }
    Ok(([(header::ETAG, tag)], Json(view)).into_response())
}

/// An account's role, modules and customer assignments, and the scope they add up to.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/access", tag = "access", params(("id" = i64, Path)),
    responses((status = 200, body = AccessView), (status = 404, body = ErrorBody)))]
pub async fn get_access(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> Result<Json<AccessView>, ApiError> {
    Ok(Json(uc::access_of(&s.cx, &actor, id).await?))
}

/// Change an account's role, modules and customer assignments (each left as it is when not
/// given). A customer is assigned in a partnership of the account's partner organization, or
/// (no `partnership_id`) among the sub-accounts of its customer organization; none in a
/// grouping means all of it. Refused (409) when it would leave the organization without an
/// active admin on the portal.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/access", tag = "access", params(("id" = i64, Path)),
    request_body = AccessInput,
    responses((status = 200, body = AccessView), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_access(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<AccessInput>,
) -> Result<Json<AccessView>, ApiError> {
    Ok(Json(uc::set_access(&s.cx, &actor, id, &input).await?))
}
