//! What a staff action that takes something away will do, said before it is done: declining,
//! switching access off, deactivating, removing an account and ending its sessions are asked
//! for on a confirmation page that names what happens and who gets which e-mail.

use super::super::{Actor, Ctx, Error, Result};
use super::status::{StatusAction, StatusChange, domain_action, mail_event, removal_mail_event};
use crate::domain::directory::Language;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory;
use crate::usecases::mail::choose_language;

/// An action that is confirmed before it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmed {
    Decline,
    SwitchOff,
    Deactivate,
    Remove,
    EndSessions,
}

impl Confirmed {
    pub const ALL: [Confirmed; 5] = [
        Confirmed::Decline,
        Confirmed::SwitchOff,
        Confirmed::Deactivate,
        Confirmed::Remove,
        Confirmed::EndSessions,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Confirmed::Decline => "decline",
            Confirmed::SwitchOff => "switch_off",
            Confirmed::Deactivate => "deactivate",
            Confirmed::Remove => "remove",
            Confirmed::EndSessions => "end_sessions",
        }
    }

    /// The action a form names, when it is one that is confirmed first.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    fn status_action(self) -> Option<StatusAction> {
        match self {
            Confirmed::Decline => Some(StatusAction::Decline),
            Confirmed::SwitchOff => Some(StatusAction::SwitchOff),
            Confirmed::Deactivate => Some(StatusAction::Deactivate),
            Confirmed::Remove | Confirmed::EndSessions => None,
        }
    }
}

/// The e-mail an action would write to the outbox.
pub struct PlannedMail {
    /// The event (`declined`...) and the name staff know it by ("Request declined").
    pub event: &'static str,
    pub label: &'static str,
    pub to: String,
    pub language: Language,
}

/// What an action on an account will do, before it is done.
pub struct Consequence {
    pub action: Confirmed,
    pub account: PortalAccount,
    /// Whether the account had registered (removing an invitation still open cancels it).
    pub registered: bool,
    /// The e-mail that goes with it, when there is one.
    pub mail: Option<PlannedMail>,
}

/// What `action` would do to the account: refused at once when it cannot be done (declining a
/// declined account), so that nobody confirms what would fail.
pub async fn consequence(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    action: Confirmed,
) -> Result<Consequence> {
    let mut tx = cx.db.read().await?;
    let account = actor.account(&mut tx, id).await?;
    let event = match action.status_action() {
        Some(a) => {
            let change = StatusChange {
                action: a,
                valid_until: None,
                notify: None,
                message: None,
            };
            let a = domain_action(&change)?;
            account
                .state()
                .apply(a)
                .map_err(|e| Error::Refused(e.message().into()))?;
            mail_event(&account, a)
        }
        None if action == Confirmed::Remove => removal_mail_event(&account),
        None => None,
    };
    let mail = match event {
        Some(event) => {
            let portal = directory::get_portal(&mut tx, account.portal_id)
                .await?
                .ok_or(Error::NotFound("portal"))?;
            Some(PlannedMail {
                event,
                label: crate::mail::templates::event(event).map_or(event, |e| e.label),
                to: account.email.clone(),
                language: choose_language(Some(&account.language), Some(&portal.default_language)),
            })
        }
        None => None,
    };
    Ok(Consequence {
        action,
        registered: account.registration == crate::domain::account::Registration::Registered,
        account,
        mail,
    })
}
