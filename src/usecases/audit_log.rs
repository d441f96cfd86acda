//! Reading the audit log: who changed what, when (administrators only).

use super::{Actor, Ctx, Result};
use crate::storage::audit::{self as store, AuditEvent, AuditFilter};

/// The events that match, newest first.
pub async fn list_events(cx: &Ctx, actor: &Actor, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    Ok(store::list(&mut tx, filter).await?)
}

/// The names of staff members by id, to say who did what ("Declined by Maria Keller"). A staff
/// member without a name, or gone, is left out (the event's label names them).
pub async fn staff_names(
    cx: &Ctx,
    ids: impl IntoIterator<Item = i64>,
) -> Result<std::collections::HashMap<i64, String>> {
    let ids: std::collections::BTreeSet<i64> = ids.into_iter().collect();
    let mut tx = cx.db.read().await?;
    let mut names = std::collections::HashMap::new();
    for id in ids {
        if let Some(user) = crate::storage::staff::get_staff(&mut tx, id).await?
            && !user.name.trim().is_empty()
        {
            names.insert(id, user.name);
        }
    }
    Ok(names)
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
