//! Staff change an account's statuses: approve, decline, switch access off and on, set
//! valid-until, deactivate, reactivate (an organization's admins the last two), and remove it.
//! Each writes its e-mail to the outbox and its audit event in the same transaction.

use serde::{Deserialize, Serialize};

use super::super::{Actor, Ctx, Error, Result, Target, json, record_id};
use crate::domain::EmailAddress;
use crate::domain::account::{AccountState, Action, Registration};
use crate::storage::accounts::{self as store, PortalAccount};
use crate::storage::directory;
use crate::usecases::access::keep_an_admin;
use crate::usecases::mail::{Outgoing, enqueue};

/// What a staff action on an account's statuses does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusAction {
    Approve,
    Decline,
    SwitchOff,
    SwitchOn,
    /// Sets (or, without a day, clears) the last day the account may log in.
    SetValidUntil,
    Deactivate,
    Reactivate,
}

impl StatusAction {
    pub const ALL: [StatusAction; 7] = [
        StatusAction::Approve,
        StatusAction::Decline,
        StatusAction::SwitchOff,
        StatusAction::SwitchOn,
        StatusAction::SetValidUntil,
        StatusAction::Deactivate,
        StatusAction::Reactivate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StatusAction::Approve => "approve",
            StatusAction::Decline => "decline",
            StatusAction::SwitchOff => "switch_off",
            StatusAction::SwitchOn => "switch_on",
            StatusAction::SetValidUntil => "set_valid_until",
            StatusAction::Deactivate => "deactivate",
            StatusAction::Reactivate => "reactivate",
        }
    }

    /// The action a form names (`approve`, `switch_off`...).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A staff action on an account's statuses.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub action: StatusAction,
    /// For `set_valid_until`: the last day the account may log in, `YYYY-MM-DD`; absent or null clears it.
    #[serde(default)]
    #[schema(format = Date)]
    pub valid_until: Option<String>,
    /// Send the person the e-mail that goes with the change (default true).
    #[serde(default)]
    pub notify: Option<bool>,
    /// For `approve` and `decline`: a few words of staff's own for the e-mail.
    #[serde(default)]
    pub message: Option<String>,
}

/// Approves, declines, switches access, sets valid-until, deactivates or reactivates an
/// account, with its e-mail (approved, declined, access_off, access_on, valid_until_set,
/// deactivated, reactivated) written to the outbox in the same transaction.
pub async fn change_status(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    change: &StatusChange,
) -> Result<PortalAccount> {
    Ok(change_status_told(cx, actor, id, change).await?.account)
}

/// What a change did: the account as it is now, the address its e-mail went to, if one
/// was written to the outbox, and its audit event (what an undo names).
pub struct Changed {
    pub account: PortalAccount,
    pub mailed_to: Option<String>,
    pub event_id: i64,
}

/// What a status change's audit event holds as "after": the new state, and the e-mail the
/// change queued (so that its history can say to whom, and an undo can cancel it while it
/// waits in the outbox).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusAfter {
    #[serde(flatten)]
    pub state: AccountState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail: Option<QueuedMail>,
}

/// An e-mail a change wrote to the outbox.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct QueuedMail {
    pub to: String,
    pub outbox_id: i64,
}

/// The domain action a staff action stands for.
pub(super) fn domain_action(change: &StatusChange) -> Result<Action> {
    Ok(match change.action {
        StatusAction::Approve => Action::Approve,
        StatusAction::Decline => Action::Decline,
        StatusAction::SwitchOff => Action::SwitchAccess(false),
        StatusAction::SwitchOn => Action::SwitchAccess(true),
        StatusAction::Deactivate => Action::Deactivate,
        StatusAction::Reactivate => Action::Reactivate,
        StatusAction::SetValidUntil => {
            let day = match change.valid_until.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(d) => {
                    Some(crate::clock::parse_day(d).map_err(|m| Error::invalid("valid_until", m))?)
                }
            };
            Action::SetValidUntil(day)
        }
    })
}

/// The e-mail an action on an account sends, if any: nobody is told about an account that has
/// not been set up yet (an invitation still open), except of its approval or decline.
pub(super) fn mail_event(account: &PortalAccount, action: Action) -> Option<&'static str> {
    let reachable = account.registration == Registration::Registered
        || matches!(action, Action::Approve | Action::Decline);
    let event = match action {
        Action::Approve => "approved",
        Action::Decline => "declined",
        Action::SwitchAccess(false) => "access_off",
        Action::SwitchAccess(true) => "access_on",
        Action::Deactivate => "deactivated",
        Action::Reactivate => "reactivated",
        Action::SetValidUntil(Some(_)) => "valid_until_set",
        _ => return None,
    };
    reachable.then_some(event)
}

/// The e-mail removing an account sends: "your access was revoked" to a person who had
/// registered; an invitation still open is simply cancelled.
pub(super) fn removal_mail_event(account: &PortalAccount) -> Option<&'static str> {
    (account.registration == Registration::Registered).then_some("access_revoked")
}

