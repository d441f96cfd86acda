//! The staff console under `/console`: server-rendered pages, server-side sessions,
//! CSRF tokens on every form.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use super::cookies::{self, cookie};
pub use super::page::not_found_page;
use super::page::{Failure, PageError, forbidden, from_other_site};
use super::refusals::csrf_refused;
use super::{AppState, ClientAddr};
use crate::catalog::{self, ArgValue, Message};
use crate::domain::directory::Language;
use crate::domain::local_time::Locale;
use crate::storage::staff::StaffUser;
use crate::usecases::Actor;
use crate::usecases::staff::{self as staff_uc, staff_actor};
use fluent_bundle::FluentValue;
use undo_offer::{UNDO_COOKIE, UndoOffer};

pub mod access;
pub mod access_bulk;
pub mod access_csv;
pub mod account_actions;
pub mod account_locale;
pub mod accounts;
pub mod admin;
pub mod auth;
pub mod badge;
pub mod directory;
pub mod history;
pub mod home;
pub mod impersonation;
pub mod in_language;
pub mod listing;
pub mod mail;
pub mod module_picker;
pub mod notifications;
pub mod undo;
pub mod undo_offer;

pub const SESSION_COOKIE: &str = "admit_console";
pub const LOGIN_COOKIE: &str = "admit_login";
pub const FLASH_COOKIE: &str = "admit_flash";

/// The console's routes; `state` is for the CSRF check, which answers in the staff member's
/// language.
pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/console/style.css", get(style))
        .route("/console/script.js", get(script))
        .merge(home::router())
        .merge(auth::router())
        .merge(directory::router())
        .merge(access::router())
        .merge(access_bulk::router())
        .merge(access_csv::router())
        .merge(accounts::router())
        .merge(account_actions::router())
        .merge(account_locale::router())
        .merge(impersonation::router())
        .merge(admin::router())
        .merge(mail::router())
        .merge(notifications::router())
        .merge(undo::router())
        .layer(middleware::from_fn_with_state(state.clone(), check_csrf))
        .layer(middleware::from_fn(in_language::in_their_language))
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

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../assets/console.js"),
    )
        .into_response()
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, path `/console`, `Secure` when configured.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    cookies::set_cookie(state, "/console", name, value, max_age)
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

/// As [`done`], with an "Undo" button beside the message for the change it reports.
pub fn done_undoable(state: &AppState, to: &str, message: &str, undo: &UndoOffer) -> Response {
    let (k, v) = flash(state, message);
    let offer = set_cookie(state, UNDO_COOKIE, &undo.cookie_value(), Some(60));
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, to.to_string())],
        axum::response::AppendHeaders([(k, v), (header::SET_COOKIE, offer)]),
    )
        .into_response()
}

/// The flash message after ending someone's sessions.
pub fn sessions_ended(language: Language, n: u64) -> String {
    Message::new("sessions-ended")
        .number("count", i64::try_from(n).unwrap_or(i64::MAX))
        .render(language.as_str())
}

/// What every console page shows around its content.
pub struct Chrome {
    /// The staff member's language: every word of the page is in it.
    pub lang: Language,
    pub user_email: String,
    pub is_admin: bool,
    pub csrf: String,
    pub flash: Option<String>,
    pub section: &'static str,
    /// The Undo button beside the flash message, for the change it reports.
    pub undo: Option<UndoOffer>,
    /// An administrator is told that e-mail goes to the built-in mailbox by default (no
    /// `smtp_host`, and `mail_mode` is not `mailbox` on purpose).
    pub mailbox_banner: bool,
}

