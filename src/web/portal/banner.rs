//! The banner at the top of every portal page while a staff member views the portal as a
//! person: who is viewed, by whom, the time left, and "End", in the staff member's language.
//! A signed-in page leaves it in the request's [`BannerSlot`]; [`with_banner`] puts it into
//! the page.

use std::sync::{Arc, Mutex};

use askama::Template;
use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::words::Words;
use crate::domain::directory::Language;
use crate::storage::accounts::PortalAccount;
use crate::usecases::impersonation::Impersonation;

#[derive(Template, Clone)]
#[template(path = "portal/_impersonation_banner.html")]
pub struct Banner {
    lang: &'static str,
    words: Words,
    person: String,
    staff: String,
    minutes_left: i64,
    /// Milliseconds since the epoch.
    expires_at: i64,
    portal_id: i64,
    csrf: String,
}

impl Banner {
    /// The banner of a signed-in page of the portal `portal_id` (its session's form token
    /// `csrf`) during an impersonation of `account`, at `now`.
    pub fn of(
        account: &PortalAccount,
        imp: &Impersonation,
        portal_id: i64,
        csrf: String,
        now: i64,
    ) -> Self {
        let language = staff_language(imp);
        let person = if account.name.trim().is_empty() {
            account.email.clone()
        } else {
            format!("{} ({})", account.name, account.email)
        };
        let staff = if imp.staff_name.trim().is_empty() {
            imp.staff_email.clone()
        } else {
            format!("{} ({})", imp.staff_name, imp.staff_email)
        };
        Banner {
            lang: language.as_str(),
            words: Words::of(language),
            person,
            staff,
            minutes_left: ((imp.expires_at - now).max(0) + 59_999) / 60_000,
            expires_at: imp.expires_at,
            portal_id,
            csrf,
        }
    }
}

pub fn staff_language(imp: &Impersonation) -> Language {
    Language::parse(&imp.staff_language).unwrap_or(Language::En)
}

/// Where a signed-in page leaves its banner for [`with_banner`].
#[derive(Clone, Default)]
pub struct BannerSlot(Arc<Mutex<Option<Banner>>>);

impl BannerSlot {
    pub fn put(&self, banner: Banner) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(banner);
        }
    }

    fn take(&self) -> Option<Banner> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// The largest page the banner is put into.
const PAGE_LIMIT: usize = 4 * 1024 * 1024;

/// Puts the banner at the top of every HTML page of a request made during an impersonation.
pub async fn with_banner(mut req: Request, next: Next) -> Response {
    let slot = BannerSlot::default();
    req.extensions_mut().insert(slot.clone());
    let res = next.run(req).await;
    let Some(banner) = slot.take() else {
        return res;
    };
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !html {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, PAGE_LIMIT).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Ok(rendered) = banner.render() else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let page = String::from_utf8_lossy(&bytes);
    let at = page
        .find("<body")
        .and_then(|b| page[b..].find('>').map(|e| b + e + 1))
        .unwrap_or(0);
    let mut out = String::with_capacity(page.len() + rendered.len());
    out.push_str(&page[..at]);
    out.push_str(&rendered);
    out.push_str(&page[at..]);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(out))
}
