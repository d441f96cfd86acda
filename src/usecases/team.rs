//! An organization's admins manage their own team on the portal pages: the accounts of their
//! organization on their portal. They act through the same actions as staff (invite, resend,
//! cancel, change role, modules and customers, deactivate, reactivate, remove), with the same
//! rules and e-mails, limited by [`Actor::reaches`] to their organization and by
//! [`super::access::check_giver`] to what they have themselves.

use super::{Actor, ActorKind, Ctx, Error, Result, Team};
use crate::domain::account::Role;
use crate::storage::accounts::{self as store, AccountFilter, PortalAccount};

/// The most accounts the team page lists.
pub const TEAM_LIMIT: i64 = 1000;

/// The actor of an organization admin on the portal pages, or `Forbidden` when the account is
/// not an admin of an organization.
pub fn team_actor(account: &PortalAccount, client_addr: Option<String>) -> Result<Actor> {
    match (account.role, account.organization_id) {
        (Role::Admin, Some(organization_id)) => Ok(Actor {
            kind: ActorKind::PortalUser,
            id: Some(account.id),
            label: if account.name.trim().is_empty() {
                account.email.clone()
            } else {
                account.name.clone()
            },
            scope: crate::domain::staff::Scope::Areas(vec![]),
            admin: false,
            client_addr,
            team: Some(Team {
                account_id: account.id,
                organization_id,
                portal_id: account.portal_id,
            }),
        }),
        _ => Err(Error::Forbidden(
            crate::catalog::Message::new("error-team-admins-only").into(),
        )),
    }
}

/// The team of an organization admin: every account of its organization on its portal
/// (invited, active, deactivated), by e-mail address, at most [`TEAM_LIMIT`]; and whether there
/// are more.
pub async fn members(cx: &Ctx, actor: &Actor) -> Result<(Vec<PortalAccount>, bool)> {
    let team = actor.team.ok_or_else(|| {
        Error::Forbidden(crate::catalog::Message::new("error-team-admins-only-see").into())
    })?;
    let mut tx = cx.db.read().await?;
    let filter = AccountFilter {
        portal_id: Some(team.portal_id),
        organization_id: Some(team.organization_id),
        limit: TEAM_LIMIT,
        ..Default::default()
    };
    let mut page = store::list(&mut tx, &crate::domain::staff::Scope::All, &filter).await?;
    store::fill_modules(&mut tx, &mut page.items).await?;
    let more = page.next.is_some();
    Ok((page.items, more))
}

/// What a person sees on the portal, for their "my access" page: their scope, and its
/// customers by name in the groupings they come from.
#[derive(Debug, Clone)]
pub struct MyAccess {
    pub scope: super::access::ScopeView,
    pub groupings: Vec<crate::storage::access::GroupingListing>,
}

/// The scope of the logged-in person's own account.
pub async fn my_access(cx: &Ctx, account: &PortalAccount) -> Result<MyAccess> {
    let mut tx = cx.db.read().await?;
    let scope = super::access::scope_in(&mut tx, account, cx.now()).await?;
    let mut groupings = match account.organization_id {
        Some(org) if !scope.customers.is_empty() => {
            crate::storage::access::groupings(&mut tx, org).await?
        }
        _ => Vec::new(),
    };
    for g in &mut groupings {
        g.customers
            .retain(|(id, _)| scope.customers.binary_search(id).is_ok());
    }
    groupings.retain(|g| !g.customers.is_empty());
    Ok(MyAccess { scope, groupings })
}

/// The modules of `portal` the person sees once logged in, in the portal's order: an admin
/// every one.
pub fn modules_seen(
    portal: &crate::storage::directory::Portal,
    account: &PortalAccount,
) -> Vec<String> {
    let modules: Vec<crate::domain::access::Module> = portal
        .modules
        .iter()
        .map(|m| crate::domain::access::Module {
            name: m.name.clone(),
            admin_only: m.admin_only,
            marketing: m.marketing,
        })
        .collect();
    let granted = account.modules.iter().cloned().collect();
    crate::domain::access::modules_seen(account.role, &modules, &granted)
}