impl Chrome {
    /// The code of the page's language, for `<html lang>`.
    pub fn lang_code(&self) -> &'static str {
        self.lang.as_str()
    }

    /// A text of the catalog in the page's language.
    pub fn t(&self, key: &str) -> String {
        catalog::tr(self.lang.as_str(), key)
    }

    /// The text of a value of a kind (`tk("role", "admin")` is the text of `role-admin`); the
    /// value itself when the catalog has no text for it.
    pub fn tk(&self, kind: &str, value: impl std::fmt::Display) -> String {
        catalog::word(self.lang.as_str(), kind, value)
    }

    /// A status by its code in English (`invited`), by its label in German.
    pub fn status(&self, code: impl std::fmt::Display, label: Message) -> String {
        match self.lang {
            Language::De => self.say(&label),
            Language::En => code.to_string(),
        }
    }

    /// A text of the catalog with one argument.
    pub fn t1(&self, key: &str, name: &str, value: impl ArgValue) -> String {
        self.with(key, &[(name, value.value())], false)
    }

    /// A text of the catalog with two arguments.
    pub fn t2(
        &self,
        key: &str,
        (n1, v1): &(&str, impl ArgValue),
        (n2, v2): &(&str, impl ArgValue),
    ) -> String {
        self.with(key, &[(n1, v1.value()), (n2, v2.value())], false)
    }

    /// A text of the catalog with markup (to be shown `|safe`) and one argument, escaped.
    pub fn h1(&self, key: &str, name: &str, value: impl ArgValue) -> String {
        self.with(key, &[(name, value.value())], true)
    }

    /// A text of the catalog with markup (to be shown `|safe`) and two arguments, escaped.
    pub fn h2(
        &self,
        key: &str,
        (n1, v1): &(&str, impl ArgValue),
        (n2, v2): &(&str, impl ArgValue),
    ) -> String {
        self.with(key, &[(n1, v1.value()), (n2, v2.value())], true)
    }

    fn with(&self, key: &str, args: &[(&str, FluentValue<'static>)], escape: bool) -> String {
        let args: Vec<(&str, FluentValue<'static>)> = args
            .iter()
            .map(|(n, v)| match v {
                FluentValue::String(s) if escape => {
                    (*n, FluentValue::from(catalog::escape_html(s)))
                }
                v => (*n, v.clone()),
            })
            .collect();
        catalog::tr_args(self.lang.as_str(), key, &args)
    }

    /// A field's error in the page's language.
    pub fn error(&self, errors: &Errors, field: &str) -> Option<String> {
        errors.text(field, self.lang.as_str())
    }

    /// A catalog message in the page's language.
    pub fn say(&self, message: &Message) -> String {
        message.render(self.lang.as_str())
    }

    /// A delivery's stored last error (or where it went) in the page's language.
    pub fn delivery(&self, stored: &str) -> String {
        crate::domain::delivery::shown(stored, self.lang.as_str())
    }
}

/// The logged-in staff user of a console request. Without a live session, the request is
/// sent to the login page.
pub struct Staff {
    pub user: StaffUser,
    pub actor: Actor,
    pub csrf: String,
    pub flash: Option<String>,
    /// See [`Chrome::undo`].
    pub undo: Option<UndoOffer>,
    /// Signs the Undo offers of this session.
    pub undo_key: String,
    /// See [`Chrome::mailbox_banner`].
    pub mailbox_banner: bool,
}

impl Staff {
    /// The staff member's time zone and language: every time the console shows is in them.
    pub fn locale(&self) -> Locale {
        Locale::of(&self.user.time_zone, &self.user.language)
    }

    /// The staff member's language.
    pub fn language(&self) -> Language {
        self.locale().language
    }

    /// A text of the catalog in the staff member's language.
    pub fn t(&self, key: &str) -> String {
        catalog::tr(self.language().as_str(), key)
    }

    /// A catalog message in the staff member's language.
    pub fn say(&self, message: &Message) -> String {
        message.render(self.language().as_str())
    }

    pub fn chrome(&self, section: &'static str) -> Chrome {
        Chrome {
            lang: self.language(),
            user_email: self.user.email.clone(),
            is_admin: self.user.is_admin(),
            csrf: self.csrf.clone(),
            flash: self.flash.clone(),
            undo: self.undo.clone(),
            section,
            mailbox_banner: self.mailbox_banner,
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = PageError;

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
            return Err(to_login().into());
        };
        let Some(user) = staff_uc::session_user(&state.cx, &state.policy, &token).await? else {
            return Err(to_login().into());
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
        let undo_key = undo_offer::session_key(&token);
        // The Undo goes with its message only.
        let undo = flash
            .as_ref()
            .and(cookie(&parts.headers, UNDO_COOKIE))
            .and_then(|v| UndoOffer::from_cookie(&undo_key, v));
        if let Some(noted) = parts.extensions.get::<in_language::Noted>() {
            noted.note(Locale::of(&user.time_zone, &user.language).language);
        }
        let actor = staff_actor(&user, addr);
        let mailbox_banner =
            user.is_admin() && state.mailer.is_mailbox() && state.config.mail_mode != "mailbox";
        Ok(Staff {
            mailbox_banner,
            csrf: csrf_token(&token),
            user,
            actor,
            flash,
            undo,
            undo_key,
        })
    }
}

pub fn csrf_token(session_token: &str) -> String {
    crate::security::tokens::derive(session_token, "admit-console-csrf")
}

/// Every state-changing console request must come from our own pages: same origin, and the
/// form's `csrf` field matches the session (or, on the login form, the login cookie). A
/// refusal is said in the signed-in staff member's language, else the browser's.
async fn check_csrf(State(s): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return clear_flash(next.run(req).await);
    }
    if from_other_site(req.headers()) {
        note_language(&s, req.extensions(), req.headers()).await;
        return csrf_refused(forbidden(Message::new("error-form-other-site")));
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, super::BODY_LIMIT).await else {
        // Said in the reader's language by the layer around the body limit.
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
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
        note_language(&s, &parts.extensions, &parts.headers).await;
        return csrf_refused(forbidden(Message::new("error-form-expired")));
    }
    let req = Request::from_parts(parts, Body::from(bytes));
    next.run(req).await
}

/// Notes the language of the staff member signed in on this browser (else the browser's), for
/// a page shown before any handler knows who asks.
async fn note_language(s: &AppState, extensions: &axum::http::Extensions, headers: &HeaderMap) {
    let Some(noted) = extensions.get::<in_language::Noted>() else {
        return;
    };
    noted.note(reader_language(s, headers).await);
}

/// The language of the staff member signed in on this browser, else the browser's.
pub async fn reader_language(s: &AppState, headers: &HeaderMap) -> Language {
    let user = match cookie(headers, SESSION_COOKIE) {
        Some(token) => staff_uc::session_user(&s.cx, &s.policy, token)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    match user {
        Some(u) => Locale::of(&u.time_zone, &u.language).language,
        None => auth::browser_language(headers),
    }
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
        for name in [FLASH_COOKIE, UNDO_COOKIE] {
            let c = format!("{name}=; Path=/console; HttpOnly; SameSite=Lax; Max-Age=0");
            if let Ok(v) = c.parse() {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
        }
    }
    res
}

/// An administrator's console request. Administrator-only pages answer "not found" to
/// everyone else.
pub struct Admin(pub Staff);

impl FromRequestParts<AppState> for Admin {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if staff.user.is_admin() {
            Ok(Admin(staff))
        } else {
            Err(PageError::Failed(Failure::NotFound))
        }
    }
}

/// Field errors for a template: `errors.get("email")`.
pub type Errors = crate::domain::FieldErrors;
