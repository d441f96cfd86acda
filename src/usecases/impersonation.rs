//! Impersonation: a staff member views a portal as one of its accounts, with a reason and a
//! time limit, through a portal session of its own. Starting it, ending it at the banner's
//! button, and settling its end (however it came: the button, the time limit, the staff
//! member's logout or lost console session, the account barred): an audit event and, where the
//! portal says so, an e-mail to the person saying when, how long, by whom and why. Every refusal
//! is an audit event too.

use serde_json::json;

use super::mail::{self as mail_uc, MailSettings, Outgoing};
use super::{Actor, ActorKind, Ctx, Error, Result, Target, record};
use crate::clock::today;
use crate::domain::EmailAddress;
use crate::domain::directory::Language;
use crate::domain::impersonation::{self as rule, Facts, Refusal};
use crate::domain::local_time::Locale;
use crate::security::tokens;
use crate::storage::Tx;
use crate::storage::accounts::{self as accounts_store, PortalAccount};
use crate::storage::directory::{self as dir_store, Portal};
use crate::storage::impersonations::{self as store, NewImpersonation};
use crate::storage::sessions::{self, Kind};

pub use crate::storage::impersonations::Impersonation;

/// What a started impersonation hands to the browser: the portal session's token.
pub struct Started {
    pub token: String,
    pub portal_id: i64,
    pub expires_at: i64,
}

fn account_label(a: &PortalAccount) -> String {
    format!("{} on {}", a.email, a.portal_name)
}

