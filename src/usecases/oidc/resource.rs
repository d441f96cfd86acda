//! What a holder of a token may ask: userinfo with a person's access token, introspection
//! (RFC 7662) and revocation (RFC 7009) by a client, and the decision API with a confidential
//! client's own access token. An access token counts only while its signature, issuer, type
//! and time hold, and - for a person's - while its grant lives and the account may log in.

use serde_json::{Map, Value, json};

use super::authorize::usable;
use super::client_auth::{self, Credentials, Known};
use super::{OAuthError, claims, issuer, keys};
use crate::domain::oidc::clients::parse_scopes;
use crate::security::tokens;
use crate::storage::Tx;
use crate::storage::oidc_clients::{self as clients_store, OidcClient};
use crate::storage::oidc_grants::{self as store, GrantRead};
use crate::storage::sessions::Session;
use crate::usecases::{Actor, ActorKind, Ctx, Error};

/// A verified access token's claims.
pub struct AccessToken {
    pub claims: Map<String, Value>,
}

impl AccessToken {
    fn str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// A client's own token (client credentials): its subject is the client.
    pub fn is_client_token(&self) -> bool {
        self.str("sub").is_some() && self.str("sub") == self.str("client_id")
    }
}

/// Verifies an access token as one `portal_id`'s issuer made: signature, `typ` `at+jwt`,
/// `iss`, `exp`. Says nothing of its grant.
pub async fn verify_access_token(cx: &Ctx, portal_id: i64, token: &str) -> Option<AccessToken> {
    let verified = keys::verify(cx, token).await.ok()?;
    let typ = verified
        .header
        .get("typ")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !typ.eq_ignore_ascii_case("at+jwt") && !typ.eq_ignore_ascii_case("application/at+jwt") {
        return None;
    }
    let Value::Object(claims) = verified.claims else {
        return None;
    };
    let t = AccessToken { claims };
    let now_s = cx.now() / 1000;
    let exp = t.claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    (t.str("iss") == Some(issuer(cx, portal_id).as_str()) && exp > now_s).then_some(t)
}

/// A person's token's grant and account (in one statement), while the grant lives and its
/// session can be used.
async fn living(
    tx: &mut Tx,
    idle_ms: i64,
    portal_id: i64,
    t: &AccessToken,
    now: i64,
) -> Result<Option<GrantRead>, Error> {
    let Some(gid) = t.str("gid") else {
        return Ok(None);
    };
    let read = store::grant_read(tx, gid).await?;
    Ok(read.filter(|read| lives(read, idle_ms, portal_id, t, now)))
}

/// Whether a person's token's grant lives and its session can be used.
fn lives(read: &GrantRead, idle_ms: i64, portal_id: i64, t: &AccessToken, now: i64) -> bool {
    let session = Session::of_grant(read.session.clone(), read.account.id);
    read.grant.ended_at.is_none()
        && usable(&session, &read.account, idle_ms, portal_id, now)
        && Some(read.account.id.to_string().as_str()) == t.str("sub")
}

/// Userinfo (OpenID Connect Core 5.3): the claims the token's scopes allow, read now.
pub async fn userinfo(
    cx: &Ctx,
    idle_ms: i64,
    portal_id: i64,
    bearer: Option<&str>,
) -> Result<Map<String, Value>, OAuthError> {
    let token = bearer.ok_or_else(|| {
        OAuthError::new(401, "invalid_request", "a Bearer access token is required")
    })?;
    let t = verify_access_token(cx, portal_id, token)
        .await
        .filter(|t| !t.is_client_token())
        .ok_or_else(|| OAuthError::invalid_token("the access token is not valid here"))?;
    let now = cx.now();
    let mut tx = cx.db.reads().await.map_err(Error::from)?;
    let Some(read) = living(&mut tx, idle_ms, portal_id, &t, now).await? else {
        tx.release();
        return Err(OAuthError::invalid_token(
            "the access token's grant has ended",
        ));
    };
    let scope = cx
        .scopes
        .scope(&mut tx, &read.account, read.scope_generation, now)
        .await?;
    tx.release();
    let admit = claims::admit_of(&read.account, &scope);
    let granted = parse_scopes(&read.grant.scope);
    let scopes: Vec<_> = parse_scopes(t.str("scope").unwrap_or(""))
        .into_iter()
        .filter(|s| granted.contains(s))
        .collect();
    let mut out = claims::person_claims(&read.account, &scopes, &admit);
    // During an impersonation, the staff member acting (as in the tokens).
    if let Some(act) = claims::act(cx, &read.grant.public_id).await? {
        out.insert("act".into(), act);
    }
    Ok(out)
}

