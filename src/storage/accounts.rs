//! Queries for portal accounts, their modules and their single-use link tokens (stored as hashes).

use serde::Serialize;

use super::{Result, Tx};
use crate::{exec_tx, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PortalAccount {
    pub id: i64,
    pub portal_id: i64,
    pub portal_name: String,
    /// `customer`, `installer` or `partner`: the access's source.
    pub portal_kind: String,
    /// The user name on its portal.
    pub email: String,
    pub contact_id: Option<i64>,
    /// `pending` (no contact linked yet) or `assigned`: follows `contact_id`.
    #[sqlx(try_from = "String")]
    pub assignment: crate::domain::account::Assignment,
    pub organization_id: Option<i64>,
    pub organization_name: Option<String>,
    /// `customer` or `partner`.
    pub organization_kind: Option<String>,
    /// The area of the contact's organization.
    pub area_id: Option<i64>,
    pub name: String,
    /// `admin`, `user`, `marketing` or `notifications`.
    pub role: String,
    /// `invited`, `activation_sent` or `registered`.
    pub registration: String,
    /// `pending`, `approved` or `declined`.
    pub approval: String,
    pub access_granted: bool,
    /// The last day the account may log in (`YYYY-MM-DD`); held as days since 1970-01-01.
    #[serde(serialize_with = "crate::clock::json::day_opt")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_until: Option<i64>,
    /// `active` or `deactivated`.
    pub lifecycle: String,
    #[serde(skip)]
    pub password_hash: Option<String>,
    pub language: String,
    pub time_zone: String,
    /// A new address the person asked for, until they confirm it.
    pub pending_email: Option<String>,
    #[serde(skip)]
    pub registration_data: Option<String>,
    #[sqlx(skip)]
    pub modules: Vec<String>,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
    #[serde(serialize_with = "crate::clock::json::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_login_at: Option<i64>,
}

impl TryFrom<String> for crate::domain::account::Assignment {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("not an assignment status: {s}"))
    }
}

/// The columns of a [`PortalAccount`] (but its modules), and the tables they come from.
macro_rules! account_columns {
    () => {
        "a.id, a.portal_id, p.name AS portal_name, p.kind AS portal_kind, a.email, a.contact_id, \
     CASE WHEN a.contact_id IS NULL THEN 'pending' ELSE 'assigned' END AS assignment, \
     ct.organization_id, o.name AS organization_name, o.kind AS organization_kind, o.area_id, a.name, a.role, a.registration, a.approval, \
     a.access_granted, a.valid_until, a.lifecycle, a.password_hash, a.language, a.time_zone, a.pending_email, a.registration_data, \
     a.created_at, a.updated_at, a.last_login_at"
    };
}
macro_rules! account_tables {
    () => {
        " FROM portal_accounts a JOIN portals p ON p.id = a.portal_id \
     LEFT JOIN contacts ct ON ct.id = a.contact_id LEFT JOIN organizations o ON o.id = ct.organization_id"
    };
}

const SELECT: &str = concat!("SELECT ", account_columns!(), account_tables!());

async fn with_modules(
    tx: &mut Tx,
    account: Option<PortalAccount>,
) -> Result<Option<PortalAccount>> {
    match account {
        Some(mut a) => {
            a.modules = on_tx!(tx, |c| {
                sqlx::query_scalar(
                "SELECT module FROM portal_account_modules WHERE account_id = $1 ORDER BY module"
            )
            .bind(a.id)
            .fetch_all(c)
            .await
            })?;
            Ok(Some(a))
        }
        None => Ok(None),
    }
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<PortalAccount>> {
    let a = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)?;
    with_modules(tx, a).await
}

/// An account (without its list of modules) and, in the same query, the portal's module of
/// that name (any case) with whether it is granted to the account: what a decision reads.
pub async fn get_with_module(
    tx: &mut Tx,
    id: i64,
    module: Option<&str>,
) -> Result<Option<(PortalAccount, Option<(crate::domain::access::Module, bool)>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        account: PortalAccount,
        module_name: Option<String>,
        module_admin_only: Option<bool>,
        module_marketing: Option<bool>,
        module_granted: bool,
    }
    let row: Option<Row> = on_tx!(tx, |c| {
        sqlx::query_as(concat!(
        "SELECT ",
        account_columns!(),
        ", pm.name AS module_name, pm.admin_only AS module_admin_only, \
         pm.marketing AS module_marketing, \
         EXISTS (SELECT 1 FROM portal_account_modules g \
             WHERE g.account_id = a.id AND g.module = pm.name) AS module_granted",
        account_tables!(),
        " LEFT JOIN portal_modules pm ON pm.portal_id = a.portal_id AND lower(pm.name) = lower($2) \
         WHERE a.id = $1"
    ))
    .bind(id)
    .bind(module)
    .fetch_optional(c)
    .await
    })?;
    Ok(row.map(|r| {
        let module = r.module_name.map(|name| {
            let m = crate::domain::access::Module {
                name,
                admin_only: r.module_admin_only.unwrap_or(false),
                marketing: r.module_marketing.unwrap_or(false),
            };
            (m, r.module_granted)
        });
        (r.account, module)
    }))
}

