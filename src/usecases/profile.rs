//! What a person does with their own portal account: their profile (name, language, time
//! zone), their password, their e-mail address (confirmed by a link sent to the new one, the old
//! one told), and the list of their sessions (ending them is in `usecases::sessions`). Changing the
//! password or the address ends every session.

use serde::Deserialize;

use super::accounts::{password_context, person};
use super::mail::{Link, Outgoing, enqueue};
use super::{Actor, Ctx, Error, Result, Target, record};
use crate::domain::EmailAddress;
use crate::domain::FieldErrors;
use crate::domain::directory::Language;
use crate::domain::validation::required_text;
use crate::security::tokens;
use crate::storage::Tx;
use crate::storage::accounts::{self as store, PortalAccount};
use crate::storage::directory;
use crate::storage::sessions::{self, Kind, Session};

/// Every time zone a person may choose.
pub fn time_zones() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProfileInput {
    pub name: String,
    pub language: String,
    pub time_zone: String,
}

/// A person's language and time zone, as staff set them.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocaleInput {
    /// `en` or `de`.
    #[schema(value_type = crate::domain::directory::Language)]
    pub language: String,
    /// An IANA time zone, such as `Europe/Berlin`.
    #[schema(example = "Europe/Berlin", max_length = 64)]
    pub time_zone: String,
}

