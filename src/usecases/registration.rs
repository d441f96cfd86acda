//! Self-registration on a portal, its activation, and linking a self-registered account to a
//! contact (the assignment queue).
//!
//! A person registers with their name, company, e-mail and password; an activation e-mail
//! proves the address. On activation, approval follows the portal's mode and the contact is
//! found by e-mail (exactly one match), created (when the portal allows it and nobody has the
//! address), or left pending for staff to link.

use serde::{Deserialize, Serialize};

use super::accounts::person;
use super::mail::{Link, Outgoing, choose_language, enqueue};
use super::{Actor, Ctx, Error, Result, Target, json, record};
use crate::domain::EmailAddress;
use crate::domain::FieldErrors;
use crate::domain::account::{AccountState, Action, Registration};
use crate::domain::directory::{Language, RegistrationMode};
use crate::domain::validation::required_text;
use crate::security::tokens;
use crate::storage::Tx;
use crate::storage::accounts::{self as store, NewAccount, PortalAccount};
use crate::storage::directory::{self, Contact, ContactRow, OrganizationRow, Portal};

/// What a person types into the registration form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegistrationInput {
    pub name: String,
    pub organization: String,
    pub email: String,
    pub phone: Option<String>,
    pub password: String,
    pub confirmation: String,
}

/// What the person told us about themselves, kept on the account for staff to link or create
/// the contact from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RegistrationData {
    pub name: String,
    pub organization: String,
    #[serde(default)]
    pub phone: Option<String>,
}

impl RegistrationData {
    pub fn of(account: &PortalAccount) -> Option<Self> {
        serde_json::from_str(account.registration_data.as_deref()?).ok()
    }
}

/// The portal's registration mode, or `NotFound` when it takes invitations only.
pub fn open_mode(portal: &Portal) -> Result<RegistrationMode> {
    match RegistrationMode::parse(&portal.registration_mode).ok() {
        Some(RegistrationMode::InvitationOnly) | None => Err(Error::NotFound("registration")),
        Some(mode) => Ok(mode),
    }
}

fn validate(input: &RegistrationInput) -> Result<(RegistrationData, EmailAddress)> {
    let mut errors = FieldErrors::new();
    let name = errors.take("name", required_text(&input.name, 200));
    let organization = errors.take("organization", required_text(&input.organization, 200));
    let email = errors.take("email", EmailAddress::parse(input.email.trim()));
    let phone = errors.take(
        "phone",
        crate::domain::directory::validate_phone(input.phone.as_deref()),
    );
    if let Err(m) = crate::domain::staff::check_password(&input.password) {
        errors.add("password", m);
    } else if input.password != input.confirmation {
        errors.add("confirmation", "does not match the password");
    }
    errors.into_result()?;
    let data = RegistrationData {
        name: name.expect("checked"),
        organization: organization.expect("checked"),
        phone: phone.flatten(),
    };
    Ok((data, email.expect("checked")))
}