pub async fn find(tx: &mut Tx, portal_id: i64, email: &str) -> Result<Option<PortalAccount>> {
    let a = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.portal_id = $1 AND a.email = $2"
    )))
    .bind(portal_id)
    .bind(email)
    .fetch_optional(c)
    .await)?;
    with_modules(tx, a).await
}

/// The accounts of a contact, on every portal.
pub async fn of_contact(tx: &mut Tx, contact_id: i64) -> Result<Vec<PortalAccount>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE a.contact_id = $1 ORDER BY p.name"
    )))
    .bind(contact_id)
    .fetch_all(c)
    .await)
}

pub struct NewAccount<'a> {
    pub portal_id: i64,
    pub email: &'a str,
    pub contact_id: Option<i64>,
    pub name: &'a str,
    pub role: &'a str,
    pub registration: &'a str,
    pub approval: &'a str,
    pub access_granted: bool,
    pub lifecycle: &'a str,
    pub language: &'a str,
    pub time_zone: &'a str,
}

pub async fn insert(tx: &mut Tx, a: &NewAccount<'_>, now: i64) -> Result<i64> {
    on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO portal_accounts (portal_id, email, contact_id, name, role, registration, approval, access_granted, \
         lifecycle, language, time_zone, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id"
    )
    .bind(a.portal_id)
    .bind(a.email)
    .bind(a.contact_id)
    .bind(a.name)
    .bind(a.role)
    .bind(a.registration)
    .bind(a.approval)
    .bind(a.access_granted)
    .bind(a.lifecycle)
    .bind(a.language)
    .bind(a.time_zone)
    .bind(now)
    .fetch_one(c)
    .await
    })
}

pub async fn set_modules(tx: &mut Tx, id: i64, modules: &[String]) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM portal_account_modules WHERE account_id = $1"
    )
    .bind(id)
    .execute(c)
    .await)?;
    for m in modules {
        exec_tx!(tx, |c| sqlx::query(
            "INSERT INTO portal_account_modules (account_id, module) VALUES ($1, $2)"
        )
        .bind(id)
        .bind(m)
        .execute(c)
        .await)?;
    }
    Ok(())
}

// ---------------------------------------------------------------- link tokens

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountToken {
    pub token_hash: String,
    pub account_id: i64,
    pub purpose: String,
    pub new_email: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

pub async fn insert_token(
    tx: &mut Tx,
    token_hash: &str,
    account_id: i64,
    purpose: &str,
    new_email: Option<&str>,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO account_tokens (token_hash, account_id, purpose, new_email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(purpose)
    .bind(new_email)
    .bind(now)
    .bind(expires_at)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn find_token(tx: &mut Tx, token_hash: &str) -> Result<Option<AccountToken>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT token_hash, account_id, purpose, new_email, created_at, expires_at, used_at \
         FROM account_tokens WHERE token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await)
}

/// Uses a token once: true when it was unused and unexpired (and now is used).
pub async fn use_token(tx: &mut Tx, token_hash: &str, now: i64) -> Result<bool> {
    let n = exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE account_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1"
    )
    .bind(now)
    .bind(token_hash)
    .execute(c)
    .await
    })?;
    Ok(n == 1)
}

/// Ends every unused token of an account for a purpose (a new link replaces the old ones).
pub async fn revoke_tokens(tx: &mut Tx, account_id: i64, purpose: &str, now: i64) -> Result<u64> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE account_tokens SET used_at = $1 WHERE account_id = $2 AND purpose = $3 AND used_at IS NULL"
    )
    .bind(now)
    .bind(account_id)
    .bind(purpose)
    .execute(c)
    .await
    })
}

/// Sets the password and marks the account registered.
pub async fn set_registered(tx: &mut Tx, id: i64, password_hash: &str, now: i64) -> Result<()> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE portal_accounts SET password_hash = $1, registration = 'registered', updated_at = $2 WHERE id = $3"
    )
    .bind(password_hash)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    })?;
    Ok(())
}

/// A repeated self-registration before the first was confirmed: the newest password, name and
/// registration data win.
pub async fn set_registration(
    tx: &mut Tx,
    id: i64,
    password_hash: &str,
    name: &str,
    registration_data: &str,
    language: &str,
    now: i64,
) -> Result<()> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE portal_accounts SET password_hash = $1, name = $2, registration_data = $3, language = $4, \
         updated_at = $5 WHERE id = $6"
    )
    .bind(password_hash)
    .bind(name)
    .bind(registration_data)
    .bind(language)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    })?;
    Ok(())
}

