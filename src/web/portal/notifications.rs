//! The person's own e-mail notifications on the portal pages: how often a digest comes (off,
//! daily, weekly on Monday, at 08:00 in their time zone) and which categories it covers.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::account::signed_in;
use super::portal_of;
use super::session_csrf;
use super::texts::{NotifyT, T};
use crate::domain::directory::Language;
use crate::security::tokens;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::storage::tasks::Owner;
use crate::usecases::Error;
use crate::usecases::notifications::{self as uc, Preferences};
use crate::web::notifications::{as_typed, local_time, preference_errors, preferences_input};
use crate::web::{AppState, ClientAddr};

#[derive(Template, WebTemplate)]
#[template(path = "portal/notifications.html")]
struct NotificationsPage {
    t: &'static T,
    nt: &'static NotifyT,
    lang: &'static str,
    portal: Portal,
    csrf: String,
    prefs: Preferences,
    errors: Vec<(&'static str, &'static str)>,
    saved: bool,
    /// When the next digest comes, in the person's zone and language.
    next_due: Option<String>,
}

impl NotificationsPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| *m)
    }
}

fn language_of(account: &PortalAccount) -> Language {
    Language::parse(&account.language).unwrap_or(Language::En)
}

fn render(
    portal: Portal,
    account: &PortalAccount,
    token: &str,
    status: StatusCode,
    prefs: Preferences,
    errors: Vec<(&'static str, &'static str)>,
    saved: bool,
) -> Response {
    let language = language_of(account);
    let next_due = prefs
        .next_due_at
        .as_deref()
        .map(|t| local_time(t, &prefs.time_zone, language));
    (
        status,
        NotificationsPage {
            t: T::of(language),
            nt: NotifyT::of(language),
            lang: language.as_str(),
            portal,
            csrf: session_csrf(token),
            prefs,
            errors,
            saved,
            next_due,
        },
    )
        .into_response()
}

#[derive(Deserialize, Default)]
pub(super) struct SavedQuery {
    saved: Option<String>,
}

pub(super) async fn notifications_page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<SavedQuery>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (account, token) = match signed_in(&s, &headers, &portal).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let actor = crate::usecases::accounts::person(&account, addr);
    match uc::preferences(&s.cx, &actor, Owner::Account(account.id)).await {
        Ok(prefs) => render(
            portal,
            &account,
            &token,
            StatusCode::OK,
            prefs,
            Vec::new(),
            q.saved.is_some(),
        ),
        Err(e) => crate::web::console::error_page(e),
    }
}

/// Saves the preferences; bad input shows the form again with what was typed, and nothing
/// is saved.
pub(super) async fn save_notifications(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    RawForm(body): RawForm,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (account, token) = match signed_in(&s, &headers, &portal).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let csrf = form_urlencoded::parse(&body)
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !tokens::constant_time_eq(&session_csrf(&token), &csrf) {
        return (
            StatusCode::FORBIDDEN,
            "This form has expired. Reload the page and try again.",
        )
            .into_response();
    }
    let input = preferences_input(&body);
    let actor = crate::usecases::accounts::person(&account, addr);
    let owner = Owner::Account(account.id);
    match uc::set_preferences(&s.cx, &actor, owner, &input).await {
        Ok(_) => {
            Redirect::to(&format!("/portal/{}/notifications?saved=1", portal.id)).into_response()
        }
        Err(Error::Invalid(e) | Error::Conflict(e)) => {
            let prefs = match uc::preferences(&s.cx, &actor, owner).await {
                Ok(p) => as_typed(p, &input),
                Err(e) => return crate::web::console::error_page(e),
            };
            let nt = NotifyT::of(language_of(&account));
            let errors = preference_errors(&e)
                .into_iter()
                .map(|(f, _)| (f, nt.field_error(f)))
                .collect();
            render(
                portal,
                &account,
                &token,
                StatusCode::UNPROCESSABLE_ENTITY,
                prefs,
                errors,
                false,
            )
        }
        Err(e) => crate::web::console::error_page(e),
    }
}