/// Registers a person on a portal that allows it. The answer is the same whether or not the
/// address already has an account there: a new account gets an activation e-mail; one still
/// waiting for activation gets a new link (and the newest password); an open invitation is sent
/// again; a registered person is told by e-mail that they already have an account.
pub async fn register(
    cx: &Ctx,
    portal_id: i64,
    input: &RegistrationInput,
    language: Language,
    client_addr: Option<String>,
) -> Result<()> {
    let portal = {
        let mut tx = cx.db.read().await?;
        directory::get_portal(&mut tx, portal_id)
            .await?
            .ok_or(Error::NotFound("portal"))?
    };
    open_mode(&portal)?;
    let (data, email) = validate(input)?;
    super::limits::count_mail_request(cx, "register", email.as_str(), client_addr.as_deref())
        .await?;
    // Every path hashes, so that the answer takes as long whether or not the address is known.
    let hash = cx.hasher.hash(&input.password).await?;
    let data_json = serde_json::to_string(&data).map_err(anyhow::Error::from)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let existing = store::find(&mut tx, portal.id, email.as_str()).await?;
    let (id, action, event, link) = match existing {
        None => {
            let state = AccountState::self_registered(false);
            let id = store::insert(
                &mut tx,
                &NewAccount {
                    portal_id: portal.id,
                    email: email.as_str(),
                    contact_id: None,
                    name: &data.name,
                    state,
                    language: language.as_str(),
                    time_zone: "UTC",
                },
                now,
            )
            .await
            .map_err(|e| Error::from_write(e, "email"))?;
            store::set_registration(
                &mut tx,
                id,
                &hash,
                &data.name,
                &data_json,
                language.as_str(),
                now,
            )
            .await?;
            (id, "account.registered", "activation", Some("activation"))
        }
        Some(a) if a.registration == Registration::ActivationSent => {
            store::set_registration(
                &mut tx,
                a.id,
                &hash,
                &data.name,
                &data_json,
                language.as_str(),
                now,
            )
            .await?;
            store::revoke_tokens(&mut tx, a.id, "activation", now).await?;
            (
                a.id,
                "account.registered_again",
                "activation",
                Some("activation"),
            )
        }
        Some(a) if a.registration == Registration::Invited => {
            store::revoke_tokens(&mut tx, a.id, "invitation", now).await?;
            (
                a.id,
                "account.registered_while_invited",
                "invitation",
                Some("invitation"),
            )
        }
        Some(a) => (a.id, "account.registered_again", "account_exists", None),
    };
    let account = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    let base = format!(
        "{}/portal/{}",
        cx.mail.public_url.trim_end_matches('/'),
        portal.id
    );
    let variables = match event {
        "invitation" => serde_json::json!({
            "organization_name": account.organization_name,
            "inviter_name": "",
        }),
        "account_exists" => serde_json::json!({
            "login_url": format!("{base}/login"),
            "reset_url": format!("{base}/forgot"),
        }),
        _ => serde_json::json!({}),
    };
    enqueue(
        &mut tx,
        now,
        &cx.mail,
        &Outgoing {
            portal_id: Some(portal.id),
            event,
            language: choose_language(Some(&account.language), Some(&portal.default_language)),
            recipient: &email,
            recipient_name: Some(&account.name),
            variables,
            link: link.map(|purpose| Link {
                purpose,
                account_id: id,
            }),
        },
    )
    .await?;
    record(
        &mut tx,
        now,
        &person(&account, client_addr),
        action,
        Target {
            kind: "portal_account",
            id: Some(id),
            label: &format!("{} on {}", account.email, account.portal_name),
        },
        None,
        Some(serde_json::json!({ "registration": data, "language": language.as_str() })),
    )
    .await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok(())
}

/// The account an activation link is for, while the link is unused and unexpired.
pub async fn check_activation(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
) -> Result<Option<PortalAccount>> {
    super::accounts::check_link(
        cx,
        portal_id,
        token,
        "activation",
        Registration::ActivationSent,
    )
    .await
}

/// The kind of organization a portal's people belong to.
fn organization_kind(portal: &Portal) -> &'static str {
    if portal.kind == "partner" {
        "partner"
    } else {
        "customer"
    }
}

/// Creates a contact from a registration, in the organization of that name when exactly one
/// exists, else in a new organization. Writes the audit events.
async fn create_contact_from(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    portal: &Portal,
    account: &PortalAccount,
    data: &RegistrationData,
    organization_id: Option<i64>,
) -> Result<Contact> {
    let organization_id = match organization_id {
        Some(id) => id,
        None => {
            let kind = organization_kind(portal);
            let named = directory::organizations_named(tx, kind, &data.organization, 2).await?;
            match named.as_slice() {
                [one] => one.id,
                _ => {
                    let row = OrganizationRow {
                        kind,
                        name: &data.organization,
                        parent_id: None,
                        area_id: None,
                        external_id: None,
                    };
                    let id = directory::insert_organization(tx, &row, now).await?;
                    let org = directory::get_organization(tx, id)
                        .await?
                        .ok_or(Error::NotFound("organization"))?;
                    record(
                        tx,
                        now,
                        actor,
                        "organization.created",
                        Target {
                            kind: "organization",
                            id: Some(id),
                            label: &org.name,
                        },
                        None,
                        json(&org),
                    )
                    .await?;
                    id
                }
            }
        }
    };
    let row = ContactRow {
        organization_id,
        name: &data.name,
        email: Some(&account.email),
        phone: data.phone.as_deref(),
        language: &account.language,
        external_id: None,
    };
    let id = directory::insert_contact(tx, &row, now).await?;
    let contact = directory::get_contact(tx, id)
        .await?
        .ok_or(Error::NotFound("contact"))?;
    record(
        tx,
        now,
        actor,
        "contact.created",
        Target {
            kind: "contact",
            id: Some(id),
            label: &contact.name,
        },
        None,
        json(&contact),
    )
    .await?;
    Ok(contact)
}