/// Records a refusal to start, in its own transaction.
async fn refused(cx: &Ctx, actor: &Actor, account_id: i64, label: &str, why: &str) -> Result<()> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    record(
        &mut tx,
        now,
        actor,
        "account.impersonation_refused",
        Target {
            kind: "portal_account",
            id: Some(account_id),
            label,
        },
        None,
        Some(json!({ "why": why })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The facts the rule needs about a staff member and an account, read in `tx`.
async fn facts(
    tx: &mut Tx,
    actor: &Actor,
    account: &PortalAccount,
    portal: &Portal,
    now: i64,
) -> Result<Facts> {
    let running = match actor.id {
        Some(id) => store::running_of_staff(tx, id)
            .await?
            .is_some_and(|r| r.expires_at > now),
        None => false,
    };
    Ok(Facts {
        portal_allows: portal.impersonation_allowed,
        account_may_log_in: account.state().login(today(now)).is_ok(),
        staff_address: store::is_staff_address(tx, &account.email).await?,
        already_running: running,
    })
}

/// Whether the staff member may view the portal as the account now, and if not why (for the
/// console's account page). "Not found" when the account lies out of their reach.
pub async fn check(cx: &Ctx, actor: &Actor, account_id: i64) -> Result<Result<(), Refusal>> {
    if actor.kind != ActorKind::Staff {
        return Ok(Err(Refusal::NotStaff));
    }
    let now = cx.now();
    let mut tx = cx.db.read().await?;
    let account = actor.account(&mut tx, account_id).await?;
    let portal = dir_store::get_portal(&mut tx, account.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    Ok(rule::may_start(
        facts(&mut tx, actor, &account, &portal, now).await?,
    ))
}

/// Starts an impersonation of the account by the staff member of the console session
/// `staff_session_token`: checks reach (else "not found"), the reason and duration, and the
/// rule; opens a portal session for the account that ends at the time limit; records it.
pub async fn start(
    cx: &Ctx,
    actor: &Actor,
    staff_session_token: &str,
    account_id: i64,
    reason: &str,
    minutes: &str,
) -> Result<Started> {
    let staff_id = match (actor.kind, actor.id) {
        (ActorKind::Staff, Some(id)) => id,
        _ => {
            refused(
                cx,
                actor,
                account_id,
                "(account)",
                Refusal::NotStaff.as_str(),
            )
            .await?;
            return Err(Error::Forbidden(Refusal::NotStaff.message().into()));
        }
    };
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let account = match accounts_store::get(&mut tx, account_id).await? {
        Some(a) if actor.reaches(&a) => a,
        _ => {
            drop(tx);
            refused(cx, actor, account_id, "(not found)", "not_found").await?;
            return Err(Error::NotFound("account"));
        }
    };
    let label = account_label(&account);
    let request = match rule::validate(reason, minutes) {
        Ok(r) => r,
        Err(e) => {
            drop(tx);
            let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
            refused(
                cx,
                actor,
                account_id,
                &label,
                &format!("invalid: {}", fields.join(", ")),
            )
            .await?;
            return Err(Error::Invalid(e));
        }
    };
    let portal = dir_store::get_portal(&mut tx, account.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    // A running impersonation past its time limit ends first.
    if let Some(old) = store::running_of_staff(&mut tx, staff_id).await?
        && old.expires_at <= now
    {
        sessions::delete(&mut tx, Kind::Portal, &old.session_hash, now).await?;
        store::end_with_sessions(&mut tx, &[old.session_hash], "time_limit", now).await?;
    }
    if let Err(why) = rule::may_start(facts(&mut tx, actor, &account, &portal, now).await?) {
        drop(tx);
        refused(cx, actor, account_id, &label, why.as_str()).await?;
        return Err(Error::Refused(why.message().into()));
    }
    let token = tokens::new_token();
    let hash = tokens::hash_token(&token);
    let expires_at = now + request.minutes * 60_000;
    sessions::insert(
        &mut tx,
        Kind::Portal,
        &sessions::NewSession {
            token_hash: &hash,
            owner_id: account.id,
            now,
            expires_at,
            client_addr: actor.client_addr.as_deref(),
            user_agent: None,
        },
    )
    .await?;
    let inserted = store::insert(
        &mut tx,
        &NewImpersonation {
            account_id: account.id,
            portal_id: account.portal_id,
            staff_user_id: staff_id,
            staff_session_hash: &tokens::hash_token(staff_session_token),
            session_hash: &hash,
            reason: &request.reason,
            minutes: request.minutes,
            now,
            expires_at,
            client_addr: actor.client_addr.as_deref(),
        },
    )
    .await;
    let id = match inserted {
        Ok(id) => id,
        // Another request of the same staff member started one meanwhile.
        Err(e) if crate::storage::is_unique_violation(&e) => {
            drop(tx);
            let why = Refusal::AlreadyImpersonating;
            refused(cx, actor, account_id, &label, why.as_str()).await?;
            return Err(Error::Refused(why.message().into()));
        }
        Err(e) => return Err(e.into()),
    };
    record(
        &mut tx,
        now,
        actor,
        "account.impersonation_started",
        Target {
            kind: "portal_account",
            id: Some(account.id),
            label: &label,
        },
        None,
        Some(json!({
            "impersonation": id,
            "reason": request.reason,
            "minutes": request.minutes,
            "expires_at": crate::clock::rfc3339(expires_at),
        })),
    )
    .await?;
    settle_in(&mut tx, &cx.mail, now).await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    cx.logout_wakeup.notify_one();
    Ok(Started {
        token,
        portal_id: account.portal_id,
        expires_at,
    })
}

/// Changes a portal's impersonation settings (administrators only), with an audit event.
pub async fn set_portal_settings(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    settings: &rule::PortalSettings,
) -> Result<Portal> {
    actor.require_admin()?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let before = dir_store::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let was = rule::PortalSettings {
        impersonation_allowed: before.impersonation_allowed,
        impersonation_actions: before.impersonation_actions,
        impersonation_notice: before.impersonation_notice,
    };
    if was == *settings {
        return Ok(before);
    }
    dir_store::set_impersonation(
        &mut tx,
        portal_id,
        settings.impersonation_allowed,
        settings.impersonation_actions,
        settings.impersonation_notice,
        now,
    )
    .await?;
    record(
        &mut tx,
        now,
        actor,
        "portal.impersonation_changed",
        Target {
            kind: "portal",
            id: Some(portal_id),
            label: &before.name,
        },
        super::json(&was),
        super::json(settings),
    )
    .await?;
    let after = dir_store::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    tx.commit().await?;
    Ok(after)
}

/// The running impersonation of a portal session token, if it is one (for the banner).
pub async fn of_session(cx: &Ctx, token: &str) -> Result<Option<Impersonation>> {
    let mut tx = cx.db.read().await?;
    Ok(store::running_of_session(&mut tx, &tokens::hash_token(token)).await?)
}

/// The ended impersonation of a portal session token that no longer opens the portal.
pub async fn ended_of_session(cx: &Ctx, token: &str) -> Result<Option<Impersonation>> {
    let mut tx = cx.db.read().await?;
    Ok(store::ended_of_session(&mut tx, &tokens::hash_token(token)).await?)
}

/// A browser came back with the portal session of an impersonation that has ended: the page
/// refuses it (saying how it ended), and the refusal is audited once per address and while.
pub async fn ended_session_used(
    cx: &Ctx,
    imp: &Impersonation,
    client_addr: Option<&str>,
) -> Result<()> {
    let who = format!("staff {} <{}>", imp.staff_name, imp.staff_email);
    crate::usecases::limits::refused(
        cx,
        "account.impersonation_session_refused",
        client_addr,
        &format!("the session of impersonation {}, ended", imp.id),
        Some(&who),
    )
    .await
}

/// Records a change refused during an impersonation (`what`: the page's address), naming the
/// staff member as the person.
pub async fn refused_change(
    cx: &Ctx,
    imp: &Impersonation,
    account: &PortalAccount,
    client_addr: Option<String>,
    what: &str,
) -> Result<()> {
    let now = cx.now();
    let actor = acting_as(super::accounts::person(account, client_addr), imp);
    let mut tx = cx.db.write().await?;
    record(
        &mut tx,
        now,
        &actor,
        "account.impersonation_change_refused",
        Target {
            kind: "portal_account",
            id: Some(account.id),
            label: &account_label(account),
        },
        None,
        Some(
            json!({ "impersonation": imp.id, "what": what.chars().take(200).collect::<String>() }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends the impersonation of the portal session `token` at the banner's button: its portal
/// session ends (and with it the applications' sessions, by back-channel logout).
pub async fn end(cx: &Ctx, token: &str) -> Result<Impersonation> {
    let hash = tokens::hash_token(token);
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let imp = store::running_of_session(&mut tx, &hash)
        .await?
        .ok_or(Error::NotFound("impersonation"))?;
    store::set_end_reason(&mut tx, imp.id, "ended_by_staff").await?;
    sessions::delete(&mut tx, Kind::Portal, &hash, now).await?;
    settle_in(&mut tx, &cx.mail, now).await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    cx.logout_wakeup.notify_one();
    Ok(imp)
}

/// The impersonations of an account the staff member reaches, the newest first.
pub async fn of_account(cx: &Ctx, actor: &Actor, account_id: i64) -> Result<Vec<Impersonation>> {
    let mut tx = cx.db.read().await?;
    actor.account(&mut tx, account_id).await?;
    Ok(store::of_account(&mut tx, account_id, 50).await?)
}

/// The actor of a change made on the portal pages during an impersonation: the person's actor,
/// labelled "staff X as person Y", so that the audit log names both.
pub fn acting_as(mut person: Actor, imp: &Impersonation) -> Actor {
    let staff = if imp.staff_name.trim().is_empty() {
        imp.staff_email.clone()
    } else {
        format!("{} <{}>", imp.staff_name, imp.staff_email)
    };
    person.label = format!("staff {staff} as {}", person.label);
    person
}

/// In a transaction that may have ended impersonations: records the end of each ended one not
/// yet recorded, and queues the person's e-mail where the portal says so. Each is settled once,
/// whichever transaction gets to it first.
pub async fn settle_in(tx: &mut Tx, mail: &MailSettings, now: i64) -> Result<u64> {
    let mut n = 0;
    for imp in store::unsettled(tx, 100).await? {
        if !store::claim_settle(tx, imp.id, now).await? {
            continue;
        }
        n += 1;
        let Some(account) = accounts_store::get(tx, imp.account_id).await? else {
            continue;
        };
        let ended_at = imp.ended_at.unwrap_or(now);
        let how = imp
            .end_reason
            .clone()
            .unwrap_or_else(|| "session_ended".into());
        let minutes = rule::minutes_between(imp.started_at, ended_at);
        let by_staff = matches!(how.as_str(), "ended_by_staff" | "staff_logged_out");
        let actor = if by_staff {
            Actor {
                kind: ActorKind::Staff,
                id: Some(imp.staff_user_id),
                label: imp.staff_email.clone(),
                scope: crate::domain::staff::Scope::Areas(vec![]),
                admin: false,
                client_addr: None,
                team: None,
            }
        } else {
            Actor::system("impersonation")
        };
        let portal = dir_store::get_portal(tx, imp.portal_id).await?;
        let notify = portal.as_ref().is_some_and(|p| p.impersonation_notice);
        record(
            tx,
            now,
            &actor,
            "account.impersonation_ended",
            Target {
                kind: "portal_account",
                id: Some(account.id),
                label: &account_label(&account),
            },
            None,
            Some(json!({
                "impersonation": imp.id,
                "staff": imp.staff_email,
                "how": how,
                "minutes": minutes,
                "person_told": notify,
            })),
        )
        .await?;
        if let (true, Some(portal)) = (notify, portal)
            && let Ok(to) = EmailAddress::parse(&account.email)
        {
            let message =
                Outgoing::to_account(&account, &portal, "impersonation_notice", &to, json!({}));
            let language = message.language;
            let staff_name = if imp.staff_name.trim().is_empty() {
                imp.staff_email.clone()
            } else {
                imp.staff_name.clone()
            };
            let variables = notice_variables(&imp, &account, language, &staff_name, ended_at);
            mail_uc::enqueue(
                tx,
                now,
                mail,
                &Outgoing {
                    variables,
                    ..message
                },
            )
            .await?;
        }
    }
    Ok(n)
}

fn notice_variables(
    imp: &Impersonation,
    account: &PortalAccount,
    language: Language,
    staff_name: &str,
    ended_at: i64,
) -> serde_json::Value {
    let locale = Locale::new(&account.time_zone, language);
    json!({
        "staff_name": staff_name,
        "reason": imp.reason,
        "started_at": crate::mail::variables::visit_time(&locale, imp.started_at),
        "ended_at": crate::mail::variables::visit_time(&locale, ended_at),
        "duration": rule::minutes_text(rule::minutes_between(imp.started_at, ended_at))
            .render(language.as_str()),
    })
}

/// Settles every ended impersonation not yet recorded (housekeeping).
pub async fn settle(cx: &Ctx) -> Result<u64> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let n = settle_in(&mut tx, &cx.mail, now).await?;
    tx.commit().await?;
    if n > 0 {
        cx.mail_wakeup.notify_one();
    }
    Ok(n)
}
