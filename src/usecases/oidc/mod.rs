//! OpenID Connect: the clients (relying parties) administrators register per portal, and the
//! provider each portal is: authorization, tokens, userinfo, introspection, revocation and
//! logout, and the keys that sign the tokens.

pub mod authorize;
pub mod backchannel;
mod claims;
pub mod client_auth;
pub mod client_cache;
pub mod clients;
pub mod key_rotation;
pub mod keys;
pub mod logout;
pub mod resource;
pub mod rotations;
pub mod token;

use super::Ctx;
use crate::security::tokens;

/// A code is exchanged within this time (60 s), once.
pub const CODE_MS: i64 = 60_000;
/// ID tokens and access tokens are good for this long (5 minutes).
pub const TOKEN_S: i64 = 300;
/// A person has this long (30 minutes) to log in before an application's request lapses.
pub const REQUEST_MS: i64 = 30 * 60_000;
/// Used and expired refresh tokens and ended grants are kept this long (30 days), to recognise
/// a reuse, before housekeeping deletes them.
pub const KEEP_MS: i64 = 30 * 86_400_000;

/// A portal's issuer: `{public_url}/portal/{id}`. Its discovery document is at
/// `{issuer}/.well-known/openid-configuration`; its endpoints under `{issuer}/oidc/`.
pub fn issuer(cx: &Ctx, portal_id: i64) -> String {
    format!(
        "{}/portal/{portal_id}",
        cx.mail.public_url.trim_end_matches('/')
    )
}

/// The `sid` claim of a portal session: derived from its stored hash, so that it names the
/// session to applications without revealing anything that opens it.
pub fn sid_of(session_hash: &str) -> String {
    tokens::derive(session_hash, "oidc-sid")[..32].to_string()
}

/// An error the token, userinfo, introspection and revocation endpoints answer (RFC 6749
/// 5.2, RFC 6750 3.1): the HTTP status, the error code of the specifications and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
    /// Seconds to wait, when throttled.
    pub retry_after: Option<i64>,
}

impl OAuthError {
    pub fn new(status: u16, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            retry_after: None,
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(400, "invalid_request", description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new(400, "invalid_grant", description)
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new(401, "invalid_client", description)
    }

    pub fn invalid_token(description: impl Into<String>) -> Self {
        Self::new(401, "invalid_token", description)
    }
}

impl From<super::Error> for OAuthError {
    fn from(e: super::Error) -> Self {
        match e {
            super::Error::TooMany { retry_after_s } => OAuthError {
                status: 429,
                error: "invalid_client",
                description: format!("too many failed attempts; try again in {retry_after_s} s"),
                retry_after: Some(retry_after_s),
            },
            other => {
                tracing::error!(error = %other, "OpenID Connect request failed");
                OAuthError::new(500, "server_error", "the request could not be handled")
            }
        }
    }
}

impl From<sqlx::Error> for OAuthError {
    fn from(e: sqlx::Error) -> Self {
        super::Error::from(e).into()
    }
}

/// Appends query parameters to a URI that may already have a query.
pub fn with_query(uri: &str, params: &[(&str, &str)]) -> String {
    let mut out = String::from(uri);
    let mut sep = if uri.contains('?') { '&' } else { '?' };
    for (k, v) in params {
        out.push(sep);
        sep = '&';
        out.extend(form_urlencoded::byte_serialize(k.as_bytes()));
        out.push('=');
        out.extend(form_urlencoded::byte_serialize(v.as_bytes()));
    }
    out
}
