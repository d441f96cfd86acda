//! Portals and their modules.

use serde::Serialize;

use crate::domain::directory::{PortalKind, RegistrationMode, name_in};
use crate::storage::{Result, Tx};
use crate::{exec_tx, on_tx};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Module {
    /// What grants, decisions and tokens name it by; shown where it has no translation.
    pub name: String,
    /// Its name in German, if it has one.
    pub name_de: Option<String>,
    /// Only an organization's admins see it.
    pub admin_only: bool,
    /// Marketing material: the only modules a marketing account sees.
    pub marketing: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Portal {
    pub id: i64,
    pub name: String,
    /// Its name in German, if it has one.
    pub name_de: Option<String>,
    /// The access's source.
    pub kind: PortalKind,
    pub base_url: String,
    pub registration_mode: RegistrationMode,
    pub self_registration_creates_contact: bool,
    /// When someone asks for a new link: tell staff instead of sending it again.
    pub notify_staff_on_new_link: bool,
    /// Staff may view the portal as one of its accounts (impersonation).
    pub impersonation_allowed: bool,
    /// While staff view it as an organization admin, team actions are allowed (else read-only).
    pub impersonation_actions: bool,
    /// The person is told by e-mail after staff viewed the portal as them.
    pub impersonation_notice: bool,
    pub invitation_lifetime_days: i64,
    /// `en` or `de`.
    pub default_language: String,
    /// The time zone new accounts on the portal take (an IANA name, `Europe/Berlin`).
    pub default_time_zone: String,
    #[sqlx(skip)]
    pub modules: Vec<Module>,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

impl Module {
    /// Its name in the language `code` (`en`, `de`): the translation, else the name.
    pub fn name_in(&self, code: &str) -> &str {
        name_in(&self.name, self.name_de.as_deref(), code)
    }
}

impl Portal {
    /// Its name in the language `code` (`en`, `de`): the translation, else the name.
    pub fn name_in(&self, code: &str) -> &str {
        name_in(&self.name, self.name_de.as_deref(), code)
    }

    /// The name of its module `name` in the language `code`; `name` itself for a module it
    /// no longer has.
    pub fn module_name<'a>(&'a self, name: &'a str, code: &str) -> &'a str {
        self.modules
            .iter()
            .find(|m| m.name == name)
            .map_or(name, |m| m.name_in(code))
    }
}

const PORTAL_SELECT: &str = "SELECT id, name, name_de, kind, base_url, registration_mode, self_registration_creates_contact, \
     notify_staff_on_new_link, impersonation_allowed, impersonation_actions, impersonation_notice, \
     invitation_lifetime_days, default_language, default_time_zone, created_at, updated_at FROM portals";

async fn portal_modules(tx: &mut Tx, id: i64) -> Result<Vec<Module>> {
    on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT name, name_de, admin_only, marketing FROM portal_modules WHERE portal_id = $1 ORDER BY position, id"
    )
    .bind(id)
    .fetch_all(c)
    .await
    })
}

pub async fn list_portals(tx: &mut Tx) -> Result<Vec<Portal>> {
    let mut rows: Vec<Portal> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PORTAL_SELECT} ORDER BY name, id"
    )))
    .fetch_all(c)
    .await)?;
    for p in &mut rows {
        p.modules = portal_modules(tx, p.id).await?;
    }
    Ok(rows)
}

pub async fn get_portal(tx: &mut Tx, id: i64) -> Result<Option<Portal>> {
    // The portal and its modules in one statement (a row per module): every portal page
    // and token request reads its portal.
    let rows: Vec<PortalModuleRow> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT * FROM ({PORTAL_SELECT} WHERE id = $1) p LEFT JOIN (SELECT portal_id, \
         name AS module_name, name_de AS module_name_de, admin_only AS module_admin_only, \
         marketing AS module_marketing, position AS module_position, id AS module_id \
         FROM portal_modules) m ON m.portal_id = p.id ORDER BY m.module_position, m.module_id"
    )))
    .bind(id)
    .fetch_all(c)
    .await)?;
    let mut rows = rows.into_iter();
    let Some(PortalModuleRow { mut portal, module }) = rows.next() else {
        return Ok(None);
    };
    portal.modules = std::iter::once(module)
        .chain(rows.map(|r| r.module))
        .filter_map(ModuleColumns::into_module)
        .collect();
    Ok(Some(portal))
}

