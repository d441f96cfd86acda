//! The keys that sign OpenID Connect tokens: one active ES256 and one active RS256 key, made at
//! first start and stored in the database (sealed under the configured keys secret), rotated on
//! demand with the replaced keys kept in the JWKS for the overlap.
//!
//! Every process keeps the keys parsed in a cache ([`KeyCache`], in [`Ctx`]): signing touches no
//! database while the cache is fresh. The cache reloads when older than a minute, and when a
//! token names a key it does not know (at most every few seconds), so that a rotation made by
//! one process reaches the others.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::domain::oidc::keys::KeyState;
pub use crate::security::jwt::Verified;
use crate::security::jwt::{self, Alg, JwtError};
use crate::security::sealing::{self, Sealer};
use crate::security::signing_keys::{KeyPair, generate_pkcs8};
use crate::storage::oidc_keys::{self as store, KeyRow, NewKey};
use crate::usecases::{Actor, Ctx, Error, Result, Target, record};

/// How long the cache trusts what it loaded.
const FRESH_MS: i64 = 60_000;
/// How often at most a token naming an unknown key makes the cache reload.
const MISS_RELOAD_MS: i64 = 5_000;
/// The stored form of a private key kept in clear (no keys secret configured).
const CLEAR_PREFIX: &str = "pkcs8:";

/// The keys as last loaded: the active pair of each algorithm, every published key by kid,
/// and the JWKS document.
#[derive(Default)]
struct KeySet {
    /// When it was loaded (the clock's milliseconds); `None` before the first load.
    loaded_at: Option<i64>,
    active: HashMap<Alg, Arc<KeyPair>>,
    published: HashMap<String, Arc<KeyPair>>,
    jwks: Value,
    /// Tokens verified with these keys: a reload forgets them with the keys.
    verified: jwt::SignatureMemo,
}

impl KeySet {
    fn loaded_since(&self, since: i64, now: i64) -> bool {
        matches!(self.loaded_at, Some(at) if at >= since && at <= now)
    }
}

/// The parsed signing keys of this process, shared by every request.
pub struct KeyCache {
    set: RwLock<Arc<KeySet>>,
    /// One reload at a time; the others wait for it and use what it loaded.
    reloading: tokio::sync::Mutex<()>,
    sealer: Option<Sealer>,
}

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyCache")
            .field("sealed", &self.sealer.is_some())
            .finish_non_exhaustive()
    }
}

impl KeyCache {
    /// A cache that loads on first use; `sealer` seals new private keys and opens sealed ones
    /// (without it they are stored in clear, and sealed ones cannot be read).
    pub fn new(sealer: Option<Sealer>) -> Self {
        KeyCache {
            set: RwLock::new(Arc::new(KeySet::default())),
            reloading: tokio::sync::Mutex::new(()),
            sealer,
        }
    }

    /// Whether private keys are sealed at rest.
    pub fn seals(&self) -> bool {
        self.sealer.is_some()
    }

