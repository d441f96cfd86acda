//! The authorization endpoint: an application sends a person here; they log in on the
//! portal's own login page (or already have a portal session: single sign-on) and are sent
//! back to the application's exact redirect URI with a code, or with the error the
//! specifications name. A request whose client or redirect URI is wrong never redirects: the
//! person sees an error page instead.

use super::{CODE_MS, REQUEST_MS, issuer, sid_of, with_query};
use crate::clock::today;
use crate::domain::oidc::clients::{ClientKind, OidcScope, scopes_text};
use crate::domain::oidc::request::{self, AuthorizeParams, Prompt, RedirectError};
use crate::security::tokens;
use crate::storage::Tx;
use crate::storage::accounts::{self as accounts_store, PortalAccount};
use crate::storage::oidc_clients::{self as clients_store, OidcClient};
use crate::storage::oidc_grants::{self as store, NewGrant, PendingRequest};
use crate::storage::sessions::{self, Kind, Session};
use crate::usecases::{Ctx, Result, limits};

/// What the browser is shown next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorize {
    /// The application cannot be told (unknown client, unregistered redirect URI, a lapsed
    /// request): this page, in the person's language, with the reason.
    ErrorPage(ErrorPage),
    /// Back to the application: its redirect URI with a code or an error.
    Redirect(String),
    /// The portal's login page first; the browser keeps `handle` (in a cookie) to come back.
    Login {
        handle: String,
        login_hint: Option<String>,
        ui_locale: Option<&'static str>,
    },
}

/// Why a request cannot go back to its application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorPage {
    UnknownClient,
    RedirectUriMissing,
    RedirectUriNotRegistered,
    RequestLapsed,
}

impl ErrorPage {
    pub fn code(self) -> &'static str {
        match self {
            ErrorPage::UnknownClient => "unknown_client",
            ErrorPage::RedirectUriMissing => "redirect_uri_missing",
            ErrorPage::RedirectUriNotRegistered => "redirect_uri_not_registered",
            ErrorPage::RequestLapsed => "request_lapsed",
        }
    }
}

/// A portal session that may be used: alive, on this portal, of an account that may log in
/// today. With its account.
pub(super) async fn usable_session(
    tx: &mut Tx,
    idle_ms: i64,
    portal_id: i64,
    session_hash: &str,
    now: i64,
) -> Result<Option<(Session, PortalAccount)>> {
    let Some(session) = sessions::get(tx, Kind::Portal, session_hash).await? else {
        return Ok(None);
    };
    if !session.alive(now, idle_ms) {
        return Ok(None);
    }
    let account = accounts_store::get(tx, session.owner_id)
        .await?
        .filter(|a| usable(&session, a, idle_ms, portal_id, now));
    Ok(account.map(|a| (session, a)))
}

/// Whether `session` of `account` may be used: alive, on this portal, of an account that may
/// log in today.
pub(super) fn usable(
    session: &Session,
    account: &PortalAccount,
    idle_ms: i64,
    portal_id: i64,
    now: i64,
) -> bool {
    session.alive(now, idle_ms)
        && account.portal_id == portal_id
        && account.state().login(today(now)).is_ok()
}

