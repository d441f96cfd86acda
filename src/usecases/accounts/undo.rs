//! Undoing one's own status change on an account, for a short while after it: approve,
//! decline, switch access off or on, deactivate, reactivate. The account goes back to its state
//! before the change if nothing has changed it since, and the change's e-mail, while it still
//! waits in the outbox, is taken out and never sent. An undo is an action of its own: the same
//! permission checks as the change, and an audit event of its own.

use serde::Serialize;

use super::super::{Actor, Ctx, Error, Result, Target, json, record};
use super::status::{StatusAction, StatusAfter};
use crate::catalog::Message;
use crate::domain::account::AccountState;
use crate::storage::accounts::{self as store, PortalAccount};
use crate::storage::{audit, outbox};
use crate::usecases::access::keep_an_admin;

/// How long a change can be undone.
pub const UNDO_MINUTES: i64 = 10;

/// The status changes an undo reverses.
pub const UNDOABLE: [StatusAction; 6] = [
    StatusAction::Approve,
    StatusAction::Decline,
    StatusAction::SwitchOff,
    StatusAction::SwitchOn,
    StatusAction::Deactivate,
    StatusAction::Reactivate,
];

/// Events on an account that leave its state as it is: a change can still be undone after
/// them (the person logged in after being approved, say).
const NOT_CHANGES: &[&str] = &[
    "account.logged_in",
    "account.logged_out",
    "account.login_failed",
    "account.login_refused",
    "account.password_check_failed",
    "account.sessions_ended",
    "account.impersonation_started",
    "account.impersonation_ended",
    "account.impersonation_refused",
    "account.impersonation_session_refused",
    "account.impersonation_change_refused",
];

/// The audit action of undoing `action`: `account.decline_undone`...
pub fn undo_code(action: StatusAction) -> String {
    format!("account.{}_undone", action.as_str())
}

/// What became of the e-mail the change had queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "mail")]
pub enum MailUndone {
    /// The change sent no e-mail.
    None,
    /// It was still in the outbox and is not sent.
    Cancelled { to: String },
    /// It had already left the outbox (or was on its way).
    AlreadySent { to: String },
}

/// What an undo did: the account as it is now, the change undone, and its e-mail.
pub struct Undone {
    pub account: PortalAccount,
    pub undid: StatusAction,
    pub mail: MailUndone,
}

/// What an undo's audit event holds as "after".
#[derive(Serialize)]
struct UndoAfter {
    #[serde(flatten)]
    state: AccountState,
    /// The audit event of the change undone.
    undid_event: i64,
    #[serde(flatten)]
    mail: MailUndone,
}

/// A state recorded in an audit event.
fn parse<T: serde::de::DeserializeOwned>(text: Option<&str>) -> Result<T> {
    let text = text.ok_or_else(|| anyhow::anyhow!("the change recorded no state"))?;
    Ok(serde_json::from_str(text).map_err(anyhow::Error::from)?)
}

fn changed_since() -> Error {
    Error::Refused(Message::new("error-undo-changed-since").into())
}

/// Undoes the status change of audit event `event_id` on account `id`: only the actor's own
/// change, within [`UNDO_MINUTES`], while the account is still as the change left it. Of many
/// requests at once, one undoes and the others are refused.
pub async fn undo_status_change(cx: &Ctx, actor: &Actor, id: i64, event_id: i64) -> Result<Undone> {
    if actor.team.is_some() || actor.id.is_none() {
        return Err(Error::Forbidden(
            Message::new("error-undo-not-yours").into(),
        ));
    }
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let account = match store::get(&mut tx, id).await? {
        Some(a) if actor.reaches(&a) => a,
        _ => return Err(Error::NotFound("account")),
    };
    let event = audit::get(&mut tx, event_id)
        .await?
        .filter(|e| {
            e.target_kind == "portal_account"
                && e.target_id == Some(id)
                && e.actor_kind == actor.kind.as_str()
                && e.actor_id == actor.id
        })
        .ok_or(Error::NotFound("change"))?;
    let undid = event
        .action
        .strip_prefix("account.")
        .and_then(StatusAction::parse)
        .filter(|a| UNDOABLE.contains(a))
        .ok_or_else(|| Error::Refused(Message::new("error-undo-not-undoable").into()))?;
    if now - event.occurred_at > UNDO_MINUTES * 60_000 {
        return Err(Error::Refused(
            Message::new("error-undo-too-late")
                .number("minutes", UNDO_MINUTES)
                .into(),
        ));
    }
    let before: AccountState = parse(event.before_json.as_deref())?;
    let after: StatusAfter = parse(event.after_json.as_deref())?;
    let later = audit::actions_since(&mut tx, "portal_account", id, event_id).await?;
    if later.iter().any(|a| !NOT_CHANGES.contains(&a.as_str())) || account.state() != after.state {
        return Err(changed_since());
    }
    keep_an_admin(&mut tx, actor, &account, Some(&before)).await?;
    if !store::restore_state(&mut tx, id, &after.state, &before, now).await? {
        return Err(changed_since());
    }
    crate::usecases::sessions::end_when_barred(&mut tx, now, actor, &account, &before, &cx.mail)
        .await?;
    let mail = match after.mail {
        None => MailUndone::None,
        Some(m) => match outbox::cancel_unsent(&mut tx, m.outbox_id).await? {
            Some(_) => MailUndone::Cancelled { to: m.to },
            None => MailUndone::AlreadySent { to: m.to },
        },
    };
    let label = format!("{} on {}", account.email, account.portal_name);
    record(
        &mut tx,
        now,
        actor,
        &undo_code(undid),
        Target {
            kind: "portal_account",
            id: Some(id),
            label: &label,
        },
        json(&after.state),
        json(&UndoAfter {
            state: before,
            undid_event: event_id,
            mail: mail.clone(),
        }),
    )
    .await?;
    let account = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    tx.commit().await?;
    cx.logout_wakeup.notify_one();
    Ok(Undone {
        account,
        undid,
        mail,
    })
}
