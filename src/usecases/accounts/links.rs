//! The single-use links of e-mails: made when the message is sent (only the hash is stored),
//! checked on the pages they open, used up once; accepting an invitation; sending an invitation
//! or activation link again; a new link when the person asks for one.

use super::super::{Actor, Ctx, Error, Result, Target, json, record};
use super::grant::inviter_name;
use super::person;
use crate::domain::EmailAddress;
use crate::domain::account::{Action, Registration, link_lifetime_ms};
use crate::domain::delivery::DeliveryError;
use crate::domain::local_time::Locale;
use crate::mail::variables;
use crate::security::tokens;
use crate::storage::accounts::{self as store, PortalAccount};
use crate::storage::directory;
use crate::storage::outbox::OutboxMessage;
use crate::usecases::mail::{Link, Outgoing, enqueue};

/// The path of a link's page under Admit's portal pages.
fn link_path(purpose: &str) -> &'static str {
    match purpose {
        "invitation" => "accept",
        "activation" => "activate",
        "password" => "password",
        _ => "confirm-email",
    }
}

/// Makes the link of a message as it is sent: a fresh token, stored as its hash and committed
/// before the message goes out. Returns (url, expiry for people), or why the message should
/// not be sent at all (the account is gone, or already past the step the link is for).
pub async fn mint_link(
    cx: &Ctx,
    m: &OutboxMessage,
) -> Result<std::result::Result<(String, String), DeliveryError>> {
    let (Some(purpose), Some(account_id)) = (m.link_purpose.as_deref(), m.link_account_id) else {
        return Ok(Err(DeliveryError::new("no-link")));
    };
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let Some(account) = store::get(&mut tx, account_id).await? else {
        return Ok(Err(DeliveryError::new("account-gone")));
    };
    let needed = match purpose {
        "invitation" => account.registration == Registration::Invited,
        "activation" => account.registration == Registration::ActivationSent,
        "password" => account.registration == Registration::Registered,
        "email_change" => account.pending_email.is_some(),
        _ => true,
    };
    if !needed {
        return Ok(Err(DeliveryError::with(
            "account-past-step",
            account.registration,
        )));
    }
    let portal = directory::get_portal(&mut tx, account.portal_id).await?;
    let days = portal
        .as_ref()
        .map(|p| p.invitation_lifetime_days)
        .unwrap_or(7);
    let token = tokens::new_token();
    let expires_at = now + link_lifetime_ms(purpose, days);
    let new_email = match purpose {
        "email_change" => account.pending_email.as_deref(),
        _ => None,
    };
    store::insert_token(
        &mut tx,
        &tokens::hash_token(&token),
        account_id,
        purpose,
        new_email,
        now,
        expires_at,
    )
    .await?;
    tx.commit().await?;
    // The message's language goes along, so that the page speaks it too, even once the
    // link is used up and the page no longer knows whose it was.
    let url = format!(
        "{}/portal/{}/{}?token={token}&lang={}",
        cx.mail.public_url.trim_end_matches('/'),
        account.portal_id,
        link_path(purpose),
        m.language
    );
    // The expiry in the recipient's own zone, in the message's language.
    let locale = Locale::of(&account.time_zone, &m.language);
    Ok(Ok((url, variables::link_expiry(&locale, expires_at))))
}

/// The account a link of `purpose` is for, while the link is unused and unexpired and the
/// account on `portal_id` is still in the `registration` the link is meant for.
pub(crate) async fn check_link(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
    purpose: &str,
    registration: Registration,
) -> Result<Option<PortalAccount>> {
    if token.len() != 64 {
        return Ok(None);
    }
    let now = cx.now();
    let mut tx = cx.db.read().await?;
    let Some(t) = store::find_token(&mut tx, &tokens::hash_token(token)).await? else {
        return Ok(None);
    };
    if t.purpose != purpose || t.used_at.is_some() || t.expires_at <= now {
        return Ok(None);
    }
    let account = store::get(&mut tx, t.account_id).await?;
    Ok(account.filter(|a| a.portal_id == portal_id && a.registration == registration))
}

