//! Impersonation on the portal pages: the banner on every page while a staff member views the
//! portal as a person (who, by whom, the time left, and "End"), its end, and the refusals of
//! what may not be done meanwhile. The banner and the refusals speak the staff member's
//! language; the pages themselves stay as the person sees them.

use std::sync::{Arc, Mutex};

use askama::Template;
use axum::Form;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::SESSION_COOKIE;
use super::page::{MessagePage, PortalPage, SignedIn, set_cookie};
use super::texts::ImpersonationT;
use crate::domain::directory::Language;
use crate::usecases::impersonation::{self as uc, Impersonation};
use crate::web::AppState;
use crate::web::cookies::cookie;
use crate::web::page::{PageError, PageResult};

#[derive(Template, Clone)]
#[template(path = "portal/_impersonation_banner.html")]
pub struct Banner {
    lang: &'static str,
    t: &'static ImpersonationT,
    person: String,
    staff: String,
    minutes_left: i64,
    /// Milliseconds since the epoch.
    expires_at: i64,
    portal_id: i64,
    csrf: String,
}

impl Banner {
    /// The banner of a signed-in page during an impersonation, at `now`.
    pub fn of(me: &SignedIn, imp: &Impersonation, now: i64) -> Self {
        let language = staff_language(imp);
        let person = if me.account.name.trim().is_empty() {
            me.account.email.clone()
        } else {
            format!("{} ({})", me.account.name, me.account.email)
        };
        let staff = if imp.staff_name.trim().is_empty() {
            imp.staff_email.clone()
        } else {
            format!("{} ({})", imp.staff_name, imp.staff_email)
        };
        Banner {
            lang: language.as_str(),
            t: ImpersonationT::of(language),
            person,
            staff,
            minutes_left: ((imp.expires_at - now).max(0) + 59_999) / 60_000,
            expires_at: imp.expires_at,
            portal_id: me.page.id(),
            csrf: me.csrf(),
        }
    }
}

fn staff_language(imp: &Impersonation) -> Language {
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

/// A refusal during an impersonation, in the staff member's language.
fn refusal(me: &SignedIn, imp: &Impersonation, message: &'static str) -> PageError {
    let language = staff_language(imp);
    let t = ImpersonationT::of(language);
    let page = MessagePage {
        lang: language.as_str(),
        portal: me.portal().clone(),
        title: t.read_only_title,
        message: message.to_string(),
        link: Some((
            format!("/portal/{}/", me.page.id()),
            super::texts::FailureT::of(language).back_to_portal,
        )),
        second_link: None,
    };
    (StatusCode::FORBIDDEN, page).into_response().into()
}

/// A change asked for during an impersonation (`what`, the page's address) is recorded and
/// refused with `message`.
async fn refuse(
    s: &AppState,
    me: &SignedIn,
    imp: &Impersonation,
    addr: Option<String>,
    what: &str,
    message: &'static str,
) -> PageError {
    if let Err(e) = uc::refused_change(&s.cx, imp, &me.account, addr, what).await {
        return e.into();
    }
    refusal(me, imp, message)
}

/// The person's own credentials and identity (password, e-mail address, sessions, profile)
/// are never changed during an impersonation.
pub async fn refuse_own(
    s: &AppState,
    me: &SignedIn,
    addr: Option<String>,
    what: &str,
) -> Result<(), PageError> {
    match &me.impersonation {
        Some(imp) => {
            let message = ImpersonationT::of(staff_language(imp)).own_refused;
            Err(refuse(s, me, imp, addr, what, message).await)
        }
        None => Ok(()),
    }
}

/// Changes besides the person's own (team actions, preferences) only where the portal allows
/// actions during an impersonation.
pub async fn refuse_unless_actions(
    s: &AppState,
    me: &SignedIn,
    addr: Option<String>,
    what: &str,
) -> Result<(), PageError> {
    match &me.impersonation {
        Some(imp) if !me.portal().impersonation_actions => {
            let message = ImpersonationT::of(staff_language(imp)).read_only;
            Err(refuse(s, me, imp, addr, what, message).await)
        }
        _ => Ok(()),
    }
}

/// The page for a browser whose impersonation has ended (at its time limit, say): it says so,
/// and how, in the staff member's language, and forgets the cookie.
pub async fn ended_page(s: &AppState, page: &PortalPage, token: &str) -> Option<Response> {
    let imp = uc::ended_of_session(&s.cx, token).await.ok()??;
    let language = staff_language(&imp);
    let t = ImpersonationT::of(language);
    let how =
        crate::domain::impersonation::end_label(imp.end_reason.as_deref().unwrap_or(""), language);
    let message = MessagePage {
        lang: language.as_str(),
        portal: page.portal.clone(),
        title: t.ended_title,
        message: format!("{} {}: {how}.", t.ended, t.how),
        link: Some((
            format!("/console/accounts/{}", imp.account_id),
            t.back_to_console,
        )),
        second_link: None,
    };
    let clear = set_cookie(s, page.id(), SESSION_COOKIE, "", 0);
    Some((StatusCode::GONE, [(header::SET_COOKIE, clear)], message).into_response())
}

/// The links' forms (accept an invitation, set a password, activate, confirm an address) are
/// refused in a browser that holds an impersonation's session on the portal.
pub async fn refuse_links(
    s: &AppState,
    page: &PortalPage,
    headers: &HeaderMap,
) -> Result<(), PageError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(());
    };
    let Some(imp) = uc::of_session(&s.cx, token).await? else {
        return Ok(());
    };
    let language = staff_language(&imp);
    let t = ImpersonationT::of(language);
    let message = MessagePage {
        lang: language.as_str(),
        portal: page.portal.clone(),
        title: t.read_only_title,
        message: t.own_refused.to_string(),
        link: None,
        second_link: None,
    };
    Err((StatusCode::FORBIDDEN, message).into_response().into())
}

#[derive(Deserialize)]
pub(super) struct EndForm {
    #[serde(default)]
    csrf: String,
}

/// "End": the impersonation ends, its session with it, and the staff member is told so.
pub(super) async fn end(
    State(s): State<AppState>,
    me: SignedIn,
    Form(f): Form<EndForm>,
) -> PageResult {
    me.check_csrf(&f.csrf)?;
    let imp = uc::end(&s.cx, &me.token).await?;
    let language = staff_language(&imp);
    let t = ImpersonationT::of(language);
    let page = MessagePage {
        lang: language.as_str(),
        portal: me.portal().clone(),
        title: t.ended_title,
        message: t.ended.to_string(),
        link: Some((
            format!("/console/accounts/{}", imp.account_id),
            t.back_to_console,
        )),
        second_link: None,
    };
    let clear = set_cookie(&s, me.page.id(), SESSION_COOKIE, "", 0);
    Ok((StatusCode::OK, [(header::SET_COOKIE, clear)], page).into_response())
}
