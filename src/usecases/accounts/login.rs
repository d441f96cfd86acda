//! Logging in on a portal page: the throttled password check, the login rule (only after the
//! right password does the person learn why they are refused), portal sessions with idle and
//! absolute timeouts, and logging out.

use super::super::{Actor, ActorKind, Ctx, Result, Target, record};
use super::person;
use crate::clock::today;
use crate::domain::EmailAddress;
use crate::domain::account::Refusal;
use crate::security::tokens;
use crate::storage::accounts::{self as store, PortalAccount};
use crate::storage::impersonations::{self as imp_store, Impersonation};
use crate::storage::sessions::{self, Kind};
use crate::usecases::oidc::authorize::{Authorize, answer_waiting};

/// The answer to a login on a portal page. A wrong password and an unknown address are one
/// answer; only after the right password does the person learn why they are refused.
pub enum PortalLogin {
    LoggedIn {
        token: String,
        account: PortalAccount,
        /// The browser's device cookie (see [`crate::usecases::limits`]).
        device: String,
        /// The answer to the application's request that waited for this login, if one did.
        onward: Option<Authorize>,
    },
    Refused {
        refusal: Refusal,
        account: PortalAccount,
    },
    WrongCredentials,
}

#[allow(clippy::too_many_arguments)]
pub async fn portal_login(
    cx: &Ctx,
    session_ms: i64,
    portal_id: i64,
    email: &str,
    password: &str,
    previous_token: Option<&str>,
    client_addr: Option<String>,
    user_agent: Option<String>,
    device: Option<&str>,
) -> Result<PortalLogin> {
    let attempt = Attempt {
        portal_id,
        email,
        password,
        previous_token,
        client_addr,
        user_agent,
        device,
        waiting: None,
    };
    log_in(cx, session_ms, attempt).await
}

/// A login on a portal's login page.
pub struct Attempt<'a> {
    pub portal_id: i64,
    pub email: &'a str,
    pub password: &'a str,
    /// The browser's portal session, ended by the new one.
    pub previous_token: Option<&'a str>,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
    /// The browser's device cookie (see [`crate::usecases::limits`]).
    pub device: Option<&'a str>,
    /// The handle of an application's authorization request waiting for this login: it is
    /// answered in the login's own write (see [`crate::usecases::oidc::authorize::answer_waiting`]).
    pub waiting: Option<&'a str>,
}

/// [`portal_login`], and the answer to a waiting authorization request.
pub async fn log_in(cx: &Ctx, session_ms: i64, a: Attempt<'_>) -> Result<PortalLogin> {
    let Attempt {
        portal_id,
        email,
        password,
        previous_token,
        client_addr,
        user_agent,
        device,
        waiting,
    } = a;
    let check = crate::usecases::limits::PasswordCheck::new(
        &format!("portal:{portal_id}"),
        email,
        client_addr.as_deref(),
        device,
    );
    let admitted = check.admit(cx).await?;
    let email = EmailAddress::parse(email).ok();
    let account = match &email {
        Some(e) => {
            let mut tx = cx.db.reads().await?;
            let found = store::find(&mut tx, portal_id, e.as_str()).await?;
            tx.release();
            found
        }
        None => None,
    };
    let hash = account.as_ref().and_then(|a| a.password_hash.clone());
    let password_ok = cx.hasher.verify(password, hash.as_deref()).await;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let account = match account {
        Some(a) if password_ok => a,
        other => {
            let label = email
                .as_ref()
                .map(|e| e.as_str())
                .unwrap_or("(not an address)");
            let actor = Actor {
                kind: ActorKind::System,
                id: None,
                label: label.to_string(),
                scope: crate::domain::staff::Scope::Areas(vec![]),
                admin: false,
                client_addr,
                team: None,
            };
            let target = Target {
                kind: "portal_account",
                id: other.as_ref().map(|a| a.id),
                label,
            };
            record(
                &mut tx,
                now,
                &actor,
                "account.login_failed",
                target,
                None,
                None,
            )
            .await?;
            tx.commit().await?;
            return Ok(PortalLogin::WrongCredentials);
        }
    };
    let device = check.succeeded(&mut tx, admitted, now).await?;
    let label = format!("{} on {}", account.email, account.portal_name);
    let actor = person(&account, client_addr.clone());
    let state = account.state();
    if let Err(refusal) = state.login(today(now)) {
        let reason = serde_json::json!({ "refused": refusal });
        let target = Target {
            kind: "portal_account",
            id: Some(account.id),
            label: &label,
        };
        record(
            &mut tx,
            now,
            &actor,
            "account.login_refused",
            target,
            None,
            Some(reason),
        )
        .await?;
        tx.commit().await?;
        return Ok(PortalLogin::Refused { refusal, account });
    }
    if let Some(prev) = previous_token {
        sessions::delete(&mut tx, Kind::Portal, &tokens::hash_token(prev), now).await?;
    }
    let token = tokens::new_token();
    let token_hash = tokens::hash_token(&token);
    let agent: Option<String> = user_agent.map(|u| u.chars().take(300).collect());
    sessions::insert(
        &mut tx,
        Kind::Portal,
        &sessions::NewSession {
            token_hash: &token_hash,
            owner_id: account.id,
            now,
            expires_at: now + session_ms,
            client_addr: client_addr.as_deref(),
            user_agent: agent.as_deref(),
        },
    )
    .await?;
    // After the account's row is written (and locked): concurrent logins count in turn.
    store::set_last_login(&mut tx, account.id, now).await?;
    crate::usecases::sessions::keep_per_person(&mut tx, Kind::Portal, account.id, now).await?;
    let target = Target {
        kind: "portal_account",
        id: Some(account.id),
        label: &label,
    };
    record(
        &mut tx,
        now,
        &actor,
        "account.logged_in",
        target,
        None,
        None,
    )
    .await?;
    let onward = match waiting {
        Some(handle) => {
            let session = sessions::Session {
                token_hash,
                owner_id: account.id,
                created_at: now,
                last_seen_at: now,
                expires_at: now + session_ms,
                authenticated_at: now,
                client_addr,
                user_agent: agent,
            };
            let current = Some((session, account.clone()));
            Some(answer_waiting(&mut tx, cx, portal_id, handle, current, now).await?)
        }
        None => None,
    };
    tx.commit().await?;
    Ok(PortalLogin::LoggedIn {
        token,
        account,
        device,
        onward,
    })
}

