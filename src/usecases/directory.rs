//! Areas, organizations, partnerships, contacts and portals: create, change, and upsert by
//! external id for a CRM sync. Supervisors reach only organizations and contacts in their areas;
//! anything else answers "not found".

use super::{Actor, Ctx, Error, Result, Target, json, record};
use crate::domain::directory::{
    self as rules, AreaInput, ContactInput, OrganizationInput, OrganizationKind, OrganizationRef,
    ParentRef, PartnershipInput, PortalInput, ValidContact, ValidOrganization,
};
use crate::domain::staff::Scope;
use crate::storage::Tx;
use crate::storage::directory::{
    self as store, Area, Contact, ContactRow, Organization, OrganizationRow, Partnership, Portal,
    PortalRow,
};

/// Whether an upsert created, changed or left alone its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

// ---------------------------------------------------------------- areas

pub async fn list_areas(cx: &Ctx, actor: &Actor) -> Result<Vec<Area>> {
    let mut tx = cx.db.read().await?;
    let areas = store::list_areas(&mut tx).await?;
    Ok(areas
        .into_iter()
        .filter(|a| actor.scope.allows_area(Some(a.id)))
        .collect())
}

pub async fn get_area(cx: &Ctx, actor: &Actor, id: i64) -> Result<Area> {
    let mut tx = cx.db.read().await?;
    match store::get_area(&mut tx, id).await? {
        Some(a) if actor.scope.allows_area(Some(a.id)) => Ok(a),
        _ => Err(Error::NotFound("area")),
    }
}

pub async fn create_area(cx: &Ctx, actor: &Actor, input: &AreaInput) -> Result<Area> {
    actor.require_admin()?;
    let v = rules::validate_area(input)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    if store::find_area_by_name(&mut tx, &v.name).await?.is_some() {
        return Err(Error::conflict("name", "an area with this name exists"));
    }
    let id = store::insert_area(&mut tx, &v.name, now)
        .await
        .map_err(|e| Error::from_write(e, "name"))?;
    let area = store::get_area(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("area"))?;
    record(
        &mut tx,
        now,
        actor,
        "area.created",
        Target {
            kind: "area",
            id: Some(id),
            label: &area.name,
        },
        None,
        json(&area),
    )
    .await?;
    tx.commit().await?;
    Ok(area)
}

