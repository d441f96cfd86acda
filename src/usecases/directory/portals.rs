//! Portals and their modules: list, read, create and change (administrators only).

use crate::domain::directory::{self as rules, PortalInput};
use crate::storage::directory::{self as store, Portal, PortalRow};
use crate::usecases::{Actor, Ctx, Error, Result, Target, json, record};

pub async fn list_portals(cx: &Ctx) -> Result<Vec<Portal>> {
    let mut tx = cx.db.read().await?;
    Ok(store::list_portals(&mut tx).await?)
}

pub async fn get_portal(cx: &Ctx, id: i64) -> Result<Portal> {
    // Every portal page reads its portal: without a transaction's BEGIN and ROLLBACK.
    let mut tx = cx.db.reads().await?;
    let portal = store::get_portal(&mut tx, id).await?;
    tx.release();
    portal.ok_or(Error::NotFound("portal"))
}

/// The row to write; a time zone or German name not given is kept from `before` (UTC and none
/// for a new portal).
fn portal_row<'a>(v: &'a rules::ValidPortal, before: Option<&'a Portal>) -> PortalRow<'a> {
    let name_de = match v.name_de.as_deref() {
        Some(given) => Some(given),
        None => before.and_then(|p| p.name_de.as_deref()),
    };
    let keep = before.map_or("UTC", |p| p.default_time_zone.as_str());
    PortalRow {
        name: &v.name,
        name_de: name_de.filter(|n| !n.is_empty()),
        kind: v.kind,
        base_url: &v.base_url,
        registration_mode: v.registration_mode,
        self_registration_creates_contact: v.self_registration_creates_contact,
        notify_staff_on_new_link: v.notify_staff_on_new_link,
        invitation_lifetime_days: v.invitation_lifetime_days,
        default_language: v.default_language.as_str(),
        default_time_zone: v.default_time_zone.as_deref().unwrap_or(keep),
    }
}

/// The modules to write; a German name not given is the one the module of that name has in
/// `before`.
fn modules_of(v: &rules::ValidPortal, before: &[store::Module]) -> Vec<store::Module> {
    v.modules
        .iter()
        .map(|m| store::Module {
            name: m.name.clone(),
            name_de: match &m.name_de {
                Some(given) => Some(given.clone()).filter(|n| !n.is_empty()),
                None => before
                    .iter()
                    .find(|b| b.name == m.name)
                    .and_then(|b| b.name_de.clone()),
            },
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
        return Err(Error::conflict(
            "name",
            crate::catalog::Message::new("error-portal-name-taken"),
        ));
    }
    let id = store::insert_portal(&mut tx, &portal_row(&v, None), now)
        .await
        .map_err(|e| Error::from_write(e, "name"))?;
    store::set_portal_modules(&mut tx, id, &modules_of(&v, &[])).await?;
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
        return Err(Error::conflict(
            "name",
            crate::catalog::Message::new("error-portal-name-taken"),
        ));
    }
    let row = portal_row(&v, Some(&before));
    let modules = modules_of(&v, &before.modules);
    let before_modules = before.modules.clone();
    let unchanged = before.name == row.name
        && before.name_de.as_deref() == row.name_de
        && before.kind == row.kind
        && before.base_url == row.base_url
        && before.registration_mode == row.registration_mode
        && before.self_registration_creates_contact == row.self_registration_creates_contact
        && before.notify_staff_on_new_link == row.notify_staff_on_new_link
        && before.invitation_lifetime_days == row.invitation_lifetime_days
        && before.default_language == row.default_language
        && before.default_time_zone == row.default_time_zone
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
