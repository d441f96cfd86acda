//! Queries for what the OpenID Connect provider keeps between requests: authorization requests
//! waiting for a login, grants, their codes and refresh tokens. Codes, refresh tokens and
//! request handles are stored only as their SHA-256.

use super::accounts::{PortalAccount, account_columns};
use super::{Result, Tx};
use crate::{exec_tx, on_tx};

/// An authorization request waiting for its person to log in.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingRequest {
    pub client_id: i64,
    pub redirect_uri: String,
    pub scope: String,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub max_age: Option<i64>,
    pub login_required: bool,
    pub created_at: i64,
    pub expires_at: i64,
}

pub async fn insert_request(tx: &mut Tx, handle_hash: &str, r: &PendingRequest) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO oidc_requests (handle_hash, client_id, redirect_uri, scope, state, nonce, \
         code_challenge, max_age, login_required, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    )
    .bind(handle_hash)
    .bind(r.client_id)
    .bind(&r.redirect_uri)
    .bind(&r.scope)
    .bind(r.state.as_deref())
    .bind(r.nonce.as_deref())
    .bind(r.code_challenge.as_deref())
    .bind(r.max_age)
    .bind(r.login_required)
    .bind(r.created_at)
    .bind(r.expires_at)
    .execute(c)
    .await)?;
    Ok(())
}

/// Takes a pending request: it is read and deleted (a handle is used once).
pub async fn take_request(tx: &mut Tx, handle_hash: &str) -> Result<Option<PendingRequest>> {
    on_tx!(tx, |c| sqlx::query_as(
        "DELETE FROM oidc_requests WHERE handle_hash = $1 RETURNING client_id, redirect_uri, \
         scope, state, nonce, code_challenge, max_age, login_required, created_at, expires_at"
    )
    .bind(handle_hash)
    .fetch_optional(c)
    .await)
}

/// A new grant, from one portal session.
pub struct NewGrant<'a> {
    pub public_id: &'a str,
    pub client_id: i64,
    pub account_id: i64,
    pub session_hash: &'a str,
    pub sid: &'a str,
    pub scope: &'a str,
    pub nonce: Option<&'a str>,
    pub auth_time: i64,
    pub now: i64,
}

pub async fn insert_grant(tx: &mut Tx, g: &NewGrant<'_>) -> Result<i64> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO oidc_grants (public_id, client_id, account_id, session_hash, sid, scope, \
         nonce, auth_time, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"
    )
    .bind(g.public_id)
    .bind(g.client_id)
    .bind(g.account_id)
    .bind(g.session_hash)
    .bind(g.sid)
    .bind(g.scope)
    .bind(g.nonce)
    .bind(g.auth_time)
    .bind(g.now)
    .fetch_one(c)
    .await)
}

/// A grant with what every token endpoint checks: its client and account, and its session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Grant {
    pub id: i64,
    pub public_id: String,
    pub client_id: i64,
    pub account_id: i64,
    pub session_hash: Option<String>,
    pub sid: String,
    pub scope: String,
    pub nonce: Option<String>,
    pub auth_time: i64,
    pub ended_at: Option<i64>,
}

const GRANT: &str = "SELECT g.id, g.public_id, g.client_id, g.account_id, g.session_hash, g.sid, \
     g.scope, g.nonce, g.auth_time, g.ended_at FROM oidc_grants g";

pub async fn grant(tx: &mut Tx, id: i64) -> Result<Option<Grant>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{GRANT} WHERE g.id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)
}

pub async fn grant_by_public_id(tx: &mut Tx, public_id: &str) -> Result<Option<Grant>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{GRANT} WHERE g.public_id = $1"
    )))
    .bind(public_id)
    .fetch_optional(c)
    .await)
}

/// A grant with what its tokens are checked against, read in one statement: its portal
/// session, that session's account (without its modules) and the scope generation (see
/// `usecases::access::scope_cache::ScopeCache`).
pub struct GrantRead {
    pub grant: Grant,
    pub session: GrantSession,
    pub account: PortalAccount,
    pub scope_generation: i64,
}

