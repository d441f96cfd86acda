//! Granting access: a contact gets an invited account on a portal, with its role, modules and
//! customers, and an invitation e-mail with a single-use link; an organization's people are
//! invited many at once (addresses without a contact become contacts of the organization).

use serde::Deserialize;

use super::super::{Actor, ActorKind, Ctx, Error, Result, Target, json, record};
use crate::domain::EmailAddress;
use crate::domain::FieldErrors;
use crate::domain::account::{AccountState, Role};
use crate::domain::validation::Message;
use crate::storage::accounts::{self as store, NewAccount, PortalAccount};
use crate::storage::directory;
use crate::usecases::access::{check_customers, check_giver, check_grant};
use crate::usecases::directory::Outcome;
use crate::usecases::mail::{Link, Outgoing, choose_language, enqueue};

/// Access to grant to a contact.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantInput {
    pub contact_id: i64,
    pub portal_id: i64,
    /// `admin`, `user`, `marketing` or `notifications`; `user` when not given.
    #[serde(default)]
    #[schema(value_type = Option<crate::domain::account::Role>)]
    pub role: Option<String>,
    /// Names of the portal's modules.
    #[serde(default)]
    pub modules: Vec<String>,
    /// The customers a user sees, per partnership of the contact's partner organization (or,
    /// with no partnership, among the sub-accounts of its customer organization); none in one
    /// means all of it.
    #[serde(default)]
    pub customers: Vec<crate::usecases::access::AssignmentInput>,
    /// Send the invitation to this address instead of the contact's.
    #[serde(default)]
    #[schema(format = Email, max_length = 254)]
    pub send_to: Option<String>,
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
    let assigned = check_customers(
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

/// Whether `email` may be invited to the portal for `organization_id`: `Ok(None)` when the
/// portal has no account with that address, `Ok(Some(account))` when it is an account of that
/// organization the actor reaches (inviting again changes nothing), else the refusal. An account
/// the actor does not reach gets the answer of any invitation that cannot be made: nothing
/// about it (its organization, its area, that it exists) is told.
async fn invitable(
    tx: &mut crate::storage::Tx,
    actor: &Actor,
    portal_id: i64,
    email: &str,
    organization_id: i64,
) -> Result<std::result::Result<Option<PortalAccount>, Message>> {
    Ok(match store::find(tx, portal_id, email).await? {
        None => Ok(None),
        Some(a) if actor.reaches(&a) && a.organization_id == Some(organization_id) => Ok(Some(a)),
        Some(_) => Err(Message::new("error-cannot-invite").text("email", email)),
    })
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
    match invitable(tx, actor, portal.id, &email, contact.organization_id).await? {
        Ok(Some(existing)) => return Ok((existing, Outcome::Unchanged)),
        Ok(None) => {}
        Err(m) => return Err(Error::invalid("contact_id", m)),
    }
    let state = AccountState::invited(role);
    let id = store::insert(
        tx,
        &NewAccount {
            portal_id: portal.id,
            email: &email,
            contact_id: Some(contact.id),
            name: &contact.name,
            state,
            language: &contact.language,
            time_zone: &portal.default_time_zone,
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
    // A notifications-only account never logs in: it has no invitation to accept and no
    // password to choose, so none is sent.
    if role.may_log_in() {
        let inviter = inviter_name(tx, actor).await?;
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
    }
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

/// An e-mail address as the API receives it.
#[derive(utoipa::ToSchema)]
#[schema(format = Email, max_length = 254)]
#[allow(dead_code)]
struct EmailText(String);

/// Inviting many people of one organization at once, all with the same role and modules.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteInput {
    pub portal_id: i64,
    /// `admin`, `user`, `marketing` or `notifications`; `user` when not given.
    #[serde(default)]
    #[schema(value_type = Option<crate::domain::account::Role>)]
    pub role: Option<String>,
    #[serde(default)]
    pub modules: Vec<String>,
    /// The customers each user sees (see `GrantInput`).
    #[serde(default)]
    pub customers: Vec<crate::usecases::access::AssignmentInput>,
    /// Contacts of the organization to grant access to.
    #[serde(default)]
    pub contact_ids: Vec<i64>,
    /// Addresses to invite: the organization's contact with that address, or a new contact.
    #[serde(default)]
    #[schema(inline, value_type = Vec<EmailText>, max_items = 500)]
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
    // The line each address came from, for its error.
    let mut lines: Vec<usize> = Vec::new();
    for (i, raw) in input.emails.iter().enumerate() {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        match EmailAddress::parse(raw) {
            Ok(a) if !addresses.contains(&a) => {
                addresses.push(a);
                lines.push(i + 1);
            }
            Ok(_) => {}
            Err(m) => errors.add(
                "emails",
                Message::new("error-line-address")
                    .number("line", i64::try_from(i + 1).unwrap_or(i64::MAX))
                    .text("address", raw)
                    .message("problem", m),
            ),
        }
    }
    if addresses.len() + input.contact_ids.len() > 500 {
        errors.add(
            "emails",
            Message::new("error-invite-too-many").number("max", 500),
        );
    }
    if addresses.is_empty() && input.contact_ids.is_empty() {
        errors.add("emails", Message::new("error-invite-nobody"));
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
        None => {
            crate::usecases::directory::visible_organization(&mut tx, &actor.scope, organization_id)
                .await
                .map_err(|_| Error::NotFound("organization"))?
        }
    };
    let portal = portal_for_grant(&mut tx, input.portal_id).await?;
    let (role, modules) = check_grant(&mut errors, &portal, input.role.as_deref(), &input.modules);
    let assigned = check_customers(&mut tx, &mut errors, org.id, &input.customers).await?;
    check_giver(
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
                Message::new("error-contact-without-email").text("name", c.name.clone()),
            ),
            _ => errors.add(
                "contact_ids",
                Message::new("error-no-such-contact")
                    .number("id", cid)
                    .text("organization", org.name.clone()),
            ),
        }
    }
    // Nothing is written (no contact made) when any of them cannot be invited.
    for c in &contacts {
        let email = c.email.as_deref().unwrap_or_default();
        if let Err(m) = invitable(&mut tx, actor, portal.id, email, org.id).await? {
            errors.add("contact_ids", m);
        }
    }
    for (line, address) in lines.iter().zip(&addresses) {
        if let Err(m) = invitable(&mut tx, actor, portal.id, address.as_str(), org.id).await? {
            errors.add(
                "emails",
                Message::new("error-line")
                    .number("line", i64::try_from(*line).unwrap_or(i64::MAX))
                    .message("problem", m),
            );
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

/// The name an invitation gives as its sender: a staff user by name (by address when they have
/// none), or an organization's admin on the portal pages; nobody for keys and the command line.
pub(super) async fn inviter_name(tx: &mut crate::storage::Tx, actor: &Actor) -> Result<String> {
    Ok(match actor.kind {
        ActorKind::Staff => staff_by_name(tx, actor.id, &actor.label).await?,
        ActorKind::PortalUser if actor.team.is_some() => actor.label.clone(),
        _ => String::new(),
    })
}

/// The name of staff user `id`, or `address` when they have none.
async fn staff_by_name(
    tx: &mut crate::storage::Tx,
    id: Option<i64>,
    address: &str,
) -> Result<String> {
    let name = match id {
        Some(id) => crate::storage::staff::staff_name(tx, id).await?,
        None => None,
    };
    Ok(name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| address.to_string()))
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
    let Some(event) = events
        .into_iter()
        .find(|e| e.actor_kind == "staff" || e.actor_kind == "portal_user")
    else {
        return Ok(None);
    };
    if event.actor_kind == "staff" {
        return Ok(Some(
            staff_by_name(&mut tx, event.actor_id, &event.actor_label).await?,
        ));
    }
    Ok(Some(event.actor_label))
}
