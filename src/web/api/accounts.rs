//! Portal accounts through the API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::extract::{ApiActor, ApiJson, Id};
use crate::storage::accounts::PortalAccount;
use crate::usecases::accounts::{self as uc, GrantInput};
use crate::usecases::directory::Outcome;
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};

/// Grant a contact access to a portal: an invited account and an invitation e-mail with a
/// single-use link (to `send_to` when given). Granting access the contact already has on that
/// portal returns the account (200) and sends nothing.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = GrantInput,
    responses((status = 201, body = PortalAccount, description = "created and invited"),
              (status = 200, body = PortalAccount, description = "the account there was"),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn grant_access(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<GrantInput>,
) -> Result<Response, ApiError> {
    let (account, outcome) = uc::grant_access(&s.cx, &actor, &input).await?;
    let status = if outcome == Outcome::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(account)).into_response())
}

/// Read a portal account.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody)))]
pub async fn get_account(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(uc::get_account(&s.cx, &actor, id).await?))
}

/// Change an account's statuses: `approve`, `decline` (also an approved account),
/// `switch_off` / `switch_on` the access, `set_valid_until` (`valid_until`: `YYYY-MM-DD`, or
/// null to clear), `deactivate`, `reactivate`. The person gets the e-mail that goes with it
/// unless `notify` is false. Refused (409) when it changes nothing.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/status", tag = "accounts", params(("id" = i64, Path)),
    request_body = crate::usecases::accounts::StatusChange,
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_status(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(change): ApiJson<crate::usecases::accounts::StatusChange>,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(uc::change_status(&s.cx, &actor, id, &change).await?))
}

/// Where to send a set-password link.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordLinkInput {
    /// Another address than the account's, when given.
    #[serde(default)]
    pub send_to: Option<String>,
}

/// Send a single-use set-password link (the older ones stop working). No password is ever
/// shown or e-mailed. Refused (409) for an account that has no password yet.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/password-link", tag = "accounts", params(("id" = i64, Path)),
    request_body = PasswordLinkInput,
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send_password_link(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<PasswordLinkInput>,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(
        uc::send_password_link(&s.cx, &actor, id, input.send_to.as_deref()).await?,
    ))
}

/// Send the invitation (or the activation e-mail) again with a new link; the old one stops working.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/resend", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resend(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(uc::resend_link(&s.cx, &actor, id).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RemoveQuery {
    /// Tell a registered person that their access was revoked (default true).
    notify: Option<bool>,
}

/// Remove an account (the contact stays; the address can be invited again). A registered
/// person gets "your access was revoked"; an open invitation is cancelled. Returns the account
/// as it was.
#[utoipa::path(delete, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path), RemoveQuery),
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    super::extract::ApiQuery(q): super::extract::ApiQuery<RemoveQuery>,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(
        uc::remove_account(&s.cx, &actor, id, q.notify.unwrap_or(true)).await?,
    ))
}