/// The portal session of a [`GrantRead`] (`sessions::Session` of it, with its owner).
#[derive(Debug, Clone)]
pub struct GrantSession {
    pub token_hash: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub authenticated_at: i64,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(sqlx::FromRow)]
struct GrantRow {
    #[sqlx(flatten)]
    account: PortalAccount,
    g_id: i64,
    g_public_id: String,
    g_client_id: i64,
    g_session_hash: Option<String>,
    g_sid: String,
    g_scope: String,
    g_nonce: Option<String>,
    g_auth_time: i64,
    g_ended_at: Option<i64>,
    s_token_hash: String,
    s_created_at: i64,
    s_last_seen_at: i64,
    s_expires_at: i64,
    s_authenticated_at: i64,
    s_client_addr: Option<String>,
    s_user_agent: Option<String>,
    scope_generation: i64,
}

impl From<GrantRow> for GrantRead {
    fn from(r: GrantRow) -> Self {
        GrantRead {
            grant: Grant {
                id: r.g_id,
                public_id: r.g_public_id,
                client_id: r.g_client_id,
                account_id: r.account.id,
                session_hash: r.g_session_hash,
                sid: r.g_sid,
                scope: r.g_scope,
                nonce: r.g_nonce,
                auth_time: r.g_auth_time,
                ended_at: r.g_ended_at,
            },
            session: GrantSession {
                token_hash: r.s_token_hash,
                created_at: r.s_created_at,
                last_seen_at: r.s_last_seen_at,
                expires_at: r.s_expires_at,
                authenticated_at: r.s_authenticated_at,
                client_addr: r.s_client_addr,
                user_agent: r.s_user_agent,
            },
            account: r.account,
            scope_generation: r.scope_generation,
        }
    }
}

/// The columns of a [`GrantRow`], and the joins from `oidc_grants g` they need.
macro_rules! grant_read {
    () => {
        concat!(
            "SELECT ",
            account_columns!(),
            ", g.id AS g_id, g.public_id AS g_public_id, g.client_id AS g_client_id, \
             g.session_hash AS g_session_hash, g.sid AS g_sid, g.scope AS g_scope, \
             g.nonce AS g_nonce, g.auth_time AS g_auth_time, g.ended_at AS g_ended_at, \
             s.token_hash AS s_token_hash, s.created_at AS s_created_at, \
             s.last_seen_at AS s_last_seen_at, s.expires_at AS s_expires_at, \
             COALESCE(s.authenticated_at, s.created_at) AS s_authenticated_at, \
             s.client_addr AS s_client_addr, s.user_agent AS s_user_agent, \
             (SELECT n FROM scope_generation WHERE id = 1) AS scope_generation",
        )
    };
}

macro_rules! grant_joins {
    () => {
        " JOIN portal_sessions s ON s.token_hash = g.session_hash \
         JOIN portal_accounts a ON a.id = s.account_id JOIN portals p ON p.id = a.portal_id \
         LEFT JOIN contacts ct ON ct.id = a.contact_id \
         LEFT JOIN organizations o ON o.id = ct.organization_id"
    };
}

/// The block of a client's throttling key (`$2`, after `$3`), read beside a grant for the
/// client that asks: `usecases::oidc::client_auth` then needs no statement of its own.
macro_rules! client_block {
    () => {
        ", (SELECT l.blocked_until FROM rate_limits l \
         WHERE l.key_hash = $2 AND l.blocked_until > $3) AS blocked_until"
    };
}

/// A grant read for a client, with the block of the client's throttling key.
#[derive(sqlx::FromRow)]
struct BlockedGrantRow {
    #[sqlx(flatten)]
    grant: GrantRow,
    blocked_until: Option<i64>,
}

/// [`grant_read`] for a client that asks with `limit_key_hash`, and that key's block (after
/// `now`), in one statement.
pub async fn grant_read_for(
    tx: &mut Tx,
    public_id: &str,
    limit_key_hash: &str,
    now: i64,
) -> Result<Option<(GrantRead, Option<i64>)>> {
    let row: Option<BlockedGrantRow> = on_tx!(tx, |c| sqlx::query_as(concat!(
        grant_read!(),
        client_block!(),
        " FROM oidc_grants g",
        grant_joins!(),
        " WHERE g.public_id = $1"
    ))
    .bind(public_id)
    .bind(limit_key_hash)
    .bind(now)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| (GrantRead::from(r.grant), r.blocked_until)))
}