/// The person confirms their address with the activation link: registered, approved at once
/// when the portal approves automatically, and linked to a contact when one can be told.
/// Using the link twice (or two at once) activates once.
pub async fn activate(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
    client_addr: Option<String>,
) -> Result<PortalAccount> {
    if check_activation(cx, portal_id, token).await?.is_none() {
        return Err(Error::NotFound("link"));
    }
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let token_hash = tokens::hash_token(token);
    let t = store::find_token(&mut tx, &token_hash)
        .await?
        .ok_or(Error::NotFound("link"))?;
    if t.purpose != "activation" || !store::use_token(&mut tx, &token_hash, now).await? {
        return Err(Error::NotFound("link"));
    }
    let account = store::get(&mut tx, t.account_id)
        .await?
        .filter(|a| a.portal_id == portal_id)
        .ok_or(Error::NotFound("link"))?;
    let portal = directory::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let mode =
        RegistrationMode::parse(&portal.registration_mode).unwrap_or(RegistrationMode::SelfManual);
    let state = account.state();
    let mut next = state
        .apply(Action::Activate(mode))
        .map_err(|e| Error::Refused(e.message().into()))?;
    let actor = person(&account, client_addr);
    if account.contact_id.is_none() {
        let matches = directory::contacts_with_email(&mut tx, &account.email, 2).await?;
        let contact_id = match matches.as_slice() {
            [one] => Some(one.id),
            [] if portal.self_registration_creates_contact => {
                let data = RegistrationData::of(&account).unwrap_or_else(|| RegistrationData {
                    name: account.name.clone(),
                    organization: account.name.clone(),
                    phone: None,
                });
                let system = Actor {
                    label: format!("self-registration of {}", account.email),
                    ..Actor::system("self-registration")
                };
                let c = create_contact_from(&mut tx, now, &system, &portal, &account, &data, None)
                    .await?;
                Some(c.id)
            }
            // Nobody, or several people, have the address: staff decide.
            _ => None,
        };
        if let Some(cid) = contact_id {
            store::set_contact(&mut tx, account.id, Some(cid), now).await?;
            next = next.apply(Action::LinkContact).unwrap_or(next);
        }
    }
    store::set_state(&mut tx, account.id, &next, now).await?;
    store::revoke_tokens(&mut tx, account.id, "activation", now).await?;
    let after = store::get(&mut tx, account.id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    record(
        &mut tx,
        now,
        &actor,
        "account.activated",
        Target {
            kind: "portal_account",
            id: Some(account.id),
            label: &format!("{} on {}", account.email, account.portal_name),
        },
        json(&state),
        json(&next),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A contact that may be the person behind a self-registered account, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Candidate {
    pub contact: Contact,
    /// `email` (the same address), `name` (a similar name), `organization` (in an organization
    /// with a similar name) or `search` (found by the query).
    pub reason: &'static str,
}

/// Contacts to link a pending account to, the likeliest first: the same e-mail address, then a
/// similar name, then people of an organization with a similar name; or, when staff search,
/// what the search finds.
pub async fn candidates(
    cx: &Ctx,
    actor: &Actor,
    account_id: i64,
    q: Option<&str>,
) -> Result<Vec<Candidate>> {
    let mut tx = cx.db.read().await?;
    let account = actor.account(&mut tx, account_id).await?;
    let data = RegistrationData::of(&account);
    let mut out: Vec<Candidate> = Vec::new();
    let push = |c: Contact, reason: &'static str, out: &mut Vec<Candidate>| {
        if actor.scope.allows_area(c.area_id) && !out.iter().any(|x| x.contact.id == c.id) {
            out.push(Candidate { contact: c, reason });
        }
    };
    let search = |q: String, organization_id: Option<i64>| directory::ContactFilter {
        q: Some(q),
        organization_id,
        limit: 10,
        ..Default::default()
    };
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let page = directory::list_contacts(&mut tx, &actor.scope, &search(q.into(), None)).await?;
        for c in page.items {
            push(c, "search", &mut out);
        }
        return Ok(out);
    }
    for c in directory::contacts_with_email(&mut tx, &account.email, 10).await? {
        push(c, "email", &mut out);
    }
    let name = data
        .as_ref()
        .map(|d| d.name.clone())
        .unwrap_or(account.name.clone());
    let page = directory::list_contacts(&mut tx, &actor.scope, &search(name, None)).await?;
    for c in page.items {
        push(c, "name", &mut out);
    }
    if let Some(d) = &data {
        let orgs = directory::list_organizations(
            &mut tx,
            &actor.scope,
            &directory::OrganizationFilter {
                q: Some(d.organization.clone()),
                limit: 3,
                ..Default::default()
            },
        )
        .await?;
        for o in orgs.items {
            let f = directory::ContactFilter {
                organization_id: Some(o.id),
                limit: 10,
                ..Default::default()
            };
            for c in directory::list_contacts(&mut tx, &actor.scope, &f)
                .await?
                .items
            {
                push(c, "organization", &mut out);
            }
        }
    }
    Ok(out)
}

/// Links a pending account to a contact (staff).
pub async fn link_contact(
    cx: &Ctx,
    actor: &Actor,
    account_id: i64,
    contact_id: i64,
) -> Result<PortalAccount> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let account = actor.account(&mut tx, account_id).await?;
    let contact = match directory::get_contact(&mut tx, contact_id).await? {
        Some(c) if actor.scope.allows_area(c.area_id) => c,
        _ => {
            return Err(Error::invalid(
                "contact_id",
                format!("no contact {contact_id} (or not in your areas)"),
            ));
        }
    };
    link(&mut tx, now, actor, &account, &contact).await?;
    let after = store::get(&mut tx, account_id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    tx.commit().await?;
    Ok(after)
}

async fn link(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    account: &PortalAccount,
    contact: &Contact,
) -> Result<()> {
    let state = account.state();
    let next = state
        .apply(Action::LinkContact)
        .map_err(|e| Error::Refused(e.message().into()))?;
    store::set_contact(tx, account.id, Some(contact.id), now).await?;
    record(
        tx,
        now,
        actor,
        "account.contact_linked",
        Target {
            kind: "portal_account",
            id: Some(account.id),
            label: &format!("{} on {}", account.email, account.portal_name),
        },
        json(&state),
        Some(serde_json::json!({
            "state": next,
            "contact_id": contact.id,
            "contact_name": contact.name,
            "organization_name": contact.organization_name,
        })),
    )
    .await
}

/// Creating a contact for a pending account.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateContactInput {
    /// The organization to create the contact in; when absent, the one named in the
    /// registration (exactly one of that name), else a new organization of that name.
    #[serde(default)]
    pub organization_id: Option<i64>,
    /// Create even though contacts with the same e-mail address or name exist.
    #[serde(default)]
    pub allow_duplicate: bool,
}