pub async fn update_area(cx: &Ctx, actor: &Actor, id: i64, input: &AreaInput) -> Result<Area> {
    actor.require_admin()?;
    let v = rules::validate_area(input)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let before = store::get_area(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("area"))?;
    if let Some(other) = store::find_area_by_name(&mut tx, &v.name).await?
        && other.id != id
    {
        return Err(Error::conflict("name", "an area with this name exists"));
    }
    if before.name == v.name {
        return Ok(before);
    }
    store::update_area(&mut tx, id, &v.name, now)
        .await
        .map_err(|e| Error::from_write(e, "name"))?;
    let after = store::get_area(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("area"))?;
    record(
        &mut tx,
        now,
        actor,
        "area.updated",
        Target {
            kind: "area",
            id: Some(id),
            label: &after.name,
        },
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- organizations

pub async fn list_organizations(
    cx: &Ctx,
    actor: &Actor,
    filter: &store::OrganizationFilter,
) -> Result<store::Page<Organization>> {
    let mut tx = cx.db.read().await?;
    Ok(store::list_organizations(&mut tx, &actor.scope, filter).await?)
}

/// The organization, when it exists and the actor may see it.
pub async fn visible_organization(tx: &mut Tx, scope: &Scope, id: i64) -> Result<Organization> {
    match store::get_organization(tx, id).await? {
        Some(o) if scope.allows_area(o.area_id) => Ok(o),
        _ => Err(Error::NotFound("organization")),
    }
}

pub async fn get_organization(cx: &Ctx, actor: &Actor, id: i64) -> Result<Organization> {
    let mut tx = cx.db.read().await?;
    visible_organization(&mut tx, &actor.scope, id).await
}

/// Checks an organization's references inside the write transaction and returns its row.
async fn resolve_organization<'a>(
    tx: &mut Tx,
    actor: &Actor,
    v: &'a ValidOrganization,
    existing: Option<&Organization>,
) -> Result<OrganizationRow<'a>> {
    let mut errors = crate::domain::FieldErrors::new();
    if let Some(area) = v.area_id {
        let found = store::get_area(tx, area).await?;
        if found.is_none() || !actor.scope.allows_area(Some(area)) {
            errors.add(
                "area_id",
                format!("no area with id {area} (or not one of yours)"),
            );
        }
    } else if !actor.scope.is_all() {
        errors.add("area_id", "is required: choose one of your areas");
    }
    let parent_id = match &v.parent {
        ParentRef::None => None,
        ParentRef::Id(pid) => {
            let p = store::get_organization(tx, *pid).await?;
            check_parent(&mut errors, actor, p, "parent_id", &pid.to_string())
        }
        ParentRef::ExternalId(ext) => {
            let p = store::find_organization_by_external_id(tx, ext).await?;
            check_parent(&mut errors, actor, p, "parent_external_id", ext)
        }
    };
    if let (Some(me), Some(pid)) = (existing, parent_id) {
        // Walk up from the new parent; meeting ourselves means a cycle.
        let mut current = Some(pid);
        let mut steps = 0;
        let mut cycle = false;
        while let Some(id) = current {
            if id == me.id || steps > 10_000 {
                cycle = true;
                break;
            }
            steps += 1;
            current = store::parent_of(tx, id).await?;
        }
        if cycle {
            errors.add(
                "parent_id",
                "would make a cycle: the parent is this organization or one of its sub-accounts",
            );
        }
    }
    if let Some(me) = existing {
        if v.kind == OrganizationKind::Partner && store::count_children(tx, me.id).await? > 0 {
            errors.add(
                "kind",
                "this customer has sub-accounts; a partner cannot have them",
            );
        }
        if v.kind.as_str() != me.kind {
            let held = store::count_partnership_links(tx, me.id).await?;
            if held > 0 {
                errors.add(
                    "kind",
                    "this organization is part of partnerships; take it out of them before changing its kind",
                );
            }
        }
    }
    if let Some(ext) = &v.external_id
        && let Some(other) = store::find_organization_by_external_id(tx, ext).await?
        && existing.map(|e| e.id) != Some(other.id)
    {
        return Err(Error::conflict(
            "external_id",
            "is already used by another organization",
        ));
    }
    errors.into_result()?;
    Ok(OrganizationRow {
        kind: v.kind.as_str(),
        name: &v.name,
        parent_id,
        area_id: v.area_id,
        external_id: v.external_id.as_deref(),
    })
}

fn check_parent(
    errors: &mut crate::domain::FieldErrors,
    actor: &Actor,
    parent: Option<Organization>,
    field: &str,
    shown: &str,
) -> Option<i64> {
    match parent {
        Some(p) if actor.scope.allows_area(p.area_id) => {
            if p.kind != "customer" {
                errors.add(field, "the parent must be a customer");
                None
            } else {
                Some(p.id)
            }
        }
        _ => {
            errors.add(
                field,
                format!("no organization {shown} (or not in your areas)"),
            );
            None
        }
    }
}

fn same_organization(o: &Organization, row: &OrganizationRow<'_>) -> bool {
    o.kind == row.kind
        && o.name == row.name
        && o.parent_id == row.parent_id
        && o.area_id == row.area_id
        && o.external_id.as_deref() == row.external_id
}

pub async fn create_organization(
    cx: &Ctx,
    actor: &Actor,
    input: &OrganizationInput,
) -> Result<Organization> {
    let v = rules::validate_organization(input)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let row = resolve_organization(&mut tx, actor, &v, None).await?;
    let id = store::insert_organization(&mut tx, &row, now)
        .await
        .map_err(|e| Error::from_write(e, "external_id"))?;
    let org = organization_created(&mut tx, now, actor, id).await?;
    tx.commit().await?;
    Ok(org)
}

/// Reads back the organization just inserted and records its creation.
async fn organization_created(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    id: i64,
) -> Result<Organization> {
    let org = store::get_organization(tx, id)
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
    Ok(org)
}