    fn snapshot(&self) -> Arc<KeySet> {
        self.set.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Forgets what was loaded: the next use reloads.
    pub fn invalidate(&self) {
        *self.set.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(KeySet::default());
    }

    /// The keys, reloaded when loaded before `since` (or never).
    async fn loaded_since(&self, cx: &Ctx, since: i64) -> Result<Arc<KeySet>> {
        let set = self.snapshot();
        let now = cx.now();
        if set.loaded_since(since, now) {
            return Ok(set);
        }
        let _turn = self.reloading.lock().await;
        // Another task may have reloaded while this one waited.
        let set = self.snapshot();
        if set.loaded_since(since, cx.now()) {
            return Ok(set);
        }
        let fresh = Arc::new(self.load(cx, &set).await?);
        *self.set.write().unwrap_or_else(|e| e.into_inner()) = fresh.clone();
        Ok(fresh)
    }

    /// The keys, reloaded when older than a minute. When the database cannot be read, the
    /// keys loaded before serve on (with a warning) rather than stop every login.
    async fn current(&self, cx: &Ctx) -> Result<Arc<KeySet>> {
        match self.loaded_since(cx, cx.now() - FRESH_MS + 1).await {
            Ok(set) => Ok(set),
            Err(e) => {
                let stale = self.snapshot();
                if stale.loaded_at.is_none() {
                    return Err(e);
                }
                tracing::warn!(error = %e, "reloading the signing keys failed; using those loaded before");
                Ok(stale)
            }
        }
    }

    /// Reads the published keys, parsing only those not already parsed in `previous`.
    async fn load(&self, cx: &Ctx, previous: &KeySet) -> Result<KeySet> {
        let rows = {
            let mut tx = cx.db.reads().await?;
            let rows = store::published(&mut tx).await?;
            tx.release();
            rows
        };
        let mut set = KeySet {
            loaded_at: Some(cx.now()),
            ..KeySet::default()
        };
        let mut jwks = Vec::with_capacity(rows.len());
        for row in rows {
            let pair = match previous.published.get(&row.kid) {
                Some(pair) => pair.clone(),
                None => Arc::new(self.read_pair(&row)?),
            };
            jwks.push(pair.public().jwk());
            if row.state == KeyState::Active {
                set.active.insert(row.alg, pair.clone());
            }
            set.published.insert(row.kid, pair);
        }
        set.jwks = json!({ "keys": jwks });
        Ok(set)
    }

    /// The key pair of a stored row.
    fn read_pair(&self, row: &KeyRow) -> Result<KeyPair> {
        let der = if sealing::is_sealed(&row.private_key) {
            let Some(sealer) = &self.sealer else {
                return Err(Error::Internal(anyhow::anyhow!(
                    "the signing key {} is sealed, and no keys secret is configured (ADMIT_KEYS_SECRET)",
                    row.kid
                )));
            };
            sealer.open(&row.private_key, &row.kid).map_err(|e| {
                Error::Internal(anyhow::anyhow!(
                    "the signing key {} cannot be read: {e}; is ADMIT_KEYS_SECRET the secret it was sealed with?",
                    row.kid
                ))
            })?
        } else {
            let body = row.private_key.strip_prefix(CLEAR_PREFIX).ok_or_else(|| {
                Error::Internal(anyhow::anyhow!("the signing key {} is malformed", row.kid))
            })?;
            STANDARD.decode(body).map_err(|_| {
                Error::Internal(anyhow::anyhow!("the signing key {} is malformed", row.kid))
            })?
        };
        let pair = KeyPair::from_pkcs8(row.alg, &der)?;
        if pair.kid() != row.kid {
            return Err(Error::Internal(anyhow::anyhow!(
                "the signing key {} does not match its key id",
                row.kid
            )));
        }
        Ok(pair)
    }

    /// The stored form of a new private key: sealed, or in clear without a keys secret.
    pub(super) fn stored_form(&self, kid: &str, pkcs8: &[u8]) -> String {
        match &self.sealer {
            Some(sealer) => sealer.seal(pkcs8, kid),
            None => format!("{CLEAR_PREFIX}{}", STANDARD.encode(pkcs8)),
        }
    }
}

/// Signs `claims` with the active key of `alg`, header `{alg, kid, typ}`.
pub async fn sign(cx: &Ctx, alg: Alg, typ: &str, claims: &Value) -> Result<String> {
    let set = cx.keys.current(cx).await?;
    let key = set.active.get(&alg).ok_or_else(|| {
        Error::Internal(anyhow::anyhow!(
            "no active {alg} signing key: was `ensure` run?"
        ))
    })?;
    Ok(jwt::sign(key, typ, claims)?)
}

/// Checks the signature of `token` against the published keys (active and retiring); the
/// claims (issuer, audience, expiry...) are the caller's to check.
pub async fn verify(cx: &Ctx, token: &str) -> Result<Verified, JwtError> {
    let parsed = jwt::parse(token)?;
    let set = match cx.keys.current(cx).await {
        Ok(set) => set,
        Err(e) => {
            tracing::warn!(error = %e, "the signing keys could not be loaded");
            return Err(JwtError::UnknownKey);
        }
    };
    if let Some(key) = set.published.get(&parsed.kid) {
        return parsed.verify_remembered(key.public(), Some(&set.verified));
    }
    // Perhaps a key another process made since this one loaded.
    let set = cx
        .keys
        .loaded_since(cx, cx.now() - MISS_RELOAD_MS)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "reloading the signing keys failed");
            JwtError::UnknownKey
        })?;
    let key = set.published.get(&parsed.kid).ok_or(JwtError::UnknownKey)?;
    parsed.verify_remembered(key.public(), Some(&set.verified))
}

