//! What every portal page shares: the portal and the page's language ([`PortalPage`]), the
//! signed-in person ([`SignedIn`]), the message page, the form tokens and the cookies, and the
//! page a failed action is shown on (by the layer in `failures.rs`).

use std::sync::{Arc, Mutex};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::words::Words;
use super::{FORM_COOKIE, SESSION_COOKIE};
use crate::catalog::Message;
use crate::domain::directory::Language;
use crate::domain::local_time::Locale;
use crate::security::tokens;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::usecases::Error;
use crate::usecases::accounts as uc;
use crate::usecases::directory as dir_uc;
use crate::web::cookies::{self, cookie};
use crate::web::page::{Failure, PageError, PageResult, path_id};
use crate::web::{AppState, ClientAddr};

/// The portal of a page's path, and the page's language: `?lang=`, else the browser's first
/// choice Admit speaks, else the portal's. An unknown portal is a plain "not found".
#[derive(Clone)]
pub struct PortalPage {
    pub portal: Portal,
    pub language: Language,
    /// The language asked for with `?lang=`, if one was.
    pub chosen: Option<Language>,
    /// The language without `?lang=`: the browser's, else the portal's.
    fallback: Language,
    seen: Seen,
}

impl PortalPage {
    /// The language a form asked for (its `lang` field), else the browser's or the portal's;
    /// a failure of the request is shown in it too.
    pub fn choose(&self, lang: Option<&str>) -> Language {
        let language = lang
            .and_then(|l| Language::parse(l).ok())
            .unwrap_or(self.fallback);
        self.seen.speak(language);
        language
    }

    /// The language of a form posted from this portal's page `back` (an address under the
    /// portal) with its form token; without the token (a stale page), back to `back`.
    pub fn posted(
        &self,
        headers: &HeaderMap,
        csrf: &str,
        lang: Option<&str>,
        back: &str,
    ) -> PageResult<Language> {
        if !form_token_ok(headers, csrf) {
            let to = format!("/portal/{}/{back}", self.id());
            return Err(Redirect::to(&to).into_response().into());
        }
        Ok(self.choose(lang))
    }

    pub fn id(&self) -> i64 {
        self.portal.id
    }
}

impl FromRequestParts<AppState> for PortalPage {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let id = path_id(parts, state).await.ok_or_else(not_found)?;
        let portal = dir_uc::get_portal(&state.cx, id)
            .await
            .map_err(|e| match e {
                Error::NotFound(_) => not_found().into(),
                other => PageError::from(other),
            })?;
        let asked = parts.uri.query().and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "lang")
                .map(|(_, v)| v.into_owned())
        });
        let fallback = browser_language(&parts.headers)
            .unwrap_or_else(|| Language::parse(&portal.default_language).unwrap_or(Language::En));
        let chosen = asked.as_deref().and_then(|l| Language::parse(l).ok());
        let language = chosen.unwrap_or(fallback);
        let seen = parts.extensions.get::<Seen>().cloned().unwrap_or_default();
        seen.see(&portal, language);
        Ok(PortalPage {
            portal,
            language,
            chosen,
            fallback,
            seen,
        })
    }
}

/// The browser's first choice among the languages Admit speaks.
pub fn browser_language(headers: &HeaderMap) -> Option<Language> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(',')
        .filter_map(|tag| tag.split(';').next())
        .filter_map(|tag| tag.trim().split('-').next())
        .find_map(|l| Language::parse(&l.to_lowercase()).ok())
}

/// The person logged in on a portal page, and their session token; without a live session,
/// the login page. Their pages speak their language, or the one chosen with `?lang=`.
pub struct SignedIn {
    pub page: PortalPage,
    pub account: PortalAccount,
    pub token: String,
    /// When a staff member views the portal as the person on this session.
    pub impersonation: Option<crate::usecases::impersonation::Impersonation>,
}

impl SignedIn {
    /// The language chosen with `?lang=` (the pages' links and forms carry it on), else the
    /// person's own.
    pub fn language(&self) -> Language {
        self.page
            .chosen
            .unwrap_or_else(|| account_language(&self.account))
    }

    /// `&lang=xx` when a language was chosen with `?lang=`, to add to an address with a query
    /// that the person is sent on to; empty otherwise.
    pub fn lang_param(&self) -> String {
        self.page
            .chosen
            .map(|l| format!("&lang={}", l.as_str()))
            .unwrap_or_default()
    }

    /// `?lang=xx` when a language was chosen with `?lang=`, for the page's links and forms;
    /// empty otherwise.
    pub fn lang_query(&self) -> String {
        self.page
            .chosen
            .map(|l| format!("?lang={}", l.as_str()))
            .unwrap_or_default()
    }

