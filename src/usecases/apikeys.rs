//! API keys: created by administrators (console or CLI), shown once, stored as a hash,
//! optionally limited to areas like a supervisor.

use serde::Serialize;

use super::{Actor, ActorKind, Ctx, Error, Result, Target, json, record};
use crate::domain::staff::Scope;
use crate::domain::validation::{FieldErrors, required_text};
use crate::security::tokens;
use crate::storage::apikeys::{self as store, ApiKey};
use crate::storage::directory;

pub struct CreatedKey {
    pub key: ApiKey,
    /// The secret, shown once and never again.
    pub secret: String,
}

#[derive(Serialize)]
struct KeyView<'a> {
    name: &'a str,
    prefix: &'a str,
    area_ids: &'a [i64],
}

pub async fn create(cx: &Ctx, actor: &Actor, name: &str, area_ids: &[i64]) -> Result<CreatedKey> {
    actor.require_admin()?;
    let mut errors = FieldErrors::new();
    let name = errors.take("name", required_text(name, 100));
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let mut areas = area_ids.to_vec();
    areas.sort_unstable();
    areas.dedup();
    for a in &areas {
        if directory::get_area(&mut tx, *a).await?.is_none() {
            errors.add("area_ids", format!("no area with id {a}"));
        }
    }
    errors.into_result()?;
    let name = name.expect("checked");
    let secret = tokens::new_api_key();
    let prefix = tokens::api_key_prefix(&secret);
    let id = store::insert(&mut tx, &name, &prefix, &tokens::hash_token(&secret), now).await?;
    store::set_areas(&mut tx, id, &areas).await?;
    let key = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("API key"))?;
    record(
        &mut tx,
        now,
        actor,
        "api_key.created",
        Target {
            kind: "api_key",
            id: Some(id),
            label: &name,
        },
        None,
        json(&KeyView {
            name: &name,
            prefix: &prefix,
            area_ids: &areas,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(CreatedKey { key, secret })
}

pub async fn list(cx: &Ctx, actor: &Actor) -> Result<Vec<ApiKey>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    Ok(store::list(&mut tx).await?)
}

pub async fn revoke(cx: &Ctx, actor: &Actor, id: i64) -> Result<ApiKey> {
    actor.require_admin()?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let key = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("API key"))?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    store::revoke(&mut tx, id, now).await?;
    record(
        &mut tx,
        now,
        actor,
        "api_key.revoked",
        Target {
            kind: "api_key",
            id: Some(id),
            label: &key.name,
        },
        None,
        None,
    )
    .await?;
    let key = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("API key"))?;
    tx.commit().await?;
    Ok(key)
}

/// The actor behind a bearer key, when the key is active.
pub async fn authenticate(
    cx: &Ctx,
    secret: &str,
    client_addr: Option<String>,
) -> Result<Option<Actor>> {
    if !secret.starts_with("admit_") || secret.len() > 100 {
        return Ok(None);
    }
    let hash = tokens::hash_token(secret);
    // One query on a plain connection: this runs before every API request.
    let mut conn = cx.db.reads().await?;
    let found = store::find_active(&mut conn, &hash).await?;
    conn.release();
    let Some(key) = found else {
        return Ok(None);
    };
    let now = cx.now();
    if key.last_used_at.is_none_or(|t| now - t > 60_000) {
        let mut tx = cx.db.write().await?;
        store::mark_used(&mut tx, key.id, now).await?;
        tx.commit().await?;
    }
    let unrestricted = key.area_ids.is_empty();
    Ok(Some(Actor {
        kind: ActorKind::ApiKey,
        id: Some(key.id),
        label: format!("API key {} ({})", key.name, key.prefix),
        scope: if unrestricted {
            Scope::All
        } else {
            Scope::Areas(key.area_ids.clone())
        },
        admin: unrestricted,
        client_addr,
        team: None,
    }))
}