/// The JWKS: `{"keys": [...]}`, the public JWKs of the active and retiring keys.
pub async fn jwks(cx: &Ctx) -> Result<Value> {
    Ok(cx.keys.current(cx).await?.jwks.clone())
}

/// A new key of `alg`, made outside any transaction (an RSA key takes a while): its kid,
/// public JWK and stored private key.
pub(super) async fn new_key(cx: &Ctx, alg: Alg) -> Result<(String, String, String)> {
    let der = tokio::task::spawn_blocking(move || generate_pkcs8(alg))
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("generating a key: {e}")))??;
    let pair = KeyPair::from_pkcs8(alg, &der)?;
    let kid = pair.kid().to_string();
    let stored = cx.keys.stored_form(&kid, &der);
    Ok((kid, pair.public().jwk().to_string(), stored))
}

/// Makes an active ES256 and RS256 key where none is, then loads the keys (which checks that
/// the stored ones can be read). Safe when several processes start at once on one database:
/// one key per algorithm is kept, the others' discarded.
pub async fn ensure(cx: &Ctx) -> Result<()> {
    let rows = {
        let mut tx = cx.db.reads().await?;
        let rows = store::published(&mut tx).await?;
        tx.release();
        rows
    };
    for alg in Alg::ALL {
        if rows
            .iter()
            .any(|r| r.alg == alg && r.state == KeyState::Active)
        {
            continue;
        }
        let (kid, jwk, stored) = new_key(cx, alg).await?;
        let mut tx = cx.db.write().await?;
        let now = cx.now();
        let new = NewKey {
            kid: &kid,
            alg,
            public_jwk: &jwk,
            private_key: &stored,
        };
        if store::insert_active(&mut tx, &new, now).await? {
            record(
                &mut tx,
                now,
                &Actor::system("signing keys"),
                "oidc.key_created",
                Target {
                    kind: "oidc_key",
                    id: None,
                    label: &kid,
                },
                None,
                Some(json!({ "kid": kid, "alg": alg.as_str() })),
            )
            .await?;
            tx.commit().await?;
            tracing::info!(kid = %kid, alg = %alg, "signing key made");
        }
    }
    seal_clear_keys(cx).await?;
    reload(cx).await
}

/// Loads the keys now: fails when a stored key cannot be read (sealed under another secret).
pub(super) async fn reload(cx: &Ctx) -> Result<()> {
    cx.keys.invalidate();
    cx.keys.loaded_since(cx, cx.now()).await?;
    Ok(())
}

/// With a keys secret configured, seals the private keys stored in clear before it was.
async fn seal_clear_keys(cx: &Ctx) -> Result<()> {
    let Some(sealer) = &cx.keys.sealer else {
        return Ok(());
    };
    let mut tx = cx.db.write().await?;
    let mut sealed = 0;
    for row in store::all(&mut tx).await? {
        if sealing::is_sealed(&row.private_key) {
            continue;
        }
        let Some(der) = row
            .private_key
            .strip_prefix(CLEAR_PREFIX)
            .and_then(|body| STANDARD.decode(body).ok())
        else {
            continue;
        };
        store::set_private_key(&mut tx, row.id, &sealer.seal(&der, &row.kid)).await?;
        sealed += 1;
    }
    tx.commit().await?;
    if sealed > 0 {
        tracing::info!(sealed, "signing keys stored in clear are now sealed");
    }
    Ok(())
}
