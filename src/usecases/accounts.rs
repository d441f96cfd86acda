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
    /// The customers a user sees, per partnership of the contact's partner organization (or,
    /// with no partnership, among the sub-accounts of its customer organization); none in one
    /// means all of it.
    #[serde(default)]
    pub customers: Vec<super::access::AssignmentInput>,
    /// Send the invitation to this address instead of the contact's.
    #[serde(default)]
    pub send_to: Option<String>,
}

/// The role and modules of a grant, checked against the portal.
pub(crate) fn check_grant(
    errors: &mut FieldErrors,
    portal: &crate::storage::directory::Portal,
    role: Option<&str>,
    modules: &[String],
) -> (Option<Role>, Vec<String>) {
    let role = match role.map(str::trim) {
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
    let mut chosen: Vec<String> = Vec::new();
    for m in modules {
        match portal
            .modules
            .iter()
            .find(|pm| pm.name.eq_ignore_ascii_case(m.trim()))
        {
            Some(pm) if !chosen.contains(&pm.name) => chosen.push(pm.name.clone()),
            Some(_) => {}
            None => errors.add("modules", format!("{} has no module {m}", portal.name)),
        }
    }
    (role, chosen)
}

async fn portal_for_grant(
    tx: &mut crate::storage::Tx,
    portal_id: i64,
) -> Result<crate::storage::directory::Portal> {
    directory::get_portal(tx, portal_id)
        .await?
        .ok_or_else(|| Error::invalid("portal_id", format!("no portal {portal_id}")))
}

/// Grants a contact access to a portal: an invited account, approved and assigned, and an
/// invitation e-mail with a single-use link. Granting again returns the account there is.
pub async fn grant_access(
    cx: &Ctx,
    actor: &Actor,
    input: &GrantInput,
) -> Result<(PortalAccount, Outcome)> {
    let mut errors = FieldErrors::new();
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
    let portal = portal_for_grant(&mut tx, input.portal_id).await?;
    let (role, modules) = check_grant(&mut errors, &portal, input.role.as_deref(), &input.modules);
    let assigned = super::access::check_customers(
        &mut tx,
        &mut errors,
        contact.organization_id,
        &input.customers,
    )
    .await?;
    if contact.email.is_none() {
        errors.add(
            "contact_id",
            "the contact has no e-mail address, which is the user name",
        );
    }
    errors.into_result()?;
    let role = role.expect("checked");
    let done = grant_in(
        cx,
        &mut tx,
        now,
        actor,
        &contact,
        &portal,
        role,
        &modules,
        &assigned,
        send_to.as_ref(),
    )
    .await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok(done)
}

/// The grant itself, inside the caller's transaction: the contact has an address.
#[allow(clippy::too_many_arguments)]
async fn grant_in(
    cx: &Ctx,
    tx: &mut crate::storage::Tx,
    now: i64,
    actor: &Actor,
    contact: &crate::storage::directory::Contact,
    portal: &crate::storage::directory::Portal,
    role: Role,
    modules: &[String],
    assigned: &std::collections::BTreeSet<(crate::domain::access::Grouping, i64)>,
    send_to: Option<&EmailAddress>,
) -> Result<(PortalAccount, Outcome)> {
    let email = contact
        .email
        .clone()
        .ok_or_else(|| Error::invalid("contact_id", "the contact has no e-mail address"))?;
    if let Some(existing) = store::find(tx, portal.id, &email).await? {
        return Ok((existing, Outcome::Unchanged));
    }
    let state = AccountState::invited(role);
    let id = store::insert(
        tx,
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
    store::set_modules(tx, id, modules).await?;
    crate::storage::access::set_assignments(tx, id, assigned, now).await?;
    let recipient = match send_to {
        Some(a) => a.clone(),
        None => EmailAddress::parse(&email).map_err(|m| Error::invalid("contact_id", m))?,
    };
    let inviter = inviter_name(actor);
    enqueue(
        tx,
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
    let account = store::get(tx, id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    record(
        tx,
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
    Ok((account, Outcome::Created))
}

/// Inviting many people of one organization at once, all with the same role and modules.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    pub portal_id: i64,
    /// `admin`, `user`, `marketing` or `notifications`; `user` when not given.
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub modules: Vec<String>,
    /// The customers each user sees (see `GrantInput`).
    #[serde(default)]
    pub customers: Vec<super::access::AssignmentInput>,
    /// Contacts of the organization to grant access to.
    #[serde(default)]
    pub contact_ids: Vec<i64>,
    /// Addresses to invite: the organization's contact with that address, or a new contact.
    #[serde(default)]
    pub emails: Vec<String>,
}

/// One person of an invitation of many.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Invited {
    pub account: PortalAccount,
    /// `created` (invited now) or `unchanged` (had access already).
    pub outcome: Outcome,
}

/// Grants access to several contacts of an organization and to addresses (made contacts of it
/// when none has the address), with one role and the same modules. All or nothing: a bad
/// address or contact is reported (with its line) and nothing is written.
pub async fn invite_many(
    cx: &Ctx,
    actor: &Actor,
    organization_id: i64,
    input: &InviteInput,
) -> Result<Vec<Invited>> {
    let mut errors = FieldErrors::new();
    let mut addresses: Vec<EmailAddress> = Vec::new();
    for (i, raw) in input.emails.iter().enumerate() {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        match EmailAddress::parse(raw) {
            Ok(a) if !addresses.contains(&a) => addresses.push(a),
            Ok(_) => {}
            Err(m) => errors.add("emails", format!("line {}: {raw} {m}", i + 1)),
        }
    }
    if addresses.len() + input.contact_ids.len() > 500 {
        errors.add("emails", "at most 500 people at once");
    }
    if addresses.is_empty() && input.contact_ids.is_empty() {
        errors.add("emails", "choose contacts or enter addresses to invite");
    }
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let org = match actor.team {
        // An organization admin invites to its own organization, on its own portal.
        Some(t) if t.organization_id == organization_id && t.portal_id == input.portal_id => {
            directory::get_organization(&mut tx, organization_id)
                .await?
                .ok_or(Error::NotFound("organization"))?
        }
        Some(_) => return Err(Error::NotFound("organization")),
        None => super::directory::visible_organization(&mut tx, &actor.scope, organization_id)
            .await
            .map_err(|_| Error::NotFound("organization"))?,
    };
    let portal = portal_for_grant(&mut tx, input.portal_id).await?;
    let (role, modules) = check_grant(&mut errors, &portal, input.role.as_deref(), &input.modules);
    let assigned =
        super::access::check_customers(&mut tx, &mut errors, org.id, &input.customers).await?;
    super::access::check_giver(
        &mut tx,
        actor,
        now,
        &mut errors,
        org.id,
        &modules,
        &assigned,
    )
    .await?;
    let mut contacts = Vec::new();
    for &cid in &input.contact_ids {
        match directory::get_contact(&mut tx, cid).await? {
            Some(c) if c.organization_id == org.id && c.email.is_some() => contacts.push(c),
            Some(c) if c.organization_id == org.id => errors.add(
                "contact_ids",
                format!("{} has no e-mail address, which is the user name", c.name),
            ),
            _ => errors.add("contact_ids", format!("no contact {cid} in {}", org.name)),
        }
    }
    errors.into_result()?;
    let role = role.expect("checked");
    for address in &addresses {
        let known = directory::contacts_with_email(&mut tx, address.as_str(), 50).await?;
        let contact = match known.into_iter().find(|c| c.organization_id == org.id) {
            Some(c) => c,
            None => {
                let row = directory::ContactRow {
                    organization_id: org.id,
                    name: address.as_str(),
                    email: Some(address.as_str()),
                    phone: None,
                    language: &portal.default_language,
                    external_id: None,
                };
                let id = directory::insert_contact(&mut tx, &row, now).await?;
                let c = directory::get_contact(&mut tx, id)
                    .await?
                    .ok_or(Error::NotFound("contact"))?;
                record(
                    &mut tx,
                    now,
                    actor,
                    "contact.created",
                    Target {
                        kind: "contact",
                        id: Some(id),
                        label: &c.name,
                    },
                    None,
                    json(&c),
                )
                .await?;
                c
            }
        };
        if !contacts.iter().any(|c| c.id == contact.id) {
            contacts.push(contact);
        }
    }
    let mut out = Vec::new();
    for c in &contacts {
        let (account, outcome) = grant_in(
            cx, &mut tx, now, actor, c, &portal, role, &modules, &assigned, None,
        )
        .await?;
        out.push(Invited { account, outcome });
    }
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok(out)
}

pub async fn get_account(cx: &Ctx, actor: &Actor, id: i64) -> Result<PortalAccount> {
    let mut tx = cx.db.read().await?;
    match store::get(&mut tx, id).await? {
        Some(a) if actor.reaches(&a) => Ok(a),
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
        "password" => account.registration == "registered",
        "email_change" => account.pending_email.is_some(),
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
    Ok(Ok((url, crate::clock::format_time(expires_at))))
}

/// The rules' view of an account row.
pub fn state_of(a: &PortalAccount) -> Option<AccountState> {
    use crate::domain::account::{Approval, Assignment, Lifecycle, Registration};
    Some(AccountState {
        registration: Registration::parse(&a.registration)?,
        approval: Approval::parse(&a.approval)?,
        assignment: if a.contact_id.is_some() {
            Assignment::Assigned
        } else {
            Assignment::Pending
        },
        access_granted: a.access_granted,
        valid_until: a.valid_until,
        lifecycle: Lifecycle::parse(&a.lifecycle)?,
        role: Role::parse(&a.role)?,
    })
}

/// Today, for valid-until: the UTC day of `now`.
pub fn today(now: i64) -> i64 {
    now.div_euclid(86_400_000)
}

/// The person acting on their own account from the portal pages.
pub fn person(account: &PortalAccount, client_addr: Option<String>) -> Actor {
    Actor {
        kind: super::ActorKind::PortalUser,
        id: Some(account.id),
        label: account.email.clone(),
        scope: crate::domain::staff::Scope::Areas(vec![]),
        admin: false,
        client_addr,
        team: None,
    }
}

/// The account a link of `purpose` is for, while the link is unused and unexpired and the
/// account on `portal_id` is still in the `registration` the link is meant for.
pub(super) async fn check_link(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
    purpose: &str,
    registration: &str,
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
    check_link(cx, portal_id, token, "invitation", "invited").await
}

/// The name an invitation gives as its sender: a staff user, or an organization's admin on the
/// portal pages; nobody for keys and the command line.
fn inviter_name(actor: &Actor) -> String {
    match actor.kind {
        super::ActorKind::Staff => actor.label.clone(),
        super::ActorKind::PortalUser if actor.team.is_some() => actor.label.clone(),
        _ => String::new(),
    }
}

/// Who invited the person, as the invitation page shows it: the staff user or organization
/// admin who granted the access, when it was one.
pub async fn inviter_of(cx: &Ctx, account_id: i64) -> Result<Option<String>> {
    let mut tx = cx.db.read().await?;
    let events = crate::storage::audit::list(
        &mut tx,
        &crate::storage::audit::AuditFilter {
            action: Some("account.granted".into()),
            target_kind: Some("portal_account".into()),
            target_id: Some(account_id),
            limit: 1,
            ..Default::default()
        },
    )
    .await?;
    Ok(events
        .into_iter()
        .find(|e| e.actor_kind == "staff" || e.actor_kind == "portal_user")
        .map(|e| e.actor_label))
}

/// Checks a new password against the rules and its confirmation, then uses up a link of
/// `purpose` (once, also when the same link is submitted twice at once) inside a write
/// transaction. Returns the transaction, the link's account, the new password's hash and the time.
async fn use_link_with_password(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
    purpose: &str,
    password: &str,
    confirmation: &str,
) -> Result<(crate::storage::Tx, PortalAccount, String, i64)> {
    crate::domain::staff::check_password(password).map_err(|m| Error::invalid("password", m))?;
    if password != confirmation {
        return Err(Error::invalid(
            "confirmation",
            "does not match the password",
        ));
    }
    let valid = match purpose {
        "invitation" => check_invitation(cx, portal_id, token).await?,
        _ => check_password_link(cx, portal_id, token).await?,
    };
    if valid.is_none() {
        return Err(Error::NotFound("link"));
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
    let state = state_of(&account)
        .ok_or_else(|| anyhow::anyhow!("account {} has an unknown status", account.id))?;
    let next = state
        .apply(crate::domain::account::Action::AcceptInvitation)
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

/// The answer to a login on a portal page. A wrong password and an unknown address are one
/// answer; only after the right password does the person learn why they are refused.
pub enum PortalLogin {
    LoggedIn {
        token: String,
        account: PortalAccount,
    },
    Refused {
        refusal: crate::domain::account::Refusal,
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
) -> Result<PortalLogin> {
    let keys = super::limits::LoginKeys::new(
        &format!("portal:{portal_id}"),
        email,
        super::limits::client(client_addr.as_deref()),
    );
    let email = EmailAddress::parse(email).ok();
    let (account, seen) = {
        let mut tx = cx.db.read().await?;
        let seen = keys.before(&mut tx, cx.now()).await?;
        let account = match &email {
            Some(e) => store::find(&mut tx, portal_id, e.as_str()).await?,
            None => None,
        };
        (account, seen)
    };
    let hash = account.as_ref().and_then(|a| a.password_hash.clone());
    let password_ok = cx.hasher.verify(password, hash.as_deref()).await;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let right = password_ok && account.is_some();
    keys.after(&mut tx, now, right, seen).await?;
    let account = match account {
        Some(a) if password_ok => a,
        other => {
            let label = email
                .as_ref()
                .map(|e| e.as_str())
                .unwrap_or("(not an address)");
            let actor = Actor {
                kind: super::ActorKind::System,
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
    let label = format!("{} on {}", account.email, account.portal_name);
    let actor = person(&account, client_addr.clone());
    let state = state_of(&account)
        .ok_or_else(|| anyhow::anyhow!("account {} has an unknown status", account.id))?;
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
        store::delete_session(&mut tx, &tokens::hash_token(prev)).await?;
    }
    let token = tokens::new_token();
    let agent: Option<String> = user_agent.map(|u| u.chars().take(300).collect());
    store::insert_session(
        &mut tx,
        &tokens::hash_token(&token),
        account.id,
        now,
        now + session_ms,
        client_addr.as_deref(),
        agent.as_deref(),
    )
    .await?;
    store::set_last_login(&mut tx, account.id, now).await?;
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
    tx.commit().await?;
    Ok(PortalLogin::LoggedIn { token, account })
}

/// The account of a portal session while the session is alive and the account may still log
/// in: switching access off, expiry or deactivation ends every session at its next request.
pub async fn portal_session(
    cx: &Ctx,
    idle_ms: i64,
    portal_id: i64,
    token: &str,
) -> Result<Option<PortalAccount>> {
    let hash = tokens::hash_token(token);
    let now = cx.now();
    let mut tx = cx.db.read().await?;
    let Some(session) = store::get_session(&mut tx, &hash).await? else {
        return Ok(None);
    };
    let account = store::get(&mut tx, session.account_id).await?;
    drop(tx);
    let alive = session.expires_at > now && session.last_seen_at + idle_ms > now;
    let allowed = account
        .as_ref()
        .filter(|a| a.portal_id == portal_id)
        .and_then(state_of)
        .is_some_and(|s| s.login(today(now)).is_ok());
    if alive && allowed {
        if now - session.last_seen_at > 60_000 {
            let mut tx = cx.db.write().await?;
            store::touch_session(&mut tx, &hash, now).await?;
            tx.commit().await?;
        }
        return Ok(account);
    }
    let mut tx = cx.db.write().await?;
    store::delete_session(&mut tx, &hash).await?;
    tx.commit().await?;
    Ok(None)
}

pub async fn portal_logout(cx: &Ctx, token: &str) -> Result<()> {
    let mut tx = cx.db.write().await?;
    store::delete_session(&mut tx, &tokens::hash_token(token)).await?;
    tx.commit().await?;
    Ok(())
}

/// A staff action on an account's statuses.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// `approve`, `decline`, `switch_off`, `switch_on`, `set_valid_until`, `deactivate` or `reactivate`.
    #[schema(
        pattern = "^(approve|decline|switch_off|switch_on|set_valid_until|deactivate|reactivate)$"
    )]
    pub action: String,
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

pub use crate::clock::format_day;

/// Approves, declines, switches access, sets valid-until, deactivates or reactivates an
/// account, with its e-mail (approved, declined, access_off, access_on, valid_until_set,
/// deactivated, reactivated) written to the outbox in the same transaction.
pub async fn change_status(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    change: &StatusChange,
) -> Result<PortalAccount> {
    use crate::domain::account::Action;
    let action = match change.action.as_str() {
        "approve" => Action::Approve,
        "decline" => Action::Decline,
        "switch_off" => Action::SwitchAccess(false),
        "switch_on" => Action::SwitchAccess(true),
        "deactivate" => Action::Deactivate,
        "reactivate" => Action::Reactivate,
        "set_valid_until" => {
            let day = match change.valid_until.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(d) => {
                    Some(crate::clock::parse_day(d).map_err(|m| Error::invalid("valid_until", m))?)
                }
            };
            Action::SetValidUntil(day)
        }
        _ => {
            return Err(Error::invalid(
                "action",
                "must be one of: approve, decline, switch_off, switch_on, set_valid_until, deactivate, reactivate",
            ));
        }
    };
    if actor.team.is_some() && !matches!(action, Action::Deactivate | Action::Reactivate) {
        return Err(Error::Forbidden(
            "An organization's admins deactivate and reactivate its accounts; staff do the rest."
                .into(),
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
    let state =
        state_of(&account).ok_or_else(|| anyhow::anyhow!("account {id} has an unknown status"))?;
    let next = state
        .apply(action)
        .map_err(|e| Error::Refused(e.message().into()))?;
    super::access::keep_an_admin(&mut tx, actor, &account, Some(&next)).await?;
    store::set_state(
        &mut tx,
        id,
        next.registration.as_str(),
        next.approval.as_str(),
        next.access_granted,
        next.valid_until,
        next.lifecycle.as_str(),
        next.role.as_str(),
        now,
    )
    .await?;
    let portal = directory::get_portal(&mut tx, account.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let login_url = format!(
        "{}/portal/{}/login",
        cx.mail.public_url.trim_end_matches('/'),
        portal.id
    );
    let mail = match action {
        Action::Approve => Some((
            "approved",
            serde_json::json!({ "login_url": login_url, "message": message }),
        )),
        Action::Decline => Some(("declined", serde_json::json!({ "message": message }))),
        Action::SwitchAccess(false) => Some(("access_off", serde_json::json!({}))),
        Action::SwitchAccess(true) => {
            Some(("access_on", serde_json::json!({ "login_url": login_url })))
        }
        Action::Deactivate => Some(("deactivated", serde_json::json!({}))),
        Action::Reactivate => Some(("reactivated", serde_json::json!({ "login_url": login_url }))),
        Action::SetValidUntil(Some(day)) => Some((
            "valid_until_set",
            serde_json::json!({ "valid_until": format_day(day) }),
        )),
        _ => None,
    };
    // Nobody is told about an account that has not been set up yet (an invitation still open).
    let reachable =
        account.registration == "registered" || matches!(action, Action::Approve | Action::Decline);
    if let Some((event, variables)) = mail
        && change.notify.unwrap_or(true)
        && reachable
    {
        let recipient =
            EmailAddress::parse(&account.email).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?;
        enqueue(
            &mut tx,
            now,
            &cx.mail,
            &Outgoing {
                portal_id: Some(portal.id),
                event,
                language: choose_language(Some(&account.language), Some(&portal.default_language)),
                recipient: &recipient,
                recipient_name: Some(&account.name),
                variables,
                link: None,
            },
        )
        .await?;
    }
    let label = format!("{} on {}", account.email, account.portal_name);
    let action_name = format!("account.{}", change.action);
    record(
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
        json(&next),
    )
    .await?;
    let account = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok(account)
}

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
            portal_id: Some(portal.id),
            event,
            language: choose_language(Some(&account.language), Some(&portal.default_language)),
            recipient,
            recipient_name: Some(&account.name),
            variables: serde_json::json!({}),
            link: Some(Link {
                purpose: "password",
                account_id: account.id,
            }),
        },
    )
    .await?;
    Ok(())
}

/// "Forgot password": a reset link when the address has a registered account on the portal.
/// The answer is the same whether or not it does.
pub async fn request_password_reset(
    cx: &Ctx,
    portal_id: i64,
    email: &str,
    client_addr: Option<String>,
) -> Result<()> {
    super::limits::count_mail_request(cx, "forgot", email, client_addr.as_deref()).await?;
    let Ok(email) = EmailAddress::parse(email) else {
        return Ok(());
    };
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let Some(account) = store::find(&mut tx, portal_id, email.as_str()).await? else {
        return Ok(());
    };
    if account.registration != "registered" {
        return Ok(());
    }
    queue_password_link(cx, &mut tx, now, &account, "password_reset", &email).await?;
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
    if account.registration != "registered" {
        return Err(Error::Refused(
            "The account has no password yet: send the invitation or activation e-mail again instead.".into(),
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

/// The account a password link is for, while the link is unused and unexpired.
pub async fn check_password_link(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
) -> Result<Option<PortalAccount>> {
    check_link(cx, portal_id, token, "password", "registered").await
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
    store::delete_sessions_of(&mut tx, account.id).await?;
    let portal = directory::get_portal(&mut tx, account.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let recipient =
        EmailAddress::parse(&account.email).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?;
    enqueue(
        &mut tx,
        now,
        &cx.mail,
        &Outgoing {
            portal_id: Some(portal.id),
            event: "password_changed_notice",
            language: choose_language(Some(&account.language), Some(&portal.default_language)),
            recipient: &recipient,
            recipient_name: Some(&account.name),
            variables: serde_json::json!({}),
            link: None,
        },
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
    Ok(account)
}

pub(super) async fn account_in_scope(
    tx: &mut crate::storage::Tx,
    actor: &Actor,
    id: i64,
) -> Result<PortalAccount> {
    match store::get(tx, id).await? {
        Some(a) if actor.reaches(&a) => Ok(a),
        _ => Err(Error::NotFound("account")),
    }
}

/// Sends the invitation (or the activation e-mail) again, with a new link; the old one stops
/// working.
pub async fn resend_link(cx: &Ctx, actor: &Actor, id: i64) -> Result<PortalAccount> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let account = account_in_scope(&mut tx, actor, id).await?;
    let (event, purpose) = match account.registration.as_str() {
        "invited" => ("invitation", "invitation"),
        "activation_sent" => ("activation", "activation"),
        _ => {
            return Err(Error::Refused(
                "The account is already registered; send a new-password link instead.".into(),
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
        let inviter = inviter_name(actor);
        serde_json::json!({ "organization_name": account.organization_name, "inviter_name": inviter })
    } else {
        serde_json::json!({})
    };
    enqueue(
        &mut tx,
        now,
        &cx.mail,
        &Outgoing {
            portal_id: Some(portal.id),
            event,
            language: choose_language(Some(&account.language), Some(&portal.default_language)),
            recipient: &recipient,
            recipient_name: Some(&account.name),
            variables,
            link: Some(Link {
                purpose,
                account_id: id,
            }),
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

/// Removes an account: the contact stays, the address can be invited again later. A person who
/// had registered is told ("your access was revoked"); an invitation still open is simply
/// cancelled.
pub async fn remove_account(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    notify: bool,
) -> Result<PortalAccount> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let account = account_in_scope(&mut tx, actor, id).await?;
    let portal = directory::get_portal(&mut tx, account.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    super::access::keep_an_admin(&mut tx, actor, &account, None).await?;
    store::delete(&mut tx, id).await?;
    let cancelled = account.registration != "registered";
    if notify && !cancelled {
        let recipient =
            EmailAddress::parse(&account.email).map_err(|m| Error::Internal(anyhow::anyhow!(m)))?;
        enqueue(
            &mut tx,
            now,
            &cx.mail,
            &Outgoing {
                portal_id: Some(portal.id),
                event: "access_revoked",
                language: choose_language(Some(&account.language), Some(&portal.default_language)),
                recipient: &recipient,
                recipient_name: Some(&account.name),
                variables: serde_json::json!({ "organization_name": account.organization_name }),
                link: None,
            },
        )
        .await?;
    }
    let label = format!("{} on {}", account.email, account.portal_name);
    let action = if cancelled {
        "account.invitation_cancelled"
    } else {
        "account.removed"
    };
    record(
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
    Ok(account)
}

pub async fn list_accounts(
    cx: &Ctx,
    actor: &Actor,
    filter: &store::AccountFilter,
) -> Result<crate::storage::directory::Page<PortalAccount>> {
    let mut tx = cx.db.read().await?;
    let mut page = store::list(&mut tx, &actor.scope, filter).await?;
    store::fill_modules(&mut tx, &mut page.items).await?;
    Ok(page)
}

/// The person asks for a new invitation or activation link (theirs expired): sent again when
/// the address has one open on the portal, nothing otherwise, and the same answer either way.
pub async fn request_new_link(
    cx: &Ctx,
    portal_id: i64,
    email: &str,
    client_addr: Option<String>,
) -> Result<()> {
    super::limits::count_mail_request(cx, "new-link", email, client_addr.as_deref()).await?;
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
        Some(a) if a.registration != "registered" && notify_staff => {
            tell_staff_of_request(cx, &a, client_addr).await
        }
        Some(a) if a.registration != "registered" => {
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

/// An account with its history from the audit log and its e-mails from the outbox, newest first.
pub struct AccountDetail {
    pub account: PortalAccount,
    pub history: Vec<crate::storage::audit::AuditEvent>,
    pub messages: Vec<OutboxMessage>,
}

pub async fn account_detail(cx: &Ctx, actor: &Actor, id: i64) -> Result<AccountDetail> {
    let mut tx = cx.db.read().await?;
    let account = account_in_scope(&mut tx, actor, id).await?;
    let history = crate::storage::audit::list(
        &mut tx,
        &crate::storage::audit::AuditFilter {
            target_kind: Some("portal_account".into()),
            target_id: Some(id),
            limit: 100,
            ..Default::default()
        },
    )
    .await?;
    let messages =
        crate::storage::outbox::of_account(&mut tx, account.portal_id, &account.email, id, 50)
            .await?;
    Ok(AccountDetail {
        account,
        history,
        messages,
    })
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
        let reaches = s.role == "administrator"
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
