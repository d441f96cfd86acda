//! Every staff user's own account: who they are, their password, their sessions.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawForm, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

use super::{FormData, area_names};
use crate::security::tokens::hash_token;
use crate::storage::sessions::Kind;
use crate::usecases::directory as dir_uc;
use crate::usecases::sessions::{Own, Which, end_own};
use crate::usecases::staff as uc;
use crate::web::AppState;
use crate::web::console::{Chrome, Errors, SESSION_COOKIE, Staff, done, set_cookie};
use crate::web::cookies::cookie;
use crate::web::page::{PageResult, form_errors};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/account", get(show_account))
        .route("/console/account/password", post(change_password))
        .route("/console/account/sessions/end", post(end_session))
}

/// The hash of this request's session token, as sessions are stored.
fn current_session(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE).map(hash_token)
}

struct SessionRow {
    token_hash: String,
    created: String,
    last_seen: String,
    client_addr: String,
    user_agent: String,
    current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/account.html")]
struct AccountPage {
    chrome: Chrome,
    email: String,
    name: String,
    role: String,
    areas: String,
    sessions: Vec<SessionRow>,
    errors: Errors,
}

async fn account_page(
    s: &AppState,
    staff: &Staff,
    headers: &HeaderMap,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let current = current_session(headers);
    let at = staff.locale();
    let sessions = uc::list_sessions(&s.cx, &staff.actor).await?;
    let areas = if staff.user.is_admin() {
        "all".to_string()
    } else {
        let areas = dir_uc::list_areas(&s.cx, &staff.actor).await?;
        area_names(&areas, &staff.user.area_ids)
    };
    let sessions = sessions
        .into_iter()
        .map(|x| SessionRow {
            current: current.as_deref() == Some(x.token_hash.as_str()),
            created: at.time(x.created_at),
            last_seen: at.time(x.last_seen_at),
            client_addr: x.client_addr.unwrap_or_default(),
            user_agent: x.user_agent.unwrap_or_default(),
            token_hash: x.token_hash,
        })
        .collect();
    let u = &staff.user;
    Ok((
        status,
        AccountPage {
            chrome: staff.chrome("account"),
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.as_str().to_string(),
            areas,
            sessions,
            errors,
        },
    )
        .into_response())
}

async fn show_account(State(s): State<AppState>, staff: Staff, headers: HeaderMap) -> PageResult {
    account_page(&s, &staff, &headers, Errors::new(), StatusCode::OK).await
}

async fn change_password(
    State(s): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> PageResult {
    let d = FormData::parse(&body);
    let current = d.get("current_password");
    let new_password = d.get("new_password");
    let keep = current_session(&headers);
    let changed = uc::set_password(
        &s.cx,
        &staff.actor,
        staff.user.id,
        Some(&current),
        &new_password,
        keep.as_deref(),
        crate::web::device_cookie::device(&headers),
    )
    .await;
    match form_errors(changed)? {
        Ok(()) => Ok(done(
            &s,
            "/console/account",
            &staff.t("flash-password-changed"),
        )),
        Err(errors) => {
            account_page(
                &s,
                &staff,
                &headers,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn end_session(
    State(s): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    RawForm(body): RawForm,
) -> PageResult {
    let d = FormData::parse(&body);
    let session = d.get("session");
    let password = d.get("current_password");
    let current = current_session(&headers).unwrap_or_default();
    let which = Which::parse(&session);
    let own = Own {
        kind: Kind::Staff,
        actor: &staff.actor,
        current: &current,
        password: &password,
        device: crate::web::device_cookie::device(&headers),
    };
    if let Err(e) = form_errors(end_own(&s.cx, &own, which).await)? {
        // The sessions form has its own password field.
        let mut errors = Errors::new();
        if let Some(m) = e.error("current_password") {
            errors.0.push(crate::domain::FieldError {
                field: "session_password".into(),
                ..m.clone()
            });
        }
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return account_page(&s, &staff, &headers, errors, status).await;
    }
    if which == Which::Others {
        return Ok(done(
            &s,
            "/console/account",
            &staff.t("flash-other-sessions-ended"),
        ));
    }
    if current == session {
        // Ending this very session logs out.
        let clear = set_cookie(&s, SESSION_COOKIE, "", Some(0));
        return Ok((
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, "/console/login?out=1".to_string()),
                (header::SET_COOKIE, clear),
            ],
        )
            .into_response());
    }
    Ok(done(
        &s,
        "/console/account",
        &staff.t("flash-session-ended"),
    ))
}
