//! The authorization endpoint's pages: an application's request (GET or POST), the return
//! from the login page, and the page that says why a request cannot go back to its
//! application.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::REQUEST_COOKIE;
use crate::domain::oidc::request::AuthorizeParams;
use crate::usecases::oidc::authorize::{self as uc, Authorize};
use crate::web::cookies::cookie;
use crate::web::page::PageResult;
use crate::web::portal::SESSION_COOKIE;
use crate::web::portal::page::{MessagePage, PortalPage, set_cookie};
use crate::web::portal::words::Words;
use crate::web::query::Query;
use crate::web::{AppState, ClientAddr};

pub(super) async fn authorize_get(
    s: State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    addr: ClientAddr,
    Query(p): Query<AuthorizeParams>,
) -> PageResult {
    authorize(s, page, headers, addr, p).await
}

pub(super) async fn authorize_post(
    s: State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    addr: ClientAddr,
    Form(p): Form<AuthorizeParams>,
) -> PageResult {
    authorize(s, page, headers, addr, p).await
}

async fn authorize(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    p: AuthorizeParams,
) -> PageResult {
    let outcome = uc::authorize(
        &s.cx,
        s.policy.idle_ms,
        page.id(),
        &p,
        cookie(&headers, SESSION_COOKIE),
        addr.as_deref(),
    )
    .await?;
    Ok(answer(&s, &page, outcome))
}

/// Back from the login page (or any page that ended in a login): the waiting request goes on.
pub(super) async fn resume(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
) -> PageResult {
    let outcome = match cookie(&headers, REQUEST_COOKIE) {
        Some(handle) => {
            uc::resume(
                &s.cx,
                s.policy.idle_ms,
                page.id(),
                handle,
                cookie(&headers, SESSION_COOKIE),
            )
            .await?
        }
        None => Authorize::ErrorPage(uc::ErrorPage::RequestLapsed),
    };
    Ok(answer(&s, &page, outcome))
}

/// The login form's answer when an application's request waited (its handle in the request
/// cookie) and was answered with the login: the page goes on to the application by itself (a
/// redirect would be the form's; see `onward`). One request fewer than going on by
/// `/oidc/resume`. `cookies` are the login's; the pages are in `language`, the login form's.
pub fn after_login(
    s: &AppState,
    mut page: PortalPage,
    language: crate::domain::directory::Language,
    outcome: Authorize,
    cookies: &[String],
) -> Response {
    page.language = language;
    match outcome {
        Authorize::Redirect(to) => {
            let mut all = cookies.to_vec();
            all.push(set_cookie(s, page.id(), REQUEST_COOKIE, "", 0));
            super::onward(page.portal, page.language, super::Done::LoggedIn, to, &all)
        }
        other => {
            let mut res = answer(s, &page, other);
            for c in cookies {
                if let Ok(v) = axum::http::HeaderValue::from_str(c) {
                    res.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            res
        }
    }
}

fn answer(s: &AppState, page: &PortalPage, outcome: Authorize) -> Response {
    let pid = page.id();
    let clear = set_cookie(s, pid, REQUEST_COOKIE, "", 0);
    match outcome {
        Authorize::Redirect(to) => (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, to), (header::SET_COOKIE, clear)],
        )
            .into_response(),
        Authorize::Login {
            handle,
            login_hint,
            ui_locale,
        } => {
            let keep = set_cookie(
                s,
                pid,
                REQUEST_COOKIE,
                &handle,
                crate::usecases::oidc::REQUEST_MS / 1000,
            );
            let mut to = format!("/portal/{pid}/login");
            let mut params = Vec::new();
            if let Some(l) = ui_locale {
                params.push(("lang", l.to_string()));
            }
            if let Some(h) = login_hint {
                params.push(("email", h));
            }
            if !params.is_empty() {
                let q: String = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(params)
                    .finish();
                to = format!("{to}?{q}");
            }
            (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, to), (header::SET_COOKIE, keep)],
            )
                .into_response()
        }
        Authorize::ErrorPage(reason) => {
            let w = Words::of(page.language);
            let message = MessagePage::new(
                page.portal.clone(),
                page.language,
                w.t("portal-oidc-cannot-sign-in-title"),
                w.t(error_key(reason)),
            );
            (
                StatusCode::BAD_REQUEST,
                [(header::SET_COOKIE, clear)],
                message,
            )
                .into_response()
        }
    }
}

/// The catalog's text of a login request that cannot be served.
fn error_key(page: uc::ErrorPage) -> &'static str {
    match page {
        uc::ErrorPage::UnknownClient => "portal-oidc-unknown-client",
        uc::ErrorPage::RedirectUriMissing => "portal-oidc-redirect-uri-missing",
        uc::ErrorPage::RedirectUriNotRegistered => "portal-oidc-redirect-uri-not-registered",
        uc::ErrorPage::RequestLapsed => "portal-oidc-request-lapsed",
    }
}