    /// The person's time zone and language: every time their pages show is in them.
    pub fn locale(&self) -> Locale {
        Locale::new(&self.account.time_zone, self.language())
    }

    pub fn portal(&self) -> &Portal {
        &self.page.portal
    }

    /// The session's form token: a form that does not carry it has expired.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if tokens::constant_time_eq(&session_csrf(&self.token), sent) {
            Ok(())
        } else {
            Err(expired_form().into())
        }
    }

    pub fn csrf(&self) -> String {
        session_csrf(&self.token)
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let page = PortalPage::from_request_parts(parts, state).await?;
        let to_login = || Redirect::to(&format!("/portal/{}/login", page.id())).into_response();
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login().into());
        };
        let found = uc::portal_session(&state.cx, state.policy.idle_ms, page.id(), token).await?;
        let Some((account, impersonation)) = found else {
            // An impersonation that has ended says so, rather than asking for a login.
            let token = token.to_string();
            let ClientAddr(addr) = match ClientAddr::from_request_parts(parts, state).await {
                Ok(a) => a,
                Err(never) => match never {},
            };
            if let Some(ended) = ended_page(state, &page, &token, addr.as_deref()).await {
                return Err(ended.into());
            }
            return Err(to_login().into());
        };
        page.seen
            .speak(page.chosen.unwrap_or_else(|| account_language(&account)));
        let me = SignedIn {
            token: token.to_string(),
            page,
            account,
            impersonation,
        };
        if let (Some(imp), Some(slot)) = (
            &me.impersonation,
            parts.extensions.get::<super::banner::BannerSlot>(),
        ) {
            let banner = super::banner::Banner::of(
                &me.account,
                imp,
                me.page.id(),
                me.csrf(),
                state.cx.now(),
            );
            slot.put(banner);
        }
        Ok(me)
    }
}

pub fn account_language(account: &PortalAccount) -> Language {
    Language::parse(&account.language).unwrap_or(Language::En)
}

/// The session's CSRF token, derived from its cookie and never stored.
pub fn session_csrf(token: &str) -> String {
    tokens::derive(token, "admit-portal-csrf")
}

/// "Not found": there is no such portal (or no such page on it), shown by the layer in the
/// page's language.
pub fn not_found() -> Response {
    Failure::NotFound.console_page()
}

/// A signed-in form whose token does not match the session.
pub fn expired_form() -> Response {
    crate::web::refusals::csrf_refused(crate::web::page::forbidden(Message::new(
        "error-form-expired",
    )))
}

// ---------------------------------------------------------------- cookies and form tokens

/// A `Set-Cookie` value for the portal's pages (`/portal/{id}/`).
pub fn set_cookie(
    state: &AppState,
    portal_id: i64,
    name: &str,
    value: &str,
    max_age: i64,
) -> String {
    let path = format!("/portal/{portal_id}/");
    cookies::set_cookie(state, &path, name, value, Some(max_age))
}

/// A redirect that also ends the portal session's cookie.
pub fn signed_out(state: &AppState, portal_id: i64, to: String) -> Response {
    let c = set_cookie(state, portal_id, SESSION_COOKIE, "", 0);
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, to), (header::SET_COOKIE, c)],
    )
        .into_response()
}

/// A token for the forms shown before login: in a cookie and in the form (double submit).
pub fn form_token(headers: &HeaderMap) -> String {
    cookie(headers, FORM_COOKIE)
        .filter(|c| c.len() == 64 && c.chars().all(|ch| ch.is_ascii_hexdigit()))
        .map(str::to_string)
        .unwrap_or_else(tokens::new_token)
}

pub fn form_token_ok(headers: &HeaderMap, sent: &str) -> bool {
    cookie(headers, FORM_COOKIE).is_some_and(|c| tokens::constant_time_eq(c, sent))
}

pub fn with_form_cookie(
    state: &AppState,
    portal_id: i64,
    csrf: &str,
    status: StatusCode,
    page: impl IntoResponse,
) -> Response {
    let c = set_cookie(state, portal_id, FORM_COOKIE, csrf, 3600);
    (status, [(header::SET_COOKIE, c)], page).into_response()
}

