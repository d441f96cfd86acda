//! Portal accounts, one file a capability:
//! - [`grant`]: granting a contact access, inviting many people of an organization at once;
//! - [`links`]: the single-use links of e-mails (made as they are sent), accepting an
//!   invitation, sending an invitation or activation link again, a new link on request;
//! - [`password`]: forgot password, staff's set-password link, a new password by link;
//! - [`login`]: logging in on a portal page, portal sessions, logging out;
//! - [`status`]: approve, decline, switch access off and on, valid-until, deactivate,
//!   reactivate, remove;
//! - [`confirm`]: what an action that takes something away will do, before it is done.
//!
//! Reading accounts (one, the access list, an account's history) is here.

use super::{Actor, ActorKind, Ctx, Result};
use crate::security::password_policy::PasswordContext;
use crate::storage::accounts::{self as store, PortalAccount};
use crate::storage::outbox::OutboxMessage;

mod confirm;
mod grant;
mod links;
mod login;
mod password;
mod status;
mod undo;

pub use confirm::{Confirmed, Consequence, PlannedMail, consequence};
pub use grant::{GrantInput, InviteInput, Invited, grant_access, invite_many, inviter_of};
pub(crate) use links::check_link;
pub use links::{
    accept_invitation, check_invitation, check_password_link, mint_link, request_new_link,
    resend_link,
};
pub use login::{Attempt, PortalLogin, log_in, portal_login, portal_logout, portal_session};
pub use password::{request_password_reset, reset_password, send_password_link};
pub use status::{
    Changed, QueuedMail, StatusAction, StatusAfter, StatusChange, change_status,
    change_status_told, remove_account, remove_account_told,
};
pub use undo::{MailUndone, UNDO_MINUTES, UNDOABLE, Undone, undo_code, undo_status_change};

pub async fn get_account(cx: &Ctx, actor: &Actor, id: i64) -> Result<PortalAccount> {
    let mut tx = cx.db.read().await?;
    actor.account(&mut tx, id).await
}

/// The person acting on their own account from the portal pages.
pub fn person(account: &PortalAccount, client_addr: Option<String>) -> Actor {
    Actor {
        kind: ActorKind::PortalUser,
        id: Some(account.id),
        label: account.email.clone(),
        scope: crate::domain::staff::Scope::Areas(vec![]),
        admin: false,
        client_addr,
        team: None,
    }
}

pub async fn list_accounts(
    cx: &Ctx,
    actor: &Actor,
    filter: &store::AccountFilter,
) -> Result<crate::storage::directory::Page<PortalAccount>> {
    let mut tx = cx.db.read().await?;
    let mut page = store::list(&mut tx, &actor.scope, filter).await?;
    store::fill_modules(&mut tx, &mut page.items).await?;
    Ok(page)
}

/// A page of the access list in the chosen order (`chosen` false: the list's own), and how
/// many accounts the filter finds.
pub async fn accounts_in_order(
    cx: &Ctx,
    actor: &Actor,
    filter: &store::AccountFilter,
    order: &crate::storage::listing::Order,
    chosen: bool,
    window: crate::storage::listing::Window,
) -> Result<crate::storage::listing::Counted<PortalAccount>> {
    let mut tx = cx.db.read().await?;
    let mut page = store::in_order(&mut tx, &actor.scope, filter, order, chosen, window).await?;
    store::fill_modules(&mut tx, &mut page.items).await?;
    Ok(page)
}

/// The accounts of `ids` the actor may see, in e-mail order (others are left out).
pub async fn these_accounts(cx: &Ctx, actor: &Actor, ids: &[i64]) -> Result<Vec<PortalAccount>> {
    let mut tx = cx.db.read().await?;
    Ok(store::these(&mut tx, &actor.scope, ids).await?)
}

/// How many accounts the access list would show with `filter` (its text search aside).
pub async fn count_accounts(cx: &Ctx, actor: &Actor, filter: &store::AccountFilter) -> Result<i64> {
    let mut tx = cx.db.read().await?;
    Ok(store::count(&mut tx, &actor.scope, filter).await?)
}

/// An account with its history from the audit log and its e-mails from the outbox, newest first.
pub struct AccountDetail {
    pub account: PortalAccount,
    pub history: Vec<crate::storage::audit::AuditEvent>,
    pub messages: Vec<OutboxMessage>,
    /// Its portal sessions that have not reached their end.
    pub sessions: Vec<crate::storage::sessions::Session>,
}

pub async fn account_detail(cx: &Ctx, actor: &Actor, id: i64) -> Result<AccountDetail> {
    let mut tx = cx.db.read().await?;
    let account = actor.account(&mut tx, id).await?;
    let history = crate::storage::audit::list(
        &mut tx,
        &crate::storage::audit::AuditFilter {
            target_kind: Some("portal_account".into()),
            target_id: Some(id),
            limit: 100,
            ..Default::default()
        },
    )
    .await?;
    let messages =
        crate::storage::outbox::of_account(&mut tx, account.portal_id, &account.email, id, 50)
            .await?;
    let now = cx.now();
    let sessions =
        crate::storage::sessions::of_owner(&mut tx, crate::storage::sessions::Kind::Portal, id)
            .await?
            .into_iter()
            .filter(|s| s.expires_at > now)
            .collect();
    Ok(AccountDetail {
        account,
        history,
        messages,
        sessions,
    })
}

/// The portal accounts of a contact the actor may see ("not found" outside their areas).
pub async fn accounts_of_contact(
    cx: &Ctx,
    actor: &Actor,
    contact_id: i64,
) -> Result<Vec<PortalAccount>> {
    super::directory::get_contact(cx, actor, contact_id).await?;
    let mut tx = cx.db.read().await?;
    Ok(store::of_contact(&mut tx, contact_id).await?)
}

/// The words a portal account's password must not contain: the person's name and addresses,
/// the portal's and the organization's names.
pub fn password_context(account: &PortalAccount) -> PasswordContext {
    let mut context = PasswordContext::new()
        .name(&account.portal_name)
        .name(&account.name)
        .email(&account.email);
    if let Some(org) = &account.organization_name {
        context = context.name(org);
    }
    if let Some(pending) = &account.pending_email {
        context = context.email(pending);
    }
    context
}
