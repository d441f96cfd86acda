//! Ending sessions, for staff users and portal accounts alike: a person ends one of their other
//! sessions or all of them (giving their password again when they last proved who they are on
//! this session more than [`REAUTHENTICATE_AFTER_MS`] ago); an administrator ends every session
//! of a staff user, staff every session of a portal account they reach; an account that may no
//! longer log in loses its sessions in the same transaction as the change that bars it; and a
//! person holds at most [`PER_PERSON`] sessions of a kind (a new login ends the least recently
//! used beyond that). Each ending is an audit event.

use super::{Actor, Ctx, Error, Result, Target, record};
use crate::clock::today;
use crate::domain::account::{AccountState, Approval, Assignment, Lifecycle, Registration};
use crate::storage::Tx;
use crate::storage::accounts::{self as accounts_store, PortalAccount};
use crate::storage::sessions::{self, Kind};

/// How many sessions of a kind one person may hold (one staff user in the console, one portal
/// account on its portal): a new login beyond this ends the least recently used.
pub const PER_PERSON: i64 = 10;

/// Ending another session asks for the password when the person last proved who they are on
/// this session longer ago than this (10 minutes).
pub const REAUTHENTICATE_AFTER_MS: i64 = 10 * 60_000;

/// Which of their own sessions a person ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which<'a> {
    /// One session, named by its hash (this very one logs out).
    One(&'a str),
    /// Every session but this one.
    Others,
}

impl<'a> Which<'a> {
    /// As a form names it: `others`, or a session's hash.
    pub fn parse(form: &'a str) -> Self {
        match form {
            "others" => Which::Others,
            one => Which::One(one),
        }
    }
}

/// A person ending their own sessions: who, on which session, with the password they typed
/// (empty when none was asked).
pub struct Own<'a> {
    pub kind: Kind,
    pub actor: &'a Actor,
    /// The hash of the session the request came with.
    pub current: &'a str,
    pub password: &'a str,
    /// The browser's device cookie (see [`super::limits`]).
    pub device: Option<&'a str>,
}

/// Whose sessions: the password hash, the audit label and the realm and address the password
/// is checked (and throttled) under.
struct Owner {
    password_hash: Option<String>,
    label: String,
    realm: String,
    address: String,
}

async fn owner(tx: &mut Tx, kind: Kind, id: i64) -> Result<Owner> {
    match kind {
        Kind::Staff => {
            let u = crate::storage::staff::get_staff(tx, id)
                .await?
                .ok_or(Error::NotFound("staff user"))?;
            Ok(Owner {
                password_hash: Some(u.password_hash),
                label: u.email.clone(),
                realm: "console".into(),
                address: u.email,
            })
        }
        Kind::Portal => {
            let a = accounts_store::get(tx, id)
                .await?
                .ok_or(Error::NotFound("account"))?;
            Ok(Owner {
                label: format!("{} on {}", a.email, a.portal_name),
                realm: format!("portal:{}", a.portal_id),
                password_hash: a.password_hash,
                address: a.email,
            })
        }
    }
}

fn target_kind(kind: Kind) -> &'static str {
    match kind {
        Kind::Staff => "staff",
        Kind::Portal => "portal_account",
    }
}

fn event(kind: Kind, what: &str) -> String {
    match kind {
        Kind::Staff => format!("staff.{what}"),
        Kind::Portal => format!("account.{what}"),
    }
}

/// Ends one of the person's own sessions, or all the others; answers how many ended. Ending
/// this very session needs no password; ending any other does, unless the person proved who
/// they are on this session within [`REAUTHENTICATE_AFTER_MS`]. A session that is not theirs
/// is "not found", whoever's it is.
pub async fn end_own(cx: &Ctx, own: &Own<'_>, which: Which<'_>) -> Result<u64> {
    let id = own.actor.id.ok_or(Error::NotFound("session"))?;
    let (needed, owner) = {
        let mut tx = cx.db.read().await?;
        let current = sessions::get(&mut tx, own.kind, own.current)
            .await?
            .filter(|s| s.owner_id == id)
            .ok_or(Error::NotFound("session"))?;
        if let Which::One(hash) = which {
            let theirs = sessions::get(&mut tx, own.kind, hash)
                .await?
                .is_some_and(|s| s.owner_id == id);
            if !theirs {
                return Err(Error::NotFound("session"));
            }
        }
        let owner = owner(&mut tx, own.kind, id).await?;
        let recent = current.authenticated_at + REAUTHENTICATE_AFTER_MS > cx.now();
        (!recent && which != Which::One(own.current), owner)
    };
    let label = owner.label.as_str();
    if needed {
        if own.password.is_empty() {
            return Err(Error::invalid(
                "current_password",
                crate::catalog::Message::new("error-password-again"),
            ));
        }
        // Counted like a login, before anything is hashed.
        let check = super::limits::PasswordCheck::new(
            &owner.realm,
            &owner.address,
            own.actor.client_addr.as_deref(),
            own.device,
        );
        let target = Target {
            kind: target_kind(own.kind),
            id: Some(id),
            label,
        };
        let verify = cx
            .hasher
            .verify(own.password, owner.password_hash.as_deref());
        let failed = event(own.kind, "password_check_failed");
        if !check
            .current_password(cx, own.actor, target, &failed, verify)
            .await?
        {
            return Err(Error::invalid(
                "current_password",
                crate::catalog::Message::new("error-not-current-password"),
            ));
        }
    }
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    if needed {
        sessions::reauthenticated(&mut tx, own.kind, own.current, now).await?;
    }
    let (n, what) = match which {
        Which::One(hash) => (
            sessions::delete_one_of(&mut tx, own.kind, id, hash, now).await?,
            "session_ended",
        ),
        Which::Others => (
            sessions::delete_others(&mut tx, own.kind, id, own.current, now).await?,
            "other_sessions_ended",
        ),
    };
    if n == 0 && matches!(which, Which::One(_)) {
        return Err(Error::NotFound("session"));
    }
    super::impersonation::settle_in(&mut tx, &cx.mail, now).await?;
    let session = match which {
        Which::One(hash) => Some(serde_json::json!({ "session": &hash[..12.min(hash.len())] })),
        Which::Others => Some(serde_json::json!({ "sessions": n })),
    };
    record(
        &mut tx,
        now,
        own.actor,
        &event(own.kind, what),
        Target {
            kind: target_kind(own.kind),
            id: Some(id),
            label,
        },
        None,
        session,
    )
    .await?;
    tx.commit().await?;
    if n > 0 {
        cx.logout_wakeup.notify_one();
        cx.mail_wakeup.notify_one();
    }
    Ok(n)
}

