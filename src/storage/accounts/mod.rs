//! Queries for portal accounts and their modules. Their single-use link tokens are in
//! [`tokens`], the access list's filters and search in [`search`]; their sessions are in
//! `storage::sessions`.

use serde::Serialize;

use super::{Result, Tx};
use crate::domain::account::{
    AccountState, Approval, Assignment, Day, Lifecycle, Registration, Role,
};
use crate::domain::directory::{OrganizationKind, PortalKind};
use crate::{exec_tx, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct PortalAccount {
    pub id: i64,
    pub portal_id: i64,
    pub portal_name: String,
    /// The portal's name in German, if it has one (see [`PortalAccount::portal_name_in`]).
    #[serde(skip)]
    pub portal_name_de: Option<String>,
    /// The access's source.
    pub portal_kind: PortalKind,
    /// The user name on its portal.
    pub email: String,
    pub contact_id: Option<i64>,
    /// `pending` (no contact linked yet) or `assigned`: follows `contact_id`.
    pub assignment: Assignment,
    pub organization_id: Option<i64>,
    pub organization_name: Option<String>,
    pub organization_kind: Option<OrganizationKind>,
    /// The area of the contact's organization.
    pub area_id: Option<i64>,
    pub name: String,
    pub role: Role,
    pub registration: Registration,
    pub approval: Approval,
    pub access_granted: bool,
    /// The last day the account may log in (`YYYY-MM-DD`); held as days since 1970-01-01.
    #[serde(serialize_with = "crate::clock::json::day_opt")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_until: Option<i64>,
    pub lifecycle: Lifecycle,
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

impl PortalAccount {
    /// Its portal's name in the language `code` (`en`, `de`).
    pub fn portal_name_in(&self, code: &str) -> &str {
        crate::domain::directory::name_in(&self.portal_name, self.portal_name_de.as_deref(), code)
    }

    /// The valid-until day as `YYYY-MM-DD`, empty when none is set.
    pub fn valid_until_text(&self) -> String {
        self.valid_until
            .map(crate::clock::format_day)
            .unwrap_or_default()
    }

    /// The rules' view of the account.
    pub fn state(&self) -> AccountState {
        AccountState {
            registration: self.registration,
            approval: self.approval,
            assignment: self.assignment,
            access_granted: self.access_granted,
            valid_until: self.valid_until,
            lifecycle: self.lifecycle,
            role: self.role,
        }
    }

    /// May the account log in on `today`?
    pub fn may_log_in(&self, today: Day) -> bool {
        self.state().login(today).is_ok()
    }
}

/// The columns of a [`PortalAccount`] (but its modules), and the tables they come from.
macro_rules! account_columns {
    () => {
        "a.id, a.portal_id, p.name AS portal_name, p.name_de AS portal_name_de, p.kind AS portal_kind, a.email, a.contact_id, \
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

pub(crate) use account_columns;

const SELECT: &str = concat!("SELECT ", account_columns!(), account_tables!());

mod count;
mod ordered;
mod search;
mod tokens;

pub use count::count;
pub use ordered::{ACCOUNT_COLUMNS, in_order, these};
pub use search::{AccountFilter, ValidUntilFilter, list};
pub use tokens::{AccountToken, find_token, insert_token, purge_tokens, revoke_tokens, use_token};

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<PortalAccount>> {
    one_with_modules(tx, "a.id = $1", id, None).await
}

/// The account the condition `cond` (on `a`, with `$1` and `$2` bound to `first` and
/// `second`) names, with its modules, in one statement (a row per module): a login, a token
/// and every portal page read one.
async fn one_with_modules(
    tx: &mut Tx,
    cond: &str,
    first: i64,
    second: Option<&str>,
) -> Result<Option<PortalAccount>> {
    let sql = format!(
        "SELECT * FROM ({SELECT} WHERE {cond}) x LEFT JOIN (SELECT account_id AS module_account, \
         module AS granted_module FROM portal_account_modules) g ON g.module_account = x.id \
         ORDER BY g.granted_module"
    );
    let rows: Vec<AccountModuleRow> = on_tx!(tx, |c| {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(first);
        match second {
            Some(v) => q.bind(v),
            None => q,
        }
        .fetch_all(c)
        .await
    })?;
    let mut rows = rows.into_iter();
    let Some(AccountModuleRow {
        mut account,
        granted_module,
        ..
    }) = rows.next()
    else {
        return Ok(None);
    };
    account.modules = std::iter::once(granted_module)
        .chain(rows.map(|r| r.granted_module))
        .flatten()
        .collect();
    Ok(Some(account))
}

/// A row of [`one_with_modules`]: the account, and one of its modules if it has any.
#[derive(sqlx::FromRow)]
struct AccountModuleRow {
    #[sqlx(flatten)]
    account: PortalAccount,
    granted_module: Option<String>,
}

/// Accounts by id (without their lists of modules), in no particular order; ids that name
/// no account are left out.
pub async fn get_many(tx: &mut Tx, ids: &[i64]) -> Result<Vec<PortalAccount>> {
    let mut out = Vec::with_capacity(ids.len());
    for part in ids.chunks(crate::storage::IN_LIST) {
        let rows: Vec<PortalAccount> = on_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(format!("{SELECT} WHERE a.id IN ("));
            let mut list = qb.separated(", ");
            for id in crate::storage::padded(part) {
                list.push_bind(id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(c).await
        })?;
        out.extend(rows);
    }
    Ok(out)
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
    one_with_modules(
        tx,
        "a.portal_id = $1 AND a.email = $2",
        portal_id,
        Some(email),
    )
    .await
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
    /// Its statuses (the assignment follows from `contact_id`).
    pub state: AccountState,
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
    .bind(a.state.role)
    .bind(a.state.registration)
    .bind(a.state.approval)
    .bind(a.state.access_granted)
    .bind(a.state.lifecycle)
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

/// Writes an account's statuses (all but the assignment, which is its contact).
pub async fn set_state(tx: &mut Tx, id: i64, state: &AccountState, now: i64) -> Result<()> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE portal_accounts SET registration = $1, approval = $2, access_granted = $3, valid_until = $4, \
         lifecycle = $5, role = $6, updated_at = $7 WHERE id = $8"
    )
    .bind(state.registration)
    .bind(state.approval)
    .bind(state.access_granted)
    .bind(state.valid_until)
    .bind(state.lifecycle)
    .bind(state.role)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    })?;
    Ok(())
}

/// Puts the account back into `restored`, only if it is still exactly in `expected` (a
/// compare-and-set: of two requests at once, one changes it). Returns whether it did.
pub async fn restore_state(
    tx: &mut Tx,
    id: i64,
    expected: &AccountState,
    restored: &AccountState,
    now: i64,
) -> Result<bool> {
    let n = exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE portal_accounts SET registration = $1, approval = $2, access_granted = $3, valid_until = $4, \
         lifecycle = $5, role = $6, updated_at = $7 WHERE id = $8 AND registration = $9 AND approval = $10 \
         AND access_granted = $11 AND valid_until IS NOT DISTINCT FROM $12 AND lifecycle = $13 AND role = $14 \
         AND (contact_id IS NOT NULL) = $15"
    )
    .bind(restored.registration)
    .bind(restored.approval)
    .bind(restored.access_granted)
    .bind(restored.valid_until)
    .bind(restored.lifecycle)
    .bind(restored.role)
    .bind(now)
    .bind(id)
    .bind(expected.registration)
    .bind(expected.approval)
    .bind(expected.access_granted)
    .bind(expected.valid_until)
    .bind(expected.lifecycle)
    .bind(expected.role)
    .bind(expected.assignment == Assignment::Assigned)
    .execute(c)
    .await
    })?;
    Ok(n == 1)
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
