//! OpenID Connect: the clients (relying parties) administrators register per portal.

pub mod clients;

use super::Ctx;

/// A portal's issuer: `{public_url}/portal/{id}`. Its discovery document is at
/// `{issuer}/.well-known/openid-configuration`; its endpoints under `{issuer}/oidc/`.
pub fn issuer(cx: &Ctx, portal_id: i64) -> String {
    format!(
        "{}/portal/{portal_id}",
        cx.mail.public_url.trim_end_matches('/')
    )
}