/// Staff set an account's language and time zone (notifications-only accounts too, which
/// have no pages to set them on). Bad input changes nothing; the same values change nothing.
/// The account's e-mails, digests and pages follow them from now on.
pub async fn set_account_locale(
    cx: &Ctx,
    actor: &Actor,
    account_id: i64,
    input: &LocaleInput,
) -> Result<PortalAccount> {
    if actor.team.is_some() {
        return Err(Error::Forbidden(
            crate::catalog::Message::new("error-locale-not-theirs").into(),
        ));
    }
    let mut errors = FieldErrors::new();
    let language = errors.take("language", Language::parse(input.language.trim()));
    let time_zone = errors.take(
        "time_zone",
        crate::domain::validation::time_zone(&input.time_zone),
    );
    errors.into_result()?;
    let (language, time_zone) = (language.expect("checked"), time_zone.expect("checked"));
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let before = actor.account(&mut tx, account_id).await?;
    if before.language == language.as_str() && before.time_zone == time_zone {
        return Ok(before);
    }
    store::set_profile(
        &mut tx,
        account_id,
        &before.name,
        language.as_str(),
        &time_zone,
        now,
    )
    .await?;
    if before.time_zone != time_zone {
        super::notifications::reschedule(
            &mut tx,
            crate::storage::tasks::Owner::Account(account_id),
            now,
        )
        .await?;
    }
    let after = own(&mut tx, account_id).await?;
    let view =
        |a: &PortalAccount| serde_json::json!({ "language": a.language, "time_zone": a.time_zone });
    record(
        &mut tx,
        now,
        actor,
        "account.profile_changed",
        Target {
            kind: "portal_account",
            id: Some(account_id),
            label: &label(&before),
        },
        Some(view(&before)),
        Some(view(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

async fn own(tx: &mut Tx, account_id: i64) -> Result<PortalAccount> {
    store::get(tx, account_id)
        .await?
        .ok_or(Error::NotFound("account"))
}

fn label(a: &PortalAccount) -> String {
    format!("{} on {}", a.email, a.portal_name)
}

pub async fn update_profile(
    cx: &Ctx,
    account_id: i64,
    input: &ProfileInput,
    client_addr: Option<String>,
) -> Result<PortalAccount> {
    let mut errors = FieldErrors::new();
    let name = errors.take("name", required_text(&input.name, 200));
    let language = errors.take("language", Language::parse(input.language.trim()));
    let time_zone = errors.take(
        "time_zone",
        crate::domain::validation::time_zone(&input.time_zone),
    );
    errors.into_result()?;
    let (name, language, time_zone) = (
        name.expect("checked"),
        language.expect("checked"),
        time_zone.expect("checked"),
    );
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let before = own(&mut tx, account_id).await?;
    store::set_profile(
        &mut tx,
        account_id,
        &name,
        language.as_str(),
        &time_zone,
        now,
    )
    .await?;
    let after = own(&mut tx, account_id).await?;
    if after.time_zone != before.time_zone {
        // The next digest comes at 08:00 in the new zone.
        super::notifications::reschedule(
            &mut tx,
            crate::storage::tasks::Owner::Account(account_id),
            now,
        )
        .await?;
    }
    let view = |a: &PortalAccount| serde_json::json!({ "name": a.name, "language": a.language, "time_zone": a.time_zone });
    record(
        &mut tx,
        now,
        &person(&before, client_addr),
        "account.profile_changed",
        Target {
            kind: "portal_account",
            id: Some(account_id),
            label: &label(&before),
        },
        Some(view(&before)),
        Some(view(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Checks the person's current password, counted like a login (see [`super::limits`]); a
/// wrong one is a field error, and audited.
async fn check_current(
    cx: &Ctx,
    account: &PortalAccount,
    password: &str,
    client_addr: Option<&str>,
    device: Option<&str>,
) -> Result<()> {
    let check = super::limits::PasswordCheck::new(
        &format!("portal:{}", account.portal_id),
        &account.email,
        client_addr,
        device,
    );
    let actor = person(account, client_addr.map(str::to_string));
    let target = Target {
        kind: "portal_account",
        id: Some(account.id),
        label: &label(account),
    };
    let verify = cx.hasher.verify(password, account.password_hash.as_deref());
    if check
        .current_password(cx, &actor, target, "account.password_check_failed", verify)
        .await?
    {
        Ok(())
    } else {
        Err(Error::invalid(
            "current_password",
            crate::catalog::Message::new("error-password-not-right"),
        ))
    }
}

/// A new password, after the current one: every session ends (the person logs in again), and
/// the person is told by e-mail.
pub async fn change_password(
    cx: &Ctx,
    account_id: i64,
    current: &str,
    password: &str,
    confirmation: &str,
    client_addr: Option<String>,
    device: Option<&str>,
) -> Result<PortalAccount> {
    let account = {
        let mut tx = cx.db.read().await?;
        own(&mut tx, account_id).await?
    };
    let mut errors = FieldErrors::new();
    if let Err(w) = cx
        .passwords
        .check(password, &password_context(&account))
        .await
    {
        errors.add("password", w.message());
    } else if password != confirmation {
        errors.add(
            "confirmation",
            crate::catalog::Message::new("error-confirmation-mismatch"),
        );
    }
    errors.into_result()?;
    check_current(cx, &account, current, client_addr.as_deref(), device).await?;
    let hash = cx.hasher.hash(password).await?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    store::set_password(&mut tx, account_id, &hash, now).await?;
    store::revoke_tokens(&mut tx, account_id, "password", now).await?;
    sessions::delete_of(&mut tx, Kind::Portal, account_id, now).await?;
    notify(
        cx,
        &mut tx,
        now,
        &account,
        "password_changed_notice",
        &account.email,
        None,
        serde_json::json!({}),
    )
    .await?;
    record(
        &mut tx,
        now,
        &person(&account, client_addr),
        "account.password_changed",
        Target {
            kind: "portal_account",
            id: Some(account_id),
            label: &label(&account),
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

#[allow(clippy::too_many_arguments)]
async fn notify(
    cx: &Ctx,
    tx: &mut Tx,
    now: i64,
    account: &PortalAccount,
    event: &'static str,
    to: &str,
    link: Option<&'static str>,
    variables: serde_json::Value,
) -> Result<()> {
    let portal = directory::get_portal(tx, account.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let recipient = EmailAddress::parse(to).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?;
    enqueue(
        tx,
        now,
        &cx.mail,
        &Outgoing {
            link: link.map(|purpose| Link {
                purpose,
                account_id: account.id,
            }),
            ..Outgoing::to_account(account, &portal, event, &recipient, variables)
        },
    )
    .await?;
    Ok(())
}

/// The person asks for a new e-mail address (their user name), with their password: a link to
/// confirm it goes to the new address, and the old one is told.
pub async fn request_email_change(
    cx: &Ctx,
    account_id: i64,
    new_email: &str,
    current: &str,
    client_addr: Option<String>,
    device: Option<&str>,
) -> Result<()> {
    let new_email =
        EmailAddress::parse(new_email.trim()).map_err(|m| Error::invalid("new_email", m))?;
    let account = {
        let mut tx = cx.db.read().await?;
        own(&mut tx, account_id).await?
    };
    if new_email.as_str() == account.email {
        return Err(Error::invalid(
            "new_email",
            crate::catalog::Message::new("error-email-yours-already"),
        ));
    }
    check_current(cx, &account, current, client_addr.as_deref(), device).await?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    if store::find(&mut tx, account.portal_id, new_email.as_str())
        .await?
        .is_some()
    {
        return Err(Error::conflict(
            "new_email",
            crate::catalog::Message::new("error-email-other-account"),
        ));
    }
    store::set_pending_email(&mut tx, account_id, Some(new_email.as_str()), now).await?;
    store::revoke_tokens(&mut tx, account_id, "email_change", now).await?;
    let variables = serde_json::json!({ "new_email": new_email.as_str() });
    notify(
        cx,
        &mut tx,
        now,
        &account,
        "email_change_confirm",
        new_email.as_str(),
        Some("email_change"),
        variables.clone(),
    )
    .await?;
    notify(
        cx,
        &mut tx,
        now,
        &account,
        "email_changed_notice",
        &account.email,
        None,
        variables,
    )
    .await?;
    record(
        &mut tx,
        now,
        &person(&account, client_addr),
        "account.email_change_requested",
        Target {
            kind: "portal_account",
            id: Some(account_id),
            label: &label(&account),
        },
        None,
        Some(serde_json::json!({ "new_email": new_email.as_str() })),
    )
    .await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok(())
}

/// The account an e-mail confirmation link is for, with the address it confirms, while the
/// link is unused and unexpired and that address is still the one asked for.
pub async fn check_email_link(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
) -> Result<Option<(PortalAccount, String)>> {
    if token.len() != 64 {
        return Ok(None);
    }
    let now = cx.now();
    let mut tx = cx.db.read().await?;
    let Some(t) = store::find_token(&mut tx, &tokens::hash_token(token)).await? else {
        return Ok(None);
    };
    if t.purpose != "email_change" || t.used_at.is_some() || t.expires_at <= now {
        return Ok(None);
    }
    let Some(account) = store::get(&mut tx, t.account_id).await? else {
        return Ok(None);
    };
    match (&t.new_email, &account.pending_email) {
        (Some(new), Some(pending)) if new == pending && account.portal_id == portal_id => {
            let new = new.clone();
            Ok(Some((account, new)))
        }
        _ => Ok(None),
    }
}

/// The link from the new address is followed: it becomes the user name, every session ends.
pub async fn confirm_email_change(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
    client_addr: Option<String>,
) -> Result<PortalAccount> {
    let Some((account, new_email)) = check_email_link(cx, portal_id, token).await? else {
        return Err(Error::NotFound("link"));
    };
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let token_hash = tokens::hash_token(token);
    if !store::use_token(&mut tx, &token_hash, now).await? {
        return Err(Error::NotFound("link"));
    }
    store::set_email(&mut tx, account.id, &new_email, now)
        .await
        .map_err(|e| Error::from_write(e, "new_email"))?;
    store::revoke_tokens(&mut tx, account.id, "email_change", now).await?;
    sessions::delete_of(&mut tx, Kind::Portal, account.id, now).await?;
    record(
        &mut tx,
        now,
        &person(&account, client_addr),
        "account.email_changed",
        Target {
            kind: "portal_account",
            id: Some(account.id),
            label: &label(&account),
        },
        Some(serde_json::json!({ "email": account.email })),
        Some(serde_json::json!({ "email": new_email })),
    )
    .await?;
    let after = own(&mut tx, account.id).await?;
    tx.commit().await?;
    cx.logout_wakeup.notify_one();
    Ok(after)
}

pub async fn sessions(cx: &Ctx, account_id: i64) -> Result<Vec<Session>> {
    let mut tx = cx.db.read().await?;
    Ok(sessions::of_owner(&mut tx, Kind::Portal, account_id).await?)
}
