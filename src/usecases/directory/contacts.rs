//! Contacts: list, read, create, change and upsert by external id.

use super::Outcome;
use super::records::{self, Record};
use crate::domain::directory::{self as rules, ContactInput, OrganizationRef, ValidContact};
use crate::storage::Tx;
use crate::storage::directory::{self as store, Contact, ContactRow};
use crate::usecases::{Actor, Ctx, Error, Result};

pub async fn list_contacts(
    cx: &Ctx,
    actor: &Actor,
    filter: &store::ContactFilter,
) -> Result<store::Page<Contact>> {
    let mut tx = cx.db.read().await?;
    Ok(store::list_contacts(&mut tx, &actor.scope, filter).await?)
}

/// A page of the contact list in the chosen order, with each contact's portal access, and how
/// many contacts the filter finds.
pub async fn contacts_in_order(
    cx: &Ctx,
    actor: &Actor,
    filter: &store::ContactFilter,
    order: &crate::storage::listing::Order,
    window: crate::storage::listing::Window,
) -> Result<crate::storage::listing::Counted<store::ListedContact>> {
    let mut tx = cx.db.read().await?;
    let today = crate::clock::today(cx.now());
    Ok(store::contacts_in_order(&mut tx, &actor.scope, filter, order, window, today).await?)
}

pub async fn get_contact(cx: &Ctx, actor: &Actor, id: i64) -> Result<Contact> {
    let mut tx = cx.db.read().await?;
    records::visible(&mut tx, &actor.scope, id).await
}

/// Checks a contact's references inside the write transaction and returns its organization.
async fn resolve_contact(
    tx: &mut Tx,
    actor: &Actor,
    v: &ValidContact,
    existing: Option<&Contact>,
) -> Result<i64> {
    let org = match &v.organization {
        OrganizationRef::Id(id) => store::get_organization(tx, *id).await?,
        OrganizationRef::ExternalId(ext) => {
            store::find_organization_by_external_id(tx, ext).await?
        }
    };
    let organization_id = match org {
        Some(o) if actor.scope.allows_area(o.area_id) => o.id,
        _ => {
            let (field, shown) = match &v.organization {
                OrganizationRef::Id(id) => ("organization_id", id.to_string()),
                OrganizationRef::ExternalId(e) => ("organization_external_id", e.clone()),
            };
            return Err(Error::invalid(
                field,
                format!("no organization {shown} (or not in your areas)"),
            ));
        }
    };
    if let Some(ext) = &v.external_id
        && let Some(other) = store::find_contact_by_external_id(tx, ext).await?
        && existing.map(|e| e.id) != Some(other.id)
    {
        return Err(Error::conflict(
            "external_id",
            crate::catalog::Message::new("error-external-id-contact"),
        ));
    }
    Ok(organization_id)
}

/// The columns of a valid contact in its resolved organization.
fn contact_row(v: &ValidContact, organization_id: i64) -> ContactRow<'_> {
    ContactRow {
        organization_id,
        name: &v.name,
        email: v.email.as_ref().map(|e| e.as_str()),
        phone: v.phone.as_deref(),
        language: v.language.as_str(),
        external_id: v.external_id.as_deref(),
    }
}

impl Record for Contact {
    type Valid = ValidContact;
    /// The organization.
    type Refs = i64;
    const KIND: &'static str = "contact";
    const CREATED: &'static str = "contact.created";
    const UPDATED: &'static str = "contact.updated";
    const OUTSIDE_YOUR_AREAS: &'static str = "error-external-id-contact-outside";

    fn id(&self) -> i64 {
        self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn area_id(&self) -> Option<i64> {
        self.area_id
    }
    fn valid_external_id(v: &ValidContact) -> Option<&str> {
        v.external_id.as_deref()
    }
    fn same(&self, v: &ValidContact, organization_id: i64) -> bool {
        let row = contact_row(v, organization_id);
        self.organization_id == row.organization_id
            && self.name == row.name
            && self.email.as_deref() == row.email
            && self.phone.as_deref() == row.phone
            && self.language == row.language
            && self.external_id.as_deref() == row.external_id
    }
    async fn get(tx: &mut Tx, id: i64) -> Result<Option<Self>> {
        Ok(store::get_contact(tx, id).await?)
    }
    async fn find_by_external_id(tx: &mut Tx, external_id: &str) -> Result<Option<Self>> {
        Ok(store::find_contact_by_external_id(tx, external_id).await?)
    }
    async fn resolve(
        tx: &mut Tx,
        actor: &Actor,
        v: &ValidContact,
        existing: Option<&Self>,
    ) -> Result<i64> {
        resolve_contact(tx, actor, v, existing).await
    }
    async fn insert(tx: &mut Tx, v: &ValidContact, organization_id: i64, now: i64) -> Result<i64> {
        store::insert_contact(tx, &contact_row(v, organization_id), now)
            .await
            .map_err(|e| Error::from_write(e, "external_id"))
    }
    async fn insert_unless_taken(
        tx: &mut Tx,
        v: &ValidContact,
        organization_id: i64,
        now: i64,
    ) -> Result<Option<i64>> {
        let row = contact_row(v, organization_id);
        Ok(store::insert_contact_unless_taken(tx, &row, now).await?)
    }
    async fn update(
        tx: &mut Tx,
        id: i64,
        v: &ValidContact,
        organization_id: i64,
        now: i64,
    ) -> Result<()> {
        store::update_contact(tx, id, &contact_row(v, organization_id), now)
            .await
            .map_err(|e| Error::from_write(e, "external_id"))
    }
}

pub async fn create_contact(cx: &Ctx, actor: &Actor, input: &ContactInput) -> Result<Contact> {
    records::create(cx, actor, &rules::validate_contact(input)?).await
}

/// Reads back a contact just inserted (by another use case) and records its creation.
pub async fn contact_created(tx: &mut Tx, now: i64, actor: &Actor, id: i64) -> Result<Contact> {
    records::created(tx, now, actor, id).await
}

pub async fn update_contact(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    input: &ContactInput,
) -> Result<Contact> {
    records::update(cx, actor, id, &rules::validate_contact(input)?).await
}

pub async fn upsert_contact(
    cx: &Ctx,
    actor: &Actor,
    external_id: &str,
    input: &ContactInput,
) -> Result<(Contact, Outcome)> {
    let mut input = input.clone();
    records::path_external_id(&mut input.external_id, external_id)?;
    records::upsert(cx, actor, &rules::validate_contact(&input)?).await
}
