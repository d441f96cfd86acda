//! "View the portal as this person" from an account's console page: starts an impersonation
//! and opens the portal signed in as the person (the browser gets the portal session's
//! cookie); and the account's impersonations, for its page.

use axum::extract::{RawForm, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

use super::{Admin, SESSION_COOKIE, Staff, done};
use crate::domain::impersonation::{PortalSettings, end_label};
use crate::usecases::Error;
use crate::usecases::impersonation as uc;
use crate::web::AppState;
use crate::web::cookies::{cookie, set_cookie};
use crate::web::page::{Id, PageResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/accounts/{id}/impersonate", post(start))
        .route("/console/portals/{id}/impersonation", post(portal_settings))
}

/// A portal's impersonation settings, from its console page (administrators).
async fn portal_settings(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let has = |name: &str| form_urlencoded::parse(&body).any(|(k, _)| k == name);
    let settings = PortalSettings {
        impersonation_allowed: has("impersonation_allowed"),
        impersonation_actions: has("impersonation_actions"),
        impersonation_notice: has("impersonation_notice"),
    };
    uc::set_portal_settings(&s.cx, &staff.actor, id, &settings).await?;
    Ok(done(
        &s,
        &format!("/console/portals/{id}#impersonation"),
        "Impersonation settings saved.",
    ))
}

#[derive(Deserialize)]
struct StartForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    minutes: String,
}

/// Starts the impersonation and sends the browser to the portal's first page, signed in as the
/// person for the chosen minutes.
async fn start(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    headers: HeaderMap,
    Form(f): Form<StartForm>,
) -> PageResult {
    let token = cookie(&headers, SESSION_COOKIE).ok_or(Error::NotFound("session"))?;
    let started = uc::start(&s.cx, &staff.actor, token, id, &f.reason, &f.minutes).await?;
    let pid = started.portal_id;
    let max_age = ((started.expires_at - s.cx.now()) / 1000).max(1);
    let c = set_cookie(
        &s,
        &format!("/portal/{pid}/"),
        crate::web::portal::SESSION_COOKIE,
        &started.token,
        Some(max_age),
    );
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, format!("/portal/{pid}/")),
            (header::SET_COOKIE, c),
        ],
    )
        .into_response())
}

/// One impersonation as the account's page lists it.
pub struct ImpersonationRow {
    pub started: String,
    pub staff: String,
    pub client_addr: Option<String>,
    pub reason: String,
    pub minutes: i64,
    pub ended: String,
}

pub async fn rows(s: &AppState, staff: &Staff, id: i64) -> Result<Vec<ImpersonationRow>, Error> {
    let at = staff.locale();
    Ok(uc::of_account(&s.cx, &staff.actor, id)
        .await?
        .into_iter()
        .map(|i| ImpersonationRow {
            started: at.time(i.started_at),
            staff: i.staff_email,
            client_addr: i.client_addr,
            reason: i.reason,
            minutes: i.minutes,
            ended: match (i.ended_at, i.end_reason) {
                (Some(ended), how) => format!(
                    "{} ({})",
                    at.time(ended),
                    staff.say(&end_label(how.as_deref().unwrap_or("")))
                ),
                (None, _) => staff.t("impersonation-running"),
            },
        })
        .collect())
}
