//! A digest's unsubscribe link, without a login: `GET /unsubscribe/{token}` asks (and changes
//! nothing, since link scanners fetch it), `POST` turns the digests off. The POST is also the
//! RFC 8058 one-click unsubscribe a mail client sends (`List-Unsubscribe=One-Click`, no
//! cookies, no form token), so this router stands outside the CSRF layers of the console and
//! the portal pages: the link's token is the proof.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::page::browser_language;
use super::words::Words;
use crate::domain::directory::Language;
use crate::usecases::notifications::{self as uc, Unsubscribing};
use crate::web::page::PageResult;
use crate::web::{AppState, ClientAddr};

/// The unsubscribe pages, to be merged outside every CSRF layer.
pub fn router() -> Router<AppState> {
    Router::new().route("/unsubscribe/{token}", get(ask).post(confirm))
}

/// What the page says: the question (with its button), that digests are off, or that the
/// link is unknown.
enum Shown {
    Ask,
    Off,
    Unknown,
}

#[derive(Template, WebTemplate)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    words: Words,
    lang: &'static str,
    email: String,
    token: String,
    state: Shown,
    /// The person's notification settings (behind their login).
    settings: String,
    /// Whose digests: the portal's name, or none for a staff user's.
    portal: Option<String>,
}

fn page(headers: &HeaderMap, token: String, found: Option<Unsubscribing>) -> Response {
    let (status, language, email, state, settings, portal) = match found {
        None => (
            StatusCode::NOT_FOUND,
            // The browser's first language Admit speaks, for a link that names no one.
            browser_language(headers).unwrap_or(Language::En),
            String::new(),
            Shown::Unknown,
            String::new(),
            None,
        ),
        Some(u) => {
            let state = if u.off { Shown::Off } else { Shown::Ask };
            (
                StatusCode::OK,
                u.language,
                u.email,
                state,
                u.preferences_path,
                u.portal_name,
            )
        }
    };
    (
        status,
        UnsubscribePage {
            words: Words::of(language),
            lang: language.as_str(),
            email,
            token,
            state,
            settings,
            portal,
        },
    )
        .into_response()
}

/// The token as the page may show it again in its form: 64 hex digits, or nothing.
fn clean(token: &str) -> String {
    if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        token.to_string()
    } else {
        String::new()
    }
}

/// Asks; changes nothing.
async fn ask(
    State(s): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let found = uc::unsubscribe_info(&s.cx, &token).await?;
    Ok(page(&headers, clean(&token), found))
}

/// Turns the digests off (twice is fine) and says so. The body is not read: a one-click
/// client sends `List-Unsubscribe=One-Click`, the page's button nothing else of use.
async fn confirm(
    State(s): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
) -> PageResult {
    let found = uc::unsubscribe(&s.cx, &token, addr).await?;
    Ok(page(&headers, clean(&token), found))
}