async fn change_organization(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    before: Organization,
    v: &ValidOrganization,
) -> Result<(Organization, Outcome)> {
    let row = resolve_organization(tx, actor, v, Some(&before)).await?;
    if same_organization(&before, &row) {
        return Ok((before, Outcome::Unchanged));
    }
    store::update_organization(tx, before.id, &row, now)
        .await
        .map_err(|e| Error::from_write(e, "external_id"))?;
    let after = store::get_organization(tx, before.id)
        .await?
        .ok_or(Error::NotFound("organization"))?;
    record(
        tx,
        now,
        actor,
        "organization.updated",
        Target {
            kind: "organization",
            id: Some(after.id),
            label: &after.name,
        },
        json(&before),
        json(&after),
    )
    .await?;
    Ok((after, Outcome::Updated))
}

pub async fn update_organization(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    input: &OrganizationInput,
) -> Result<Organization> {
    let v = rules::validate_organization(input)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let before = visible_organization(&mut tx, &actor.scope, id).await?;
    let (org, outcome) = change_organization(&mut tx, now, actor, before, &v).await?;
    if outcome != Outcome::Unchanged {
        tx.commit().await?;
    }
    Ok(org)
}

/// What an upsert found under its external id: the record there, or the one it inserted.
enum Lookup<T> {
    There(T),
    Inserted(i64),
}

/// An upsert's look-up: the record under its external id ($find), or else the one $insert
/// inserts (an async block answering `None` when the external id is taken). Another call may
/// insert it meanwhile: then the checks before the insert, or the insert itself (which waits for
/// that call to commit), meet it, and the record there is found again. Returns from the calling
/// function with the insert's error when there is still none.
macro_rules! there_or_inserted {
    ($find:expr, $insert:expr) => {
        match $find.await? {
            Some(there) => Lookup::There(there),
            None => match $insert.await {
                Ok(Some(id)) => Lookup::Inserted(id),
                refused => match $find.await {
                    Ok(Some(there)) => Lookup::There(there),
                    _ => return Err(refused.err().unwrap_or(Error::NotFound("record"))),
                },
            },
        }
    };
}

/// Creates or updates the organization with this external id; repeating the same call changes nothing.
pub async fn upsert_organization(
    cx: &Ctx,
    actor: &Actor,
    external_id: &str,
    input: &OrganizationInput,
) -> Result<(Organization, Outcome)> {
    let mut input = input.clone();
    match input.external_id.as_deref() {
        Some(e) if e.trim() != external_id.trim() => {
            return Err(Error::invalid(
                "external_id",
                "must match the external id in the path",
            ));
        }
        _ => input.external_id = Some(external_id.to_string()),
    }
    let v = rules::validate_organization(&input)?;
    let ext = v
        .external_id
        .clone()
        .ok_or_else(|| Error::invalid("external_id", "is required"))?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let found = there_or_inserted!(
        store::find_organization_by_external_id(&mut tx, &ext),
        async {
            let row = resolve_organization(&mut tx, actor, &v, None).await?;
            Ok::<_, Error>(store::insert_organization_unless_taken(&mut tx, &row, now).await?)
        }
    );
    let existing = match found {
        Lookup::There(existing) => existing,
        Lookup::Inserted(id) => {
            let org = organization_created(&mut tx, now, actor, id).await?;
            tx.commit().await?;
            return Ok((org, Outcome::Created));
        }
    };
    if !actor.scope.allows_area(existing.area_id) {
        return Err(Error::conflict(
            "external_id",
            "is already used by an organization outside your areas",
        ));
    }
    let result = change_organization(&mut tx, now, actor, existing, &v).await?;
    if result.1 != Outcome::Unchanged {
        tx.commit().await?;
    }
    Ok(result)
}

// ---------------------------------------------------------------- contacts

pub async fn list_contacts(
    cx: &Ctx,
    actor: &Actor,
    filter: &store::ContactFilter,
) -> Result<store::Page<Contact>> {
    let mut tx = cx.db.read().await?;
    Ok(store::list_contacts(&mut tx, &actor.scope, filter).await?)
}

async fn visible_contact(tx: &mut Tx, scope: &Scope, id: i64) -> Result<Contact> {
    match store::get_contact(tx, id).await? {
        Some(c) if scope.allows_area(c.area_id) => Ok(c),
        _ => Err(Error::NotFound("contact")),
    }
}

pub async fn get_contact(cx: &Ctx, actor: &Actor, id: i64) -> Result<Contact> {
    let mut tx = cx.db.read().await?;
    visible_contact(&mut tx, &actor.scope, id).await
}