/// The account an invitation link is for, while the link is unused, unexpired, and the
/// account still waits for its password.
pub async fn check_invitation(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
) -> Result<Option<PortalAccount>> {
    check_link(cx, portal_id, token, "invitation", Registration::Invited).await
}

/// The account a password link is for, while the link is unused and unexpired.
pub async fn check_password_link(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
) -> Result<Option<PortalAccount>> {
    check_link(cx, portal_id, token, "password", Registration::Registered).await
}

/// Checks a new password against the rules and its confirmation, then uses up a link of
/// `purpose` (once, also when the same link is submitted twice at once) inside a write
/// transaction. Returns the transaction, the link's account, the new password's hash and the time.
pub(super) async fn use_link_with_password(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
    purpose: &str,
    password: &str,
    confirmation: &str,
) -> Result<(crate::storage::Tx, PortalAccount, String, i64)> {
    let valid = match purpose {
        "invitation" => check_invitation(cx, portal_id, token).await?,
        _ => check_password_link(cx, portal_id, token).await?,
    };
    let Some(valid) = valid else {
        return Err(Error::NotFound("link"));
    };
    let context = super::password_context(&valid);
    cx.passwords
        .check(password, &context)
        .await
        .map_err(|w| Error::invalid("password", w.message()))?;
    if password != confirmation {
        return Err(Error::invalid(
            "confirmation",
            "does not match the password",
        ));
    }
    // Hash before taking the write lock: it takes a while.
    let hash = cx.hasher.hash(password).await?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let token_hash = tokens::hash_token(token);
    let t = store::find_token(&mut tx, &token_hash)
        .await?
        .ok_or(Error::NotFound("link"))?;
    if t.purpose != purpose || !store::use_token(&mut tx, &token_hash, now).await? {
        return Err(Error::NotFound("link"));
    }
    let account = store::get(&mut tx, t.account_id)
        .await?
        .ok_or(Error::NotFound("link"))?;
    Ok((tx, account, hash, now))
}

