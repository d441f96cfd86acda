//! The sample application's side of OpenID Connect, spoken over HTTP to Admit's endpoints as
//! any relying party would: the discovery document, the authorization request with PKCE (S256),
//! the code exchanged with `client_secret_basic`, the ID token checked (signature against the
//! issuer's JWKS, `iss`, `aud`, `exp`, `nonce`), userinfo, the application's own access token
//! from the client-credentials grant, and the decision API called with it. Plain `http` only:
//! the sample runs beside the demo on the same machine.

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use axum::http::{Method, header};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use super::http::{fetch, json_of};
use super::id_token::verified_claims;

/// What the application was registered with, and where it lives (no `Debug`: it holds the
/// client's secret).
#[derive(Clone)]
pub struct Settings {
    /// The portal's issuer, `{public_url}/portal/{id}`.
    pub issuer: String,
    /// Admit's address, for the decision API.
    pub api_url: String,
    pub portal_id: i64,
    pub client_id: String,
    pub client_secret: String,
    /// The application's own address, without a trailing slash.
    pub base_url: String,
    /// The portal's modules, by name: the application asks about each.
    pub modules: Vec<String>,
}

/// The endpoints of the discovery document the application uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Provider {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub userinfo_endpoint: String,
    pub jwks_uri: String,
    pub end_session_endpoint: String,
}

/// A login's secrets kept between the redirect to Admit and the way back.
#[derive(Clone)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// Who logged in: the checked ID token's claims merged with userinfo's answer, and the ID token
/// itself (the hint when logging out).
#[derive(Clone)]
pub struct LoggedIn {
    pub claims: Value,
    pub id_token: String,
}

pub struct RelyingParty {
    pub settings: Settings,
    provider: Mutex<Option<Provider>>,
    /// The application's own access token and when it stops being used (seconds).
    own_token: Mutex<Option<(String, u64)>>,
}

fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn encode(pairs: &[(&str, &str)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        form.append_pair(k, v);
    }
    form.finish()
}