/// An authorization request from an application, with the portal session cookie the browser
/// brought (if any).
pub async fn authorize(
    cx: &Ctx,
    idle_ms: i64,
    portal_id: i64,
    p: &AuthorizeParams,
    session_token: Option<&str>,
    client_addr: Option<&str>,
) -> Result<Authorize> {
    let now = cx.now();
    let client = match p.client_id.as_deref() {
        Some(id) => {
            let mut tx = cx.db.reads().await?;
            let found = clients_store::find_for_auth(&mut tx, id).await?;
            tx.release();
            found.map(|(c, _)| c)
        }
        None => None,
    };
    let Some(client) = client.filter(|c| c.portal_id == portal_id && c.active) else {
        return refused_page(cx, client_addr, ErrorPage::UnknownClient).await;
    };
    let redirect_uri = match p.redirect_uri.as_deref() {
        None | Some("") => {
            return refused_page(cx, client_addr, ErrorPage::RedirectUriMissing).await;
        }
        Some(uri) if client.redirect_uris.iter().any(|r| r == uri) => uri.to_string(),
        Some(_) => {
            return refused_page(cx, client_addr, ErrorPage::RedirectUriNotRegistered).await;
        }
    };
    let back = Back {
        redirect_uri: &redirect_uri,
        state: p.state.as_deref().filter(|s| !s.is_empty()),
        issuer: issuer(cx, portal_id),
    };
    let r = match request::check(p, &client.scopes, client.kind == ClientKind::Public) {
        Ok(r) => r,
        Err(e) => {
            limits::refused(cx, "oidc.authorize_refused", client_addr, e.error, None).await?;
            return Ok(Authorize::Redirect(back.error(&e)));
        }
    };
    let session_hash = session_token.map(tokens::hash_token);
    let mut tx = cx.db.write().await?;
    let current = match &session_hash {
        Some(h) => usable_session(&mut tx, idle_ms, portal_id, h, now).await?,
        None => None,
    };
    let fresh_enough = |s: &Session| {
        r.max_age
            .is_none_or(|m| now - s.authenticated_at <= m * 1000)
    };
    let hinted = |a: &PortalAccount| {
        r.login_hint
            .as_deref()
            .is_none_or(|h| h.eq_ignore_ascii_case(&a.email))
    };
    match current {
        Some((s, a)) if r.prompt != Prompt::Login && fresh_enough(&s) && hinted(&a) => {
            let code =
                issue_code(&mut tx, now, &client, &a, &s, &Issue::of(&r, &redirect_uri)).await?;
            tx.commit().await?;
            Ok(Authorize::Redirect(back.code(&code)))
        }
        _ if r.prompt == Prompt::None => {
            drop(tx);
            let e = RedirectError {
                error: "login_required",
                description: "the person must log in first".into(),
            };
            Ok(Authorize::Redirect(back.error(&e)))
        }
        _ => {
            let handle = tokens::new_token();
            let pending = PendingRequest {
                client_id: client.id,
                redirect_uri: redirect_uri.clone(),
                scope: scopes_text(&r.scopes),
                state: r.state.clone(),
                nonce: r.nonce.clone(),
                code_challenge: r.code_challenge.clone(),
                max_age: r.max_age,
                login_required: r.prompt == Prompt::Login,
                created_at: now,
                expires_at: now + REQUEST_MS,
            };
            store::insert_request(&mut tx, &tokens::hash_token(&handle), &pending).await?;
            tx.commit().await?;
            Ok(Authorize::Login {
                handle,
                login_hint: r.login_hint,
                ui_locale: r.ui_locale,
            })
        }
    }
}

/// After the login page: the request the browser's handle names is answered when the portal
/// session now satisfies it (logged in after the request when `prompt=login` asked for it,
/// within `max_age`); else the login page again.
pub async fn resume(
    cx: &Ctx,
    idle_ms: i64,
    portal_id: i64,
    handle: &str,
    session_token: Option<&str>,
) -> Result<Authorize> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let current = match session_token.map(tokens::hash_token) {
        Some(h) => usable_session(&mut tx, idle_ms, portal_id, &h, now).await?,
        None => None,
    };
    let outcome = answer_waiting(&mut tx, cx, portal_id, handle, current, now).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// The waiting request that `handle` names, answered in `tx` for `current` (the browser's
