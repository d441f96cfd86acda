//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): an application sends the
//! person to the end-session endpoint; their portal session ends (so every application that
//! holds a grant from it gets its back-channel logout) and they are sent back to one of the
//! client's registered post-logout redirect URIs, or to the portal's login page. Without an
//! ID token naming the person, they confirm first: no other site can log them out unasked.

use serde_json::Value;

use super::{issuer, keys, with_query};
use crate::security::tokens;
use crate::storage::oidc_clients::{self as clients_store, OidcClient};
use crate::storage::sessions::{self, Kind};
use crate::usecases::accounts::portal_logout;
use crate::usecases::{Ctx, Result};

/// The end-session request's parameters.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct EndSessionParams {
    pub id_token_hint: Option<String>,
    pub client_id: Option<String>,
    pub post_logout_redirect_uri: Option<String>,
    pub state: Option<String>,
    pub ui_locales: Option<String>,
}

/// What the browser is shown next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndSession {
    /// The request is wrong (a hint not made here, an unregistered redirect URI): the reason.
    ErrorPage(EndSessionError),
    /// Ask the person whether to log out (no ID token named them).
    Confirm,
    /// Logged out (or was not logged in): go here.
    Redirect(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndSessionError {
    BadHint,
    UnknownClient,
    RedirectUriNotRegistered,
}

impl EndSessionError {
    pub fn code(self) -> &'static str {
        match self {
            EndSessionError::BadHint => "bad_id_token_hint",
            EndSessionError::UnknownClient => "unknown_client",
            EndSessionError::RedirectUriNotRegistered => "post_logout_redirect_uri_not_registered",
        }
    }
}

/// Handles an end-session request; `confirmed` when the person pressed "Log out" on the
/// confirmation page (the caller checked its form token).
pub async fn end_session(
    cx: &Ctx,
    portal_id: i64,
    p: &EndSessionParams,
    session_token: Option<&str>,
    confirmed: bool,
    client_addr: Option<String>,
) -> Result<EndSession> {
    let hint = match p.id_token_hint.as_deref().filter(|h| !h.is_empty()) {
        None => None,
        Some(h) => match hinted(cx, portal_id, h).await {
            Some(claims) => Some(claims),
            None => return Ok(EndSession::ErrorPage(EndSessionError::BadHint)),
        },
    };
    let hint_aud = hint
        .as_ref()
        .and_then(|c| c.get("aud"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let client_id = match (p.client_id.as_deref().filter(|c| !c.is_empty()), hint_aud) {
        (Some(a), Some(b)) if a != b => {
            return Ok(EndSession::ErrorPage(EndSessionError::UnknownClient));
        }
        (Some(a), _) => Some(a.to_string()),
        (None, b) => b,
    };
    let client: Option<OidcClient> = match &client_id {
        None => None,
        Some(id) => {
            let mut tx = cx.db.read().await?;
            match clients_store::find_for_auth(&mut tx, id).await? {
                Some((c, _)) if c.portal_id == portal_id => Some(c),
                _ => return Ok(EndSession::ErrorPage(EndSessionError::UnknownClient)),
            }
        }
    };
    let back = match p
        .post_logout_redirect_uri
        .as_deref()
        .filter(|u| !u.is_empty())
    {
        None => None,
        Some(uri) => match &client {
            Some(c) if c.post_logout_redirect_uris.iter().any(|u| u == uri) => {
                let mut params = Vec::new();
                if let Some(state) = p.state.as_deref().filter(|s| !s.is_empty()) {
                    params.push(("state", state));
                }
                Some(with_query(uri, &params))
            }
            _ => {
                return Ok(EndSession::ErrorPage(
                    EndSessionError::RedirectUriNotRegistered,
                ));
            }
        },
    };
    let after = back.unwrap_or_else(|| format!("/portal/{portal_id}/login?out=1"));
    let Some(token) = session_token else {
        return Ok(EndSession::Redirect(after));
    };
    let owner = {
        let mut tx = cx.db.read().await?;
        sessions::get(&mut tx, Kind::Portal, &tokens::hash_token(token))
            .await?
            .map(|s| s.owner_id)
    };
    let Some(owner) = owner else {
        return Ok(EndSession::Redirect(after));
    };
    let hint_sub = hint
        .as_ref()
        .and_then(|c| c.get("sub"))
        .and_then(Value::as_str);
    let named = hint_sub == Some(owner.to_string().as_str());
    if !named && !confirmed {
        return Ok(EndSession::Confirm);
    }
    portal_logout(cx, token, client_addr).await?;
    Ok(EndSession::Redirect(after))
}

/// The claims of an ID token this portal's issuer signed (expired ones too: a hint names
/// who, it grants nothing).
async fn hinted(cx: &Ctx, portal_id: i64, token: &str) -> Option<serde_json::Map<String, Value>> {
    let verified = keys::verify(cx, token).await.ok()?;
    let Value::Object(claims) = verified.claims else {
        return None;
    };
    (claims.get("iss").and_then(Value::as_str) == Some(issuer(cx, portal_id).as_str()))
        .then_some(claims)
}
