//! A portal's impersonation settings through the API (unrestricted keys only): whether staff
//! may view the portal as one of its accounts, whether team actions are allowed meanwhile, and
//! whether the person is told afterwards.

use axum::Json;
use axum::extract::State;

use super::extract::{ApiActor, ApiJson, Id};
use crate::domain::impersonation::PortalSettings;
use crate::storage::directory::Portal;
use crate::usecases::impersonation as uc;
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};

/// Replace a portal's impersonation settings (unrestricted keys only). A new portal does not
/// allow impersonation until this switches it on.
#[utoipa::path(put, path = "/api/v1/portals/{id}/impersonation", tag = "directory",
    params(("id" = i64, Path)), request_body = PortalSettings,
    responses((status = 200, body = Portal), (status = 403, body = ErrorBody),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_impersonation_settings(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<PortalSettings>,
) -> Result<Json<Portal>, ApiError> {
    Ok(Json(
        uc::set_portal_settings(&s.cx, &actor, id, &input).await?,
    ))
}