/// Links (or unlinks) the account's contact.
pub async fn set_contact(tx: &mut Tx, id: i64, contact_id: Option<i64>, now: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE portal_accounts SET contact_id = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(contact_id)
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn set_last_login(tx: &mut Tx, id: i64, now: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE portal_accounts SET last_login_at = $1 WHERE id = $2"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

// ---------------------------------------------------------------- portal sessions

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PortalSession {
    pub token_hash: String,
    pub account_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

pub async fn insert_session(
    tx: &mut Tx,
    token_hash: &str,
    account_id: i64,
    now: i64,
    expires_at: i64,
    client_addr: Option<&str>,
    user_agent: Option<&str>,
) -> Result<()> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO portal_sessions (token_hash, account_id, created_at, last_seen_at, expires_at, client_addr, user_agent) \
         VALUES ($1, $2, $3, $3, $4, $5, $6)"
    )
    .bind(token_hash)
    .bind(account_id)
    .bind(now)
    .bind(expires_at)
    .bind(client_addr)
    .bind(user_agent)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn get_session(tx: &mut Tx, token_hash: &str) -> Result<Option<PortalSession>> {
    on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT token_hash, account_id, created_at, last_seen_at, expires_at FROM portal_sessions WHERE token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await
    })
}

pub async fn touch_session(tx: &mut Tx, token_hash: &str, now: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE portal_sessions SET last_seen_at = $1 WHERE token_hash = $2"
    )
    .bind(now)
    .bind(token_hash)
    .execute(c)
    .await)?;
    Ok(())
}

pub async fn delete_session(tx: &mut Tx, token_hash: &str) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM portal_sessions WHERE token_hash = $1"
    )
    .bind(token_hash)
    .execute(c)
    .await)?;
    Ok(())
}

/// Writes an account's statuses.
#[allow(clippy::too_many_arguments)]
pub async fn set_state(
    tx: &mut Tx,
    id: i64,
    registration: &str,
    approval: &str,
    access_granted: bool,
    valid_until: Option<i64>,
    lifecycle: &str,
    role: &str,
    now: i64,
) -> Result<()> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE portal_accounts SET registration = $1, approval = $2, access_granted = $3, valid_until = $4, \
         lifecycle = $5, role = $6, updated_at = $7 WHERE id = $8"
    )
    .bind(registration)
    .bind(approval)
    .bind(access_granted)
    .bind(valid_until)
    .bind(lifecycle)
    .bind(role)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn set_password(tx: &mut Tx, id: i64, password_hash: &str, now: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE portal_accounts SET password_hash = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(password_hash)
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

/// Ends every session of an account.
pub async fn delete_sessions_of(tx: &mut Tx, account_id: i64) -> Result<u64> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM portal_sessions WHERE account_id = $1"
    )
    .bind(account_id)
    .execute(c)
    .await)
}

/// The person's own settings.
pub async fn set_profile(
    tx: &mut Tx,
    id: i64,
    name: &str,
    language: &str,
    time_zone: &str,
    now: i64,
) -> Result<()> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE portal_accounts SET name = $1, language = $2, time_zone = $3, updated_at = $4 WHERE id = $5"
    )
    .bind(name)
    .bind(language)
    .bind(time_zone)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn set_pending_email(tx: &mut Tx, id: i64, email: Option<&str>, now: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE portal_accounts SET pending_email = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(email)
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

/// The confirmed new address becomes the user name.
pub async fn set_email(tx: &mut Tx, id: i64, email: &str, now: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE portal_accounts SET email = $1, pending_email = NULL, updated_at = $2 WHERE id = $3"
    )
    .bind(email)
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

/// A session as its owner sees it in their list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn sessions_of(tx: &mut Tx, account_id: i64) -> Result<Vec<SessionRow>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT token_hash, created_at, last_seen_at, client_addr, user_agent FROM portal_sessions \
         WHERE account_id = $1 ORDER BY last_seen_at DESC"
    )
    .bind(account_id)
    .fetch_all(c)
    .await)
}

/// Ends one session of an account (and no one else's).
pub async fn delete_session_of(tx: &mut Tx, account_id: i64, token_hash: &str) -> Result<u64> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM portal_sessions WHERE account_id = $1 AND token_hash = $2"
    )
    .bind(account_id)
    .bind(token_hash)
    .execute(c)
    .await)
}

/// Fills in the modules of a page of accounts, in one query.
pub async fn fill_modules(tx: &mut Tx, accounts: &mut [PortalAccount]) -> Result<()> {
    if accounts.is_empty() {
        return Ok(());
    }
    let rows: Vec<(i64, String)> = on_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT account_id, module FROM portal_account_modules WHERE account_id IN (",
        );
        let mut ids = qb.separated(", ");
        for a in accounts.iter() {
            ids.push_bind(a.id);
        }
        qb.push(") ORDER BY account_id, module");
        qb.build_query_as().fetch_all(c).await
    })?;
    for a in accounts.iter_mut() {
        a.modules = rows
            .iter()
            .filter(|(id, _)| *id == a.id)
            .map(|(_, m)| m.clone())
            .collect();
    }
    Ok(())
}

