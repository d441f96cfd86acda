//! The actions of Admit. Each runs its rule inside one database transaction and writes the
//! audit event in that same transaction, so that a change and its record stand or fall together.

use serde::Serialize;

use crate::clock::SharedClock;
use crate::domain::FieldErrors;
use crate::domain::staff::Scope;
use crate::domain::validation::Problem;
use crate::security::passwords::PasswordHasher;
use crate::storage::audit::{self, NewAuditEvent};
use crate::storage::{Db, Tx};

pub mod access;
pub mod accounts;
pub mod apikeys;
pub mod audit_log;
pub mod directory;
pub mod impersonation;
pub mod limits;
pub mod mail;
pub mod mail_templates;
pub mod metrics;
pub mod notifications;
pub mod oidc;
pub mod profile;
pub mod registration;
pub mod sessions;
pub mod staff;
pub mod staff_status;
pub mod team;

/// What the actions need: the database, the clock, the password hasher, the outbox settings.
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub clock: SharedClock,
    pub hasher: PasswordHasher,
    /// The rules a new password must pass (and the breach check, when configured).
    pub passwords: crate::security::password_policy::PasswordPolicy,
    pub mail: mail::MailSettings,
    /// Wakes the outbox worker when a message was queued, so that it need not wait for its poll.
    pub mail_wakeup: std::sync::Arc<tokio::sync::Notify>,
    /// Wakes the back-channel logout worker when a logout was queued.
    pub logout_wakeup: std::sync::Arc<tokio::sync::Notify>,
    /// The keys that sign OpenID Connect tokens, parsed, loaded on first use.
    pub keys: std::sync::Arc<oidc::keys::KeyCache>,
    /// The writer that commits refresh-token rotations together.
    pub rotations: std::sync::Arc<oidc::rotations::Rotations>,
    /// Account scopes computed lately, for the tokens' `admit` claim.
    pub scopes: std::sync::Arc<access::scope_cache::ScopeCache>,
    /// OpenID Connect clients authenticated lately, kept while no client has changed.
    pub clients: std::sync::Arc<oidc::client_cache::ClientCache>,
    /// The figures scraped at `/metrics`.
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
}

impl Ctx {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Staff,
    ApiKey,
    Cli,
    System,
    /// A person on the portal pages, acting on their own account.
    PortalUser,
}

impl ActorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ActorKind::Staff => "staff",
            ActorKind::ApiKey => "api_key",
            ActorKind::Cli => "cli",
            ActorKind::System => "system",
            ActorKind::PortalUser => "portal_user",
        }
    }
}

/// Who is acting, what they may reach, and from where.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<i64>,
    pub label: String,
    pub scope: Scope,
    /// Administrators (and unrestricted keys, the CLI) manage areas, portals, staff and keys.
    pub admin: bool,
    pub client_addr: Option<String>,
    /// An organization's admin on the portal pages: manages the accounts of its organization
    /// on its portal, and nothing else (its `scope` reaches no area).
    pub team: Option<Team>,
}

/// Where an organization admin acting on the portal pages manages: its own account's
/// organization and portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Team {
    /// The admin's own account.
    pub account_id: i64,
    pub organization_id: i64,
    pub portal_id: i64,
}

impl Actor {
    pub fn cli() -> Self {
        let user = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
        Actor {
            kind: ActorKind::Cli,
            id: None,
            label: format!("command line ({user})"),
            scope: Scope::All,
            admin: true,
            client_addr: None,
            team: None,
        }
    }

    pub fn system(label: &str) -> Self {
        Actor {
            kind: ActorKind::System,
            id: None,
            label: label.into(),
            scope: Scope::All,
            admin: true,
            client_addr: None,
            team: None,
        }
    }

    /// May the actor see and manage this portal account? Staff and keys by area; an
    /// organization admin the accounts of its organization on its portal.
    pub fn reaches(&self, a: &crate::storage::accounts::PortalAccount) -> bool {
        match &self.team {
            Some(t) => a.organization_id == Some(t.organization_id) && a.portal_id == t.portal_id,
            None => self.scope.allows_area(a.area_id),
        }
    }

    /// The account `id`, when the actor reaches it (else "not found", as for a missing one).
    pub async fn account(
        &self,
        tx: &mut Tx,
        id: i64,
    ) -> Result<crate::storage::accounts::PortalAccount> {
        match crate::storage::accounts::get(tx, id).await? {
            Some(a) if self.reaches(&a) => Ok(a),
            _ => Err(Error::NotFound("account")),
        }
    }

    pub fn require_admin(&self) -> Result<(), Error> {
        if self.admin {
            Ok(())
        } else {
            Err(Error::Forbidden(
                crate::catalog::Message::new("error-admins-only").into(),
            ))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is wrong; each error names its field. Nothing was written.
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    /// The thing does not exist, or lies outside what the actor may see.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The input clashes with what exists (a taken external id, a taken name).
    #[error("conflict: {0}")]
    Conflict(FieldErrors),
    /// A rule refuses the change (the last administrator stays).
    #[error("{0}")]
    Refused(Problem),
    #[error("{0}")]
    Forbidden(Problem),
    /// Too many attempts: try again after a while.
    #[error("too many attempts; try again in {retry_after_s} s")]
    TooMany { retry_after_s: i64 },
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("{0}")]
    Internal(#[from] anyhow::Error),
}

impl From<FieldErrors> for Error {
    fn from(e: FieldErrors) -> Self {
        Error::Invalid(e)
    }
}

impl Error {
    pub fn invalid(field: &str, message: impl Into<crate::domain::validation::Problem>) -> Self {
        Error::Invalid(FieldErrors::single(field, message))
    }

    pub fn conflict(field: &str, message: impl Into<crate::domain::validation::Problem>) -> Self {
        Error::Conflict(FieldErrors::single(field, message))
    }

    /// A unique violation that a check inside the transaction could not see (a concurrent
    /// write) becomes a conflict instead of a server error.
    pub fn from_write(err: sqlx::Error, field: &str) -> Self {
        if crate::storage::is_unique_violation(&err) {
            Error::conflict(field, crate::catalog::Message::new("error-in-use"))
        } else {
            Error::Db(err)
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What an audit event says about its target.
pub struct Target<'a> {
    pub kind: &'a str,
    pub id: Option<i64>,
    pub label: &'a str,
}

/// Writes an audit event inside `tx`.
pub async fn record(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    action: &str,
    target: Target<'_>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<()> {
    record_id(tx, now, actor, action, target, before, after).await?;
    Ok(())
}

/// As [`record`], returning the event's id.
pub async fn record_id(
    tx: &mut Tx,
    now: i64,
    actor: &Actor,
    action: &str,
    target: Target<'_>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<i64> {
    let id = audit::insert(
        tx,
        &NewAuditEvent {
            occurred_at: now,
            actor_kind: actor.kind.as_str(),
            actor_id: actor.id,
            actor_label: &actor.label,
            action,
            target_kind: target.kind,
            target_id: target.id,
            target_label: target.label,
            before,
            after,
            client_addr: actor.client_addr.as_deref(),
        },
    )
    .await?;
    Ok(id)
}

pub fn json<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}