async fn resolve_contact<'a>(
    tx: &mut Tx,
    actor: &Actor,
    v: &'a ValidContact,
    existing: Option<&Contact>,
) -> Result<ContactRow<'a>> {
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
            "is already used by another contact",
        ));
    }
    Ok(ContactRow {
        organization_id,
        name: &v.name,
        email: v.email.as_ref().map(|e| e.as_str()),
        phone: v.phone.as_deref(),
        language: v.language.as_str(),
        external_id: v.external_id.as_deref(),
    })
}

fn same_contact(c: &Contact, row: &ContactRow<'_>) -> bool {
    c.organization_id == row.organization_id
        && c.name == row.name
        && c.email.as_deref() == row.email
        && c.phone.as_deref() == row.phone
        && c.language == row.language
        && c.external_id.as_deref() == row.external_id
}

pub async fn create_contact(cx: &Ctx, actor: &Actor, input: &ContactInput) -> Result<Contact> {
    let v = rules::validate_contact(input)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let row = resolve_contact(&mut tx, actor, &v, None).await?;
    let id = store::insert_contact(&mut tx, &row, now)
        .await
        .map_err(|e| Error::from_write(e, "external_id"))?;
    let contact = contact_created(&mut tx, now, actor, id).await?;
    tx.commit().await?;
    Ok(contact)
}

