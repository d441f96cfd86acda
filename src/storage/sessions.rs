//! Sessions of every kind, one set of queries: a staff user's console session and a portal
//! account's session on its portal pages. Only the hash of a session's token is stored; a
//! session ends at its absolute end, after its idle time, or when it is deleted.

use super::{Result, Tx};
use crate::{exec_tx, on_tx};

/// Whose session it is: each kind has its table and its owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A staff user in the console (`staff_sessions`, owned by a staff user).
    Staff,
    /// A person on a portal's pages (`portal_sessions`, owned by a portal account).
    Portal,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Kind::Staff => "staff_sessions",
            Kind::Portal => "portal_sessions",
        }
    }

    fn owner(self) -> &'static str {
        match self {
            Kind::Staff => "staff_user_id",
            Kind::Portal => "account_id",
        }
    }

    fn sql(self, template: &str) -> sqlx::AssertSqlSafe<String> {
        sqlx::AssertSqlSafe(
            template
                .replace("{table}", self.table())
                .replace("{owner}", self.owner()),
        )
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Session {
    pub token_hash: String,
    /// The staff user or the portal account.
    pub owner_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    /// When the person last proved who they are on it: at login, or by giving their password
    /// again.
    pub authenticated_at: i64,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
}

impl Session {
    /// A grant's portal session, read with its grant, owned by `account_id`.
    pub fn of_grant(s: super::oidc_grants::GrantSession, account_id: i64) -> Self {
        Session {
            token_hash: s.token_hash,
            owner_id: account_id,
            created_at: s.created_at,
            last_seen_at: s.last_seen_at,
            expires_at: s.expires_at,
            authenticated_at: s.authenticated_at,
            client_addr: s.client_addr,
            user_agent: s.user_agent,
        }
    }

    /// Alive at `now`: before its absolute end and used within `idle_ms`.
    pub fn alive(&self, now: i64, idle_ms: i64) -> bool {
        self.expires_at > now && self.last_seen_at + idle_ms > now
    }
}

const COLUMNS: &str = "token_hash, {owner} AS owner_id, created_at, last_seen_at, expires_at, \
     COALESCE(authenticated_at, created_at) AS authenticated_at, client_addr, user_agent \
     FROM {table}";

/// A new session, starting `now`.
pub struct NewSession<'a> {
    pub token_hash: &'a str,
    pub owner_id: i64,
    pub now: i64,
    pub expires_at: i64,
    pub client_addr: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, kind: Kind, s: &NewSession<'_>) -> Result<()> {
    let sql = kind.sql(
        "INSERT INTO {table} (token_hash, {owner}, created_at, last_seen_at, expires_at, \
         client_addr, user_agent) VALUES ($1, $2, $3, $3, $4, $5, $6)",
    );
    exec_tx!(tx, |c| sqlx::query(sql)
        .bind(s.token_hash)
        .bind(s.owner_id)
        .bind(s.now)
        .bind(s.expires_at)
        .bind(s.client_addr)
        .bind(s.user_agent)
        .execute(c)
        .await)?;
    Ok(())
}

pub async fn get(tx: &mut Tx, kind: Kind, token_hash: &str) -> Result<Option<Session>> {
    let sql = kind.sql(&format!("SELECT {COLUMNS} WHERE token_hash = $1"));
    on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(token_hash)
        .fetch_optional(c)
        .await)
}

/// The owner's sessions, the last used first.
pub async fn of_owner(tx: &mut Tx, kind: Kind, owner_id: i64) -> Result<Vec<Session>> {
    let sql = kind.sql(&format!(
        "SELECT {COLUMNS} WHERE {{owner}} = $1 ORDER BY last_seen_at DESC"
    ));
    on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(owner_id)
        .fetch_all(c)
        .await)
}

/// Sets one of the session's times (`last_seen_at`, `authenticated_at`) to `now`.
async fn set_time(tx: &mut Tx, kind: Kind, column: &str, token_hash: &str, now: i64) -> Result<()> {
    let sql = kind.sql(&format!(
        "UPDATE {{table}} SET {column} = $1 WHERE token_hash = $2"
    ));
    exec_tx!(tx, |c| sqlx::query(sql)
        .bind(now)
        .bind(token_hash)
        .execute(c)
        .await)?;
    Ok(())
}

/// Marks the session used at `now` (its idle time starts again).
pub async fn touch(tx: &mut Tx, kind: Kind, token_hash: &str, now: i64) -> Result<()> {
    set_time(tx, kind, "last_seen_at", token_hash, now).await
}

pub async fn delete(tx: &mut Tx, kind: Kind, token_hash: &str, now: i64) -> Result<u64> {
    let sql = kind.sql("DELETE FROM {table} WHERE token_hash = $1 RETURNING token_hash");
    let ended = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(token_hash)
        .fetch_all(c)
        .await)?;
    ended_sessions(tx, kind, ended, now).await
}

