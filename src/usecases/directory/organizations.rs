//! Organizations: list, read, create, change and upsert by external id, with the checks of
//! their area, parent and kind.

use super::Outcome;
use super::records::{self, Record};
use crate::domain::directory::{
    self as rules, OrganizationInput, OrganizationKind, ParentRef, ValidOrganization,
};
use crate::domain::staff::Scope;
use crate::storage::Tx;
use crate::storage::directory::{self as store, Organization, OrganizationRow};
use crate::usecases::{Actor, Ctx, Error, Result};

pub async fn list_organizations(
    cx: &Ctx,
    actor: &Actor,
    filter: &store::OrganizationFilter,
) -> Result<store::Page<Organization>> {
    let mut tx = cx.db.read().await?;
    Ok(store::list_organizations(&mut tx, &actor.scope, filter).await?)
}

/// A page of the organization list in the chosen order, and how many the filter finds.
pub async fn organizations_in_order(
    cx: &Ctx,
    actor: &Actor,
    filter: &store::OrganizationFilter,
    order: &crate::storage::listing::Order,
    window: crate::storage::listing::Window,
) -> Result<crate::storage::listing::Counted<Organization>> {
    let mut tx = cx.db.read().await?;
    Ok(store::organizations_in_order(&mut tx, &actor.scope, filter, order, window).await?)
}

/// The organization, when it exists and the actor may see it.
pub async fn visible_organization(tx: &mut Tx, scope: &Scope, id: i64) -> Result<Organization> {
    records::visible(tx, scope, id).await
}

pub async fn get_organization(cx: &Ctx, actor: &Actor, id: i64) -> Result<Organization> {
    let mut tx = cx.db.read().await?;
    visible_organization(&mut tx, &actor.scope, id).await
}

/// Checks an organization's references inside the write transaction and returns its parent.
async fn resolve_organization(
    tx: &mut Tx,
    actor: &Actor,
    v: &ValidOrganization,
    existing: Option<&Organization>,
) -> Result<Option<i64>> {
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
        if v.kind != me.kind {
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
            crate::catalog::Message::new("error-external-id-organization"),
        ));
    }
    errors.into_result()?;
    Ok(parent_id)
}

/// The columns of a valid organization under its resolved parent.
fn organization_row(v: &ValidOrganization, parent_id: Option<i64>) -> OrganizationRow<'_> {
    OrganizationRow {
        kind: v.kind,
        name: &v.name,
        parent_id,
        area_id: v.area_id,
        external_id: v.external_id.as_deref(),
    }
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
            if p.kind != OrganizationKind::Customer {
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

impl Record for Organization {
    type Valid = ValidOrganization;
    /// The parent.
    type Refs = Option<i64>;
    const KIND: &'static str = "organization";
    const CREATED: &'static str = "organization.created";
    const UPDATED: &'static str = "organization.updated";
    const OUTSIDE_YOUR_AREAS: &'static str = "error-external-id-organization-outside";

    fn id(&self) -> i64 {
        self.id
    }
    fn name(&self) -> &str {
        &self.name
    }
    fn area_id(&self) -> Option<i64> {
        self.area_id
    }
    fn valid_external_id(v: &ValidOrganization) -> Option<&str> {
        v.external_id.as_deref()
    }
    fn same(&self, v: &ValidOrganization, parent_id: Option<i64>) -> bool {
        let row = organization_row(v, parent_id);
        self.kind == row.kind
            && self.name == row.name
            && self.parent_id == row.parent_id
            && self.area_id == row.area_id
            && self.external_id.as_deref() == row.external_id
    }
    async fn get(tx: &mut Tx, id: i64) -> Result<Option<Self>> {
        Ok(store::get_organization(tx, id).await?)
    }
    async fn find_by_external_id(tx: &mut Tx, external_id: &str) -> Result<Option<Self>> {
        Ok(store::find_organization_by_external_id(tx, external_id).await?)
    }
    async fn resolve(
        tx: &mut Tx,
        actor: &Actor,
        v: &ValidOrganization,
        existing: Option<&Self>,
    ) -> Result<Option<i64>> {
        resolve_organization(tx, actor, v, existing).await
    }
    async fn insert(
        tx: &mut Tx,
        v: &ValidOrganization,
        parent_id: Option<i64>,
        now: i64,
    ) -> Result<i64> {
        store::insert_organization(tx, &organization_row(v, parent_id), now)
            .await
            .map_err(|e| Error::from_write(e, "external_id"))
    }
    async fn insert_unless_taken(
        tx: &mut Tx,
        v: &ValidOrganization,
        parent_id: Option<i64>,
        now: i64,
    ) -> Result<Option<i64>> {
        let row = organization_row(v, parent_id);
        Ok(store::insert_organization_unless_taken(tx, &row, now).await?)
    }
    async fn update(
        tx: &mut Tx,
        id: i64,
        v: &ValidOrganization,
        parent_id: Option<i64>,
        now: i64,
    ) -> Result<()> {
        store::update_organization(tx, id, &organization_row(v, parent_id), now)
            .await
            .map_err(|e| Error::from_write(e, "external_id"))
    }
}

pub async fn create_organization(
    cx: &Ctx,
    actor: &Actor,
    input: &OrganizationInput,
) -> Result<Organization> {
    records::create(cx, actor, &rules::validate_organization(input)?).await
}

/// Reads back an organization just inserted (by another use case) and records its creation.
pub async fn organization_created(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    id: i64,
) -> Result<Organization> {
    records::created(tx, now, actor, id).await
}

pub async fn update_organization(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    input: &OrganizationInput,
) -> Result<Organization> {
    records::update(cx, actor, id, &rules::validate_organization(input)?).await
}

/// Creates or updates the organization with this external id; repeating the same call changes nothing.
pub async fn upsert_organization(
    cx: &Ctx,
    actor: &Actor,
    external_id: &str,
    input: &OrganizationInput,
) -> Result<(Organization, Outcome)> {
    let mut input = input.clone();
    records::path_external_id(&mut input.external_id, external_id)?;
    records::upsert(cx, actor, &rules::validate_organization(&input)?).await
}
