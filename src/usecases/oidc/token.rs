//! The token endpoint: a code for tokens (once, within 60 s, with the PKCE verifier), a refresh
//! token for new ones (rotated at every use; a second use ends the whole grant), and a
//! confidential client's own access token (client credentials). Every grant checks the
//! account again: a session that ended or an account that may no longer log in gets nothing.

use serde::Serialize;

use super::authorize::{usable, usable_session};
use super::claims::{self, Session};
use super::client_auth::{self, Credentials, Known};
use super::rotations::Rotation;
use super::{KEEP_MS, OAuthError, TOKEN_S};
use crate::domain::oidc::clients::{ClientKind, OidcScope, parse_scopes};
use crate::domain::oidc::request::{pkce_matches, scopes};
use crate::metrics::{LoginKind, LoginOutcome};
use crate::security::tokens;
use crate::storage::Tx;
use crate::storage::oidc_clients::OidcClient;
use crate::storage::oidc_grants::{self as store, Grant, GrantRead};
use crate::storage::sessions::Session as PortalSession;
use crate::usecases::{Actor, Ctx, Error, Target, record};

/// The form of a token request (RFC 6749 4.1.3, 6, 4.4).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct TokenForm {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// A successful answer (RFC 6749 5.1).
#[derive(Debug, Clone, Serialize)]
pub struct Tokens {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub scope: String,
}

pub async fn token(
    cx: &Ctx,
    idle_ms: i64,
    portal_id: i64,
    form: &TokenForm,
    basic: Option<(String, String)>,
    client_addr: Option<&str>,
) -> Result<Tokens, OAuthError> {
    let grant_type = form.grant_type.as_deref().unwrap_or("");
    if grant_type.is_empty() {
        return Err(OAuthError::invalid_request("grant_type is required"));
    }
    let creds = Credentials {
        basic,
        client_id: form.client_id.clone(),
        client_secret: form.client_secret.clone(),
    };
    let conn = cx.db.reads().await.map_err(Error::from)?;
    if grant_type == "refresh_token" {
        // One statement reads everything the refresh checks, with the client's block and the
        // generation that says whether the process's kept client is current.
        let (found, conn) = refresh_read(cx, conn, &creds, client_addr, form).await?;
        let known = found.as_ref().map(|(_, read, blocked_until)| Known {
            generation: read.scope_generation,
            blocked_until: *blocked_until,
        });
        let (client, conn) =
            client_auth::authenticate(cx, conn, portal_id, &creds, client_addr, known).await?;
        let found = found.map(|(r, read, _)| (r, read));
        let answer = refresh_grant(cx, conn, idle_ms, &client, form, found).await;
        return refused_or(cx, answer, &client, client_addr).await;
    }
    let (client, conn) =
        client_auth::authenticate(cx, conn, portal_id, &creds, client_addr, None).await?;
    conn.release();
    let answer = match grant_type {
        "authorization_code" => {
            let answer = code_grant(cx, idle_ms, &client, form).await;
            let outcome = match &answer {
                Ok(_) => LoginOutcome::Success,
                Err(e) if e.status == 429 => LoginOutcome::Throttled,
                Err(_) => LoginOutcome::Failure,
            };
            cx.metrics.login(LoginKind::OidcCode, outcome);
            answer
        }
        "client_credentials" if client.kind == ClientKind::Confidential => Ok(Tokens {
            access_token: claims::client_token(cx, &client).await?,
            token_type: "Bearer",
            expires_in: TOKEN_S,
            id_token: None,
            refresh_token: None,
            scope: String::new(),
        }),
        "client_credentials" => Err(OAuthError::new(
            400,
            "unauthorized_client",
            "a public client has no credentials of its own",
        )),
        _ => Err(OAuthError::new(
            400,
            "unsupported_grant_type",
            "grant_type must be authorization_code, refresh_token or client_credentials",
        )),
    };
    refused_or(cx, answer, &client, client_addr).await
}

