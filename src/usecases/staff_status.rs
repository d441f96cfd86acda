//! A staff user found by e-mail address, switched off or on: staff recovery from the command
//! line. The last active administrator stays, by the same rule as the console's changes.

use super::staff::{Next, write_change};
use super::{Actor, Ctx, Error, Result};
use crate::domain::EmailAddress;
use crate::domain::staff::{self as rules, StaffRole};
use crate::storage::staff::{self as store, StaffUser};

fn address(email: &str) -> Result<EmailAddress> {
    EmailAddress::parse(email).map_err(|m| Error::invalid("email", m))
}

/// The staff user with this e-mail address.
pub async fn find_by_email(cx: &Ctx, actor: &Actor, email: &str) -> Result<StaffUser> {
    actor.require_admin()?;
    let email = address(email)?;
    let mut tx = cx.db.read().await?;
    store::find_staff_by_email(&mut tx, email.as_str())
        .await?
        .ok_or(Error::NotFound("staff user"))
}

/// Switches a staff user off (their sessions end) or on. Refused when it would leave no
/// active administrator, also when several such changes come at once.
pub async fn set_active(cx: &Ctx, actor: &Actor, email: &str, active: bool) -> Result<StaffUser> {
    actor.require_admin()?;
    let email = address(email)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    // Lock first, so that a concurrent change waits and then sees this one.
    let active_admins = store::lock_active_admins(&mut tx).await?;
    let before = store::find_staff_by_email(&mut tx, email.as_str())
        .await?
        .ok_or(Error::NotFound("staff user"))?;
    let stays = before.role == StaffRole::Administrator && active;
    rules::check_admin_remains(before.id, stays, &active_admins)
        .map_err(|m| Error::Refused(m.into()))?;
    let (name, role, area_ids) = (before.name.clone(), before.role, before.area_ids.clone());
    let next = Next {
        name: &name,
        role,
        active,
        area_ids: &area_ids,
    };
    write_change(tx, cx, actor, before, &next, now).await
}
