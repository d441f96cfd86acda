//! Queries for OpenID Connect clients. A confidential client's secret is stored only as its
//! SHA-256; it is never read back.

use serde::Serialize;

use super::{Result, Tx};
use crate::domain::oidc::clients::{
    ClientKind, ClientSettings, OidcScope, SigningAlg, parse_scopes, scopes_text,
};
use crate::{exec_tx, on_tx};

/// A registered client, as the API shows it (never its secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OidcClient {
    pub id: i64,
    pub portal_id: i64,
    /// The public identifier the application sends as `client_id`: 32 hex digits.
    #[schema(pattern = "^[0-9a-f]{32}$")]
    pub client_id: String,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    pub kind: ClientKind,
    /// Exact, in their order.
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    pub scopes: Vec<OidcScope>,
    /// What its ID and access tokens are signed with.
    pub signing_alg: SigningAlg,
    /// An inactive client logs nobody in.
    pub active: bool,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    portal_id: i64,
    client_id: String,
    name: String,
    kind: ClientKind,
    backchannel_logout_uri: Option<String>,
    scopes: String,
    signing_alg: SigningAlg,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

const SELECT: &str = "SELECT id, portal_id, client_id, name, kind, backchannel_logout_uri, \
     scopes, signing_alg, active, created_at, updated_at FROM oidc_clients";

const REDIRECT: &str = "redirect";
const POST_LOGOUT: &str = "post_logout";

pub struct NewClient<'a> {
    pub portal_id: i64,
    pub client_id: &'a str,
    pub kind: ClientKind,
    pub secret_hash: Option<&'a str>,
    pub settings: &'a ClientSettings,
}

pub async fn insert(tx: &mut Tx, new: &NewClient<'_>, now: i64) -> Result<i64> {
    let s = new.settings;
    let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO oidc_clients (portal_id, client_id, name, kind, secret_hash, \
         backchannel_logout_uri, scopes, signing_alg, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $9, TRUE, $8, $8) RETURNING id"
    )
    .bind(new.portal_id)
    .bind(new.client_id)
    .bind(&s.name)
    .bind(new.kind)
    .bind(new.secret_hash)
    .bind(s.backchannel_logout_uri.as_deref())
    .bind(scopes_text(&s.scopes))
    .bind(now)
    .bind(s.signing_alg)
    .fetch_one(c)
    .await)?;
    set_uris(tx, id, s).await?;
    Ok(id)
}

pub async fn update(
    tx: &mut Tx,
    id: i64,
    s: &ClientSettings,
    active: bool,
    now: i64,
) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE oidc_clients SET name = $1, backchannel_logout_uri = $2, scopes = $3, \
         active = $4, updated_at = $5, signing_alg = $7 WHERE id = $6"
    )
    .bind(&s.name)
    .bind(s.backchannel_logout_uri.as_deref())
    .bind(scopes_text(&s.scopes))
    .bind(active)
    .bind(now)
    .bind(id)
    .bind(s.signing_alg)
    .execute(c)
    .await)?;
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM oidc_client_uris WHERE client_id = $1"
    )
    .bind(id)
    .execute(c)
    .await)?;
    set_uris(tx, id, s).await
}

async fn set_uris(tx: &mut Tx, id: i64, s: &ClientSettings) -> Result<()> {
    let lists = [
        (REDIRECT, &s.redirect_uris),
        (POST_LOGOUT, &s.post_logout_redirect_uris),
    ];
    for (purpose, uris) in lists {
        for (position, uri) in uris.iter().enumerate() {
            exec_tx!(tx, |c| sqlx::query(
                "INSERT INTO oidc_client_uris (client_id, purpose, position, uri) \
                 VALUES ($1, $2, $3, $4)"
            )
            .bind(id)
            .bind(purpose)
            .bind(position as i64)
            .bind(uri)
            .execute(c)
            .await)?;
        }
    }
    Ok(())
}

