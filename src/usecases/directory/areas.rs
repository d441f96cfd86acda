//! Areas: list, read, create and rename (administrators only).

use crate::domain::directory::{self as rules, AreaInput};
use crate::storage::directory::{self as store, Area};
use crate::usecases::{Actor, Ctx, Error, Result, Target, json, record};

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
        return Err(Error::conflict(
            "name",
            crate::catalog::Message::new("error-area-name-taken"),
        ));
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
        return Err(Error::conflict(
            "name",
            crate::catalog::Message::new("error-area-name-taken"),
        ));
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
