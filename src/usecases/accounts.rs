//! Portal accounts: granting access (an invitation with a single-use link), and making the
//! links of outgoing e-mail when they are sent.

use serde::Deserialize;

use super::directory::Outcome;
use super::mail::{Link, Outgoing, choose_language, enqueue};
use super::{Actor, Ctx, Error, Result, Target, json, record};
use crate::domain::EmailAddress;
use crate::domain::FieldErrors;
use crate::domain::account::{AccountState, Role};
use crate::security::tokens;
use crate::storage::accounts::{self as store, NewAccount, PortalAccount};
use crate::storage::directory;
use crate::storage::outbox::OutboxMessage;

/// Access to grant to a contact.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    pub contact_id: i64,
    pub portal_id: i64,
    /// `admin`, `user`, `marketing` or `notifications`; `user` when not given.
    #[serde(default)]
    pub role: Option<String>,
    /// Names of the portal's modules.
    #[serde(default)]
    pub modules: Vec<String>,
    /// Send the invitation to this address instead of the contact's.
    #[serde(default)]
    pub send_to: Option<String>,
}

/// Grants a contact access to a portal: an invited account, approved and assigned, and an
/// invitation e-mail with a single-use link. Granting again returns the account there is.
pub async fn grant_access(
    cx: &Ctx,
    actor: &Actor,
    input: &GrantInput,
) -> Result<(PortalAccount, Outcome)> {
    let mut errors = FieldErrors::new();
    let role = match input.role.as_deref().map(str::trim) {
        None | Some("") => Some(Role::User),
        Some(r) => {
            let parsed = Role::parse(r);
            if parsed.is_none() {
                errors.add(
                    "role",
                    "must be one of: admin, user, marketing, notifications",
                );
            }
            parsed
        }
    };
    let send_to = match input.send_to.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(a) => errors.take("send_to", EmailAddress::parse(a)),
    };
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let contact = match directory::get_contact(&mut tx, input.contact_id).await? {
        Some(c) if actor.scope.allows_area(c.area_id) => c,
        _ => return Err(Error::NotFound("contact")),
    };
    let portal = directory::get_portal(&mut tx, input.portal_id).await?;
    let Some(portal) = portal else {
        return Err(Error::invalid(
            "portal_id",
            format!("no portal {}", input.portal_id),
        ));
    };
    let mut modules: Vec<String> = Vec::new();
    for m in &input.modules {
        match portal
            .modules
            .iter()
            .find(|pm| pm.name.eq_ignore_ascii_case(m.trim()))
        {
            Some(pm) if !modules.contains(&pm.name) => modules.push(pm.name.clone()),
            Some(_) => {}
            None => errors.add("modules", format!("{} has no module {m}", portal.name)),
        }
    }
    let Some(email) = contact.email.clone() else {
        errors.add(
            "contact_id",
            "the contact has no e-mail address, which is the user name",
        );
        return Err(Error::Invalid(errors));
    };
    errors.into_result()?;
    let role = role.expect("checked");
    if let Some(existing) = store::find(&mut tx, portal.id, &email).await? {
        return Ok((existing, Outcome::Unchanged));
    }
    let state = AccountState::invited(role);
    let id = store::insert(
        &mut tx,
        &NewAccount {
            portal_id: portal.id,
            email: &email,
            contact_id: Some(contact.id),
            name: &contact.name,
            role: state.role.as_str(),
            registration: state.registration.as_str(),
            approval: state.approval.as_str(),
            access_granted: state.access_granted,
            lifecycle: state.lifecycle.as_str(),
            language: &contact.language,
            time_zone: "UTC",
        },
        now,
    )
    .await
    .map_err(|e| Error::from_write(e, "contact_id"))?;
    store::set_modules(&mut tx, id, &modules).await?;
    let recipient = match send_to {
        Some(a) => a,
        None => EmailAddress::parse(&email).map_err(|m| Error::invalid("contact_id", m))?,
    };
    let inviter = match actor.kind {
        super::ActorKind::Staff => actor.label.clone(),
        _ => String::new(),
    };
    enqueue(
        &mut tx,
        now,
        &cx.mail,
        &Outgoing {
            portal_id: Some(portal.id),
            event: "invitation",
            language: choose_language(Some(&contact.language), Some(&portal.default_language)),
            recipient: &recipient,
            recipient_name: Some(&contact.name),
            variables: serde_json::json!({
                "organization_name": contact.organization_name,
                "inviter_name": inviter,
            }),
            link: Some(Link {
                purpose: "invitation",
                account_id: id,
            }),
        },
    )
    .await?;
    let account = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    record(
        &mut tx,
        now,
        actor,
        "account.granted",
        Target {
            kind: "portal_account",
            id: Some(id),
            label: &format!("{} on {}", account.email, account.portal_name),
        },
        None,
        json(&account),
    )
    .await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok((account, Outcome::Created))
}

pub async fn get_account(cx: &Ctx, actor: &Actor, id: i64) -> Result<PortalAccount> {
    let mut tx = cx.db.read().await?;
    match store::get(&mut tx, id).await? {
        Some(a) if actor.scope.allows_area(a.area_id) => Ok(a),
        _ => Err(Error::NotFound("account")),
    }
}

/// How long a link stays valid: invitations and activations for the portal's invitation
/// lifetime, password and e-mail links for a day.
fn lifetime_ms(purpose: &str, portal_days: i64) -> i64 {
    match purpose {
        "invitation" | "activation" => portal_days * 86_400_000,
        _ => 86_400_000,
    }
}

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
) -> Result<std::result::Result<(String, String), String>> {
    let (Some(purpose), Some(account_id)) = (m.link_purpose.as_deref(), m.link_account_id) else {
        return Ok(Err("the message has no link to make".into()));
    };
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let Some(account) = store::get(&mut tx, account_id).await? else {
        return Ok(Err("the account no longer exists".into()));
    };
    let needed = match purpose {
        "invitation" => account.registration == "invited",
        "activation" => account.registration == "activation_sent",
        _ => true,
    };
    if !needed {
        return Ok(Err(format!(
            "not sent: the account is already {}",
            account.registration
        )));
    }
    let portal = directory::get_portal(&mut tx, account.portal_id).await?;
    let days = portal
        .as_ref()
        .map(|p| p.invitation_lifetime_days)
        .unwrap_or(7);
    let token = tokens::new_token();
    let expires_at = now + lifetime_ms(purpose, days);
    store::insert_token(
        &mut tx,
        &tokens::hash_token(&token),
        account_id,
        purpose,
        None,
        now,
        expires_at,
    )
    .await?;
    tx.commit().await?;
    let url = format!(
        "{}/portal/{}/{}?token={token}",
        cx.mail.public_url.trim_end_matches('/'),
        account.portal_id,
        link_path(purpose)
    );
    Ok(Ok((url, crate::clock::format_time(expires_at))))
}