/// The PKCE challenge of a verifier: base64url(SHA-256(verifier)).
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl RelyingParty {
    pub fn new(settings: Settings) -> Self {
        RelyingParty {
            settings,
            provider: Mutex::new(None),
            own_token: Mutex::new(None),
        }
    }

    pub fn redirect_uri(&self) -> String {
        format!("{}/callback", self.settings.base_url)
    }

    /// The discovery document, read once (again after a failure).
    pub async fn provider(&self) -> anyhow::Result<Provider> {
        let mut cached = self.provider.lock().await;
        if let Some(p) = cached.as_ref() {
            return Ok(p.clone());
        }
        let url = format!("{}/.well-known/openid-configuration", self.settings.issuer);
        let p: Provider =
            serde_json::from_value(json_of(fetch(Method::GET, &url, &[], None).await?)?)
                .context("reading the discovery document")?;
        if p.issuer != self.settings.issuer {
            bail!("the discovery document names issuer {}", p.issuer);
        }
        *cached = Some(p.clone());
        Ok(p)
    }

    /// A new login: its secrets and the authorization request to send the browser to.
    pub async fn start_login(&self) -> anyhow::Result<(Pending, String)> {
        let p = self.provider().await?;
        let pending = Pending {
            state: crate::security::tokens::new_token(),
            nonce: crate::security::tokens::new_token(),
            // 64 hex digits: within PKCE's 43 to 128 unreserved characters.
            verifier: crate::security::tokens::new_token(),
        };
        let query = encode(&[
            ("response_type", "code"),
            ("client_id", &self.settings.client_id),
            ("redirect_uri", &self.redirect_uri()),
            ("scope", "openid email profile"),
            ("state", &pending.state),
            ("nonce", &pending.nonce),
            ("code_challenge", &challenge(&pending.verifier)),
            ("code_challenge_method", "S256"),
        ]);
        let sep = if p.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        Ok((pending, format!("{}{sep}{query}", p.authorization_endpoint)))
    }

    fn basic_auth(&self) -> String {
        let id: String =
            form_urlencoded::byte_serialize(self.settings.client_id.as_bytes()).collect();
        let secret: String =
            form_urlencoded::byte_serialize(self.settings.client_secret.as_bytes()).collect();
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> anyhow::Result<Value> {
        let p = self.provider().await?;
        let auth = self.basic_auth();
        let answer = fetch(
            Method::POST,
            &p.token_endpoint,
            &[
                (header::AUTHORIZATION.as_str(), auth.as_str()),
                (
                    header::CONTENT_TYPE.as_str(),
                    "application/x-www-form-urlencoded",
                ),
            ],
            Some(encode(form)),
        )
        .await?;
        json_of(answer)
    }

    /// The way back from Admit: the code exchanged, the ID token checked, userinfo asked.
    pub async fn finish_login(&self, pending: &Pending, code: &str) -> anyhow::Result<LoggedIn> {
        let answer = self
            .token_request(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", &self.redirect_uri()),
                ("code_verifier", &pending.verifier),
            ])
            .await?;
        let id_token = answer["id_token"]
            .as_str()
            .context("the token answer has no id_token")?
            .to_string();
        let access_token = answer["access_token"]
            .as_str()
            .context("the token answer has no access_token")?;
        let mut claims = self.check_id_token(&id_token, &pending.nonce).await?;
        let p = self.provider().await?;
        let bearer = format!("Bearer {access_token}");
        let info = json_of(
            fetch(
                Method::GET,
                &p.userinfo_endpoint,
                &[(header::AUTHORIZATION.as_str(), bearer.as_str())],
                None,
            )
            .await?,
        )?;
        if info["sub"] != claims["sub"] {
            bail!("userinfo answers about another subject");
        }
        if let (Some(all), Some(more)) = (claims.as_object_mut(), info.as_object()) {
            for (k, v) in more {
                all.insert(k.clone(), v.clone());
            }
        }
        Ok(LoggedIn { claims, id_token })
    }

    /// The ID token's claims, once its signature (by a key of the issuer's JWKS), issuer,
    /// audience, expiry and nonce are right.
    pub async fn check_id_token(&self, token: &str, nonce: &str) -> anyhow::Result<Value> {
        let p = self.provider().await?;
        let jwks = json_of(fetch(Method::GET, &p.jwks_uri, &[], None).await?)?;
        let claims = verified_claims(token, &jwks)?;
        let aud_ok = match &claims["aud"] {
            Value::String(a) => *a == self.settings.client_id,
            Value::Array(list) => list.iter().any(|a| *a == *self.settings.client_id),
            _ => false,
        };
        if claims["iss"] != *self.settings.issuer {
            bail!("the ID token is from another issuer");
        }
        if !aud_ok {
            bail!("the ID token is for another client");
        }
        if claims["exp"].as_u64().is_none_or(|exp| exp + 30 < now_s()) {
            bail!("the ID token has expired");
        }
        if claims["nonce"] != *nonce {
            bail!("the ID token's nonce is not this login's");
        }
        Ok(claims)
    }

    /// The application's own access token (client credentials), reused until shortly before
    /// it expires.
    async fn own_token(&self) -> anyhow::Result<String> {
        let mut cached = self.own_token.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && *until > now_s()
        {
            return Ok(token.clone());
        }
        let answer = self
            .token_request(&[("grant_type", "client_credentials")])
            .await?;
        let token = answer["access_token"]
            .as_str()
            .context("the token answer has no access_token")?
            .to_string();
        let lifetime = answer["expires_in"].as_u64().unwrap_or(60);
        *cached = Some((token.clone(), now_s() + lifetime.saturating_sub(30)));
        Ok(token)
    }

    /// What `GET /api/v1/decision` answers for the account and module: (allow, rule).
    pub async fn decision(&self, account_id: &str, module: &str) -> anyhow::Result<(bool, String)> {
        let token = self.own_token().await?;
        let query = encode(&[
            ("account_id", account_id),
            ("module", module),
            ("portal_id", &self.settings.portal_id.to_string()),
        ]);
        let url = format!("{}/api/v1/decision?{query}", self.settings.api_url);
        let bearer = format!("Bearer {token}");
        let answer = json_of(
            fetch(
                Method::GET,
                &url,
                &[(header::AUTHORIZATION.as_str(), bearer.as_str())],
                None,
            )
            .await?,
        )?;
        let allow = answer["allow"]
            .as_bool()
            .context("no allow in the decision")?;
        let rule = answer["rule"].as_str().unwrap_or_default().to_string();
        Ok((allow, rule))
    }

    /// Where the browser goes to log out of Admit too (RP-initiated logout).
    pub async fn logout_url(&self, id_token: &str) -> anyhow::Result<String> {
        let p = self.provider().await?;
        let query = encode(&[
            ("id_token_hint", id_token),
            (
                "post_logout_redirect_uri",
                &format!("{}/", self.settings.base_url),
            ),
            ("client_id", &self.settings.client_id),
        ]);
        let sep = if p.end_session_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        Ok(format!("{}{sep}{query}", p.end_session_endpoint))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pkce_challenge_is_rfc_7636s() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