/// Introspection (RFC 7662) by a client of the portal: `{"active": false}` for anything not
/// good now, else what the token says.
pub async fn introspect(
    cx: &Ctx,
    idle_ms: i64,
    portal_id: i64,
    creds: &Credentials,
    token: Option<&str>,
    client_addr: Option<&str>,
) -> Result<Value, OAuthError> {
    let mut conn = cx.db.reads().await.map_err(Error::from)?;
    let token = token.filter(|t| !t.is_empty());
    // A person's access token: its grant, with the client's block and the generation that says
    // whether the process's kept client is current, in one statement before the client is
    // authenticated.
    let person = match token {
        Some(token) => person_token(cx, portal_id, token).await,
        None => None,
    };
    let read = match (&person, client_auth::limit_key_hash(creds, client_addr)) {
        (Some((_, gid)), Some(key)) => {
            store::grant_read_for(&mut conn, gid, &key, cx.now()).await?
        }
        _ => None,
    };
    let known = read.as_ref().map(|(read, blocked_until)| Known {
        generation: read.scope_generation,
        blocked_until: *blocked_until,
    });
    let (client, mut conn) =
        client_auth::authenticate(cx, conn, portal_id, creds, client_addr, known).await?;
    if client.kind != crate::domain::oidc::clients::ClientKind::Confidential {
        return Err(OAuthError::invalid_client(
            "only confidential clients may introspect",
        ));
    }
    let token = token.ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let answer = match (person, read) {
        (Some((t, _)), Some((read, _))) => {
            if lives(&read, idle_ms, portal_id, &t, cx.now()) {
                active(t)
            } else {
                json!({ "active": false })
            }
        }
        _ => introspected(cx, &mut conn, idle_ms, portal_id, token).await?,
    };
    conn.release();
    Ok(answer)
}

/// A person's access token of this portal, verified, with its grant's public id.
async fn person_token(cx: &Ctx, portal_id: i64, token: &str) -> Option<(AccessToken, String)> {
    let t = verify_access_token(cx, portal_id, token)
        .await
        .filter(|t| !t.is_client_token())?;
    let gid = t.str("gid")?.to_string();
    Some((t, gid))
}

/// What introspection says of a verified access token that counts.
fn active(t: AccessToken) -> Value {
    let mut out = t.claims;
    out.remove("admit");
    out.insert("active".into(), true.into());
    out.insert("token_type".into(), "Bearer".into());
    Value::Object(out)
}

/// What introspection says of `token`, read on `conn`.
async fn introspected(
    cx: &Ctx,
    conn: &mut Tx,
    idle_ms: i64,
    portal_id: i64,
    token: &str,
) -> Result<Value, OAuthError> {
    let inactive = json!({ "active": false });
    let now = cx.now();
    if let Some(t) = verify_access_token(cx, portal_id, token).await {
        if !t.is_client_token() {
            if living(conn, idle_ms, portal_id, &t, now).await?.is_none() {
                return Ok(inactive);
            }
        } else if !client_alive(conn, t.str("client_id").unwrap_or("")).await? {
            return Ok(inactive);
        }
        return Ok(active(t));
    }
    let tx = conn;
    let Some(r) = store::refresh(tx, &tokens::hash_token(token)).await? else {
        return Ok(inactive);
    };
    let Some(grant) = store::grant(tx, r.grant_id).await? else {
        return Ok(inactive);
    };
    let owner = clients_store::get(tx, grant.client_id).await?;
    let good = r.used_at.is_none() && r.expires_at > now && grant.ended_at.is_none();
    match owner.filter(|c| good && c.portal_id == portal_id) {
        Some(owner) => Ok(json!({
            "active": true,
            "token_type": "refresh_token",
            "client_id": owner.client_id,
            "sub": grant.account_id.to_string(),
            "scope": grant.scope,
            "exp": r.expires_at / 1000,
            "iss": issuer(cx, portal_id),
            "sid": grant.sid,
        })),
        None => Ok(inactive),
    }
}