/// The person proved who they are again on this session at `now`.
pub async fn reauthenticated(tx: &mut Tx, kind: Kind, token_hash: &str, now: i64) -> Result<()> {
    set_time(tx, kind, "authenticated_at", token_hash, now).await
}

/// Ends every session of the owner's but `keep`.
pub async fn delete_others(
    tx: &mut Tx,
    kind: Kind,
    owner_id: i64,
    keep: &str,
    now: i64,
) -> Result<u64> {
    let sql = kind
        .sql("DELETE FROM {table} WHERE {owner} = $1 AND token_hash <> $2 RETURNING token_hash");
    let ended = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(owner_id)
        .bind(keep)
        .fetch_all(c)
        .await)?;
    ended_sessions(tx, kind, ended, now).await
}

/// Ends the owner's sessions beyond the `keep` most recently used ones.
pub async fn keep_newest(
    tx: &mut Tx,
    kind: Kind,
    owner_id: i64,
    keep: i64,
    now: i64,
) -> Result<u64> {
    let sql = kind.sql(
        "DELETE FROM {table} WHERE {owner} = $1 AND token_hash NOT IN \
         (SELECT token_hash FROM {table} WHERE {owner} = $1 \
          ORDER BY last_seen_at DESC, created_at DESC LIMIT $2) RETURNING token_hash",
    );
    let ended = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(owner_id)
        .bind(keep)
        .fetch_all(c)
        .await)?;
    ended_sessions(tx, kind, ended, now).await
}

/// Ends one session of the owner's; 0 when the owner has no such session.
pub async fn delete_one_of(
    tx: &mut Tx,
    kind: Kind,
    owner_id: i64,
    token_hash: &str,
    now: i64,
) -> Result<u64> {
    let sql =
        kind.sql("DELETE FROM {table} WHERE {owner} = $1 AND token_hash = $2 RETURNING token_hash");
    let ended = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(owner_id)
        .bind(token_hash)
        .fetch_all(c)
        .await)?;
    ended_sessions(tx, kind, ended, now).await
}

/// Ends every session of the owner's.
pub async fn delete_of(tx: &mut Tx, kind: Kind, owner_id: i64, now: i64) -> Result<u64> {
    let sql = kind.sql("DELETE FROM {table} WHERE {owner} = $1 RETURNING token_hash");
    let ended = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(owner_id)
        .fetch_all(c)
        .await)?;
    ended_sessions(tx, kind, ended, now).await
}

/// Deletes the sessions past their end or idle since `idle_before` (housekeeping).
pub async fn purge(tx: &mut Tx, kind: Kind, now: i64, idle_before: i64) -> Result<u64> {
    let sql = kind.sql(
        "DELETE FROM {table} WHERE expires_at <= $1 OR last_seen_at <= $2 RETURNING token_hash",
    );
    let ended = on_tx!(tx, |c| sqlx::query_scalar(sql)
        .bind(now)
        .bind(idle_before)
        .fetch_all(c)
        .await)?;
    ended_sessions(tx, kind, ended, now).await
}

/// In the transaction that ended them: a portal session's OpenID Connect grants end with it,
/// and each client with a back-channel logout URI that held one is owed a logout; an
/// impersonation ends with its portal session, and a console session takes the portal sessions
/// of the impersonations opened from it along. Answers how many sessions ended.
async fn ended_sessions(tx: &mut Tx, kind: Kind, ended: Vec<String>, now: i64) -> Result<u64> {
    if ended.is_empty() {
        return Ok(0);
    }
    match kind {
        Kind::Portal => portal_sessions_ended(tx, &ended, "session_ended", now).await?,
        Kind::Staff => {
            let portal = super::impersonations::sessions_of_staff_sessions(tx, &ended).await?;
            for hash in &portal {
                exec_tx!(tx, |c| sqlx::query(
                    "DELETE FROM portal_sessions WHERE token_hash = $1"
                )
                .bind(hash)
                .execute(c)
                .await)?;
            }
            portal_sessions_ended(tx, &portal, "staff_session_ended", now).await?;
        }
    }
    Ok(ended.len() as u64)
}

async fn portal_sessions_ended(
    tx: &mut Tx,
    ended: &[String],
    reason: &str,
    now: i64,
) -> Result<()> {
    if ended.is_empty() {
        return Ok(());
    }
    let grants = super::oidc_grants::end_with_sessions(tx, ended, "session_ended", now).await?;
    super::oidc_logouts::enqueue(tx, &grants, now).await?;
    super::impersonations::end_with_sessions(tx, ended, reason, now).await?;
    Ok(())
}
