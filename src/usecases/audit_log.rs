//! Reading the audit log: who changed what, when (administrators only).

use super::{Actor, Ctx, Result};
use crate::storage::audit::{self as store, AuditEvent, AuditFilter};

/// The events that match, newest first.
pub async fn list_events(cx: &Ctx, actor: &Actor, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    Ok(store::list(&mut tx, filter).await?)
}

/// A page of the audit log in the chosen order, and how many events the filter finds.
pub async fn events_in_order(
    cx: &Ctx,
    actor: &Actor,
    filter: &AuditFilter,
    order: &crate::storage::listing::Order,
    window: crate::storage::listing::Window,
) -> Result<crate::storage::listing::Counted<AuditEvent>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    Ok(store::in_order(&mut tx, filter, order, window).await?)
}