/// The page for a browser whose impersonation has ended (at its time limit, say): it says so,
/// and how, in the staff member's language, and forgets the cookie.
pub async fn ended_page(
    s: &AppState,
    page: &PortalPage,
    token: &str,
    client_addr: Option<&str>,
) -> Option<Response> {
    let imp = crate::usecases::impersonation::ended_of_session(&s.cx, token)
        .await
        .ok()??;
    if let Err(e) =
        crate::usecases::impersonation::ended_session_used(&s.cx, &imp, client_addr).await
    {
        tracing::warn!(error = %e, "recording the use of an ended impersonation's session failed");
    }
    let language = super::banner::staff_language(&imp);
    let w = Words::of(language);
    let how = crate::domain::impersonation::end_label(imp.end_reason.as_deref().unwrap_or(""))
        .render(language.as_str());
    let message = MessagePage {
        message: format!(
            "{} {}: {how}.",
            w.t("portal-impersonation-ended"),
            w.t("portal-impersonation-how")
        ),
        ..ended(page.portal.clone(), language, imp.account_id)
    };
    let clear = set_cookie(s, page.id(), SESSION_COOKIE, "", 0);
    Some((StatusCode::GONE, [(header::SET_COOKIE, clear)], message).into_response())
}

// ---------------------------------------------------------------- the message page

/// The page that says an impersonation has ended, with a link back to the account
/// `account_id` on the console.
pub(super) fn ended(portal: Portal, language: Language, account_id: i64) -> MessagePage {
    let w = Words::of(language);
    let title = w.t("portal-impersonation-ended-title");
    MessagePage {
        link: Some((
            format!("/console/accounts/{account_id}"),
            w.t("portal-impersonation-back-to-console"),
        )),
        ..MessagePage::new(portal, language, title, w.t("portal-impersonation-ended"))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/message.html")]
pub struct MessagePage {
    pub words: Words,
    pub lang: &'static str,
    pub portal: Portal,
    pub title: String,
    pub message: String,
    pub link: Option<(String, String)>,
    pub second_link: Option<(String, String)>,
}

impl MessagePage {
    /// `message` under `title`, in `language`, without links.
    pub fn new(portal: Portal, language: Language, title: String, message: String) -> Self {
        MessagePage {
            words: Words::of(language),
            lang: language.as_str(),
            portal,
            title,
            message,
            link: None,
            second_link: None,
        }
    }

    /// A link's outcome in `language`: `message` under `title`, and a link to the login page
    /// when the person may log in now.
    pub fn outcome(
        portal: Portal,
        language: Language,
        title: String,
        message: String,
        to_login: bool,
    ) -> Self {
        let words = Words::of(language);
        let login = format!("/portal/{}/login?lang={}", portal.id, language.as_str());
        MessagePage {
            words,
            lang: language.as_str(),
            title,
            message,
            link: to_login.then(|| (login, words.t("portal-go-to-login"))),
            second_link: None,
            portal,
        }
    }
}

/// A link that no longer works: the catalog's `message`, a link to the login page, and
/// `second` (the page under the portal where a new link is asked for, and its link's key) when
/// the person can ask for one.
pub fn gone(
    portal: Portal,
    language: Language,
    message: &str,
    second: Option<(&'static str, &'static str)>,
) -> Response {
    let w = Words::of(language);
    let login = format!("/portal/{}/login?lang={}", portal.id, language.as_str());
    let pid = portal.id;
    let new_link = |page: &str| format!("/portal/{pid}/{page}?lang={}", language.as_str());
    (
        StatusCode::GONE,
        MessagePage {
            words: w,
            lang: language.as_str(),
            title: w.t("portal-link-invalid-title"),
            message: w.t(message),
            link: Some((login, w.t("portal-go-to-login"))),
            second_link: second.map(|(page, key)| (new_link(page), w.t(key))),
            portal,
        },
    )
        .into_response()
}

/// Which portal a request is on and in which language it speaks, once a page knows.
#[derive(Clone, Default)]
pub struct Seen(Arc<Mutex<Option<(Portal, Language)>>>);

impl Seen {
    fn see(&self, portal: &Portal, language: Language) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some((portal.clone(), language));
        }
    }

    fn speak(&self, language: Language) {
        if let Ok(mut slot) = self.0.lock()
            && let Some((_, l)) = slot.as_mut()
        {
            *l = language;
        }
    }

    pub(super) fn take(&self) -> Option<(Portal, Language)> {
        self.0.lock().ok().and_then(|mut slot| slot.take())
    }
}

/// The fields' errors of a portal form, in the page's language: those of `fields` that `e`
/// names, each with its message.
pub fn field_errors_in(
    words: Words,
    e: &crate::domain::FieldErrors,
    fields: &[&'static str],
) -> Vec<(&'static str, String)> {
    fields
        .iter()
        .filter_map(|f| e.error(f).map(|err| (*f, words.field_error(err))))
        .collect()
}

/// The message of a field's error, for a template.
pub fn error_of<'a>(errors: &'a [(&'static str, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, m)| m.as_str())
}