/// Deletes link tokens that are used up or expired.
pub async fn purge_tokens(tx: &mut Tx, now: i64) -> Result<u64> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM account_tokens WHERE expires_at <= $1 OR used_at IS NOT NULL"
    )
    .bind(now)
    .execute(c)
    .await)
}

/// Deletes portal sessions past their end or idle since `idle_before`.
pub async fn purge_sessions(tx: &mut Tx, now: i64, idle_before: i64) -> Result<u64> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM portal_sessions WHERE expires_at <= $1 OR last_seen_at <= $2"
    )
    .bind(now)
    .bind(idle_before)
    .execute(c)
    .await)
}

/// Accounts that still have sessions but may no longer log in: switched off, deactivated, or
/// past their valid-until day (`today`). Returns (id, e-mail, portal name, why).
pub async fn sessions_to_end(
    tx: &mut Tx,
    today: i64,
) -> Result<Vec<(i64, String, String, String)>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT a.id, a.email, p.name, CASE WHEN a.access_granted = FALSE THEN 'switched_off' \
         WHEN a.lifecycle = 'deactivated' THEN 'deactivated' ELSE 'valid_until_passed' END \
         FROM portal_accounts a JOIN portals p ON p.id = a.portal_id \
         WHERE EXISTS (SELECT 1 FROM portal_sessions s WHERE s.account_id = a.id) \
         AND (a.access_granted = FALSE OR a.lifecycle = 'deactivated' OR a.valid_until < $1) \
         ORDER BY a.id LIMIT 1000"
    )
    .bind(today)
    .fetch_all(c)
    .await)
}

/// Deletes an account, with its modules, tokens and sessions (the contact stays).
pub async fn delete(tx: &mut Tx, id: i64) -> Result<u64> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM portal_accounts WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await)
}

/// The valid-until filter of the access list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidUntilFilter {
    /// A valid-until date is set (passed or not).
    Set,
    /// No valid-until date.
    None,
    /// The date has passed: its last day is before `today` (days since 1970-01-01).
    Past { today: i64 },
}

#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Text in the e-mail or the name.
    pub q: Option<String>,
    pub portal_id: Option<i64>,
    /// The portal's kind: the access's source.
    pub source: Option<String>,
    pub registration: Option<String>,
    pub approval: Option<String>,
    /// `assigned` or `pending`.
    pub assignment: Option<String>,
    pub access_granted: Option<bool>,
    pub lifecycle: Option<String>,
    /// `admin`, `user`, `marketing` or `notifications`.
    pub role: Option<String>,
    /// The organization of the linked contact.
    pub organization_id: Option<i64>,
    pub valid_until: Option<ValidUntilFilter>,
    pub after: Option<(String, i64)>,
    pub limit: i64,
}

/// How many accounts, in list order, the first try of a text search looks at (see [`list`]).
const SEARCH_WINDOW: i64 = 20_000;

/// Adds the tables that the filters of `f` need to `FROM portal_accounts a`.
macro_rules! push_filter_joins {
    ($qb:expr, $scope:expr, $f:expr) => {
        if $f.source.is_some() {
            $qb.push(" JOIN portals p ON p.id = a.portal_id");
        }
        if $scope.area_filter().is_some() || $f.organization_id.is_some() {
            $qb.push(
                " LEFT JOIN contacts ct ON ct.id = a.contact_id \
                 LEFT JOIN organizations o ON o.id = ct.organization_id",
            );
        }
    };
}

/// Adds ` AND ...` for every filter of `f` but the text search, and the keyset position.
macro_rules! push_filters {
    ($qb:expr, $scope:expr, $f:expr) => {
        crate::push_area_scope!($qb, $scope, "o.area_id");
        if let Some(p) = $f.portal_id {
            $qb.push(" AND a.portal_id = ").push_bind(p);
        }
        if let Some(k) = &$f.source {
            $qb.push(" AND p.kind = ").push_bind(k.clone());
        }
        if let Some(r) = &$f.registration {
            $qb.push(" AND a.registration = ").push_bind(r.clone());
        }
        if let Some(r) = &$f.approval {
            $qb.push(" AND a.approval = ").push_bind(r.clone());
        }
        match $f.assignment.as_deref() {
            Some("assigned") => {
                $qb.push(" AND a.contact_id IS NOT NULL");
            }
            Some("pending") => {
                $qb.push(" AND a.contact_id IS NULL");
            }
            _ => {}
        }
        if let Some(g) = $f.access_granted {
            $qb.push(" AND a.access_granted = ").push_bind(g);
        }
        if let Some(l) = &$f.lifecycle {
            $qb.push(" AND a.lifecycle = ").push_bind(l.clone());
        }
        if let Some(r) = &$f.role {
            $qb.push(" AND a.role = ").push_bind(r.clone());
        }
        if let Some(org) = $f.organization_id {
            $qb.push(" AND ct.organization_id = ").push_bind(org);
        }
        match $f.valid_until {
            Some(ValidUntilFilter::Set) => {
                $qb.push(" AND a.valid_until IS NOT NULL");
            }
            Some(ValidUntilFilter::None) => {
                $qb.push(" AND a.valid_until IS NULL");
            }
            Some(ValidUntilFilter::Past { today }) => {
                $qb.push(" AND a.valid_until IS NOT NULL AND a.valid_until < ")
                    .push_bind(today);
            }
            None => {}
        }
        if let Some((email, id)) = &$f.after {
            $qb.push(" AND (a.email, a.id) > (")
                .push_bind(email.clone())
                .push(", ")
                .push_bind(*id)
                .push(")");
        }
    };
}

