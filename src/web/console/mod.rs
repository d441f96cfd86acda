//! The staff console under `/console`: server-rendered pages, server-side sessions,
//! CSRF tokens on every form.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::{AppState, ClientAddr};
use crate::storage::staff::StaffUser;
use crate::usecases::staff::{self as staff_uc, staff_actor};
use crate::usecases::{Actor, Error};

pub mod access;
pub mod accounts;
pub mod admin;
pub mod auth;
pub mod directory;
pub mod mail;
pub mod notifications;

pub const SESSION_COOKIE: &str = "admit_console";
pub const LOGIN_COOKIE: &str = "admit_login";
pub const FLASH_COOKIE: &str = "admit_flash";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/console",
            get(|| async { Redirect::to("/console/organizations") }),
        )
        .route(
            "/console/",
            get(|| async { Redirect::to("/console/organizations") }),
        )
        .route("/console/style.css", get(style))
        .merge(auth::router())
        .merge(directory::router())
        .merge(access::router())
        .merge(accounts::router())
        .merge(admin::router())
        .merge(mail::router())
        .merge(notifications::router())
        .layer(middleware::from_fn(check_csrf))
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../assets/console.css"),
    )
        .into_response()
}

/// Reads a cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/console`, `Secure` when configured.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/console; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.config.secure_cookies() {
        c.push_str("; Secure");
    }
    c
}

/// A one-time message shown on the next page.
pub fn flash(state: &AppState, message: &str) -> (header::HeaderName, String) {
    let encoded: String = form_urlencoded::byte_serialize(message.as_bytes()).collect();
    (
        header::SET_COOKIE,
        set_cookie(state, FLASH_COOKIE, &encoded, Some(60)),
    )
}

/// A redirect after a successful form, with a flash message.
pub fn done(state: &AppState, to: &str, message: &str) -> Response {
    let (k, v) = flash(state, message);
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, to.to_string()), (k, v)],
    )
        .into_response()
}

/// What every console page shows around its content.
pub struct Chrome {
    pub user_email: String,
    pub is_admin: bool,
    pub csrf: String,
    pub flash: Option<String>,
    pub section: &'static str,
}

/// The logged-in staff user of a console request. Without a live session, the request is
/// sent to the login page.
pub struct Staff {
    pub user: StaffUser,
    pub actor: Actor,
    pub csrf: String,
    pub flash: Option<String>,
}

impl Staff {
    pub fn chrome(&self, section: &'static str) -> Chrome {
        Chrome {
            user_email: self.user.email.clone(),
            is_admin: self.user.is_admin(),
            csrf: self.csrf.clone(),
            flash: self.flash.clone(),
            section,
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let to_login = || {
            let next: String = form_urlencoded::byte_serialize(
                parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/console")
                    .as_bytes(),
            )
            .collect();
            Redirect::to(&format!("/console/login?next={next}")).into_response()
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_string) else {
            return Err(to_login());
        };
        let user = match staff_uc::session_user(&state.cx, &state.policy, &token).await {
            Ok(Some(u)) => u,
            Ok(None) => return Err(to_login()),
            Err(e) => return Err(error_page(e)),
        };
        let ClientAddr(addr) = ClientAddr::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientAddr(None));
        let flash = cookie(&parts.headers, FLASH_COOKIE).map(|v| {
            form_urlencoded::parse(format!("m={v}").as_bytes())
                .next()
                .map(|(_, m)| m.into_owned())
                .unwrap_or_default()
        });
        let actor = staff_actor(&user, addr);
        Ok(Staff {
            csrf: csrf_token(&token),
            user,
            actor,
            flash,
        })
    }
}

pub fn csrf_token(session_token: &str) -> String {
    crate::security::tokens::derive(session_token, "admit-console-csrf")
}

/// Every state-changing console request must come from our own pages: same origin, and the
/// form's `csrf` field matches the session (or, on the login form, the login cookie).
async fn check_csrf(req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return clear_flash(next.run(req).await);
    }
    let headers = req.headers().clone();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return forbidden("This form came from another site.");
    }
    if let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        if origin_host != host {
            return forbidden("This form came from another site.");
        }
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, super::BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response();
    };
    let sent = form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let expected = if parts.uri.path() == "/console/login" {
        cookie(&parts.headers, LOGIN_COOKIE).map(str::to_string)
    } else {
        cookie(&parts.headers, SESSION_COOKIE).map(csrf_token)
    };
    let ok = expected.is_some_and(|e| crate::security::tokens::constant_time_eq(&e, &sent));
    if !ok {
        if parts.uri.path() == "/console/login" {
            return Redirect::to("/console/login?expired=1").into_response();
        }
        return forbidden("This form has expired. Go back, reload the page and try again.");
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    next.run(req).await
}

/// The flash message is shown once: clear it on every page that rendered it.
fn clear_flash(mut res: Response) -> Response {
    if res.status().is_success()
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/html"))
        && !res.headers().contains_key(header::SET_COOKIE)
    {
        let c = format!("{FLASH_COOKIE}=; Path=/console; HttpOnly; SameSite=Lax; Max-Age=0");
        if let Ok(v) = c.parse() {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

#[derive(Template, WebTemplate)]
#[template(path = "console/message.html")]
pub struct MessagePage {
    pub title: String,
    pub message: String,
}

fn forbidden(message: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        MessagePage {
            title: "Not allowed".into(),
            message: message.into(),
        },
    )
        .into_response()
}

pub fn not_found_page() -> Response {
    (
        StatusCode::NOT_FOUND,
        MessagePage {
            title: "Not found".into(),
            message: "There is nothing here, or it is not yours to see.".into(),
        },
    )
        .into_response()
}

/// A use-case error as a console page (validation errors are shown in their forms instead).
pub fn error_page(e: Error) -> Response {
    match e {
        Error::NotFound(_) => not_found_page(),
        Error::Forbidden(m) => forbidden(&m),
        Error::Refused(m) => (
            StatusCode::CONFLICT,
            MessagePage {
                title: "Refused".into(),
                message: m,
            },
        )
            .into_response(),
        Error::Invalid(f) | Error::Conflict(f) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            MessagePage {
                title: "Check your input".into(),
                message: f.to_string(),
            },
        )
            .into_response(),
        Error::TooMany { retry_after_s } => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, retry_after_s.to_string())],
            MessagePage {
                title: "Too many attempts".into(),
                message: format!(
                    "Too many attempts. Please wait {} and try again.",
                    minutes(retry_after_s)
                ),
            },
        )
            .into_response(),
        Error::Db(err) => internal(&err),
        Error::Internal(err) => internal(&*err),
    }
}

/// A wait in words: "a minute", "5 minutes".
pub fn minutes(seconds: i64) -> String {
    match (seconds + 59) / 60 {
        0 | 1 => "a minute".into(),
        n => format!("{n} minutes"),
    }
}

fn internal(err: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %err, "console request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        MessagePage {
            title: "Something went wrong".into(),
            message: "Something went wrong on our side; it has been logged. Try again in a moment."
                .into(),
        },
    )
        .into_response()
}

/// Field errors for a template: `errors.get("email")`.
pub type Errors = crate::domain::FieldErrors;