pub async fn set_secret_hash(tx: &mut Tx, id: i64, secret_hash: &str, now: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE oidc_clients SET secret_hash = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(secret_hash)
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, id: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM oidc_clients WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

async fn with_uris(tx: &mut Tx, row: Row) -> Result<OidcClient> {
    let uris: Vec<(String, String)> = on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT purpose, uri FROM oidc_client_uris WHERE client_id = $1 ORDER BY purpose, position"
    )
    .bind(row.id)
    .fetch_all(c)
    .await
    })?;
    Ok(client_of(row, &uris))
}

/// A client from its row and its `(purpose, uri)` pairs, in their order.
fn client_of(row: Row, uris: &[(String, String)]) -> OidcClient {
    let of = |purpose: &str| {
        uris.iter()
            .filter(|(p, _)| p == purpose)
            .map(|(_, u)| u.clone())
            .collect()
    };
    OidcClient {
        id: row.id,
        portal_id: row.portal_id,
        client_id: row.client_id,
        name: row.name,
        kind: row.kind,
        redirect_uris: of(REDIRECT),
        post_logout_redirect_uris: of(POST_LOGOUT),
        backchannel_logout_uri: row.backchannel_logout_uri,
        scopes: parse_scopes(&row.scopes),
        signing_alg: row.signing_alg,
        active: row.active,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<OidcClient>> {
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)?;
    match row {
        Some(row) => Ok(Some(with_uris(tx, row).await?)),
        None => Ok(None),
    }
}

/// A portal's clients, by name.
pub async fn list_for_portal(tx: &mut Tx, portal_id: i64) -> Result<Vec<OidcClient>> {
    let rows: Vec<Row> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE portal_id = $1 ORDER BY name, id"
    )))
    .bind(portal_id)
    .fetch_all(c)
    .await)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(with_uris(tx, row).await?);
    }
    Ok(out)
}

/// A client by the `client_id` applications send, with its secret's hash (for client
/// authentication only).
pub async fn find_for_auth(
    tx: &mut Tx,
    client_id: &str,
) -> Result<Option<(OidcClient, Option<String>)>> {
    Ok(find_with_limit(tx, client_id, "", 0)
        .await?
        .map(|f| (f.client, f.secret_hash)))
}

/// A client found for authentication: with its secret's hash and, from the same statement,
/// until when wrong secrets block its checks from one address.
pub struct ClientAuth {
    pub client: OidcClient,
    pub secret_hash: Option<String>,
    pub blocked_until: Option<i64>,
}

/// A client by its `client_id`, its secret's hash, its URIs, and the block (after `now`) of
/// the throttling key `limit_key_hash`: one statement, one row per URI.
pub async fn find_with_limit(
    tx: &mut Tx,
    client_id: &str,
    limit_key_hash: &str,
    now: i64,
) -> Result<Option<ClientAuth>> {
    #[derive(sqlx::FromRow)]
    struct Joined {
        #[sqlx(flatten)]
        row: Row,
        secret_hash: Option<String>,
        blocked_until: Option<i64>,
        purpose: Option<String>,
        uri: Option<String>,
    }
    let rows: Vec<Joined> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT c.id, c.portal_id, c.client_id, c.name, c.kind, c.backchannel_logout_uri, \
         c.scopes, c.signing_alg, c.active, c.created_at, c.updated_at, c.secret_hash, \
         (SELECT l.blocked_until FROM rate_limits l \
          WHERE l.key_hash = $2 AND l.blocked_until > $3) AS blocked_until, u.purpose, u.uri \
         FROM oidc_clients c LEFT JOIN oidc_client_uris u ON u.client_id = c.id \
         WHERE c.client_id = $1 ORDER BY u.purpose, u.position"
    )
    .bind(client_id)
    .bind(limit_key_hash)
    .bind(now)
    .fetch_all(c)
    .await)?;
    let uris: Vec<(String, String)> = rows
        .iter()
        .filter_map(|j| Some((j.purpose.clone()?, j.uri.clone()?)))
        .collect();
    Ok(rows.into_iter().next().map(|j| ClientAuth {
        client: client_of(j.row, &uris),
        secret_hash: j.secret_hash,
        blocked_until: j.blocked_until,
    }))
}
