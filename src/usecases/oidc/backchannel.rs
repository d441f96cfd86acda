//! Back-channel logouts (OpenID Connect Back-Channel Logout 1.0): the logout token a client is
//! sent when a portal session it held ends, the deliveries an administrator sees per client,
//! and sending a failed one again. The queue is written where sessions end
//! (`storage::sessions`); the `jobs::backchannel` worker delivers it.

use serde_json::json;

use crate::domain::outbox::OutboxStatus;
use crate::security::tokens;
use crate::storage::oidc_clients::{self as clients, OidcClient};
use crate::storage::oidc_logouts::{self as store, OidcLogout};
use crate::usecases::oidc::keys;
use crate::usecases::{Actor, Ctx, Error, Result, Target, record};

/// The event a logout token carries.
pub const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";
/// The logout token's JWS `typ`.
pub const TYP: &str = "logout+jwt";
/// How long a logout token is good for, in seconds.
pub const LIFETIME_S: i64 = 120;
/// How many of a client's deliveries are listed.
pub const RECENT: i64 = 50;

/// The claims of the logout token that tells `client` the session `logout.sid` of account
/// `logout.account_id` ended (section 2.4): no `nonce`, a fresh `jti`.
pub fn claims(cx: &Ctx, client: &OidcClient, logout: &OidcLogout) -> serde_json::Value {
    let iat = cx.now().div_euclid(1000);
    json!({
        "iss": super::issuer(cx, client.portal_id),
        "aud": client.client_id,
        "iat": iat,
        "exp": iat + LIFETIME_S,
        "jti": tokens::random_hex(16),
        "sub": logout.account_id.to_string(),
        "sid": logout.sid,
        "events": { EVENT: {} },
    })
}

/// The signed logout token, with the algorithm the client's registration names.
pub async fn logout_token(cx: &Ctx, client: &OidcClient, logout: &OidcLogout) -> Result<String> {
    keys::sign(
        cx,
        super::claims::alg(client),
        TYP,
        &claims(cx, client, logout),
    )
    .await
}

/// A client's most recent back-channel logouts, newest first.
pub async fn of_client(cx: &Ctx, actor: &Actor, client_id: i64) -> Result<Vec<OidcLogout>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    clients::get(&mut tx, client_id)
        .await?
        .ok_or(Error::NotFound("client"))?;
    Ok(store::of_client(&mut tx, client_id, RECENT).await?)
}

/// A failed logout goes back in the queue, with a fresh count of attempts.
pub async fn send_again(cx: &Ctx, actor: &Actor, id: i64) -> Result<OidcLogout> {
    actor.require_admin()?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let logout = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("back-channel logout"))?;
    if logout.status != OutboxStatus::Failed {
        return Err(Error::Refused(
            crate::catalog::Message::new("error-logout-resend-only-failed")
                .text("status", logout.status.as_str())
                .into(),
        ));
    }
    let client = clients::get(&mut tx, logout.client_id)
        .await?
        .ok_or(Error::NotFound("client"))?;
    store::requeue(&mut tx, id, now).await?;
    record(
        &mut tx,
        now,
        actor,
        "oidc_logout.requeued",
        Target {
            kind: "oidc_client",
            id: Some(client.id),
            label: &client.name,
        },
        None,
        Some(json!({"logout_id": id, "account_id": logout.account_id})),
    )
    .await?;
    let logout = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("back-channel logout"))?;
    tx.commit().await?;
    cx.logout_wakeup.notify_one();
    Ok(logout)
}
