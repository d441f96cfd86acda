//! Reads of portal accounts that the console's pages show beside other records.

use super::{Actor, Ctx, Result};
use crate::storage::accounts::{self as store, PortalAccount};

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
