//! A console page that failed (not found, refused, invalid input...) is shown in the staff
//! member's language: the [`Staff`](super::Staff) extractor notes the language on the way in,
//! and this layer renders the failure's message page again in it on the way out.

use std::sync::{Arc, Mutex};

use askama::Template;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::domain::directory::Language;
use crate::web::page::Failure;

/// The language of the staff member a request is for, once known.
#[derive(Clone, Default)]
pub struct Noted(Arc<Mutex<Option<Language>>>);

impl Noted {
    pub fn note(&self, language: Language) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(language);
        }
    }

    fn get(&self) -> Option<Language> {
        self.0.lock().ok().and_then(|slot| *slot)
    }
}

/// The layer: a failure's page again in the noted language, with the answer's status, headers
/// and extensions as they were.
pub async fn in_their_language(mut req: Request, next: Next) -> Response {
    let noted = Noted::default();
    req.extensions_mut().insert(noted.clone());
    let res = next.run(req).await;
    let Some(failure) = res.extensions().get::<Failure>().cloned() else {
        return res;
    };
    let language = match noted.get() {
        Some(l) if l != Language::En => l,
        _ => return res,
    };
    let Ok(html) = failure.message_page(language).render() else {
        return res;
    };
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    Response::from_parts(parts, Body::from(html))
}
