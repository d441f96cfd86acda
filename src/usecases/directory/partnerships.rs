//! Partnerships: list, read, create and change (administrators only), and the reads the
//! pages make of who works for whom.

use super::visible_organization;
use crate::domain::directory::{self as rules, OrganizationKind, PartnershipInput};
use crate::storage::Tx;
use crate::storage::directory::{self as store, Partnership};
use crate::usecases::{Actor, Ctx, Error, Result, Target, json, record};

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
        Some(o) if o.kind == OrganizationKind::Partner => {}
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
            crate::catalog::Message::new("error-external-id-partnership"),
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
    if o.kind == OrganizationKind::Partner {
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
