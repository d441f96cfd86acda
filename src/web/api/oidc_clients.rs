//! OpenID Connect clients through the API: a portal's relying parties, registered by
//! administrators (unrestricted keys only). A confidential client's secret is in the answer
//! once, at registration and when renewed. Each client's back-channel logouts are listed with
//! their delivery.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::extract::{ApiActor, ApiJson, Id};
use crate::storage::oidc_clients::OidcClient;
use crate::storage::oidc_logouts::OidcLogout;
use crate::usecases::oidc::backchannel;
use crate::usecases::oidc::clients::{
    self as uc, ClientUpdateInput, ClientWithSecret, NewClientInput,
};
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};

type ApiResult<T> = Result<T, ApiError>;

/// A portal's clients, by name.
#[utoipa::path(get, path = "/api/v1/portals/{id}/clients", tag = "oidc",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<OidcClient>), (status = 404, body = ErrorBody)))]
pub async fn list_clients(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> ApiResult<Json<Vec<OidcClient>>> {
    Ok(Json(uc::list(&s.cx, &actor, id).await?))
}

/// Register a client on the portal. Its `client_id` is made by Admit; a confidential client's
/// `client_secret` is in this answer and never again (Admit keeps only a hash).
#[utoipa::path(post, path = "/api/v1/portals/{id}/clients", tag = "oidc",
    params(("id" = i64, Path)), request_body = NewClientInput,
    responses((status = 201, body = ClientWithSecret), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn create_client(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<NewClientInput>,
) -> ApiResult<Response> {
    let created = uc::create(&s.cx, &actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Read a client (never its secret).
#[utoipa::path(get, path = "/api/v1/oidc-clients/{id}", tag = "oidc",
    params(("id" = i64, Path)),
    responses((status = 200, body = OidcClient), (status = 404, body = ErrorBody)))]
pub async fn get_client(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> ApiResult<Json<OidcClient>> {
    Ok(Json(uc::get(&s.cx, &actor, id).await?))
}

/// Replace a client's settings; its kind, `client_id` and secret stay.
#[utoipa::path(put, path = "/api/v1/oidc-clients/{id}", tag = "oidc",
    params(("id" = i64, Path)), request_body = ClientUpdateInput,
    responses((status = 200, body = OidcClient), (status = 404, body = ErrorBody),
              (status = 422, body = ErrorBody)))]
pub async fn update_client(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<ClientUpdateInput>,
) -> ApiResult<Json<OidcClient>> {
    Ok(Json(uc::update(&s.cx, &actor, id, &input).await?))
}

/// Give a confidential client a new secret, in this answer only; the old one stops working
/// at once. A public client has none (409).
#[utoipa::path(post, path = "/api/v1/oidc-clients/{id}/secret", tag = "oidc",
    params(("id" = i64, Path)),
    responses((status = 200, body = ClientWithSecret), (status = 404, body = ErrorBody),
              (status = 409, body = ErrorBody)))]
pub async fn renew_secret(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> ApiResult<Json<ClientWithSecret>> {
    Ok(Json(uc::rotate_secret(&s.cx, &actor, id).await?))
}

/// Delete a client; returns it as it was.
#[utoipa::path(delete, path = "/api/v1/oidc-clients/{id}", tag = "oidc",
    params(("id" = i64, Path)),
    responses((status = 200, body = OidcClient), (status = 404, body = ErrorBody)))]
pub async fn delete_client(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> ApiResult<Json<OidcClient>> {
    Ok(Json(uc::delete(&s.cx, &actor, id).await?))
}

/// A client's most recent back-channel logouts (at most 50), newest first: the logout tokens
/// owed to it when a portal session it held ended, and how their delivery went (`queued`,
/// `sending`, `retrying`, `sent` or `failed`).
#[utoipa::path(get, path = "/api/v1/oidc-clients/{id}/logouts", tag = "oidc",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<OidcLogout>), (status = 404, body = ErrorBody)))]
pub async fn list_logouts(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> ApiResult<Json<Vec<OidcLogout>>> {
    Ok(Json(backchannel::of_client(&s.cx, &actor, id).await?))
}