/// [`change_status`], telling also whether its e-mail was written to the outbox and to whom.
pub async fn change_status_told(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    change: &StatusChange,
) -> Result<Changed> {
    let action = domain_action(change)?;
    if actor.team.is_some() && !matches!(action, Action::Deactivate | Action::Reactivate) {
        return Err(Error::Forbidden(
            crate::catalog::Message::new("error-team-lifecycle-only").into(),
        ));
    }
    let message = crate::domain::validation::optional_multiline(change.message.as_deref(), 2000)
        .map_err(|m| Error::invalid("message", m))?
        .unwrap_or_default();
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let account = match store::get(&mut tx, id).await? {
        Some(a) if actor.reaches(&a) => a,
        _ => return Err(Error::NotFound("account")),
    };
    let state = account.state();
    let next = state
        .apply(action)
        .map_err(|e| Error::Refused(e.message().into()))?;
    keep_an_admin(&mut tx, actor, &account, Some(&next)).await?;
    store::set_state(&mut tx, id, &next, now).await?;
    crate::usecases::sessions::end_when_barred(&mut tx, now, actor, &account, &next, &cx.mail)
        .await?;
    let portal = directory::get_portal(&mut tx, account.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let login_url = format!(
        "{}/portal/{}/login",
        cx.mail.public_url.trim_end_matches('/'),
        portal.id
    );
    let variables = match action {
        Action::Approve => serde_json::json!({ "login_url": login_url, "message": message }),
        Action::Decline => serde_json::json!({ "message": message }),
        Action::SwitchAccess(true) | Action::Reactivate => {
            serde_json::json!({ "login_url": login_url })
        }
        Action::SetValidUntil(Some(day)) => {
            let locale = crate::usecases::mail::account_locale(&account, &portal);
            serde_json::json!({ "valid_until": crate::mail::variables::day(&locale, day) })
        }
        _ => serde_json::json!({}),
    };
    let mut mail = None;
    if let Some(event) = mail_event(&account, action)
        && change.notify.unwrap_or(true)
    {
        let recipient =
            EmailAddress::parse(&account.email).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?;
        let outbox_id = enqueue(
            &mut tx,
            now,
            &cx.mail,
            &Outgoing::to_account(&account, &portal, event, &recipient, variables),
        )
        .await?;
        mail = Some(QueuedMail {
            to: account.email.clone(),
            outbox_id,
        });
    }
    let mailed_to = mail.as_ref().map(|m| m.to.clone());
    let label = format!("{} on {}", account.email, account.portal_name);
    let action_name = format!("account.{}", change.action.as_str());
    let event_id = record_id(
        &mut tx,
        now,
        actor,
        &action_name,
        Target {
            kind: "portal_account",
            id: Some(id),
            label: &label,
        },
        json(&state),
        json(&StatusAfter { state: next, mail }),
    )
    .await?;
    let account = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    cx.logout_wakeup.notify_one();
    Ok(Changed {
        account,
        mailed_to,
        event_id,
    })
}

/// Removes an account: the contact stays, the address can be invited again later. A person who
/// had registered is told ("your access was revoked"); an invitation still open is simply
/// cancelled.
pub async fn remove_account(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    notify: bool,
) -> Result<PortalAccount> {
    Ok(remove_account_told(cx, actor, id, notify).await?.account)
}

/// [`remove_account`], telling also whether its e-mail was written to the outbox and to whom.
pub async fn remove_account_told(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    notify: bool,
) -> Result<Changed> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let account = actor.account(&mut tx, id).await?;
    let portal = directory::get_portal(&mut tx, account.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    keep_an_admin(&mut tx, actor, &account, None).await?;
    // Its sessions end first, so that the applications it was logged in to hear of it.
    crate::storage::sessions::delete_of(&mut tx, crate::storage::sessions::Kind::Portal, id, now)
        .await?;
    store::delete(&mut tx, id).await?;
    let cancelled = account.registration != Registration::Registered;
    let mut mailed_to = None;
    if let Some(event) = removal_mail_event(&account)
        && notify
    {
        let recipient =
            EmailAddress::parse(&account.email).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?;
        enqueue(
            &mut tx,
            now,
            &cx.mail,
            &Outgoing::to_account(
                &account,
                &portal,
                event,
                &recipient,
                serde_json::json!({ "organization_name": account.organization_name }),
            ),
        )
        .await?;
        mailed_to = Some(account.email.clone());
    }
    let label = format!("{} on {}", account.email, account.portal_name);
    let action = if cancelled {
        "account.invitation_cancelled"
    } else {
        "account.removed"
    };
    let event_id = record_id(
        &mut tx,
        now,
        actor,
        action,
        Target {
            kind: "portal_account",
            id: Some(id),
            label: &label,
        },
        json(&account),
        None,
    )
    .await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    cx.logout_wakeup.notify_one();
    Ok(Changed {
        account,
        mailed_to,
        event_id,
    })
}
