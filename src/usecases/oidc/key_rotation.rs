//! Rotating the signing keys (`admit keys rotate`): a new active key per algorithm; the keys
//! they replace retire slowly: 'retiring' (still in the JWKS and verifying, no longer signing)
//! for the overlap, then 'retired' (out of the JWKS), by the next rotation or by housekeeping.

use serde::Serialize;
use serde_json::json;

use super::keys::{new_key, reload};
use crate::domain::oidc::keys::{KeyState, OVERLAP_MS, overlap_over};
use crate::security::jwt::Alg;
use crate::storage::oidc_keys::{self as store, NewKey};
use crate::usecases::{Actor, Ctx, Error, Result, Target, record};

/// A signing key as listed: never its private part.
#[derive(Debug, Clone, Serialize)]
pub struct KeyInfo {
    pub kid: String,
    pub alg: &'static str,
    pub state: KeyState,
    pub created_at: i64,
    pub retiring_at: Option<i64>,
    pub retired_at: Option<i64>,
}

/// What a rotation did, by kid.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rotation {
    /// The new active keys.
    pub created: Vec<String>,
    /// The keys they replace, retiring for the overlap.
    pub retiring: Vec<String>,
    /// Keys retiring for longer than the overlap, now retired.
    pub retired: Vec<String>,
}

/// Every key, retired ones too, oldest first. Administrators only.
pub async fn list(cx: &Ctx, actor: &Actor) -> Result<Vec<KeyInfo>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    let rows = store::all(&mut tx).await?;
    Ok(rows
        .into_iter()
        .map(|r| KeyInfo {
            kid: r.kid,
            alg: r.alg.as_str(),
            state: r.state,
            created_at: r.created_at,
            retiring_at: r.retiring_at,
            retired_at: r.retired_at,
        })
        .collect())
}

/// Makes a new active key per algorithm; the active keys before become retiring, and retiring
/// keys past the overlap retired. Administrators only; one audit event.
pub async fn rotate(cx: &Ctx, actor: &Actor) -> Result<Rotation> {
    actor.require_admin()?;
    // The keys in use must read with this configuration's secret: new keys sealed under
    // another would not read in the servers.
    reload(cx).await?;
    let mut made = Vec::new();
    for alg in Alg::ALL {
        made.push((alg, new_key(cx, alg).await?));
    }
    let mut tx = cx.db.write().await?;
    let now = cx.now();
    let mut rotation = Rotation {
        retired: store::retire_until(&mut tx, now - OVERLAP_MS, now).await?,
        ..Rotation::default()
    };
    for (alg, (kid, jwk, stored)) in &made {
        if let Some(old) = store::start_retiring(&mut tx, *alg, now).await? {
            rotation.retiring.push(old);
        }
        let new = NewKey {
            kid,
            alg: *alg,
            public_jwk: jwk,
            private_key: stored,
        };
        if !store::insert_active(&mut tx, &new, now).await? {
            return Err(Error::Refused(
                crate::catalog::Message::new("error-key-rotation-under-way").into(),
            ));
        }
        rotation.created.push(kid.clone());
    }
    record(
        &mut tx,
        now,
        actor,
        "oidc.keys_rotated",
        Target {
            kind: "oidc_key",
            id: None,
            label: "signing keys",
        },
        None,
        Some(json!(rotation)),
    )
    .await?;
    tx.commit().await?;
    cx.keys.invalidate();
    Ok(rotation)
}

/// Retires the keys retiring for longer than the overlap (housekeeping). Returns their kids.
pub async fn retire_expired(cx: &Ctx) -> Result<Vec<String>> {
    let now = cx.now();
    // A read first: most sweeps find nothing, and need no write.
    let due = {
        let mut tx = cx.db.reads().await?;
        let rows = store::published(&mut tx).await?;
        tx.release();
        rows.into_iter().any(|r| {
            r.state == KeyState::Retiring && r.retiring_at.is_some_and(|at| overlap_over(at, now))
        })
    };
    if !due {
        return Ok(Vec::new());
    }
    let mut tx = cx.db.write().await?;
    let retired = store::retire_until(&mut tx, now - OVERLAP_MS, now).await?;
    if !retired.is_empty() {
        record(
            &mut tx,
            now,
            &Actor::system("signing keys"),
            "oidc.keys_retired",
            Target {
                kind: "oidc_key",
                id: None,
                label: "signing keys",
            },
            None,
            Some(json!({ "retired": retired })),
        )
        .await?;
    }
    tx.commit().await?;
    cx.keys.invalidate();
    Ok(retired)
}
