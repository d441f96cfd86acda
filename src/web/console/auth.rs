//! Logging in and out of the console.

use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{LOGIN_COOKIE, SESSION_COOKIE, Staff, set_cookie};
use crate::domain::directory::Language;
use crate::usecases::metrics::LoginKind;
use crate::usecases::staff::{self as uc, LoginOutcome};
use crate::web::cookies::cookie;
use crate::web::device_cookie::{device, set_device};
use crate::web::page::{Bare, PageResult, too_many};
use crate::web::{AppState, ClientAddr};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", post(logout))
}

#[derive(Template, WebTemplate)]
#[template(path = "console/login.html")]
struct LoginPage {
    bare: Bare,
    csrf: String,
    email: String,
    next: String,
    error: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    expired: Option<String>,
    out: Option<String>,
}

/// Only our own console pages are followed after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/console") && !n.starts_with("//") && !n.contains('\\') => {
            location_safe(n)
        }
        _ => "/console".to_string(),
    }
}

/// Percent-encodes every byte that may not stand in a `Location` header (controls, spaces,
/// anything beyond ASCII): the address stays the one asked for, and the header is valid.
fn location_safe(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if (0x21..=0x7e).contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The language the browser asks for first, of those the console speaks (English else).
pub(super) fn browser_language(headers: &HeaderMap) -> Language {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|first| Language::parse(first.trim().get(..2)?).ok())
        .unwrap_or(Language::En)
}

fn login_form(state: &AppState, page: LoginPage, status: StatusCode) -> Response {
    let cookie = set_cookie(state, LOGIN_COOKIE, &page.csrf, Some(3600));
    (status, [(header::SET_COOKIE, cookie)], page).into_response()
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let csrf = cookie(&headers, LOGIN_COOKIE)
        .filter(|c| c.len() == 64)
        .map(str::to_string)
        .unwrap_or_else(crate::security::tokens::new_token);
    let bare = Bare {
        lang: browser_language(&headers),
    };
    let notice = if q.out.is_some() {
        Some(bare.t("login-logged-out"))
    } else if q.expired.is_some() {
        Some(bare.t("login-expired"))
    } else {
        None
    };
    let page = LoginPage {
        bare,
        csrf,
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        error: None,
        notice,
    };
    login_form(&state, page, StatusCode::OK)
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
    #[allow(dead_code)]
    csrf: String,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let previous = cookie(&headers, SESSION_COOKIE);
    let bare = Bare {
        lang: browser_language(&headers),
    };
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let outcome = uc::login(
        &state.cx,
        &state.policy,
        &form.email,
        &form.password,
        previous,
        addr,
        agent,
        device(&headers),
    )
    .await;
    crate::usecases::metrics::count_login(&state.cx, LoginKind::Console, &outcome, |o| {
        matches!(o, LoginOutcome::LoggedIn(..))
    });
    Ok(match outcome {
        Ok(LoginOutcome::LoggedIn(session, device)) => {
            let max_age = state.policy.absolute_ms / 1000;
            let cookie = set_cookie(&state, SESSION_COOKIE, &session.token, Some(max_age));
            let clear_login = set_cookie(&state, LOGIN_COOKIE, "", Some(0));
            let mut res =
                axum::response::Redirect::to(&safe_next(form.next.as_deref())).into_response();
            let h = res.headers_mut();
            h.append(header::SET_COOKIE, cookie.parse().expect("cookie header"));
            h.append(
                header::SET_COOKIE,
                clear_login.parse().expect("cookie header"),
            );
            h.append(
                header::SET_COOKIE,
                set_device(&state, &device).parse().expect("cookie header"),
            );
            res
        }
        Ok(LoginOutcome::WrongCredentials) => {
            let page = LoginPage {
                error: Some(bare.t("login-wrong")),
                bare,
                csrf: crate::security::tokens::new_token(),
                email: form.email.chars().take(254).collect(),
                next: safe_next(form.next.as_deref()),
                notice: None,
            };
            login_form(&state, page, StatusCode::UNAUTHORIZED)
        }
        Err(crate::usecases::Error::TooMany { retry_after_s }) => {
            let page = LoginPage {
                error: Some(bare.say(&too_many(retry_after_s))),
                bare,
                csrf: crate::security::tokens::new_token(),
                email: form.email.chars().take(254).collect(),
                next: safe_next(form.next.as_deref()),
                notice: None,
            };
            let mut res = login_form(&state, page, StatusCode::TOO_MANY_REQUESTS);
            if let Ok(v) = header::HeaderValue::from_str(&retry_after_s.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Err(e) => return Err(e.into()),
    })
}

async fn logout(State(state): State<AppState>, headers: HeaderMap, staff: Staff) -> PageResult {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        uc::logout(&state.cx, &staff.actor, token).await?;
    }
    let clear = set_cookie(&state, SESSION_COOKIE, "", Some(0));
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/console/login?out=1".to_string()),
            (header::SET_COOKIE, clear),
        ],
    )
        .into_response())
}