/// Adds ` AND (e-mail or name LIKE pattern)` on the accounts aliased `$alias`. E-mail
/// addresses are stored in lower case. SQLite's LIKE ignores the case of ASCII letters (and
/// its `lower` changes no other), PostgreSQL's LIKE heeds it: there the name is lowered.
macro_rules! push_like {
    ($qb:expr, $engine:expr, $alias:literal, $pattern:expr) => {
        $qb.push(concat!(" AND (", $alias, ".email LIKE "))
            .push_bind($pattern.to_string())
            .push(match $engine {
                super::Engine::Sqlite => concat!(" ESCAPE '\\' OR ", $alias, ".name LIKE "),
                super::Engine::Postgres => {
                    concat!(" ESCAPE '\\' OR lower(", $alias, ".name) LIKE ")
                }
            })
            .push_bind($pattern.to_string())
            .push(" ESCAPE '\\')");
    };
}

/// Adds the part of a text search that `$bounds` asks for: ` AND` the e-mail begins with the
/// term (a range of the e-mail index: `[term, end)`), or does not.
macro_rules! push_bounds {
    ($qb:expr, $alias:literal, $bounds:expr) => {
        match $bounds {
            Bounds::All => {}
            Bounds::Prefix(lo, hi) => {
                $qb.push(concat!(" AND ", $alias, ".email >= "))
                    .push_bind(lo.to_string())
                    .push(concat!(" AND ", $alias, ".email < "))
                    .push_bind(hi.to_string());
            }
            Bounds::NotPrefix(lo, hi) => {
                $qb.push(concat!(" AND (", $alias, ".email < "))
                    .push_bind(lo.to_string())
                    .push(concat!(" OR ", $alias, ".email >= "))
                    .push_bind(hi.to_string())
                    .push(")");
            }
        }
    };
}

/// The ids query of [`Find::Walk`], the same on both engines.
macro_rules! push_walk {
    ($qb:expr, $engine:expr, $scope:expr, $f:expr, $pattern:expr, $bounds:expr, $limit:expr) => {{
        $qb.push("SELECT a.id FROM portal_accounts a");
        push_filter_joins!($qb, $scope, $f);
        $qb.push(" WHERE 1 = 1");
        if let Some(p) = $pattern {
            push_like!($qb, $engine, "a", p);
        }
        push_bounds!($qb, "a", $bounds);
        push_filters!($qb, $scope, $f);
        $qb.push(" ORDER BY a.email, a.id LIMIT ").push_bind($limit);
    }};
}

/// The ids query of [`Find::Window`], the same on both engines.
macro_rules! push_window {
    ($qb:expr, $engine:expr, $scope:expr, $f:expr, $pattern:expr, $bounds:expr, $limit:expr) => {{
        $qb.push("SELECT w.id FROM (SELECT a.id, a.email, a.name FROM portal_accounts a");
        push_filter_joins!($qb, $scope, $f);
        $qb.push(" WHERE 1 = 1");
        push_bounds!($qb, "a", $bounds);
        push_filters!($qb, $scope, $f);
        $qb.push(" ORDER BY a.email, a.id LIMIT ")
            .push_bind(SEARCH_WINDOW)
            .push(") w WHERE 1 = 1");
        push_like!($qb, $engine, "w", $pattern);
        $qb.push(" ORDER BY w.email, w.id LIMIT ").push_bind($limit);
    }};
}

