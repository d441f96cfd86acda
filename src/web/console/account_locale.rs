//! Staff set a portal account's language and time zone (its e-mails, digests and pages follow
//! them), notifications-only accounts included: the small form on the account page
//! (`templates/console/_account_locale.html`) and where it posts.

use crate::catalog::Message;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

use super::{Staff, done};
use crate::domain::directory::Language;
use crate::usecases::profile::{self, LocaleInput};
use crate::web::AppState;
use crate::web::page::{Id, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/console/accounts/{id}/locale", post(set_locale))
}

/// The zones the form offers.
pub fn time_zones() -> Vec<&'static str> {
    profile::time_zones().collect()
}

/// The languages the form offers.
pub fn languages() -> &'static [Language] {
    Language::ALL
}

/// The form as sent (besides `csrf`).
#[derive(Deserialize)]
struct LocaleForm {
    #[serde(default)]
    language: String,
    #[serde(default)]
    time_zone: String,
}

/// Saves the language and time zone; an unknown one is refused with the reason, and nothing
/// changes.
async fn set_locale(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    Form(f): Form<LocaleForm>,
) -> PageResult<Response> {
    let input = LocaleInput {
        language: f.language,
        time_zone: f.time_zone,
    };
    let a = profile::set_account_locale(&s.cx, &staff.actor, id, &input).await?;
    let language = Language::parse(&a.language)
        .map(Language::label)
        .unwrap_or("?");
    let said = Message::new("flash-locale-saved")
        .text("language", language)
        .text("zone", a.time_zone.clone());
    Ok(done(
        &s,
        &format!("/console/accounts/{id}#locale"),
        &staff.say(&said),
    ))
}