/// The answer, with a refusal audited once per address and while, whatever the grant:
/// nothing was issued.
async fn refused_or(
    cx: &Ctx,
    answer: Result<Tokens, OAuthError>,
    client: &OidcClient,
    client_addr: Option<&str>,
) -> Result<Tokens, OAuthError> {
    if let Err(e) = &answer
        && e.status < 500
    {
        let who = format!("client {}", client.client_id);
        crate::usecases::limits::refused(
            cx,
            "oidc.token_refused",
            client_addr,
            e.error,
            Some(&who),
        )
        .await?;
    }
    answer
}

/// Ends a grant that was misused, with an audit event naming why.
async fn end(
    tx: &mut Tx,
    now: i64,
    grant: &Grant,
    client: &OidcClient,
    why: &str,
) -> Result<(), Error> {
    if store::end_grant(tx, grant.id, why, now).await? {
        let actor = Actor::system(&format!("client {}", client.client_id));
        record(
            tx,
            now,
            &actor,
            "oidc.grant_ended",
            Target {
                kind: "portal_account",
                id: Some(grant.account_id),
                label: &format!("grant {} of client {}", grant.public_id, client.name),
            },
            None,
            Some(serde_json::json!({ "reason": why })),
        )
        .await?;
    }
    Ok(())
}

