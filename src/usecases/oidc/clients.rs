//! A portal's OpenID Connect clients: registered, listed, changed, given a new secret and
//! deleted by administrators. A confidential client's secret (256 random bits) is shown once,
//! at creation and when renewed, and stored only as its SHA-256; audit events never hold it.

use serde::{Deserialize, Serialize};

use crate::domain::oidc::clients::{
    ClientKind, ClientSettings, ClientSettingsInput, OidcScope, SigningAlg, validate,
};
use crate::security::tokens;
use crate::storage::directory;
use crate::storage::oidc_clients::{self as store, NewClient, OidcClient};
use crate::usecases::{Actor, Ctx, Error, Result, Target, json, record};

fn default_scopes() -> Vec<OidcScope> {
    vec![OidcScope::Openid]
}

/// A client to register.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClientInput {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// Fixed once registered.
    pub kind: ClientKind,
    /// Where the application receives the authorization code: exact absolute URIs, `https`
    /// (`http` only on `localhost` or `127.0.0.1`), no wildcard, no fragment, each once. At
    /// most 10; a public client needs at least one.
    #[serde(default)]
    #[schema(max_items = 10, max_length = 2000, pattern = r"^https?://[^\s#*\\]+$")]
    pub redirect_uris: Vec<String>,
    /// Where the application may be sent back after logging out; the same rules, at most 10.
    #[serde(default)]
    #[schema(max_items = 10, max_length = 2000, pattern = r"^https?://[^\s#*\\]+$")]
    pub post_logout_redirect_uris: Vec<String>,
    /// Where Admit posts a logout token when a session ends; the same rules.
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^https?://[^\s#*\\]+$")]
    pub backchannel_logout_uri: Option<String>,
    /// Each once; must include `openid` (the default: only `openid`).
    #[serde(default = "default_scopes")]
    #[schema(min_items = 1, max_items = 4)]
    pub scopes: Vec<OidcScope>,
    /// What its ID and access tokens are signed with (default ES256).
    #[serde(default)]
    pub signing_alg: SigningAlg,
}

/// A client's settings, all replaced (its kind stays).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientUpdateInput {
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// The same rules as at registration.
    #[serde(default)]
    #[schema(max_items = 10, max_length = 2000, pattern = r"^https?://[^\s#*\\]+$")]
    pub redirect_uris: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 10, max_length = 2000, pattern = r"^https?://[^\s#*\\]+$")]
    pub post_logout_redirect_uris: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 2000, pattern = r"^https?://[^\s#*\\]+$")]
    pub backchannel_logout_uri: Option<String>,
    /// Each once; must include `openid` (the default: only `openid`).
    #[serde(default = "default_scopes")]
    #[schema(min_items = 1, max_items = 4)]
    pub scopes: Vec<OidcScope>,
    /// What its ID and access tokens are signed with (default ES256).
    #[serde(default)]
    pub signing_alg: SigningAlg,
    /// `false` switches the client off: it logs nobody in.
    pub active: bool,
}

/// A client with its secret, shown this once: at registration and when renewed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClientWithSecret {
    pub client: OidcClient,
    /// For a confidential client: 64 hex digits, shown only now (Admit keeps only a hash).
    /// `null` for a public client.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub client_secret: Option<String>,
}

/// The settings an input gives (registration and change share them; serde's `flatten` does not
/// go with `deny_unknown_fields`, so the two inputs repeat the fields).
macro_rules! settings_of {
    ($input:expr) => {
        ClientSettingsInput {
            name: &$input.name,
            redirect_uris: &$input.redirect_uris,
            post_logout_redirect_uris: &$input.post_logout_redirect_uris,
            backchannel_logout_uri: $input.backchannel_logout_uri.as_deref(),
            scopes: &$input.scopes,
            signing_alg: $input.signing_alg,
        }
    };
}

fn target(client: &OidcClient) -> Target<'_> {
    Target {
        kind: "oidc_client",
        id: Some(client.id),
        label: &client.name,
    }
}

pub async fn create(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    input: &NewClientInput,
) -> Result<ClientWithSecret> {
    actor.require_admin()?;
    let settings: ClientSettings = validate(input.kind, &settings_of!(input))?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    directory::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let client_id = tokens::random_hex(16);
    let secret = match input.kind {
        ClientKind::Confidential => Some(tokens::new_token()),
        ClientKind::Public => None,
    };
    let secret_hash = secret.as_deref().map(tokens::hash_token);
    let id = store::insert(
        &mut tx,
        &NewClient {
            portal_id,
            client_id: &client_id,
            kind: input.kind,
            secret_hash: secret_hash.as_deref(),
            settings: &settings,
        },
        now,
    )
    .await?;
    let client = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("client"))?;
    record(
        &mut tx,
        now,
        actor,
        "oidc_client.created",
        target(&client),
        None,
        json(&client),
    )
    .await?;
    tx.commit().await?;
    Ok(ClientWithSecret {
        client,
        client_secret: secret,
    })
}

pub async fn list(cx: &Ctx, actor: &Actor, portal_id: i64) -> Result<Vec<OidcClient>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    directory::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    Ok(store::list_for_portal(&mut tx, portal_id).await?)
}

pub async fn get(cx: &Ctx, actor: &Actor, id: i64) -> Result<OidcClient> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("client"))
}

pub async fn update(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    input: &ClientUpdateInput,
) -> Result<OidcClient> {
    actor.require_admin()?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let before = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("client"))?;
    let settings = validate(before.kind, &settings_of!(input))?;
    store::update(&mut tx, id, &settings, input.active, now).await?;
    let after = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("client"))?;
    record(
        &mut tx,
        now,
        actor,
        "oidc_client.updated",
        target(&after),
        json(&before),
        json(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A confidential client's new secret; the old one stops working at once.
pub async fn rotate_secret(cx: &Ctx, actor: &Actor, id: i64) -> Result<ClientWithSecret> {
    actor.require_admin()?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let client = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("client"))?;
    if client.kind != ClientKind::Confidential {
        return Err(Error::Refused(
            crate::catalog::Message::new("error-public-client-no-secret").into(),
        ));
    }
    let secret = tokens::new_token();
    store::set_secret_hash(&mut tx, id, &tokens::hash_token(&secret), now).await?;
    let client = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("client"))?;
    record(
        &mut tx,
        now,
        actor,
        "oidc_client.secret_renewed",
        target(&client),
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(ClientWithSecret {
        client,
        client_secret: Some(secret),
    })
}

pub async fn delete(cx: &Ctx, actor: &Actor, id: i64) -> Result<OidcClient> {
    actor.require_admin()?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let client = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("client"))?;
    store::delete(&mut tx, id).await?;
    record(
        &mut tx,
        now,
        actor,
        "oidc_client.deleted",
        target(&client),
        json(&client),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(client)
}