/// The ways to find the ids of a page: see [`list`].
enum Find<'a> {
    /// Read in list order, with a `LIKE` pattern on e-mail and name when given.
    Walk(Option<&'a str>),
    /// Read the first [`SEARCH_WINDOW`] accounts in list order, keep those that match.
    Window(&'a str),
    /// Every match from the trigram index, sorted.
    Gather(&'a Lookup),
}

/// How the trigram index is asked for a term: the whole term, or (a long ASCII term) a few of
/// its trigrams spread over it, in order, the candidates then checked against the whole term.
/// An index reads one list per trigram, and the lists of the commonest (`.de`, `com`) are
/// long: a whole e-mail address of thirty trigrams took SQLite and PostgreSQL 20 to 45 ms
/// with a million accounts, four of them a few.
struct Lookup {
    /// SQLite's FTS5 query.
    fts: String,
    /// PostgreSQL's `LIKE` pattern for the trigram indexes.
    pattern: String,
    /// The whole term's `LIKE` pattern, when the index was asked for less.
    recheck: Option<String>,
}

/// Trigrams looked up for a long term.
const SPARSE_TRIGRAMS: usize = 4;

impl Lookup {
    fn new(term: &str) -> Lookup {
        let chars: Vec<char> = term.chars().collect();
        let whole = super::like_pattern(term);
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        // The likely rarest (digits, then the rarer letters; not the punctuation that every
        // address has), non-overlapping and in order: every text with the term has them so.
        if term.is_ascii() && chars.len() >= 3 * SPARSE_TRIGRAMS {
            let weight = |c: char| match c {
                '0'..='9' => 3,
                'b' | 'f' | 'g' | 'j' | 'k' | 'm' | 'p' | 'q' | 'v' | 'w' | 'x' | 'y' | 'z' => 2,
                'a'..='z' => 1,
                _ => 0,
            };
            let mut starts: Vec<usize> = (0..chars.len() - 2).collect();
            starts.sort_by_key(|&i| {
                std::cmp::Reverse(chars[i..i + 3].iter().map(|&c| weight(c)).sum::<u32>())
            });
            let mut picked: Vec<usize> = Vec::new();
            for i in starts {
                if picked.iter().all(|&p| i + 3 <= p || p + 3 <= i) {
                    picked.push(i);
                    if picked.len() == SPARSE_TRIGRAMS {
                        break;
                    }
                }
            }
            picked.sort_unstable();
            let trigrams: Vec<String> = picked
                .iter()
                .map(|&at| chars[at..at + 3].iter().collect())
                .collect();
            let mut pattern = String::from("%");
            for t in &trigrams {
                let escaped = super::like_pattern(t);
                pattern.push_str(&escaped[1..]);
            }
            return Lookup {
                fts: trigrams
                    .iter()
                    .map(|t| quote(t))
                    .collect::<Vec<_>>()
                    .join(" AND "),
                pattern,
                recheck: Some(whole),
            };
        }
        Lookup {
            fts: quote(term),
            pattern: whole,
            recheck: None,
        }
    }
}

/// The ids of a page of the access list, in list order (at most `f.limit + 1`).
async fn page_ids(
    tx: &mut Tx,
    scope: &crate::domain::staff::Scope,
    f: &AccountFilter,
    find: Find<'_>,
    bounds: &Bounds,
) -> Result<Vec<i64>> {
    let limit = f.limit + 1;
    match tx {
        Tx::Sqlite(t) => {
            let engine = super::Engine::Sqlite;
            let mut qb = sqlx::QueryBuilder::new("");
            match find {
                Find::Walk(pattern) => push_walk!(qb, engine, scope, f, pattern, bounds, limit),
                Find::Window(pattern) => push_window!(qb, engine, scope, f, pattern, bounds, limit),
                Find::Gather(lookup) => {
                    // The matches stream out of the FTS5 trigram table (CROSS JOIN keeps it
                    // the outer loop), each is looked up by rowid, and the page sorted out.
                    qb.push(
                        "SELECT a.id FROM portal_accounts_search s \
                         CROSS JOIN portal_accounts a",
                    );
                    push_filter_joins!(qb, scope, f);
                    qb.push(" WHERE s.portal_accounts_search MATCH ")
                        .push_bind(lookup.fts.clone())
                        .push(" AND a.id = s.rowid");
                    if let Some(whole) = &lookup.recheck {
                        push_like!(qb, engine, "a", whole);
                    }
                    push_bounds!(qb, "a", bounds);
                    push_filters!(qb, scope, f);
                    qb.push(" ORDER BY a.email, a.id LIMIT ").push_bind(limit);
                }
            }
            qb.build_query_scalar().fetch_all(&mut **t).await
        }
        Tx::Postgres(t) => {
            let engine = super::Engine::Postgres;
            let mut qb = sqlx::QueryBuilder::new("");
            match find {
                Find::Walk(pattern) if f.organization_id.is_some() => {
                    // PostgreSQL would read in e-mail order and check each account's contact,
                    // expecting an organization's accounts spread evenly: gather them from its
                    // contacts instead (OFFSET 0 keeps the planner to it), and sort.
                    qb.push("SELECT m.id FROM (SELECT a.id, a.email FROM portal_accounts a");
                    push_filter_joins!(qb, scope, f);
                    qb.push(" WHERE 1 = 1");
                    if let Some(p) = pattern {
                        push_like!(qb, engine, "a", p);
                    }
                    push_bounds!(qb, "a", bounds);
                    push_filters!(qb, scope, f);
                    qb.push(" OFFSET 0) m ORDER BY m.email, m.id LIMIT ")
                        .push_bind(limit);
                }
                Find::Walk(pattern) => push_walk!(qb, engine, scope, f, pattern, bounds, limit),
                Find::Window(pattern) => push_window!(qb, engine, scope, f, pattern, bounds, limit),
                Find::Gather(lookup) => {
                    // The trigram indexes find every match (OFFSET 0 keeps the planner from
                    // reading in e-mail order instead), and the page is sorted out. The whole
                    // term is checked out of the indexes' reach (`|| ''`), else the planner
                    // would ask them for it too.
                    qb.push("SELECT m.id FROM (SELECT a.id, a.email FROM portal_accounts a");
                    push_filter_joins!(qb, scope, f);
                    qb.push(" WHERE 1 = 1");
                    push_like!(qb, engine, "a", lookup.pattern);
                    if let Some(whole) = &lookup.recheck {
                        qb.push(" AND ((a.email || '') LIKE ")
                            .push_bind(whole.clone())
                            .push(" ESCAPE '\\' OR lower(a.name || '') LIKE ")
                            .push_bind(whole.clone())
                            .push(" ESCAPE '\\')");
                    }
                    push_bounds!(qb, "a", bounds);
                    push_filters!(qb, scope, f);
                    qb.push(" OFFSET 0) m ORDER BY m.email, m.id LIMIT ")
                        .push_bind(limit);
                }
            }
            qb.build_query_scalar().fetch_all(&mut **t).await
        }
    }
}

/// Which accounts a query of a text search reads: all, those whose e-mail begins with the term
/// (`Prefix(term, end)`: the range `[term, end)` of the e-mail order), or the others.
enum Bounds {
    All,
    Prefix(String, String),
    NotPrefix(String, String),
}

/// The end of the range of texts that begin with `term`, in the order of code points (which is
/// the byte order of UTF-8, SQLite's and PostgreSQL's `C` collation): the term with its last
/// character raised by one. `None` when no text lies beyond (only U+10FFFF characters).
fn prefix_end(term: &str) -> Option<String> {
    let mut chars: Vec<char> = term.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (last as u32 + 1..=0x10FFFF).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Marks a cursor of a text search that lies among the accounts whose e-mail does not begin
/// with the term (an e-mail address has no control characters).
const REST_MARK: char = '\u{1}';

/// The access list: accounts sorted by e-mail, a page at a time. Supervisors see the accounts
/// of contacts in their areas.
///
/// First the ids of the page, then their rows. Each filter has an index in e-mail order
/// (migration 0006): the ids are read in order and the query stops after one page, however
/// many accounts match.
///
/// A text search lists the best matches first: the accounts whose e-mail begins with the term,
/// read straight from the e-mail index; then the others that have it in the e-mail or the name.
/// Each part is in e-mail order. (In pure e-mail order the page could not stop early: the
/// addresses that begin with a common first name lie together deep in the list, and every
/// match before them would have to be found and sorted.) The others are found, for a term of
/// three characters or more (a trigram), in two tries: the first [`SEARCH_WINDOW`] accounts in
/// list order, which fills the page when the term is frequent; else every match from the
/// trigram index (SQLite FTS5, PostgreSQL pg_trgm), sorted, which is quick when it is not. A
/// shorter term is read in order.
pub async fn list(
    tx: &mut Tx,
    scope: &crate::domain::staff::Scope,
    f: &AccountFilter,
) -> Result<super::directory::Page<PortalAccount>> {
    let term =
        f.q.as_deref()
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty());
    let Some(term) = term else {
        let ids = page_ids(tx, scope, f, Find::Walk(None), &Bounds::All).await?;
        return page_of(tx, ids, f.limit, false).await;
    };
    let pattern = super::like_pattern(&term);
    let end = prefix_end(&term).unwrap_or_else(|| format!("{term}\u{10FFFF}"));
    // Where the page starts: among the prefix matches (no cursor, or one of theirs), or among
    // the others.
    let in_rest = f
        .after
        .as_ref()
        .is_some_and(|(key, _)| key.starts_with(REST_MARK));
    let mut ids = Vec::new();
    if !in_rest {
        let prefix = Bounds::Prefix(term.clone(), end.clone());
        ids = page_ids(tx, scope, f, Find::Walk(None), &prefix).await?;
    }
    let prefix_count = ids.len();
    if (ids.len() as i64) <= f.limit {
        let mut rest_filter = f.clone();
        rest_filter.limit = f.limit - ids.len() as i64;
        rest_filter.after = f
            .after
            .as_ref()
            .filter(|_| in_rest)
            .map(|(key, id)| (key.trim_start_matches(REST_MARK).to_string(), *id));
        let rest = Bounds::NotPrefix(term.clone(), end);
        let found = if term.chars().count() >= 3 {
            // SQLite's LIKE folds the case of ASCII letters only, its trigram index of every
            // letter: the window's answer is the index's only for an ASCII term.
            let mut found = Vec::new();
            if tx.engine() == super::Engine::Postgres || term.is_ascii() {
                found = page_ids(tx, scope, &rest_filter, Find::Window(&pattern), &rest).await?;
            }
            if found.len() as i64 <= rest_filter.limit {
                let lookup = Lookup::new(&term);
                found = page_ids(tx, scope, &rest_filter, Find::Gather(&lookup), &rest).await?;
            }
            found
        } else {
            page_ids(tx, scope, &rest_filter, Find::Walk(Some(&pattern)), &rest).await?
        };
        ids.extend(found);
    }
    let mut page = page_of(tx, ids[..prefix_count].to_vec(), f.limit, false).await?;
    if page.next.is_none() && ids.len() > prefix_count {
        let left = f.limit - page.items.len() as i64;
        if left == 0 {
            // The prefix matches fill the page exactly: the next starts after the last of them.
            page.next = page
                .items
                .last()
                .map(|a| super::directory::encode_cursor(&a.email, a.id));
        } else {
            let rest = page_of(tx, ids[prefix_count..].to_vec(), left, true).await?;
            page.items.extend(rest.items);
            page.next = rest.next;
        }
    }
    Ok(page)
}

/// The rows of `ids` in list order, at most `limit` of them, and the cursor after the last
/// when there are more (marked as one of the second part of a text search when `rest`).
async fn page_of(
    tx: &mut Tx,
    ids: Vec<i64>,
    limit: i64,
    rest: bool,
) -> Result<super::directory::Page<PortalAccount>> {
    let mut items: Vec<PortalAccount> = if ids.is_empty() {
        Vec::new()
    } else {
        on_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(SELECT);
            qb.push(" WHERE a.id IN (");
            let mut list = qb.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            qb.push(") ORDER BY a.email, a.id");
            qb.build_query_as().fetch_all(c).await
        })?
    };
    let next = if items.len() as i64 > limit {
        items.truncate(limit.max(0) as usize);
        items.last().map(|a| {
            let key = if rest {
                format!("{REST_MARK}{}", a.email)
            } else {
                a.email.clone()
            };
            super::directory::encode_cursor(&key, a.id)
        })
    } else {
        None
    };
    Ok(super::directory::Page { items, next })
}