/// Creates a contact from a pending account's registration data and links it (staff). Warns,
/// and writes nothing, when it looks like a duplicate, unless told to go ahead.
pub async fn create_contact(
    cx: &Ctx,
    actor: &Actor,
    account_id: i64,
    input: &CreateContactInput,
) -> Result<PortalAccount> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let account = actor.account(&mut tx, account_id).await?;
    if account.contact_id.is_some() {
        return Err(Error::Refused(
            "The account is already linked to a contact.".into(),
        ));
    }
    let data = RegistrationData::of(&account).unwrap_or_else(|| RegistrationData {
        name: account.name.clone(),
        organization: account.name.clone(),
        phone: None,
    });
    if let Some(id) = input.organization_id {
        match directory::get_organization(&mut tx, id).await? {
            Some(o) if actor.scope.allows_area(o.area_id) => {}
            _ => {
                return Err(Error::invalid(
                    "organization_id",
                    format!("no organization {id} (or not in your areas)"),
                ));
            }
        }
    } else if !actor.admin {
        return Err(Error::invalid(
            "organization_id",
            "choose an organization in your areas",
        ));
    }
    if !input.allow_duplicate {
        let same = directory::contacts_with_email(&mut tx, &account.email, 5).await?;
        if !same.is_empty() {
            let names: Vec<String> = same
                .iter()
                .map(|c| format!("{} ({})", c.name, c.organization_name))
                .collect();
            return Err(Error::conflict(
                "allow_duplicate",
                format!(
                    "possible duplicate: {} already has this e-mail address; link that contact, or confirm to create another",
                    names.join(", ")
                ),
            ));
        }
    }
    let portal = directory::get_portal(&mut tx, account.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let contact = create_contact_from(
        &mut tx,
        now,
        actor,
        &portal,
        &account,
        &data,
        input.organization_id,
    )
    .await?;
    link(&mut tx, now, actor, &account, &contact).await?;
    let after = store::get(&mut tx, account_id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    tx.commit().await?;
    Ok(after)
}