/// Ends every session of a staff user (administrators) or of a portal account (whoever reaches
/// the account); answers how many ended.
pub async fn end_all_of(cx: &Ctx, actor: &Actor, kind: Kind, id: i64) -> Result<u64> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let label = match kind {
        Kind::Staff => {
            if !actor.admin {
                return Err(Error::NotFound("staff user"));
            }
            owner(&mut tx, kind, id).await?.label
        }
        Kind::Portal => {
            let a = actor.account(&mut tx, id).await?;
            format!("{} on {}", a.email, a.portal_name)
        }
    };
    let n = sessions::delete_of(&mut tx, kind, id, now).await?;
    super::impersonation::settle_in(&mut tx, &cx.mail, now).await?;
    record(
        &mut tx,
        now,
        actor,
        &event(kind, "sessions_ended"),
        Target {
            kind: target_kind(kind),
            id: Some(id),
            label: &label,
        },
        None,
        Some(serde_json::json!({ "reason": "ended_by_staff", "sessions": n })),
    )
    .await?;
    tx.commit().await?;
    if n > 0 {
        cx.logout_wakeup.notify_one();
        cx.mail_wakeup.notify_one();
    }
    Ok(n)
}

/// Why an account in `state` may not log in on `today`, as the audit log says it; `None` when
/// it may.
pub fn barred(state: &AccountState, today: i64) -> Option<&'static str> {
    if !state.access_granted {
        Some("switched_off")
    } else if state.lifecycle == Lifecycle::Deactivated {
        Some("deactivated")
    } else if state.expired(today) {
        Some("valid_until_passed")
    } else if state.approval == Approval::Declined {
        Some("declined")
    } else if state.approval == Approval::Pending || state.assignment == Assignment::Pending {
        Some("awaiting_approval")
    } else if state.registration != Registration::Registered {
        Some("not_registered")
    } else if !state.role.may_log_in() {
        Some("role_without_login")
    } else {
        None
    }
}

/// In the transaction of a change that leaves `account` in `next`: when it may no longer log
/// in, every session of the account ends now, with an audit event (switching access off and on
/// again brings no session back). An impersonation of the account ends with them, recorded and
/// told to the person in the same transaction.
pub async fn end_when_barred(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    account: &PortalAccount,
    next: &AccountState,
    mail: &super::mail::MailSettings,
) -> Result<u64> {
    let Some(reason) = barred(next, today(now)) else {
        return Ok(0);
    };
    crate::storage::impersonations::set_end_reason_of_account(tx, account.id, "account_barred")
        .await?;
    let n = sessions::delete_of(tx, Kind::Portal, account.id, now).await?;
    super::impersonation::settle_in(tx, mail, now).await?;
    if n > 0 {
        record(
            tx,
            now,
            actor,
            "account.sessions_ended",
            Target {
                kind: "portal_account",
                id: Some(account.id),
                label: &format!("{} on {}", account.email, account.portal_name),
            },
            None,
            Some(serde_json::json!({ "reason": reason, "sessions": n })),
        )
        .await?;
    }
    Ok(n)
}

/// After a login, in its transaction: the person's sessions beyond [`PER_PERSON`] end, the least
/// recently used first.
pub async fn keep_per_person(tx: &mut Tx, kind: Kind, owner_id: i64, now: i64) -> Result<u64> {
    Ok(sessions::keep_newest(tx, kind, owner_id, PER_PERSON, now).await?)
}
