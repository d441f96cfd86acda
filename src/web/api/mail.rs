//! The outbox, for staff API keys: list and read messages.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;

use super::extract::{ApiActor, ApiQuery, Id};
use crate::domain::outbox::OutboxStatus;
use crate::storage::outbox::{OutboxFilter, OutboxMessage};
use crate::usecases::mail as uc;
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OutboxQuery {
    /// `queued`, `sending`, `sent`, `retrying` or `failed`.
    #[param(value_type = Option<OutboxStatus>, inline)]
    status: Option<String>,
    /// The e-mail's event, e.g. `invitation`.
    event: Option<String>,
    portal_id: Option<i64>,
    /// Text in the recipient's address.
    recipient: Option<String>,
    /// Only messages with an id below this (the previous page's last id).
    before_id: Option<i64>,
    /// 1 to 500, default 50.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// The outbox, newest first (unrestricted keys only).
#[utoipa::path(get, path = "/api/v1/outbox", tag = "mail", params(OutboxQuery),
    responses((status = 200, body = Vec<OutboxMessage>), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_outbox(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<OutboxQuery>,
) -> Result<Json<Vec<OutboxMessage>>, ApiError> {
    let status = match q.status.as_deref() {
        Some(st) => Some(OutboxStatus::parse(st).map_err(|_| {
            ApiError::bad_request(
                "Query parameter status: must be queued, sending, sent, retrying or failed",
            )
        })?),
        None => None,
    };
    let limit = match q.limit {
        None => 50,
        Some(n) if (1..=500).contains(&n) => n,
        Some(_) => {
            return Err(ApiError::bad_request(
                "Query parameter limit: must be between 1 and 500",
            ));
        }
    };
    let filter = OutboxFilter {
        status,
        event: q.event,
        portal_id: q.portal_id,
        recipient: q.recipient,
        before_id: q.before_id,
        limit,
    };
    Ok(Json(uc::list(&s.cx, &actor, &filter).await?))
}

/// One message of the outbox, with its status, attempts and last error.
#[utoipa::path(get, path = "/api/v1/outbox/{id}", tag = "mail", params(("id" = i64, Path)),
    responses((status = 200, body = OutboxMessage), (status = 404, body = ErrorBody)))]
pub async fn get_outbox_message(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> Result<Json<OutboxMessage>, ApiError> {
    Ok(Json(uc::get(&s.cx, &actor, id).await?))
}
