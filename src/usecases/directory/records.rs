//! The flow organizations and contacts share: create, change and upsert by external id, each
//! with its audit event, written once over [`Record`], which each kind implements.

use serde::Serialize;

use super::Outcome;
use crate::domain::staff::Scope;
use crate::storage::Tx;
use crate::usecases::{Actor, Ctx, Error, Result, Target, json, record};

/// What the shared flow needs of a kind of record: its name, its fields and its storage.
pub(super) trait Record: Serialize + Sized {
    /// The input once its fields are valid (references still unchecked).
    type Valid: Sync;
    /// What the references resolve to inside the write transaction.
    type Refs: Copy + Send + Sync;
    /// The kind's name: the audit target kind and events, and "not found".
    const KIND: &'static str;
    /// The events recorded on creating and on changing one.
    const CREATED: &'static str;
    const UPDATED: &'static str;
    /// The conflict (a catalog key) when an upsert's external id belongs to a record outside
    /// the actor's areas.
    const OUTSIDE_YOUR_AREAS: &'static str;

    fn id(&self) -> i64;
    fn name(&self) -> &str;
    fn area_id(&self) -> Option<i64>;
    fn valid_external_id(v: &Self::Valid) -> Option<&str>;
    /// True when writing the input with these references would change nothing.
    fn same(&self, v: &Self::Valid, refs: Self::Refs) -> bool;

    async fn get(tx: &mut Tx, id: i64) -> Result<Option<Self>>;
    async fn find_by_external_id(tx: &mut Tx, external_id: &str) -> Result<Option<Self>>;
    /// Checks the references inside the write transaction.
    async fn resolve(
        tx: &mut Tx,
        actor: &Actor,
        v: &Self::Valid,
        existing: Option<&Self>,
    ) -> Result<Self::Refs>;
    async fn insert(tx: &mut Tx, v: &Self::Valid, refs: Self::Refs, now: i64) -> Result<i64>;
    /// Inserts unless the external id is taken (`None`), also by a transaction that commits
    /// while this one waits.
    async fn insert_unless_taken(
        tx: &mut Tx,
        v: &Self::Valid,
        refs: Self::Refs,
        now: i64,
    ) -> Result<Option<i64>>;
    async fn update(
        tx: &mut Tx,
        id: i64,
        v: &Self::Valid,
        refs: Self::Refs,
        now: i64,
    ) -> Result<()>;
}

/// The record, when it exists and the actor may see it.
pub(super) async fn visible<R: Record>(tx: &mut Tx, scope: &Scope, id: i64) -> Result<R> {
    match R::get(tx, id).await? {
        Some(r) if scope.allows_area(r.area_id()) => Ok(r),
        _ => Err(Error::NotFound(R::KIND)),
    }
}

/// Reads back the record just inserted and records its creation.
pub(super) async fn created<R: Record>(tx: &mut Tx, now: i64, actor: &Actor, id: i64) -> Result<R> {
    let r = R::get(tx, id).await?.ok_or(Error::NotFound(R::KIND))?;
    record(
        tx,
        now,
        actor,
        R::CREATED,
        Target {
            kind: R::KIND,
            id: Some(id),
            label: r.name(),
        },
        None,
        json(&r),
    )
    .await?;
    Ok(r)
}

pub(super) async fn create<R: Record>(cx: &Ctx, actor: &Actor, v: &R::Valid) -> Result<R> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let refs = R::resolve(&mut tx, actor, v, None).await?;
    let id = R::insert(&mut tx, v, refs, now).await?;
    let r = created(&mut tx, now, actor, id).await?;
    tx.commit().await?;
    Ok(r)
}

async fn change<R: Record>(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    before: R,
    v: &R::Valid,
) -> Result<(R, Outcome)> {
    let refs = R::resolve(tx, actor, v, Some(&before)).await?;
    if before.same(v, refs) {
        return Ok((before, Outcome::Unchanged));
    }
    R::update(tx, before.id(), v, refs, now).await?;
    let after = R::get(tx, before.id())
        .await?
        .ok_or(Error::NotFound(R::KIND))?;
    record(
        tx,
        now,
        actor,
        R::UPDATED,
        Target {
            kind: R::KIND,
            id: Some(after.id()),
            label: after.name(),
        },
        json(&before),
        json(&after),
    )
    .await?;
    Ok((after, Outcome::Updated))
}

pub(super) async fn update<R: Record>(cx: &Ctx, actor: &Actor, id: i64, v: &R::Valid) -> Result<R> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let before = visible(&mut tx, &actor.scope, id).await?;
    let (r, outcome) = change(&mut tx, now, actor, before, v).await?;
    if outcome != Outcome::Unchanged {
        tx.commit().await?;
    }
    Ok(r)
}

/// Puts the path's external id into an upsert's input, refusing another one in the body.
pub(super) fn path_external_id(field: &mut Option<String>, external_id: &str) -> Result<()> {
    match field.as_deref() {
        Some(e) if e.trim() != external_id.trim() => Err(Error::invalid(
            "external_id",
            "must match the external id in the path",
        )),
        _ => {
            *field = Some(external_id.to_string());
            Ok(())
        }
    }
}

/// Creates or updates the record with the valid input's external id; repeating the same call
/// changes nothing. Another call may insert it meanwhile: then the checks before the insert,
/// or the insert itself (which waits for that call to commit), meet it, and the record there
/// is found again and updated.
pub(super) async fn upsert<R: Record>(
    cx: &Ctx,
    actor: &Actor,
    v: &R::Valid,
) -> Result<(R, Outcome)> {
    let ext = R::valid_external_id(v)
        .ok_or_else(|| Error::invalid("external_id", "is required"))?
        .to_string();
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let existing = match R::find_by_external_id(&mut tx, &ext).await? {
        Some(there) => there,
        None => match insert_new::<R>(&mut tx, actor, v, now).await {
            Ok(Some(id)) => {
                let r = created(&mut tx, now, actor, id).await?;
                tx.commit().await?;
                return Ok((r, Outcome::Created));
            }
            refused => match R::find_by_external_id(&mut tx, &ext).await {
                Ok(Some(there)) => there,
                _ => return Err(refused.err().unwrap_or(Error::NotFound("record"))),
            },
        },
    };
    if !actor.scope.allows_area(existing.area_id()) {
        return Err(Error::conflict(
            "external_id",
            crate::catalog::Message::new(R::OUTSIDE_YOUR_AREAS),
        ));
    }
    let result = change(&mut tx, now, actor, existing, v).await?;
    if result.1 != Outcome::Unchanged {
        tx.commit().await?;
    }
    Ok(result)
}

/// An upsert's insert: `None` when the external id is taken meanwhile.
async fn insert_new<R: Record>(
    tx: &mut Tx,
    actor: &Actor,
    v: &R::Valid,
    now: i64,
) -> Result<Option<i64>> {
    let refs = R::resolve(tx, actor, v, None).await?;
    R::insert_unless_taken(tx, v, refs, now).await
}
