//! A form too large for Admit (more than [`BODY_LIMIT`](super::BODY_LIMIT)): refused, whether
//! the limit layer saw its length at once or a page's layer found out while reading it, in the
//! reader's language. On the console: the signed-in staff member's, else the browser's; on the
//! portal pages: the one asked for with `?lang=`, else the browser's. The API keeps its answer.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::page::Failure;
use crate::catalog::{self, Message};
use crate::domain::directory::Language;

/// The layer, outside the body limit.
pub async fn in_their_language(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let asked = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Language::parse(&v).ok())
    });
    let headers = req.headers().clone();
    let res = next.run(req).await;
    if res.status() != StatusCode::PAYLOAD_TOO_LARGE {
        return res;
    }
    if path.starts_with("/console") {
        let language = super::console::reader_language(&s, &headers).await;
        let refused = Failure::Refused(Message::new("form-too-large").into());
        let page = refused.message_page(language);
        return (StatusCode::PAYLOAD_TOO_LARGE, page).into_response();
    }
    if path.starts_with("/portal/") {
        let language = asked
            .or_else(|| super::portal::browser_language(&headers))
            .unwrap_or(Language::En);
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_LANGUAGE, language.as_str())],
            catalog::tr(language.as_str(), "form-too-large"),
        )
            .into_response();
    }
    res
}