/// Reads back the contact just inserted and records its creation.
async fn contact_created(tx: &mut Tx, now: i64, actor: &Actor, id: i64) -> Result<Contact> {
    let contact = store::get_contact(tx, id)
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

async fn change_contact(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    before: Contact,
    v: &ValidContact,
) -> Result<(Contact, Outcome)> {
    let row = resolve_contact(tx, actor, v, Some(&before)).await?;
    if same_contact(&before, &row) {
        return Ok((before, Outcome::Unchanged));
    }
    store::update_contact(tx, before.id, &row, now)
        .await
        .map_err(|e| Error::from_write(e, "external_id"))?;
    let after = store::get_contact(tx, before.id)
        .await?
        .ok_or(Error::NotFound("contact"))?;
    record(
        tx,
        now,
        actor,
        "contact.updated",
        Target {
            kind: "contact",
            id: Some(after.id),
            label: &after.name,
        },
        json(&before),
        json(&after),
    )
    .await?;
    Ok((after, Outcome::Updated))
}

pub async fn update_contact(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    input: &ContactInput,
) -> Result<Contact> {
    let v = rules::validate_contact(input)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let before = visible_contact(&mut tx, &actor.scope, id).await?;
    let (contact, outcome) = change_contact(&mut tx, now, actor, before, &v).await?;
    if outcome != Outcome::Unchanged {
        tx.commit().await?;
    }
    Ok(contact)
}

pub async fn upsert_contact(
    cx: &Ctx,
    actor: &Actor,
    external_id: &str,
    input: &ContactInput,
) -> Result<(Contact, Outcome)> {
    let mut input = input.clone();
    match input.external_id.as_deref() {
        Some(e) if e.trim() != external_id.trim() => {
            return Err(Error::invalid(
                "external_id",
                "must match the external id in the path",
            ));
        }
        _ => input.external_id = Some(external_id.to_string()),
    }
    let v = rules::validate_contact(&input)?;
    let ext = v
        .external_id
        .clone()
        .ok_or_else(|| Error::invalid("external_id", "is required"))?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let found = there_or_inserted!(store::find_contact_by_external_id(&mut tx, &ext), async {
        let row = resolve_contact(&mut tx, actor, &v, None).await?;
        Ok::<_, Error>(store::insert_contact_unless_taken(&mut tx, &row, now).await?)
    });
    let existing = match found {
        Lookup::There(existing) => existing,
        Lookup::Inserted(id) => {
            let contact = contact_created(&mut tx, now, actor, id).await?;
            tx.commit().await?;
            return Ok((contact, Outcome::Created));
        }
    };
    if !actor.scope.allows_area(existing.area_id) {
        return Err(Error::conflict(
            "external_id",
            "is already used by a contact outside your areas",
        ));
    }
    let result = change_contact(&mut tx, now, actor, existing, &v).await?;
    if result.1 != Outcome::Unchanged {
        tx.commit().await?;
    }
    Ok(result)
}

// ---------------------------------------------------------------- partnerships

pub async fn list_partnerships(
    cx: &Ctx,
    actor: &Actor,
    partner_id: Option<i64>,
) -> Result<Vec<Partnership>> {
    let mut tx = cx.db.read().await?;
    Ok(store::list_partnerships(&mut tx, &actor.scope, partner_id).await?)
}

pub async fn get_partnership(cx: &Ctx, actor: &Actor, id: i64) -> Result<Partnership> {
    let mut tx = cx.db.read().await?;
    match store::get_partnership(&mut tx, id).await? {
        Some(p) if actor.scope.allows_area(p.partner_area_id) => Ok(p),
        _ => Err(Error::NotFound("partnership")),
    }
}

async fn check_partnership(
    tx: &mut Tx,
    v: &rules::ValidPartnership,
    existing: Option<i64>,
) -> Result<()> {
    let mut errors = crate::domain::FieldErrors::new();
    match store::get_organization(tx, v.partner_id).await? {
        Some(o) if o.kind == "partner" => {}
        Some(_) => errors.add("partner_id", "must be a partner organization"),
        None => errors.add("partner_id", format!("no organization {}", v.partner_id)),
    }
    let found = store::customers_among(tx, &v.customer_ids).await?;
    if found.len() != v.customer_ids.len() {
        let missing: Vec<String> = v
            .customer_ids
            .iter()
            .filter(|id| !found.iter().any(|(f, _)| f == *id))
            .take(5)
            .map(|id| id.to_string())
            .collect();
        errors.add(
            "customer_ids",
            format!("not customers: {}", missing.join(", ")),
        );
    }
    if let Some(ext) = &v.external_id
        && let Some(other) = store::find_partnership_by_external_id(tx, ext).await?
        && Some(other.id) != existing
    {
        return Err(Error::conflict(
            "external_id",
            "is already used by another partnership",
        ));
    }
    errors.into_result()?;
    Ok(())
}

pub async fn create_partnership(
    cx: &Ctx,
    actor: &Actor,
    input: &PartnershipInput,
) -> Result<Partnership> {
    actor.require_admin()?;
    let v = rules::validate_partnership(input)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    check_partnership(&mut tx, &v, None).await?;
    let id = store::insert_partnership(
        &mut tx,
        v.partner_id,
        &v.name,
        v.external_id.as_deref(),
        now,
    )
    .await
    .map_err(|e| Error::from_write(e, "name"))?;
    store::set_partnership_customers(&mut tx, id, &v.customer_ids, now).await?;
    let p = store::get_partnership(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("partnership"))?;
    record(
        &mut tx,
        now,
        actor,
        "partnership.created",
        Target {
            kind: "partnership",
            id: Some(id),
            label: &p.name,
        },
        None,
        json(&p),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

pub async fn update_partnership(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    input: &PartnershipInput,
) -> Result<Partnership> {
    actor.require_admin()?;
    let v = rules::validate_partnership(input)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let before = store::get_partnership(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("partnership"))?;
    check_partnership(&mut tx, &v, Some(id)).await?;
    if before.partner_id == v.partner_id
        && before.name == v.name
        && before.external_id == v.external_id
        && before.customer_ids == v.customer_ids
    {
        return Ok(before);
    }
    store::update_partnership(
        &mut tx,
        id,
        v.partner_id,
        &v.name,
        v.external_id.as_deref(),
        now,
    )
    .await
    .map_err(|e| Error::from_write(e, "name"))?;
    if before.customer_ids != v.customer_ids {
        store::set_partnership_customers(&mut tx, id, &v.customer_ids, now).await?;
    }
    let after = store::get_partnership(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("partnership"))?;
    record(
        &mut tx,
        now,
        actor,
        "partnership.updated",
        Target {
            kind: "partnership",
            id: Some(id),
            label: &after.name,
        },
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- portals

pub async fn list_portals(cx: &Ctx) -> Result<Vec<Portal>> {
    let mut tx = cx.db.read().await?;
    Ok(store::list_portals(&mut tx).await?)
}

pub async fn get_portal(cx: &Ctx, id: i64) -> Result<Portal> {
    let mut tx = cx.db.read().await?;
    store::get_portal(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("portal"))
}

fn portal_row(v: &rules::ValidPortal) -> PortalRow<'_> {
    PortalRow {
        name: &v.name,
        kind: v.kind.as_str(),
        base_url: &v.base_url,
        registration_mode: v.registration_mode.as_str(),
        self_registration_creates_contact: v.self_registration_creates_contact,
        notify_staff_on_new_link: v.notify_staff_on_new_link,
        invitation_lifetime_days: v.invitation_lifetime_days,
        default_language: v.default_language.as_str(),
    }
}

fn modules_of(v: &rules::ValidPortal) -> Vec<store::Module> {
    v.modules
        .iter()
        .map(|m| store::Module {
            name: m.name.clone(),
            admin_only: m.admin_only,
            marketing: m.marketing,
        })
        .collect()
}

pub async fn create_portal(cx: &Ctx, actor: &Actor, input: &PortalInput) -> Result<Portal> {
    actor.require_admin()?;
    let v = rules::validate_portal(input)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    if store::find_portal_by_name(&mut tx, &v.name)
        .await?
        .is_some()
    {
        return Err(Error::conflict("name", "a portal with this name exists"));
    }
    let id = store::insert_portal(&mut tx, &portal_row(&v), now)
        .await
        .map_err(|e| Error::from_write(e, "name"))?;
    store::set_portal_modules(&mut tx, id, &modules_of(&v)).await?;
    let p = store::get_portal(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    record(
        &mut tx,
        now,
        actor,
        "portal.created",
        Target {
            kind: "portal",
            id: Some(id),
            label: &p.name,
        },
        None,
        json(&p),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

pub async fn update_portal(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    input: &PortalInput,
) -> Result<Portal> {
    actor.require_admin()?;
    let v = rules::validate_portal(input)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let before = store::get_portal(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    if let Some(other) = store::find_portal_by_name(&mut tx, &v.name).await?
        && other != id
    {
        return Err(Error::conflict("name", "a portal with this name exists"));
    }
    let row = portal_row(&v);
    let modules = modules_of(&v);
    let before_modules = before.modules.clone();
    let unchanged = before.name == row.name
        && before.kind == row.kind
        && before.base_url == row.base_url
        && before.registration_mode == row.registration_mode
        && before.self_registration_creates_contact == row.self_registration_creates_contact
        && before.notify_staff_on_new_link == row.notify_staff_on_new_link
        && before.invitation_lifetime_days == row.invitation_lifetime_days
        && before.default_language == row.default_language
        && before_modules == modules;
    if unchanged {
        return Ok(before);
    }
    store::update_portal(&mut tx, id, &row, now)
        .await
        .map_err(|e| Error::from_write(e, "name"))?;
    if before_modules != modules {
        store::set_portal_modules(&mut tx, id, &modules).await?;
    }
    let after = store::get_portal(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    record(
        &mut tx,
        now,
        actor,
        "portal.updated",
        Target {
            kind: "portal",
            id: Some(id),
            label: &after.name,
        },
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- reads for the pages

/// The partnerships an organization takes part in, as (id, partner's name, name): a partner's
/// own, or those that work for a customer. "Not found" outside the actor's areas.
pub async fn partnerships_of(
    cx: &Ctx,
    actor: &Actor,
    organization_id: i64,
) -> Result<Vec<(i64, String, String)>> {
    let mut tx = cx.db.read().await?;
    let o = visible_organization(&mut tx, &actor.scope, organization_id).await?;
    if o.kind == "partner" {
        Ok(store::list_partnerships(&mut tx, &actor.scope, Some(o.id))
            .await?
            .into_iter()
            .map(|p| (p.id, p.partner_name, p.name))
            .collect())
    } else {
        Ok(store::partnerships_of_customer(&mut tx, o.id).await?)
    }
}

/// The customers an account of `organization` may be limited to, grouped by partnership (or
/// the organization's sub-accounts). Nothing outside what the actor reaches: an organization
/// admin their own organization, staff and keys their areas.
pub async fn customer_groupings(
    cx: &Ctx,
    actor: &Actor,
    organization: i64,
) -> Result<Vec<crate::storage::access::GroupingListing>> {
    let mut tx = cx.db.read().await?;
    let reached = match &actor.team {
        Some(t) => t.organization_id == organization,
        None => visible_organization(&mut tx, &actor.scope, organization)
            .await
            .is_ok(),
    };
    if !reached {
        return Ok(Vec::new());
    }
    Ok(crate::storage::access::groupings(&mut tx, organization).await?)
}
