//! The logged-in staff user's own notifications: the language and time zone of their digests,
//! how often a digest comes and what it covers, and the digests they got lately.

use crate::catalog::Message;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use super::{Chrome, Staff, done};
use crate::domain::directory::Language;
use crate::domain::local_time::Locale;
use crate::storage::tasks::Owner;
use crate::usecases::notifications as uc;
use crate::usecases::notifications::PreferencesInput;
use crate::usecases::profile::time_zones;
use crate::web::AppState;
use crate::web::notifications::{
    PreferencesSection, as_typed, local_time, preference_errors, preferences_input,
};
use crate::web::page::{PageResult, form_errors};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/notifications", get(show).post(save_preferences))
        .route("/console/notifications/locale", post(save_locale))
}

#[derive(Template, WebTemplate)]
#[template(path = "console/notifications.html")]
struct NotificationsPage {
    chrome: Chrome,
    /// The language and time zone form, as stored or as typed.
    language: String,
    time_zone: String,
    time_zones: Vec<&'static str>,
    languages: &'static [Language],
    locale_errors: Vec<(&'static str, String)>,
    notify: PreferencesSection,
}

impl NotificationsPage {
    fn locale_error(&self, field: &str) -> Option<&str> {
        self.locale_errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// What to show again after an error: the locale form, or the preferences form, as typed.
enum Typed {
    Locale {
        language: String,
        time_zone: String,
        errors: Vec<(&'static str, String)>,
    },
    Preferences {
        input: PreferencesInput,
        errors: Vec<(&'static str, String)>,
    },
}

async fn page(s: &AppState, staff: &Staff, typed: Option<Typed>, status: StatusCode) -> PageResult {
    let owner = Owner::Staff(staff.user.id);
    let prefs = uc::preferences_named(&s.cx, &staff.actor, owner, Some(staff.language())).await?;
    let digests = uc::recent_digests(&s.cx, &staff.actor, owner).await?;
    let mut language = staff.user.language.clone();
    let mut time_zone = staff.user.time_zone.clone();
    let mut locale_errors = Vec::new();
    let (prefs, prefs_errors) = match typed {
        Some(Typed::Locale {
            language: l,
            time_zone: z,
            errors,
        }) => {
            language = l;
            time_zone = z;
            locale_errors = errors;
            (prefs, Vec::new())
        }
        Some(Typed::Preferences { input, errors }) => (as_typed(prefs, &input), errors),
        None => (prefs, Vec::new()),
    };
    Ok((
        status,
        NotificationsPage {
            chrome: staff.chrome("notifications"),
            language,
            time_zone,
            time_zones: time_zones().collect(),
            languages: Language::ALL,
            locale_errors,
            notify: PreferencesSection::new(
                "/console/notifications".into(),
                prefs,
                prefs_errors,
                digests,
                &staff.locale(),
            ),
        },
    )
        .into_response())
}

async fn show(State(s): State<AppState>, staff: Staff) -> PageResult {
    page(&s, &staff, None, StatusCode::OK).await
}

async fn save_preferences(
    State(s): State<AppState>,
    staff: Staff,
    RawForm(body): RawForm,
) -> PageResult {
    let input = preferences_input(&body);
    let owner = Owner::Staff(staff.user.id);
    match form_errors(uc::set_preferences(&s.cx, &staff.actor, owner, &input).await)? {
        Ok(p) => {
            let said = match &p.next_due_at {
                Some(t) => Message::new("flash-own-notifications-saved-next").text(
                    "when",
                    local_time(t, &Locale::new(&p.time_zone, staff.locale().language)),
                ),
                None => Message::new("flash-notifications-saved-none"),
            };
            Ok(done(&s, "/console/notifications", &staff.say(&said)))
        }
        Err(e) => {
            let typed = Typed::Preferences {
                input,
                errors: preference_errors(&e),
            };
            page(&s, &staff, Some(typed), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

async fn save_locale(
    State(s): State<AppState>,
    staff: Staff,
    RawForm(body): RawForm,
) -> PageResult {
    let field = |name: &str| {
        form_urlencoded::parse(&body)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    let (language, time_zone) = (field("language"), field("time_zone"));
    let saved =
        uc::set_staff_locale(&s.cx, &staff.actor, staff.user.id, &language, &time_zone).await;
    match form_errors(saved)? {
        Ok(()) => Ok(done(
            &s,
            "/console/notifications",
            &staff.t("flash-own-locale-saved"),
        )),
        Err(e) => {
            let errors = ["language", "time_zone"]
                .into_iter()
                .filter_map(|f| e.text(f, staff.language().as_str()).map(|m| (f, m)))
                .collect();
            let typed = Typed::Locale {
                language: language.chars().take(10).collect(),
                time_zone: time_zone.chars().take(100).collect(),
                errors,
            };
            page(&s, &staff, Some(typed), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}
