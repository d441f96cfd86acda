//! Undo, from the result message of a reversible change on an account: the change is undone
//! (the use case checks the time, the account and the staff member), and the message says what
//! became of the account and of the change's e-mail; a refusal says why, and changes nothing.

use crate::catalog::Message;
use axum::extract::State;
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

use super::account_actions::back_to;
use super::undo_offer::verify;
use super::{Staff, done};
use crate::usecases::Error;
use crate::usecases::accounts::{self as uc, MailUndone, StatusAction, Undone};
use crate::web::AppState;
use crate::web::page::{Id, PageResult};

pub fn router() -> Router<AppState> {
    Router::new().route("/console/accounts/{id}/undo", post(undo))
}

#[derive(Deserialize, Default)]
struct UndoForm {
    /// The Undo button's value: the change, signed for this session. Without it (a form sent
    /// without pressing the button), nothing happens.
    undo: Option<String>,
    /// The page the change was made from: the message goes there.
    back: Option<String>,
}

async fn undo(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    Form(f): Form<UndoForm>,
) -> PageResult {
    let to = back_to(f.back, format!("/console/accounts/{id}"));
    let Some(token) = f.undo.filter(|t| !t.trim().is_empty()) else {
        return Ok(done(&s, &to, &staff.t("flash-choose-action")));
    };
    let Some(event_id) = verify(&staff.undo_key, id, &token) else {
        return Ok(done(&s, &to, &staff.t("flash-undo-not-yours")));
    };
    match uc::undo_status_change(&s.cx, &staff.actor, id, event_id).await {
        Ok(u) => Ok(done(&s, &to, &said(&staff, &u))),
        Err(Error::Refused(why)) => Ok(done(&s, &to, &why.render(staff.language().as_str()))),
        Err(e) => Err(e.into()),
    }
}

/// "Undone: anna@… on Customer portal is back to “Pending approval”. The e-mail to anna@… is
/// not sent."
fn said(staff: &Staff, u: &Undone) -> String {
    let a = &u.account;
    let now = match u.undid {
        StatusAction::Approve | StatusAction::Decline => staff.say(&a.approval.label()),
        StatusAction::SwitchOff | StatusAction::SwitchOn if a.access_granted => {
            staff.t("undone-access-on")
        }
        StatusAction::SwitchOff | StatusAction::SwitchOn => staff.t("undone-access-off"),
        _ => staff.say(&a.lifecycle.label()),
    };
    let mail = match &u.mail {
        MailUndone::None => String::new(),
        MailUndone::Cancelled { to } => {
            staff.say(&Message::new("undone-mail-cancelled").text("to", to.clone()))
        }
        MailUndone::AlreadySent { to } => {
            staff.say(&Message::new("undone-mail-sent").text("to", to.clone()))
        }
    };
    let said = staff.say(
        &Message::new("undone")
            .text("email", a.email.clone())
            .text(
                "portal",
                a.portal_name_in(staff.language().as_str()).to_string(),
            )
            .text("now", now),
    );
    if mail.is_empty() {
        said
    } else {
        format!("{said} {mail}")
    }
}
