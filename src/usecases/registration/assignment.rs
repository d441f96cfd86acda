//! The assignment queue: staff link a self-registered account to a contact, found by search
//! or created from what the person typed.

use serde::{Deserialize, Serialize};

use super::super::{Actor, Ctx, Error, Result, Target, json, record};
use super::RegistrationData;
use crate::domain::account::Action;
use crate::domain::directory::{OrganizationKind, PortalKind};
use crate::storage::Tx;
use crate::storage::accounts::{self as store, PortalAccount};
use crate::storage::directory::{self, Contact, ContactRow, OrganizationRow, Portal};
use crate::usecases::directory::{contact_created, organization_created};

/// The kind of organization a portal's people belong to.
pub(super) fn organization_kind(portal: &Portal) -> OrganizationKind {
    match portal.kind {
        PortalKind::Partner => OrganizationKind::Partner,
        PortalKind::Customer | PortalKind::Installer => OrganizationKind::Customer,
    }
}

/// Creates a contact from a registration, in the organization of that name when exactly one
/// exists, else in a new organization. Writes the audit events.
pub(super) async fn create_contact_from(
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
                    organization_created(tx, now, actor, id).await?;
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
    contact_created(tx, now, actor, id).await
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
                crate::catalog::Message::new("error-no-contact-in-areas").number("id", contact_id),
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

pub(super) async fn link(
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
            crate::domain::account::NotApplicable::AlreadyAssigned
                .message()
                .into(),
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
                    crate::catalog::Message::new("error-no-organization-in-areas").number("id", id),
                ));
            }
        }
    } else if !actor.admin {
        return Err(Error::invalid(
            "organization_id",
            crate::catalog::Message::new("error-choose-organization"),
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
                crate::catalog::Message::new("error-possible-duplicate")
                    .text("contacts", names.join(", ")),
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