/// The invited person sets their password: the link is used up, the account registered.
pub async fn accept_invitation(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
    password: &str,
    confirmation: &str,
    client_addr: Option<String>,
) -> Result<PortalAccount> {
    let (mut tx, account, hash, now) =
        use_link_with_password(cx, portal_id, token, "invitation", password, confirmation).await?;
    let state = account.state();
    let next = state
        .apply(Action::AcceptInvitation)
        .map_err(|e| Error::Refused(e.message().into()))?;
    store::set_registered(&mut tx, account.id, &hash, now).await?;
    store::revoke_tokens(&mut tx, account.id, "invitation", now).await?;
    let actor = person(&account, client_addr);
    let label = format!("{} on {}", account.email, account.portal_name);
    record(
        &mut tx,
        now,
        &actor,
        "account.invitation_accepted",
        Target {
            kind: "portal_account",
            id: Some(account.id),
            label: &label,
        },
        json(&state),
        json(&next),
    )
    .await?;
    let account = store::get(&mut tx, account.id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    tx.commit().await?;
    Ok(account)
}

/// Sends the invitation (or the activation e-mail) again, with a new link; the old one stops
/// working.
pub async fn resend_link(cx: &Ctx, actor: &Actor, id: i64) -> Result<PortalAccount> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let account = actor.account(&mut tx, id).await?;
    if !account.role.may_log_in() {
        // A notifications-only account never logs in: it has no link to send again.
        return Err(Error::Refused(
            crate::catalog::Message::new("error-resend-notifications-only").into(),
        ));
    }
    let (event, purpose) = match account.registration.as_str() {
        "invited" => ("invitation", "invitation"),
        "activation_sent" => ("activation", "activation"),
        _ => {
            return Err(Error::Refused(
                crate::catalog::Message::new("error-resend-registered").into(),
            ));
        }
    };
    let portal = directory::get_portal(&mut tx, account.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    store::revoke_tokens(&mut tx, id, purpose, now).await?;
    let recipient =
        EmailAddress::parse(&account.email).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?;
    let variables = if event == "invitation" {
        let inviter = inviter_name(&mut tx, actor).await?;
        serde_json::json!({ "organization_name": account.organization_name, "inviter_name": inviter })
    } else {
        serde_json::json!({})
    };
    enqueue(
        &mut tx,
        now,
        &cx.mail,
        &Outgoing {
            link: Some(Link {
                purpose,
                account_id: id,
            }),
            ..Outgoing::to_account(&account, &portal, event, &recipient, variables)
        },
    )
    .await?;
    let label = format!("{} on {}", account.email, account.portal_name);
    record(
        &mut tx,
        now,
        actor,
        "account.link_resent",
        Target {
            kind: "portal_account",
            id: Some(id),
            label: &label,
        },
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok(account)
}

/// The person asks for a new invitation or activation link (theirs expired): sent again when
/// the address has one open on the portal, nothing otherwise, and the same answer either way.
pub async fn request_new_link(
    cx: &Ctx,
    portal_id: i64,
    email: &str,
    client_addr: Option<String>,
) -> Result<()> {
    crate::usecases::limits::count_mail_request(cx, "new-link", email, client_addr.as_deref())
        .await?;
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(());
    };
    let account = {
        let mut tx = cx.db.read().await?;
        store::find(&mut tx, portal_id, email.as_str()).await?
    };
    let notify_staff = match &account {
        Some(a) => {
            let mut tx = cx.db.read().await?;
            directory::get_portal(&mut tx, a.portal_id)
                .await?
                .is_some_and(|p| p.notify_staff_on_new_link)
        }
        None => false,
    };
    match account {
        Some(a) if a.registration != Registration::Registered && notify_staff => {
            tell_staff_of_request(cx, &a, client_addr).await
        }
        Some(a) if a.registration != Registration::Registered => {
            let actor = person(&a, client_addr);
            resend_link(
                cx,
                &Actor {
                    scope: crate::domain::staff::Scope::All,
                    ..actor
                },
                a.id,
            )
            .await?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The portal asks staff to send a new link themselves: an e-mail to every active
/// administrator and to the supervisors of the account's area, with the account's page.
async fn tell_staff_of_request(
    cx: &Ctx,
    account: &PortalAccount,
    client_addr: Option<String>,
) -> Result<()> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let staff = crate::storage::staff::list_staff(&mut tx).await?;
    let console_url = format!(
        "{}/console/accounts/{}",
        cx.mail.public_url.trim_end_matches('/'),
        account.id
    );
    let mut told = Vec::new();
    for s in staff.iter().filter(|s| s.active) {
        let reaches = s.is_admin()
            || account
                .area_id
                .is_some_and(|area| s.area_ids.contains(&area));
        if !reaches {
            continue;
        }
        let Ok(to) = EmailAddress::parse(&s.email) else {
            continue;
        };
        enqueue(
            &mut tx,
            now,
            &cx.mail,
            &Outgoing {
                portal_id: Some(account.portal_id),
                event: "new_link_requested",
                language: crate::domain::directory::Language::En,
                recipient: &to,
                recipient_name: Some(&s.name),
                variables: serde_json::json!({
                    "account_email": account.email,
                    "account_name": account.name,
                    "organization_name": account.organization_name,
                    "console_url": console_url,
                }),
                link: None,
            },
        )
        .await?;
        told.push(s.email.clone());
    }
    record(
        &mut tx,
        now,
        &person(account, client_addr),
        "account.new_link_requested",
        Target {
            kind: "portal_account",
            id: Some(account.id),
            label: &format!("{} on {}", account.email, account.portal_name),
        },
        None,
        Some(serde_json::json!({ "staff_told": told })),
    )
    .await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok(())
}
