//! How a client proves who it is at the token, introspection and revocation endpoints:
//! `client_secret_basic` or `client_secret_post` for a confidential client, its `client_id`
//! alone for a public one. Wrong secrets are throttled per client and address like logins.

use super::OAuthError;
use crate::domain::oidc::clients::ClientKind;
use crate::security::tokens::{self, constant_time_eq};
use crate::storage::Tx;
use crate::storage::oidc_clients::{self as store, ClientAuth, OidcClient};
use crate::usecases::limits::{self, SecretCheck};
use crate::usecases::{Ctx, Error};

/// What a request brought: the `Authorization: Basic` pair (already decoded) and the form's
/// `client_id` and `client_secret`.
#[derive(Debug, Default, Clone)]
pub struct Credentials {
    pub basic: Option<(String, String)>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

impl Credentials {
    /// Reads an `Authorization` header's value: `Basic base64(id:secret)`, each part
    /// form-urlencoded (RFC 6749 2.3.1). `Err` for a malformed one.
    pub fn basic_of(header: &str) -> Result<(String, String), OAuthError> {
        use base64::Engine;
        let bad = || OAuthError::invalid_client("malformed Basic credentials");
        let b64 = header
            .strip_prefix("Basic ")
            .or_else(|| header.strip_prefix("basic "))
            .ok_or_else(bad)?;
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|_| bad())?;
        let text = String::from_utf8(raw).map_err(|_| bad())?;
        let (id, secret) = text.split_once(':').ok_or_else(bad)?;
        let decode = |s: &str| -> String {
            form_urlencoded::parse(format!("x={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        Ok((decode(id), decode(secret)))
    }
}

/// What the caller read of the client in its own statement (beside a token's grant): the
/// scope generation, which says whether the process's kept client is current
/// ([`super::client_cache`]), and the block of the client's throttling key
/// ([`limit_key_hash`]).
#[derive(Debug, Clone, Copy)]
pub struct Known {
    pub generation: i64,
    pub blocked_until: Option<i64>,
}

/// The hash of the throttling key of the client the credentials name, from this address: what
/// a caller reads the block of beside its own rows, to give as [`Known`]. `None` when they
/// name no client.
pub fn limit_key_hash(creds: &Credentials, client_addr: Option<&str>) -> Option<String> {
    let client_id = match (&creds.basic, &creds.client_id) {
        (Some((id, _)), _) => id,
        (None, Some(id)) => id,
        (None, None) => return None,
    };
    Some(SecretCheck::new(client_id, client_addr).key_hash())
}

/// The client of `portal_id` the credentials prove, read on `conn` (a connection from
/// `Db::reads`), which is given back for the caller to go on reading; with `known`, taken
/// from the process's kept clients when it is current there. Any failure is `invalid_client`
/// and an audit event (once per address and while), written after `conn` is let go; a wrong
/// secret also counts against the client from this address.
pub async fn authenticate(
    cx: &Ctx,
    mut conn: Tx,
    portal_id: i64,
    creds: &Credentials,
    client_addr: Option<&str>,
    known: Option<Known>,
) -> Result<(OidcClient, Tx), OAuthError> {
    let judged = judge(cx, &mut conn, portal_id, creds, client_addr, known).await;
    // A refusal writes: the read connection goes back first, so that refusals many at once
    // never hold every connection while they wait for one to write with.
    let failure = match judged {
        Ok(Ok(client)) => return Ok((client, conn)),
        Ok(Err(failure)) => failure,
        Err(e) => return Err(e),
    };
    conn.release();
    match failure {
        Failure::Refused { what, description } => {
            Err(refused(cx, client_addr, what, description).await)
        }
        Failure::WrongSecret(check) => {
            check.failed(cx).await?;
            Err(refused(
                cx,
                client_addr,
                "wrong client secret",
                "wrong client secret",
            )
            .await)
        }
    }
}

/// A refusal that is audited (and, for a wrong secret, counted).
enum Failure {
    Refused {
        what: &'static str,
        description: &'static str,
    },
    WrongSecret(SecretCheck),
}

/// The client the credentials prove, or the refusal to record; `Err` for what is answered
/// without a record (a malformed request, a blocked client).
async fn judge(
    cx: &Ctx,
    conn: &mut Tx,
    portal_id: i64,
    creds: &Credentials,
    client_addr: Option<&str>,
    known: Option<Known>,
) -> Result<Result<OidcClient, Failure>, OAuthError> {
    let refused = |what, description| Ok(Err(Failure::Refused { what, description }));
    let (client_id, secret) = match (&creds.basic, &creds.client_id, &creds.client_secret) {
        (Some(_), _, Some(_)) => {
            return Err(OAuthError::invalid_request(
                "use one way of client authentication, not both",
            ));
        }
        (Some((id, secret)), form_id, None) => {
            if form_id.as_deref().is_some_and(|f| f != id) {
                return Err(OAuthError::invalid_request(
                    "client_id differs from the Basic credentials",
                ));
            }
            (id.as_str(), Some(secret.as_str()))
        }
        (None, Some(id), secret) => (id.as_str(), secret.as_deref()),
        (None, None, _) => {
            return refused("client_id missing", "client authentication is required");
        }
    };
    let check = SecretCheck::new(client_id, client_addr);
    let now = cx.now();
    let kept = known.and_then(|k| cx.clients.get(client_id, k.generation, k.blocked_until));
    let found = match kept {
        Some(kept) => Some(kept),
        None => {
            let found = store::find_with_limit(conn, client_id, &check.key_hash(), now)
                .await
                .map_err(Error::from)?;
            if let (Some(k), Some(f)) = (known, &found) {
                cx.clients.keep(k.generation, f);
            }
            found
        }
    };
    if let Some(f) = &found
        && secret.is_some()
    {
        check.admit(f.blocked_until, now)?;
    }
    let Some(ClientAuth {
        client,
        secret_hash: hash,
        ..
    }) = found.filter(|f| f.client.portal_id == portal_id && f.client.active)
    else {
        return refused("unknown client", "unknown client");
    };
    match (client.kind, secret, hash) {
        (ClientKind::Public, None, _) => Ok(Ok(client)),
        (ClientKind::Public, Some(_), _) => {
            Err(OAuthError::invalid_client("a public client has no secret"))
        }
        (ClientKind::Confidential, Some(secret), Some(hash))
            if constant_time_eq(&tokens::hash_token(secret), &hash) =>
        {
            Ok(Ok(client))
        }
        (ClientKind::Confidential, None, _) => refused(
            "client secret missing",
            "this client must authenticate with its secret",
        ),
        (ClientKind::Confidential, Some(_), _) => Ok(Err(Failure::WrongSecret(check))),
    }
}

async fn refused(cx: &Ctx, client_addr: Option<&str>, what: &str, description: &str) -> OAuthError {
    if let Err(e) = limits::refused(cx, "oidc.client_refused", client_addr, what, None).await {
        return e.into();
    }
    OAuthError::invalid_client(description)
}