#[cfg(test)]
mod tests {
    use super::Lookup;

    /// `LIKE` for patterns of `%`-separated literals (no escapes), as the tests use.
    fn like(text: &str, pattern: &str) -> bool {
        let mut rest = text;
        for part in pattern.split('%').filter(|p| !p.is_empty()) {
            match rest.find(part) {
                Some(i) => rest = &rest[i + part.len()..],
                None => return false,
            }
        }
        true
    }

    #[test]
    fn a_long_term_is_looked_up_by_four_of_its_trigrams_then_checked_whole() {
        let term = "claudia.schulz@primeland-30720.de";
        let l = Lookup::new(term);
        assert_eq!(
            l.recheck.as_deref(),
            Some("%claudia.schulz@primeland-30720.de%")
        );
        let trigrams: Vec<&str> = l.fts.split(" AND ").map(|t| t.trim_matches('"')).collect();
        assert_eq!(trigrams.len(), 4, "{}", l.fts);
        assert!(trigrams.iter().all(|t| t.len() == 3 && term.contains(t)));
        // Digits first; not the ending that half the addresses have.
        assert!(trigrams.contains(&"307"), "{trigrams:?}");
        assert!(!trigrams.contains(&".de"), "{trigrams:?}");
        // In order: the pattern holds for the term, and for any text around it.
        assert_eq!(l.pattern, format!("%{}%", trigrams.join("%")));
        assert!(like(term, &l.pattern));
        assert!(like(&format!("x{term}y"), &l.pattern));
    }

    #[test]
    fn the_texts_that_begin_with_a_term_end_before_its_last_character_raised() {
        use super::prefix_end;
        assert_eq!(prefix_end("thomas").as_deref(), Some("thomat"));
        assert_eq!(prefix_end("ab@").as_deref(), Some("abA"));
        assert_eq!(prefix_end("s\u{d7ff}").as_deref(), Some("s\u{e000}"));
        assert_eq!(prefix_end("a\u{10ffff}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{10ffff}"), None);
        for text in ["thomas", "thomas.mueller@x.de", "thomas\u{10fffe}"] {
            assert!(("thomas".."thomat").contains(&text), "{text}");
        }
        assert!("thomat" >= prefix_end("thomas").unwrap().as_str());
    }

    #[test]
    fn short_and_non_ascii_terms_are_looked_up_whole() {
        for term in ["schmidt", "ab\"c", "süderberg-straße-12345"] {
            let l = Lookup::new(term);
            assert_eq!(l.recheck, None, "{term}");
            assert_eq!(l.pattern, crate::storage::like_pattern(term));
        }
        assert_eq!(Lookup::new("ab\"c").fts, "\"ab\"\"c\"");
    }
}