/// [`GrantRead`] of the grant an access token names; `None` when the grant, its session or
/// its account is gone.
pub async fn grant_read(tx: &mut Tx, public_id: &str) -> Result<Option<GrantRead>> {
    let row: Option<GrantRow> = on_tx!(tx, |c| sqlx::query_as(concat!(
        grant_read!(),
        " FROM oidc_grants g",
        grant_joins!(),
        " WHERE g.public_id = $1"
    ))
    .bind(public_id)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(GrantRead::from))
}

/// A refresh token with its [`GrantRead`], and the block (after `now`) of the throttling key
/// `limit_key_hash` of the client that gives it back, in one statement; `None` when any of
/// them is missing (the caller then reads them one by one to say which).
pub async fn refresh_read(
    tx: &mut Tx,
    token_hash: &str,
    limit_key_hash: &str,
    now: i64,
) -> Result<Option<(Refresh, GrantRead, Option<i64>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        grant: BlockedGrantRow,
        r_expires_at: i64,
        r_used_at: Option<i64>,
    }
    let row: Option<Row> = on_tx!(tx, |c| sqlx::query_as(concat!(
        grant_read!(),
        client_block!(),
        ", r.expires_at AS r_expires_at, r.used_at AS r_used_at \
         FROM oidc_refresh_tokens r JOIN oidc_grants g ON g.id = r.grant_id",
        grant_joins!(),
        " WHERE r.token_hash = $1"
    ))
    .bind(token_hash)
    .bind(limit_key_hash)
    .bind(now)
    .fetch_optional(c)
    .await)?;
    Ok(row.map(|r| {
        let read = GrantRead::from(r.grant.grant);
        let refresh = Refresh {
            grant_id: read.grant.id,
            expires_at: r.r_expires_at,
            used_at: r.r_used_at,
        };
        (refresh, read, r.grant.blocked_until)
    }))
}

/// Ends a grant (once): nothing issued from it is honoured any more. Answers whether it was
/// alive until now.
pub async fn end_grant(tx: &mut Tx, id: i64, reason: &str, now: i64) -> Result<bool> {
    let n = exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE oidc_grants SET ended_at = $1, end_reason = $2 WHERE id = $3 AND ended_at IS NULL"
    )
    .bind(now)
    .bind(reason)
    .bind(id)
    .execute(c)
    .await
    })?;
    Ok(n == 1)
}

/// A grant that ended with its portal session, for the back-channel logout it is owed.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EndedGrant {
    pub client_id: i64,
    pub account_id: i64,
    pub sid: String,
}

/// Ends the grants of the portal sessions `session_hashes` (which have just ended): answers,
/// once per client and session, what their back-channel logouts need.
pub async fn end_with_sessions(
    tx: &mut Tx,
    session_hashes: &[String],
    reason: &str,
    now: i64,
) -> Result<Vec<EndedGrant>> {
    let mut ended = Vec::new();
    for hash in session_hashes {
        let rows: Vec<EndedGrant> = on_tx!(tx, |c| sqlx::query_as(
            "UPDATE oidc_grants SET ended_at = $1, end_reason = $2, session_hash = NULL \
             WHERE session_hash = $3 AND ended_at IS NULL RETURNING client_id, account_id, sid"
        )
        .bind(now)
        .bind(reason)
        .bind(hash)
        .fetch_all(c)
        .await)?;
        for row in rows {
            let seen = ended
                .iter()
                .any(|e: &EndedGrant| e.client_id == row.client_id && e.sid == row.sid);
            if !seen {
                ended.push(row);
            }
        }
    }
    Ok(ended)
}