async fn code_grant(
    cx: &Ctx,
    idle_ms: i64,
    client: &OidcClient,
    form: &TokenForm,
) -> Result<Tokens, OAuthError> {
    let code = form
        .code
        .as_deref()
        .filter(|c| !c.is_empty())
        .ok_or_else(|| OAuthError::invalid_request("code is required"))?;
    let now = cx.now();
    let code_hash = tokens::hash_token(code);
    let mut tx = cx.db.write().await.map_err(Error::from)?;
    let found = store::code(&mut tx, &code_hash).await?;
    let grant = match &found {
        Some(c) => store::grant(&mut tx, c.grant_id).await?,
        None => None,
    };
    let (Some(c), Some(grant)) = (found, grant) else {
        return Err(OAuthError::invalid_grant("unknown code"));
    };
    if grant.client_id != client.id {
        return Err(OAuthError::invalid_grant(
            "the code was issued to another client",
        ));
    }
    if !store::use_code(&mut tx, &code_hash, now).await? {
        // A second use: whoever holds tokens from the first loses them too.
        end(&mut tx, now, &grant, client, "code_reused").await?;
        tx.commit().await.map_err(Error::from)?;
        return Err(OAuthError::invalid_grant("the code was already used"));
    }
    let checks = [
        (c.expires_at <= now, "the code has expired"),
        (
            form.redirect_uri.as_deref() != Some(c.redirect_uri.as_str()),
            "redirect_uri differs from the authorization request's",
        ),
        (
            match (&c.code_challenge, form.code_verifier.as_deref()) {
                (Some(challenge), Some(v)) => !pkce_matches(v, challenge),
                (Some(_), None) => true,
                (None, Some(_)) => true,
                (None, None) => false,
            },
            "the PKCE code_verifier is missing or wrong",
        ),
        (grant.ended_at.is_some(), "the grant has ended"),
    ];
    if let Some((_, why)) = checks.iter().find(|(failed, _)| *failed) {
        // A failed exchange spends the code (it stays used), and nothing is issued.
        end(&mut tx, now, &grant, client, "code_refused").await?;
        tx.commit().await.map_err(Error::from)?;
        return Err(OAuthError::invalid_grant(*why));
    }
    let session_hash = grant.session_hash.clone().unwrap_or_default();
    let Some((session, account)) =
        usable_session(&mut tx, idle_ms, client.portal_id, &session_hash, now).await?
    else {
        end(&mut tx, now, &grant, client, "session_ended").await?;
        tx.commit().await.map_err(Error::from)?;
        return Err(OAuthError::invalid_grant("the person's session has ended"));
    };
    let refresh = tokens::new_token();
    store::insert_refresh(
        &mut tx,
        &tokens::hash_token(&refresh),
        grant.id,
        now,
        session.expires_at,
    )
    .await?;
    let admit = claims::admit_claim(&mut tx, &account, now).await?;
    tx.commit().await.map_err(Error::from)?;
    let scopes = parse_scopes(&grant.scope);
    issue(
        cx,
        client,
        &account,
        &admit,
        &grant,
        &scopes,
        grant.nonce.as_deref(),
        refresh,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn issue(
    cx: &Ctx,
    client: &OidcClient,
    account: &crate::storage::accounts::PortalAccount,
    admit: &serde_json::Value,
    grant: &Grant,
    scopes: &[OidcScope],
    nonce: Option<&str>,
    refresh: String,
) -> Result<Tokens, OAuthError> {
    let signed = claims::person_tokens(
        cx,
        client,
        account,
        admit,
        &Session {
            grant_public_id: &grant.public_id,
            sid: &grant.sid,
            auth_time: grant.auth_time,
            scopes,
            nonce,
        },
    )
    .await?;
    Ok(Tokens {
        access_token: signed.access_token,
        token_type: "Bearer",
        expires_in: TOKEN_S,
        id_token: Some(signed.id_token),
        refresh_token: Some(refresh),
        scope: scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    })
}

/// The refresh token of the form with everything its refresh checks (see
/// [`store::refresh_read`]), before the client is authenticated; `None` when the form has
/// none, or names no client, or the token or its grant, session or account is missing.
#[allow(clippy::type_complexity)]
async fn refresh_read(
    cx: &Ctx,
    mut conn: Tx,
    creds: &Credentials,
    client_addr: Option<&str>,
    form: &TokenForm,
) -> Result<(Option<(store::Refresh, GrantRead, Option<i64>)>, Tx), OAuthError> {
    let presented = form.refresh_token.as_deref().filter(|t| !t.is_empty());
    let (Some(presented), Some(key)) = (presented, client_auth::limit_key_hash(creds, client_addr))
    else {
        return Ok((None, conn));
    };
    let hash = tokens::hash_token(presented);
    let found = store::refresh_read(&mut conn, &hash, &key, cx.now()).await?;
    Ok((found, conn))
}

/// A refresh, with what [`refresh_read`] found before the client was authenticated.
async fn refresh_grant(
    cx: &Ctx,
    mut tx: Tx,
    idle_ms: i64,
    client: &OidcClient,
    form: &TokenForm,
    found: Option<(store::Refresh, GrantRead)>,
) -> Result<Tokens, OAuthError> {
    let presented = form
        .refresh_token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
    let now = cx.now();
    let hash = tokens::hash_token(presented);
    // Everything was read first, in one statement, without holding the writers back; the
    // write that follows takes the token only while it is unused and its grant lives, so a
    // session or an account that ended in between (which ends the grant in its own write) is
    // not missed.
    let Some((r, read)) = found else {
        tx.release();
        return refused_without_session(cx, client, form, &hash, now).await;
    };
    let GrantRead {
        grant,
        session,
        account,
        scope_generation,
    } = read;
    let session = PortalSession::of_grant(session, account.id);
    let scopes = match refresh_checks(&r, &grant, client, form, now) {
        Ok(scopes) => scopes,
        Err(Refusal::Reused) => {
            tx.release();
            return reused(cx, now, &grant, client).await;
        }
        Err(Refusal::Error(e)) => {
            tx.release();
            return Err(e);
        }
    };
    if !usable(&session, &account, idle_ms, client.portal_id, now) {
        tx.release();
        return session_ended(cx, now, &grant, client).await;
    }
    let scope = cx
        .scopes
        .scope(&mut tx, &account, scope_generation, now)
        .await?;
    tx.release();
    let admit = claims::admit_of(&account, &scope);
    let next = tokens::new_token();
    // Using an application keeps the portal session from idling out.
    let touch = (now - session.last_seen_at > 60_000).then(|| session.token_hash.clone());
    let rotation = Rotation {
        old_hash: hash,
        new_hash: tokens::hash_token(&next),
        grant_id: grant.id,
        now,
        expires_at: session.expires_at,
        touch_session: touch,
    };
    if !cx.rotations.rotate(&cx.db, rotation).await? {
        // Used at the same moment by another request, or its grant ended since the read.
        return reused(cx, now, &grant, client).await;
    }
    issue(cx, client, &account, &admit, &grant, &scopes, None, next).await
}

/// Why a refresh token is not honoured.
enum Refusal {
    /// Used before: the grant ends.
    Reused,
    Error(OAuthError),
}

/// The checks of a refresh token and its grant, before its session's: the scopes the new
/// tokens carry.
fn refresh_checks(
    r: &store::Refresh,
    grant: &Grant,
    client: &OidcClient,
    form: &TokenForm,
    now: i64,
) -> Result<Vec<OidcScope>, Refusal> {
    let refuse = |why: &'static str| Err(Refusal::Error(OAuthError::invalid_grant(why)));
    if grant.client_id != client.id {
        return refuse("the refresh token was issued to another client");
    }
    if grant.ended_at.is_some() {
        return refuse("the grant has ended");
    }
    if r.used_at.is_some() {
        return Err(Refusal::Reused);
    }
    if r.expires_at <= now {
        return refuse("the refresh token has expired");
    }
    let granted = parse_scopes(&grant.scope);
    match form.scope.as_deref() {
        None | Some("") => Ok(granted),
        Some(asked) => scopes(asked, &granted)
            .map_err(|e| Refusal::Error(OAuthError::new(400, "invalid_scope", e.description))),
    }
}

/// A refresh token whose grant has no session or account any more (or that is unknown):
/// read again piece by piece, to answer why.
async fn refused_without_session(
    cx: &Ctx,
    client: &OidcClient,
    form: &TokenForm,
    hash: &str,
    now: i64,
) -> Result<Tokens, OAuthError> {
    let mut tx = cx.db.reads().await.map_err(Error::from)?;
    let found = store::refresh(&mut tx, hash).await?;
    let grant = match &found {
        Some(r) => store::grant(&mut tx, r.grant_id).await?,
        None => None,
    };
    tx.release();
    let (Some(r), Some(grant)) = (found, grant) else {
        return Err(OAuthError::invalid_grant("unknown refresh token"));
    };
    match refresh_checks(&r, &grant, client, form, now) {
        Err(Refusal::Reused) => reused(cx, now, &grant, client).await,
        Err(Refusal::Error(e)) => Err(e),
        Ok(_) => session_ended(cx, now, &grant, client).await,
    }
}

/// A grant whose portal session has ended or whose account may no longer log in: it ends.
async fn session_ended(
    cx: &Ctx,
    now: i64,
    grant: &Grant,
    client: &OidcClient,
) -> Result<Tokens, OAuthError> {
    ended(
        cx,
        now,
        grant,
        client,
        "session_ended",
        "the person's session has ended or they may no longer log in",
    )
    .await
}

/// A refresh token used before (or at the same moment): a copy is abroad, so nothing from this
/// grant is honoured any more.
async fn reused(
    cx: &Ctx,
    now: i64,
    grant: &Grant,
    client: &OidcClient,
) -> Result<Tokens, OAuthError> {
    ended(
        cx,
        now,
        grant,
        client,
        "refresh_reused",
        "the refresh token was already used",
    )
    .await
}

/// Ends the grant in a write of its own, and refuses the request.
async fn ended(
    cx: &Ctx,
    now: i64,
    grant: &Grant,
    client: &OidcClient,
    why: &str,
    description: &'static str,
) -> Result<Tokens, OAuthError> {
    let mut tx = cx.db.write().await.map_err(Error::from)?;
    end(&mut tx, now, grant, client, why).await?;
    tx.commit().await.map_err(Error::from)?;
    Err(OAuthError::invalid_grant(description))
}

/// Housekeeping of codes, requests, refresh tokens and ended grants.
pub async fn purge(tx: &mut Tx, now: i64) -> Result<u64, Error> {
    Ok(store::purge(tx, now, now - KEEP_MS).await?)
}
