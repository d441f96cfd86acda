//! The person's own e-mail notifications on the portal pages: how often a digest comes (off,
//! daily, weekly on Monday, at 08:00 in their time zone) and which categories it covers.

use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::page::SignedIn;
use super::words::Words;
use crate::domain::local_time::Locale;
use crate::storage::directory::Portal;
use crate::storage::tasks::Owner;
use crate::usecases::accounts::person;
use crate::usecases::notifications::{self as uc, Preferences};
use crate::web::notifications::{as_typed, local_time, preference_errors, preferences_input};
use crate::web::page::{PageResult, form_errors};
use crate::web::{AppState, ClientAddr};

#[derive(Template, WebTemplate)]
#[template(path = "portal/notifications.html")]
struct NotificationsPage {
    words: Words,
    lang: &'static str,
    /// `?lang=xx` for the links and forms when the language was chosen so, else empty.
    lang_query: String,
    portal: Portal,
    csrf: String,
    prefs: Preferences,
    errors: Vec<(&'static str, String)>,
    saved: bool,
    /// When the next digest comes, in the person's zone and language.
    next_due: Option<String>,
}

impl NotificationsPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn render(
    me: SignedIn,
    status: StatusCode,
    prefs: Preferences,
    errors: Vec<(&'static str, String)>,
    saved: bool,
) -> Response {
    let language = me.language();
    let next_due = prefs
        .next_due_at
        .as_deref()
        .map(|t| local_time(t, &Locale::new(&prefs.time_zone, language)));
    (
        status,
        NotificationsPage {
            words: Words::of(language),
            lang: language.as_str(),
            lang_query: me.lang_query(),
            csrf: me.csrf(),
            portal: me.page.portal,
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
    me: SignedIn,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<SavedQuery>,
) -> PageResult {
    let actor = person(&me.account, addr);
    let prefs = uc::preferences(&s.cx, &actor, Owner::Account(me.account.id)).await?;
    let saved = q.saved.is_some();
    Ok(render(me, StatusCode::OK, prefs, Vec::new(), saved))
}

/// Saves the preferences; bad input shows the form again with what was typed, and nothing
/// is saved.
pub(super) async fn save_notifications(
    State(s): State<AppState>,
    me: SignedIn,
    ClientAddr(addr): ClientAddr,
    RawForm(body): RawForm,
) -> PageResult {
    let fields = crate::web::picker::fields(&body);
    me.check_csrf(crate::web::picker::one(&fields, "csrf"))?;
    super::impersonation::refuse_unless_actions(&s, &me, addr.clone(), "notifications").await?;
    let input = preferences_input(&body);
    let actor = match &me.impersonation {
        Some(imp) => crate::usecases::impersonation::acting_as(person(&me.account, addr), imp),
        None => person(&me.account, addr),
    };
    let owner = Owner::Account(me.account.id);
    Ok(
        match form_errors(uc::set_preferences(&s.cx, &actor, owner, &input).await)? {
            Ok(_) => Redirect::to(&format!(
                "/portal/{}/notifications?saved=1{}",
                me.page.id(),
                me.lang_param()
            ))
            .into_response(),
            Err(e) => {
                let prefs = as_typed(uc::preferences(&s.cx, &actor, owner).await?, &input);
                // The rules speak English; the page says what to choose.
                let words = Words::of(me.language());
                let errors = preference_errors(&e)
                    .into_iter()
                    .map(|(f, _)| {
                        let key = match f {
                            "frequency" => "portal-notify-choose-frequency",
                            _ => "portal-notify-choose-categories",
                        };
                        (f, words.t(key))
                    })
                    .collect();
                render(me, StatusCode::UNPROCESSABLE_ENTITY, prefs, errors, false)
            }
        },
    )
}
