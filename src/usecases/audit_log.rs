//! Reading the audit log: who changed what, when (administrators only).

use super::{Actor, Ctx, Result};
use crate::storage::audit::{self as store, AuditEvent, AuditFilter};

/// The events that match, newest first.
pub async fn list_events(cx: &Ctx, actor: &Actor, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    Ok(store::list(&mut tx, filter).await?)
}
