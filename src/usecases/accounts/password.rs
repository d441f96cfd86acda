//! Passwords by link: "forgot password" (the same answer for every address), staff's
//! set-password link (optionally to another address), and setting the password by the link,
//! which ends every session of the account. A password never travels by e-mail.

use super::super::{Actor, Ctx, Error, Result, Target, record};
use super::links::use_link_with_password;
use super::person;
use crate::domain::EmailAddress;
use crate::domain::account::Registration;
use crate::storage::accounts::{self as store, PortalAccount};
use crate::storage::directory;
use crate::usecases::mail::{Link, Outgoing, enqueue};

/// Queues a message with a password link for `account`, ending the older password links.
#[allow(clippy::too_many_arguments)]
async fn queue_password_link(
    cx: &Ctx,
    tx: &mut crate::storage::Tx,
    now: i64,
    account: &PortalAccount,
    event: &'static str,
    recipient: &EmailAddress,
) -> Result<()> {
    let portal = directory::get_portal(tx, account.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    store::revoke_tokens(tx, account.id, "password", now).await?;
    enqueue(
        tx,
        now,
        &cx.mail,
        &Outgoing {
            link: Some(Link {
                purpose: "password",
                account_id: account.id,
            }),
            ..Outgoing::to_account(account, &portal, event, recipient, serde_json::json!({}))
        },
    )
    .await?;
    Ok(())
}

/// "Forgot password": a reset link when the address has a registered account on the portal.
/// The answer is the same whether or not it does, and takes the same time: the request path
/// only counts the request (the same write for every address); looking the address up, the
/// link, the e-mail and the audit event are written after the answer, by a task of their own.
/// A process that stops in that moment loses the request; the person asks again.
pub async fn request_password_reset(
    cx: &Ctx,
    portal_id: i64,
    email: &str,
    client_addr: Option<String>,
) -> Result<()> {
    crate::usecases::limits::count_mail_request(cx, "forgot", email, client_addr.as_deref())
        .await?;
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(());
    };
    let now = cx.now();
    let cx = cx.clone();
    tokio::spawn(async move {
        if let Err(e) = send_reset_link(&cx, now, portal_id, &email, client_addr).await {
            tracing::error!(error = %e, portal_id, "queuing a password reset link failed");
        }
    });
    Ok(())
}

/// The work of "forgot password" after the answer: a link for a registered account.
async fn send_reset_link(
    cx: &Ctx,
    now: i64,
    portal_id: i64,
    email: &EmailAddress,
    client_addr: Option<String>,
) -> Result<()> {
    let mut tx = cx.db.write().await?;
    let Some(account) = store::find(&mut tx, portal_id, email.as_str()).await? else {
        return Ok(());
    };
    if account.registration != Registration::Registered {
        return Ok(());
    }
    queue_password_link(cx, &mut tx, now, &account, "password_reset", email).await?;
    let label = format!("{} on {}", account.email, account.portal_name);
    let actor = person(&account, client_addr);
    record(
        &mut tx,
        now,
        &actor,
        "account.password_reset_requested",
        Target {
            kind: "portal_account",
            id: Some(account.id),
            label: &label,
        },
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok(())
}

/// Staff (or, later, an organization admin) send a single-use set-password link, optionally to
/// another address. No password is ever shown or e-mailed.
pub async fn send_password_link(
    cx: &Ctx,
    actor: &Actor,
    account_id: i64,
    send_to: Option<&str>,
) -> Result<PortalAccount> {
    let send_to = match send_to.map(str::trim) {
        None | Some("") => None,
        Some(a) => Some(EmailAddress::parse(a).map_err(|m| Error::invalid("send_to", m))?),
    };
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let account = match store::get(&mut tx, account_id).await? {
        Some(a) if actor.scope.allows_area(a.area_id) => a,
        _ => return Err(Error::NotFound("account")),
    };
    if account.registration != Registration::Registered {
        return Err(Error::Refused(
            crate::catalog::Message::new("error-no-password-yet").into(),
        ));
    }
    let recipient = match send_to {
        Some(a) => a,
        None => {
            EmailAddress::parse(&account.email).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?
        }
    };
    queue_password_link(cx, &mut tx, now, &account, "new_password", &recipient).await?;
    let label = format!("{} on {}", account.email, account.portal_name);
    let after = serde_json::json!({ "sent_to": recipient.as_str() });
    record(
        &mut tx,
        now,
        actor,
        "account.password_link_sent",
        Target {
            kind: "portal_account",
            id: Some(account_id),
            label: &label,
        },
        None,
        Some(after),
    )
    .await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok(account)
}

/// Sets a new password by link: the link is used up, every session of the account ends, and
/// the person is told by e-mail.
pub async fn reset_password(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
    password: &str,
    confirmation: &str,
    client_addr: Option<String>,
) -> Result<PortalAccount> {
    let (mut tx, account, hash, now) =
        use_link_with_password(cx, portal_id, token, "password", password, confirmation).await?;
    store::set_password(&mut tx, account.id, &hash, now).await?;
    store::revoke_tokens(&mut tx, account.id, "password", now).await?;
    crate::storage::sessions::delete_of(
        &mut tx,
        crate::storage::sessions::Kind::Portal,
        account.id,
        now,
    )
    .await?;
    let portal = directory::get_portal(&mut tx, account.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let recipient =
        EmailAddress::parse(&account.email).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?;
    enqueue(
        &mut tx,
        now,
        &cx.mail,
        &Outgoing::to_account(
            &account,
            &portal,
            "password_changed_notice",
            &recipient,
            serde_json::json!({}),
        ),
    )
    .await?;
    let label = format!("{} on {}", account.email, account.portal_name);
    let actor = person(&account, client_addr);
    record(
        &mut tx,
        now,
        &actor,
        "account.password_reset",
        Target {
            kind: "portal_account",
            id: Some(account.id),
            label: &label,
        },
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    cx.logout_wakeup.notify_one();
    Ok(account)
}
