//! The staff actions on a portal account (its page, its contact's page, the access list's row
//! menu): each its own button; those that take something away (decline, switch off,
//! deactivate, remove, end sessions) first show a page that says what will happen and who gets
//! which e-mail, and are done only from there. The message afterwards says what was done.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

use super::undo_offer::UndoOffer;
use super::{Chrome, Staff, done, done_undoable, sessions_ended};
use crate::catalog::Message;
use crate::storage::sessions::Kind;
use crate::usecases::Error;
use crate::usecases::accounts::{self as uc, Changed, Confirmed, Consequence};
use crate::usecases::sessions::end_all_of;
use crate::web::AppState;
use crate::web::page::{Id, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/console/accounts/{id}/status", post(act))
}

/// An action form as sent: which button was pressed, and what goes with it.
#[derive(Deserialize, Default)]
pub struct ActionForm {
    #[serde(default)]
    action: String,
    back: Option<String>,
    /// Present when the e-mail that goes with the action is to be sent.
    notify: Option<String>,
    /// Present when sent from the confirmation page.
    confirmed: Option<String>,
    valid_until: Option<String>,
    message: Option<String>,
    send_to: Option<String>,
}

/// Where a form goes back to: a console page, never elsewhere.
pub fn back_to(raw: Option<String>, fallback: String) -> String {
    match raw {
        Some(b) if b.starts_with("/console/") && !b.starts_with("//") && !b.contains('\\') => b,
        _ => fallback,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/account_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    c: Consequence,
    back: String,
    message: String,
}

/// Every staff action on an account. An action that takes something away, not yet confirmed,
/// answers with its confirmation page and changes nothing.
async fn act(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    Form(f): Form<ActionForm>,
) -> PageResult<Response> {
    let back = back_to(f.back.clone(), format!("/console/accounts/{id}"));
    if let Some(action) = Confirmed::parse(&f.action)
        && f.confirmed.is_none()
    {
        let c = uc::consequence(&s.cx, &staff.actor, id, action).await?;
        let message = f.message.clone().unwrap_or_default();
        let chrome = staff.chrome("access");
        return Ok(ConfirmPage {
            chrome,
            c,
            back,
            message,
        }
        .into_response());
    }
    let (to, said, undo) = perform(&s, &staff, id, &f, back).await?;
    Ok(match undo {
        Some(event_id) => {
            let offer = UndoOffer::new(&staff.undo_key, id, event_id, &to);
            done_undoable(&s, &to, &said, &offer)
        }
        None => done(&s, &to, &said),
    })
}

/// Does the action; returns where to go next, what to say there, and the change (its audit
/// event) that an Undo beside the message would undo.
async fn perform(
    s: &AppState,
    staff: &Staff,
    id: i64,
    f: &ActionForm,
    back: String,
) -> Result<(String, String, Option<i64>), Error> {
    let notify = f.notify.is_some();
    let changed = match f.action.as_str() {
        "" => return Ok((back, staff.t("flash-choose-action"), None)),
        "password_link" => {
            let to = f.send_to.as_deref().filter(|t| !t.trim().is_empty());
            let a = uc::send_password_link(&s.cx, &staff.actor, id, to).await?;
            let to = to.map_or(a.email.clone(), |t| t.trim().to_string());
            let said = staff.say(&Message::new("flash-password-link-queued").text("to", to));
            return Ok((back, said, None));
        }
        "resend" => {
            let a = uc::resend_link(&s.cx, &staff.actor, id).await?;
            let said = staff.say(&Message::new("flash-sent-again").text("to", a.email));
            return Ok((back, said, None));
        }
        "end_sessions" => {
            let n = end_all_of(&s.cx, &staff.actor, Kind::Portal, id).await?;
            let said = format!(
                "{} {}",
                sessions_ended(staff.language(), n),
                staff.t("flash-no-mail")
            );
            return Ok((back, said, None));
        }
        "remove" => {
            let c = uc::remove_account_told(&s.cx, &staff.actor, id, notify).await?;
            let registered =
                c.account.registration == crate::domain::account::Registration::Registered;
            let done = if registered {
                "done-removed"
            } else {
                "done-invitation-cancelled"
            };
            // The account's own page is gone; go where it makes sense.
            let to = if back.starts_with(&format!("/console/accounts/{id}")) {
                "/console/access".to_string()
            } else {
                back
            };
            return Ok((to, said(staff, done, &c), None));
        }
        other => {
            let action = uc::StatusAction::parse(other)
                .ok_or_else(|| Error::invalid("action", Message::new("error-choose-action")))?;
            let change = uc::StatusChange {
                action,
                valid_until: f.valid_until.clone(),
                notify: Some(notify),
                message: f.message.clone(),
            };
            uc::change_status_told(&s.cx, &staff.actor, id, &change).await?
        }
    };
    let what = match f.action.as_str() {
        "approve" => "done-approved",
        "decline" => "done-declined",
        "switch_off" => "done-switched-off",
        "switch_on" => "done-switched-on",
        "deactivate" => "done-deactivated",
        "reactivate" => "done-reactivated",
        _ if changed.account.valid_until.is_some() => "done-valid-until-set",
        _ => "done-valid-until-cleared",
    };
    let undo = uc::UNDOABLE
        .iter()
        .any(|a| a.as_str() == f.action)
        .then_some(changed.event_id);
    Ok((back, said(staff, what, &changed), undo))
}

/// "Declined: anna@… on Customer portal. The e-mail to anna@… is queued." `what` is the
/// catalog key of what was done.
fn said(staff: &Staff, what: &'static str, c: &Changed) -> String {
    let mail = match &c.mailed_to {
        Some(to) => Message::new("flash-mail-queued").text("to", to.clone()),
        None => Message::new("flash-no-mail"),
    };
    staff.say(
        &Message::new("flash-done-on")
            .message("what", Message::new(what))
            .text("email", c.account.email.clone())
            .text(
                "portal",
                c.account
                    .portal_name_in(staff.language().as_str())
                    .to_string(),
            )
            .message("mail", mail),
    )
}
