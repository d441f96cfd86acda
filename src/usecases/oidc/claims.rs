//! What the tokens say about a person: the ID token (OpenID Connect Core 2), the JWT access
//! token (RFC 9068) and userinfo, with the `admit` claim: the organization, role, modules and
//! the version of the scope that `GET /api/v1/accounts/{id}/scope` gives (customers stay
//! behind the decision API).

use serde_json::{Map, Value, json};

use super::{TOKEN_S, issuer};
use crate::domain::oidc::clients::{OidcScope, SigningAlg};
use crate::security::jwt::Alg;
use crate::security::tokens;
use crate::storage::Tx;
use crate::storage::accounts::PortalAccount;
use crate::storage::oidc_clients::OidcClient;
use crate::usecases::access::ScopeView;
use crate::usecases::{Ctx, Result};

use super::keys;

/// The `admit` claim of an account.
pub(super) async fn admit_claim(tx: &mut Tx, a: &PortalAccount, now: i64) -> Result<Value> {
    let scope = crate::usecases::access::scope_in(tx, a, now).await?;
    Ok(admit_of(a, &scope))
}

/// The `admit` claim of an account with its scope.
pub(super) fn admit_of(a: &PortalAccount, scope: &ScopeView) -> Value {
    let organization = match (a.organization_id, &a.organization_name, a.organization_kind) {
        (Some(id), Some(name), Some(kind)) => json!({ "id": id, "name": name, "kind": kind }),
        _ => Value::Null,
    };
    json!({
        "portal_id": a.portal_id,
        "organization": organization,
        "role": a.role,
        "modules": scope.modules,
        "scope_version": scope.version,
    })
}

/// The claims about the person that `scopes` allow (for the ID token and userinfo).
pub(super) fn person_claims(
    a: &PortalAccount,
    scopes: &[OidcScope],
    admit: &Value,
) -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("sub".into(), a.id.to_string().into());
    if scopes.contains(&OidcScope::Email) {
        c.insert("email".into(), a.email.clone().into());
        // An account's address was confirmed by the link that set its password.
        c.insert("email_verified".into(), true.into());
    }
    if scopes.contains(&OidcScope::Profile) {
        c.insert("name".into(), a.name.clone().into());
        c.insert("locale".into(), a.language.clone().into());
        c.insert("zoneinfo".into(), a.time_zone.clone().into());
    }
    c.insert("admit".into(), admit.clone());
    c
}

pub(super) fn alg(client: &OidcClient) -> Alg {
    match client.signing_alg {
        SigningAlg::Es256 => Alg::Es256,
        SigningAlg::Rs256 => Alg::Rs256,
    }
}

/// How the public id of a grant made in an impersonation's portal session begins: only those
/// grants look up the staff member for the `act` claim.
pub(super) const IMPERSONATED: &str = "imp-";

/// The `act` claim (RFC 8693, 4.1) of a grant made during an impersonation: the staff member
/// acting as the person. `None` for every other grant, without a query.
pub(super) async fn act(cx: &Ctx, grant_public_id: &str) -> Result<Option<Value>> {
    if !grant_public_id.starts_with(IMPERSONATED) {
        return Ok(None);
    }
    let mut tx = cx.db.read().await?;
    let actor = crate::storage::impersonations::actor_of_grant(&mut tx, grant_public_id).await?;
    Ok(actor.map(|(id, email)| json!({ "sub": format!("staff:{id}"), "email": email })))
}

/// The grant's facts the tokens carry.
pub(super) struct Session<'a> {
    pub grant_public_id: &'a str,
    pub sid: &'a str,
    /// Milliseconds.
    pub auth_time: i64,
    pub scopes: &'a [OidcScope],
    pub nonce: Option<&'a str>,
}

/// A signed ID token and access token for a person.
pub(super) struct Signed {
    pub id_token: String,
    pub access_token: String,
}

pub(super) async fn person_tokens(
    cx: &Ctx,
    client: &OidcClient,
    account: &PortalAccount,
    admit: &Value,
    s: &Session<'_>,
) -> Result<Signed> {
    let now_s = cx.now() / 1000;
    let iss = issuer(cx, client.portal_id);
    let mut id = person_claims(account, s.scopes, admit);
    id.insert("iss".into(), iss.clone().into());
    id.insert("aud".into(), client.client_id.clone().into());
    id.insert("azp".into(), client.client_id.clone().into());
    id.insert("iat".into(), now_s.into());
    id.insert("exp".into(), (now_s + TOKEN_S).into());
    id.insert("auth_time".into(), (s.auth_time / 1000).into());
    id.insert("sid".into(), s.sid.into());
    if let Some(nonce) = s.nonce {
        id.insert("nonce".into(), nonce.into());
    }
    let act = act(cx, s.grant_public_id).await?;
    if let Some(act) = &act {
        id.insert("act".into(), act.clone());
    }
    let scope: Vec<&str> = s.scopes.iter().map(|x| x.as_str()).collect();
    let mut access = json!({
        "iss": iss,
        "sub": account.id.to_string(),
        "aud": client.client_id,
        "client_id": client.client_id,
        "iat": now_s,
        "exp": now_s + TOKEN_S,
        "jti": tokens::random_hex(16),
        "scope": scope.join(" "),
        "auth_time": s.auth_time / 1000,
        "sid": s.sid,
        "gid": s.grant_public_id,
        "admit": admit,
    });
    if let Some(act) = act {
        access["act"] = act;
    }
    let alg = alg(client);
    Ok(Signed {
        id_token: keys::sign(cx, alg, "JWT", &Value::Object(id)).await?,
        access_token: keys::sign(cx, alg, "at+jwt", &access).await?,
    })
}

/// The access token of the client itself (client credentials): its `sub` is its `client_id`.
pub(super) async fn client_token(cx: &Ctx, client: &OidcClient) -> Result<String> {
    let now_s = cx.now() / 1000;
    let claims = json!({
        "iss": issuer(cx, client.portal_id),
        "sub": client.client_id,
        "aud": client.client_id,
        "client_id": client.client_id,
        "iat": now_s,
        "exp": now_s + TOKEN_S,
        "jti": tokens::random_hex(16),
        "scope": "",
    });
    keys::sign(cx, alg(client), "at+jwt", &claims).await
}