/// usable portal session and its account, if any): a code when the session satisfies it, the
/// login page again when it does not. The login form calls this in the login's own write, for
/// the session it has just made.
pub async fn answer_waiting(
    tx: &mut Tx,
    cx: &Ctx,
    portal_id: i64,
    handle: &str,
    current: Option<(Session, PortalAccount)>,
    now: i64,
) -> Result<Authorize> {
    let handle_hash = tokens::hash_token(handle);
    let Some(pending) = store::take_request(tx, &handle_hash).await? else {
        return Ok(Authorize::ErrorPage(ErrorPage::RequestLapsed));
    };
    let client = clients_store::get(tx, pending.client_id)
        .await?
        .filter(|c| c.portal_id == portal_id && c.active);
    let Some(client) = client.filter(|_| pending.expires_at > now) else {
        return Ok(Authorize::ErrorPage(ErrorPage::RequestLapsed));
    };
    let satisfied = current.filter(|(s, _)| {
        (!pending.login_required || s.authenticated_at >= pending.created_at)
            && pending
                .max_age
                .is_none_or(|m| now - s.authenticated_at <= m * 1000)
    });
    let Some((session, account)) = satisfied else {
        // Not yet: the request waits for the login page again.
        store::insert_request(tx, &handle_hash, &pending).await?;
        return Ok(Authorize::Login {
            handle: handle.to_string(),
            login_hint: None,
            ui_locale: None,
        });
    };
    let issue = Issue {
        redirect_uri: &pending.redirect_uri,
        scopes: crate::domain::oidc::clients::parse_scopes(&pending.scope),
        nonce: pending.nonce.as_deref(),
        code_challenge: pending.code_challenge.as_deref(),
    };
    let code = issue_code(tx, now, &client, &account, &session, &issue).await?;
    let back = Back {
        redirect_uri: &pending.redirect_uri,
        state: pending.state.as_deref(),
        issuer: issuer(cx, portal_id),
    };
    Ok(Authorize::Redirect(back.code(&code)))
}

async fn refused_page(cx: &Ctx, client_addr: Option<&str>, page: ErrorPage) -> Result<Authorize> {
    limits::refused(cx, "oidc.authorize_refused", client_addr, page.code(), None).await?;
    Ok(Authorize::ErrorPage(page))
}

/// Where the browser goes back to.
struct Back<'a> {
    redirect_uri: &'a str,
    state: Option<&'a str>,
    issuer: String,
}

impl<'a> Back<'a> {
    fn with(&'a self, mut params: Vec<(&'a str, &'a str)>) -> String {
        if let Some(state) = self.state {
            params.push(("state", state));
        }
        // RFC 9207: the application can tell which issuer answered.
        params.push(("iss", &self.issuer));
        with_query(self.redirect_uri, &params)
    }

    fn code(&'a self, code: &'a str) -> String {
        self.with(vec![("code", code)])
    }

    fn error(&'a self, e: &'a RedirectError) -> String {
        self.with(vec![
            ("error", e.error),
            ("error_description", e.description.as_str()),
        ])
    }
}

/// What a code is issued for.
struct Issue<'a> {
    redirect_uri: &'a str,
    scopes: Vec<OidcScope>,
    nonce: Option<&'a str>,
    code_challenge: Option<&'a str>,
}

impl<'a> Issue<'a> {
    fn of(r: &'a request::AuthorizeRequest, redirect_uri: &'a str) -> Self {
        Issue {
            redirect_uri,
            scopes: r.scopes.clone(),
            nonce: r.nonce.as_deref(),
            code_challenge: r.code_challenge.as_deref(),
        }
    }
}

/// A new grant for the session and its code (answered once; only its hash is kept).
async fn issue_code(
    tx: &mut Tx,
    now: i64,
    client: &OidcClient,
    account: &PortalAccount,
    session: &Session,
    issue: &Issue<'_>,
) -> Result<String> {
    // A grant of an impersonation's session is marked, so that its tokens carry `act`.
    let impersonated = crate::storage::impersonations::running_of_session(tx, &session.token_hash)
        .await?
        .is_some();
    let public_id = if impersonated {
        format!("{}{}", super::claims::IMPERSONATED, tokens::random_hex(16))
    } else {
        tokens::random_hex(16)
    };
    let grant_id = store::insert_grant(
        tx,
        &NewGrant {
            public_id: &public_id,
            client_id: client.id,
            account_id: account.id,
            session_hash: &session.token_hash,
            sid: &sid_of(&session.token_hash),
            scope: &scopes_text(&issue.scopes),
            nonce: issue.nonce,
            auth_time: session.authenticated_at,
            now,
        },
    )
    .await?;
    let code = tokens::new_token();
    store::insert_code(
        tx,
        &tokens::hash_token(&code),
        grant_id,
        issue.redirect_uri,
        issue.code_challenge,
        now + CODE_MS,
    )
    .await?;
    Ok(code)
}
