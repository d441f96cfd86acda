//! The end-session endpoint (RP-initiated logout), GET or POST, and its confirmation page.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;

use super::{Done, onward};
use crate::storage::directory::Portal;
use crate::usecases::oidc::logout::{self as uc, EndSession, EndSessionError, EndSessionParams};
use crate::web::cookies::cookie;
use crate::web::page::PageResult;
use crate::web::portal::SESSION_COOKIE;
use crate::web::portal::page::{MessagePage, PortalPage, session_csrf, set_cookie, signed_out};
use crate::web::portal::words::Words;
use crate::web::query::Query;
use crate::web::{AppState, ClientAddr};

#[derive(Template, WebTemplate)]
#[template(path = "portal/oidc_logout.html")]
struct ConfirmPage {
    words: Words,
    lang: &'static str,
    portal: Portal,
    csrf: String,
    params: EndSessionParams,
}

pub(super) async fn logout_get(
    s: State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    addr: ClientAddr,
    Query(p): Query<EndSessionParams>,
) -> PageResult {
    end(s, page, headers, addr, p, false).await
}

#[derive(serde::Deserialize)]
struct Posted {
    #[serde(flatten)]
    params: EndSessionParams,
    csrf: Option<String>,
}

/// A POST is an application's request (as a GET) or the confirmation page's answer (with the
/// session's form token).
pub(super) async fn logout_post(
    s: State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    addr: ClientAddr,
    body: Bytes,
) -> PageResult {
    let posted: Posted = serde_urlencoded::from_bytes(&body).unwrap_or(Posted {
        params: EndSessionParams::default(),
        csrf: None,
    });
    let confirmed = match (posted.csrf.as_deref(), cookie(&headers, SESSION_COOKIE)) {
        (Some(sent), Some(token)) => {
            crate::security::tokens::constant_time_eq(sent, &session_csrf(token))
        }
        _ => false,
    };
    end(s, page, headers, addr, posted.params, confirmed).await
}

async fn end(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    p: EndSessionParams,
    confirmed: bool,
) -> PageResult {
    let token = cookie(&headers, SESSION_COOKIE);
    let outcome = uc::end_session(&s.cx, page.id(), &p, token, confirmed, addr).await?;
    let w = Words::of(page.language);
    Ok(match outcome {
        // After the confirmation form, a page that goes on by itself: a redirect to the
        // application would be the form's (see `onward`).
        EndSession::Redirect(to) if confirmed => {
            let c = set_cookie(&s, page.id(), SESSION_COOKIE, "", 0);
            onward(page.portal, page.language, Done::LoggedOut, to, &[c])
        }
        EndSession::Redirect(to) => signed_out(&s, page.id(), to),
        EndSession::Confirm => ConfirmPage {
            words: w,
            lang: page.language.as_str(),
            csrf: token.map(session_csrf).unwrap_or_default(),
            portal: page.portal,
            params: p,
        }
        .into_response(),
        EndSession::ErrorPage(e) => (
            StatusCode::BAD_REQUEST,
            [(header::CACHE_CONTROL, "no-store")],
            MessagePage::new(
                page.portal,
                page.language,
                w.t("portal-oidc-cannot-log-out-title"),
                w.t(error_key(e)),
            ),
        )
            .into_response(),
    })
}

/// The catalog's text of a logout request that is not valid.
fn error_key(e: EndSessionError) -> &'static str {
    match e {
        EndSessionError::BadHint => "portal-oidc-bad-hint",
        EndSessionError::UnknownClient => "portal-oidc-logout-unknown-client",
        EndSessionError::RedirectUriNotRegistered => "portal-oidc-post-logout-not-registered",
    }
}