/// A row of [`get_portal`]: the portal, and one of its modules if it has any.
#[derive(sqlx::FromRow)]
struct PortalModuleRow {
    #[sqlx(flatten)]
    portal: Portal,
    #[sqlx(flatten)]
    module: ModuleColumns,
}

#[derive(sqlx::FromRow)]
struct ModuleColumns {
    module_name: Option<String>,
    module_name_de: Option<String>,
    module_admin_only: Option<bool>,
    module_marketing: Option<bool>,
}

impl ModuleColumns {
    fn into_module(self) -> Option<Module> {
        Some(Module {
            name: self.module_name?,
            name_de: self.module_name_de,
            admin_only: self.module_admin_only.unwrap_or(false),
            marketing: self.module_marketing.unwrap_or(false),
        })
    }
}

pub async fn find_portal_by_name(tx: &mut Tx, name: &str) -> Result<Option<i64>> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM portals WHERE lower(name) = lower($1)"
    )
    .bind(name)
    .fetch_optional(c)
    .await)
}

pub struct PortalRow<'a> {
    pub name: &'a str,
    pub name_de: Option<&'a str>,
    pub kind: PortalKind,
    pub base_url: &'a str,
    pub registration_mode: RegistrationMode,
    pub self_registration_creates_contact: bool,
    pub notify_staff_on_new_link: bool,
    pub invitation_lifetime_days: i64,
    pub default_language: &'a str,
    pub default_time_zone: &'a str,
}

pub async fn insert_portal(tx: &mut Tx, p: &PortalRow<'_>, now: i64) -> Result<i64> {
    on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO portals (name, kind, base_url, registration_mode, self_registration_creates_contact, \
         invitation_lifetime_days, default_language, notify_staff_on_new_link, created_at, updated_at, \
         default_time_zone, name_de) VALUES ($1, $2, $3, $4, $5, $6, $7, $9, $8, $8, $10, $11) RETURNING id"
    )
    .bind(p.name)
    .bind(p.kind)
    .bind(p.base_url)
    .bind(p.registration_mode)
    .bind(p.self_registration_creates_contact)
    .bind(p.invitation_lifetime_days)
    .bind(p.default_language)
    .bind(now)
    .bind(p.notify_staff_on_new_link)
    .bind(p.default_time_zone)
    .bind(p.name_de)
    .fetch_one(c)
    .await
    })
}

pub async fn update_portal(tx: &mut Tx, id: i64, p: &PortalRow<'_>, now: i64) -> Result<()> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE portals SET name = $1, kind = $2, base_url = $3, registration_mode = $4, \
         self_registration_creates_contact = $5, invitation_lifetime_days = $6, default_language = $7, \
         updated_at = $8, notify_staff_on_new_link = $10, default_time_zone = $11, name_de = $12 WHERE id = $9"
    )
    .bind(p.name)
    .bind(p.kind)
    .bind(p.base_url)
    .bind(p.registration_mode)
    .bind(p.self_registration_creates_contact)
    .bind(p.invitation_lifetime_days)
    .bind(p.default_language)
    .bind(now)
    .bind(id)
    .bind(p.notify_staff_on_new_link)
    .bind(p.default_time_zone)
    .bind(p.name_de)
    .execute(c)
    .await
    })?;
    Ok(())
}

/// A portal's impersonation settings (see [`Portal`]).
pub async fn set_impersonation(
    tx: &mut Tx,
    id: i64,
    allowed: bool,
    actions: bool,
    notice: bool,
    now: i64,
) -> Result<u64> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE portals SET impersonation_allowed = $1, impersonation_actions = $2, \
         impersonation_notice = $3, updated_at = $4 WHERE id = $5"
    )
    .bind(allowed)
    .bind(actions)
    .bind(notice)
    .bind(now)
    .bind(id)
    .execute(c)
    .await)
}

/// Replaces a portal's modules, keeping their order.
pub async fn set_portal_modules(tx: &mut Tx, id: i64, modules: &[Module]) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM portal_modules WHERE portal_id = $1"
    )
    .bind(id)
    .execute(c)
    .await)?;
    for (position, m) in modules.iter().enumerate() {
        exec_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO portal_modules (portal_id, name, admin_only, marketing, position, name_de) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(&m.name)
            .bind(m.admin_only)
            .bind(m.marketing)
            .bind(position as i64)
            .bind(m.name_de.as_deref())
            .execute(c)
            .await
        })?;
    }
    Ok(())
}