/// The account of a portal session while the session is alive and the account may still log
/// in: switching access off, expiry or deactivation ends every session at its next request.
/// With it, the session's impersonation when it is one; an impersonation whose staff member's
/// console session has ended ends now.
pub async fn portal_session(
    cx: &Ctx,
    idle_ms: i64,
    portal_id: i64,
    token: &str,
) -> Result<Option<(PortalAccount, Option<Impersonation>)>> {
    let hash = tokens::hash_token(token);
    let now = cx.now();
    let mut tx = cx.db.read().await?;
    let Some(session) = sessions::get(&mut tx, Kind::Portal, &hash).await? else {
        return Ok(None);
    };
    let account = store::get(&mut tx, session.owner_id).await?;
    let impersonation = imp_store::running_of_session(&mut tx, &hash).await?;
    let staff_alive = match &impersonation {
        None => true,
        Some(imp) => {
            let staff_session =
                sessions::get(&mut tx, Kind::Staff, &imp.staff_session_hash).await?;
            let staff = crate::storage::staff::get_staff(&mut tx, imp.staff_user_id).await?;
            staff_session.is_some_and(|s| s.alive(now, idle_ms)) && staff.is_some_and(|u| u.active)
        }
    };
    drop(tx);
    let alive = session.alive(now, idle_ms);
    let allowed = account
        .as_ref()
        .filter(|a| a.portal_id == portal_id)
        .map(|a| a.state())
        .is_some_and(|s| s.login(today(now)).is_ok());
    if alive && allowed && staff_alive {
        if now - session.last_seen_at > 60_000 {
            let mut tx = cx.db.write().await?;
            sessions::touch(&mut tx, Kind::Portal, &hash, now).await?;
            tx.commit().await?;
        }
        return Ok(account.map(|a| (a, impersonation)));
    }
    let mut tx = cx.db.write().await?;
    if let Some(imp) = &impersonation {
        let why = if !staff_alive {
            "staff_session_ended"
        } else if alive {
            "account_barred"
        } else {
            "session_ended"
        };
        if alive || !staff_alive {
            imp_store::set_end_reason(&mut tx, imp.id, why).await?;
        }
    }
    match account.filter(|a| a.portal_id == portal_id) {
        // Barred since (its valid-until day passed): every session of the account ends now.
        Some(a) if alive && staff_alive => {
            let actor = crate::usecases::Actor::system("expiry");
            crate::usecases::sessions::end_when_barred(
                &mut tx,
                now,
                &actor,
                &a,
                &a.state(),
                &cx.mail,
            )
            .await?;
        }
        _ => {
            sessions::delete(&mut tx, Kind::Portal, &hash, now).await?;
        }
    }
    let settled = crate::usecases::impersonation::settle_in(&mut tx, &cx.mail, now).await?;
    tx.commit().await?;
    if settled > 0 {
        cx.mail_wakeup.notify_one();
    }
    cx.logout_wakeup.notify_one();
    Ok(None)
}

/// Ends the session of `token`, audited as the person's logout (from `client_addr`).
pub async fn portal_logout(cx: &Ctx, token: &str, client_addr: Option<String>) -> Result<()> {
    let hash = tokens::hash_token(token);
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let Some(session) = sessions::get(&mut tx, Kind::Portal, &hash).await? else {
        return Ok(());
    };
    // Logging out of an impersonation ends it, as the banner's button does.
    if let Some(imp) = imp_store::running_of_session(&mut tx, &hash).await? {
        imp_store::set_end_reason(&mut tx, imp.id, "ended_by_staff").await?;
        sessions::delete(&mut tx, Kind::Portal, &hash, now).await?;
        crate::usecases::impersonation::settle_in(&mut tx, &cx.mail, now).await?;
        tx.commit().await?;
        cx.mail_wakeup.notify_one();
        cx.logout_wakeup.notify_one();
        return Ok(());
    }
    sessions::delete(&mut tx, Kind::Portal, &hash, now).await?;
    if let Some(account) = store::get(&mut tx, session.owner_id).await? {
        let label = format!("{} on {}", account.email, account.portal_name);
        let target = Target {
            kind: "portal_account",
            id: Some(account.id),
            label: &label,
        };
        let actor = person(&account, client_addr);
        record(
            &mut tx,
            now,
            &actor,
            "account.logged_out",
            target,
            None,
            None,
        )
        .await?;
    }
    tx.commit().await?;
    // The clients that held the session are owed a back-channel logout.
    cx.logout_wakeup.notify_one();
    Ok(())
}