async fn client_alive(conn: &mut Tx, client_id: &str) -> Result<bool, Error> {
    Ok(clients_store::find_for_auth(conn, client_id)
        .await?
        .is_some_and(|(c, _)| c.active))
}

/// Revocation (RFC 7009): a refresh token or access token of the client's ends its grant.
/// Anything else is ignored; the answer is the same.
pub async fn revoke(
    cx: &Ctx,
    portal_id: i64,
    creds: &Credentials,
    token: Option<&str>,
    client_addr: Option<&str>,
) -> Result<(), OAuthError> {
    let conn = cx.db.reads().await.map_err(Error::from)?;
    let (client, conn) =
        client_auth::authenticate(cx, conn, portal_id, creds, client_addr, None).await?;
    conn.release();
    let token = token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    let now = cx.now();
    let gid = verify_access_token(cx, portal_id, token)
        .await
        .and_then(|t| t.str("gid").map(str::to_string));
    let mut tx = cx.db.write().await.map_err(Error::from)?;
    let grant = match gid {
        Some(gid) => store::grant_by_public_id(&mut tx, &gid).await?,
        None => match store::refresh(&mut tx, &tokens::hash_token(token)).await? {
            Some(r) => store::grant(&mut tx, r.grant_id).await?,
            None => None,
        },
    };
    if let Some(g) = grant.filter(|g| g.client_id == client.id) {
        store::end_grant(&mut tx, g.id, "revoked", now).await?;
    }
    tx.commit().await.map_err(Error::from)?;
    Ok(())
}

/// The caller of the decision API holding a confidential client's own access token: an actor
/// that reaches the accounts of the client's portal only (`portal_id` to hold it to).
pub async fn client_actor(
    cx: &Ctx,
    token: &str,
    client_addr: Option<String>,
) -> Result<Option<(Actor, i64)>, Error> {
    // The issuer names the portal: `{public_url}/portal/{id}`.
    let Some(portal_id) = unverified_portal(cx, token) else {
        return Ok(None);
    };
    let Some(t) = verify_access_token(cx, portal_id, token).await else {
        return Ok(None);
    };
    if !t.is_client_token() {
        return Ok(None);
    }
    let mut tx = cx.db.read().await?;
    let client: Option<OidcClient> =
        clients_store::find_for_auth(&mut tx, t.str("client_id").unwrap_or(""))
            .await?
            .map(|(c, _)| c)
            .filter(|c| c.active && c.portal_id == portal_id);
    Ok(client.map(|c| {
        let actor = Actor {
            kind: ActorKind::ApiKey,
            id: None,
            label: format!("client {} ({})", c.name, c.client_id),
            scope: crate::domain::staff::Scope::All,
            admin: false,
            client_addr,
            team: None,
        };
        (actor, portal_id)
    }))
}

/// The portal of a token's `iss`, read before the signature is checked (only to know which
/// issuer to check it against).
fn unverified_portal(cx: &Ctx, token: &str) -> Option<i64> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: Value = serde_json::from_slice(&bytes).ok()?;
    let iss = claims.get("iss")?.as_str()?;
    let prefix = format!("{}/portal/", cx.mail.public_url.trim_end_matches('/'));
    iss.strip_prefix(&prefix)?.parse().ok()
}