pub async fn insert_code(
    tx: &mut Tx,
    code_hash: &str,
    grant_id: i64,
    redirect_uri: &str,
    code_challenge: Option<&str>,
    expires_at: i64,
) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO oidc_codes (code_hash, grant_id, redirect_uri, code_challenge, expires_at) \
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(code_hash)
    .bind(grant_id)
    .bind(redirect_uri)
    .bind(code_challenge)
    .bind(expires_at)
    .execute(c)
    .await)?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Code {
    pub grant_id: i64,
    pub redirect_uri: String,
    pub code_challenge: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn code(tx: &mut Tx, code_hash: &str) -> Result<Option<Code>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT grant_id, redirect_uri, code_challenge, expires_at, used_at FROM oidc_codes \
         WHERE code_hash = $1"
    )
    .bind(code_hash)
    .fetch_optional(c)
    .await)
}

/// Marks a code used; false when it already was (a second use).
pub async fn use_code(tx: &mut Tx, code_hash: &str, now: i64) -> Result<bool> {
    let n = exec_tx!(tx, |c| sqlx::query(
        "UPDATE oidc_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL"
    )
    .bind(now)
    .bind(code_hash)
    .execute(c)
    .await)?;
    Ok(n == 1)
}

pub async fn insert_refresh(
    tx: &mut Tx,
    token_hash: &str,
    grant_id: i64,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "INSERT INTO oidc_refresh_tokens (token_hash, grant_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)"
    )
    .bind(token_hash)
    .bind(grant_id)
    .bind(now)
    .bind(expires_at)
    .execute(c)
    .await)?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Refresh {
    pub grant_id: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn refresh(tx: &mut Tx, token_hash: &str) -> Result<Option<Refresh>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT grant_id, expires_at, used_at FROM oidc_refresh_tokens WHERE token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)
}

/// A refresh token to store.
pub struct NewRefresh<'a> {
    pub token_hash: &'a str,
    pub grant_id: i64,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Stores refresh tokens, in one statement.
pub async fn insert_refreshes(tx: &mut Tx, rows: &[NewRefresh<'_>]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    exec_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new(
            "INSERT INTO oidc_refresh_tokens (token_hash, grant_id, created_at, expires_at) ",
        );
        qb.push_values(rows, |mut b, r| {
            b.push_bind(r.token_hash)
                .push_bind(r.grant_id)
                .push_bind(r.created_at)
                .push_bind(r.expires_at);
        });
        qb.build().execute(c).await
    })?;
    Ok(())
}

/// Marks the refresh tokens `token_hashes` used at `now`, each only while unused and its grant
/// lives, in one statement: answers the hashes it marked.
pub async fn use_refreshes(tx: &mut Tx, token_hashes: &[&str], now: i64) -> Result<Vec<String>> {
    if token_hashes.is_empty() {
        return Ok(Vec::new());
    }
    on_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new("UPDATE oidc_refresh_tokens SET used_at = ");
        qb.push_bind(now)
            .push(" WHERE used_at IS NULL AND token_hash IN (");
        let mut list = qb.separated(", ");
        for h in token_hashes {
            list.push_bind(*h);
        }
        qb.push(
            ") AND EXISTS (SELECT 1 FROM oidc_grants g \
             WHERE g.id = oidc_refresh_tokens.grant_id AND g.ended_at IS NULL) \
             RETURNING token_hash",
        );
        qb.build_query_scalar().fetch_all(c).await
    })
}

/// Housekeeping: deletes expired requests and codes, used or expired refresh tokens past
/// `keep_before` (kept a while to recognise a reuse), and grants ended before `keep_before`.
pub async fn purge(tx: &mut Tx, now: i64, keep_before: i64) -> Result<u64> {
    let mut n = exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM oidc_requests WHERE expires_at <= $1"
    )
    .bind(now)
    .execute(c)
    .await)?;
    n += exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM oidc_codes WHERE expires_at <= $1"
    )
    .bind(keep_before)
    .execute(c)
    .await)?;
    n += exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM oidc_refresh_tokens WHERE expires_at <= $1 OR used_at <= $1"
    )
    .bind(keep_before)
    .execute(c)
    .await)?;
    n += exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM oidc_grants WHERE ended_at <= $1"
    )
    .bind(keep_before)
    .execute(c)
    .await)?;
    Ok(n)
}
