//! Staff users and what each may see: administrators everything, supervisors their areas.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Administrator,
    Supervisor,
}

impl StaffRole {
    pub const ALL: &'static [StaffRole] = &[StaffRole::Administrator, StaffRole::Supervisor];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Administrator => "administrator",
            StaffRole::Supervisor => "supervisor",
        }
    }

    pub fn parse(s: &str) -> Result<Self, crate::catalog::Message> {
        match s.trim() {
            "administrator" => Ok(StaffRole::Administrator),
            "supervisor" => Ok(StaffRole::Supervisor),
            _ => Err(crate::catalog::Message::new("error-staff-role")),
        }
    }
}

super::column::status_column!(StaffRole);

impl std::fmt::Display for StaffRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The part of the directory an actor may see and change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Scope {
    /// Everything: staff administrators, unrestricted API keys, the CLI.
    All,
    /// Only organizations (and their contacts) in these areas.
    Areas(Vec<i64>),
}

impl Scope {
    pub fn is_all(&self) -> bool {
        matches!(self, Scope::All)
    }

    /// May the actor see an organization in `area` (`None`: an organization without area)?
    /// An organization without an area belongs to no supervisor.
    pub fn allows_area(&self, area: Option<i64>) -> bool {
        match (self, area) {
            (Scope::All, _) => true,
            (Scope::Areas(areas), Some(a)) => areas.contains(&a),
            (Scope::Areas(_), None) => false,
        }
    }

    /// The areas to filter on; `None` means no filter.
    pub fn area_filter(&self) -> Option<&[i64]> {
        match self {
            Scope::All => None,
            Scope::Areas(a) => Some(a),
        }
    }
}

/// The message when a change would leave no active administrator.
pub fn last_admin() -> crate::catalog::Message {
    crate::catalog::Message::new("error-last-administrator")
}

/// At least one active administrator always remains: a change that takes `target` out of the
/// active administrators is allowed only when another active administrator exists.
/// `active_admins` are the ids of the active administrators, read under a lock.
pub fn check_admin_remains(
    target: i64,
    stays_active_admin: bool,
    active_admins: &[i64],
) -> Result<(), crate::catalog::Message> {
    if stays_active_admin {
        return Ok(());
    }
    let others = active_admins.iter().filter(|&&id| id != target).count();
    if others == 0 && active_admins.contains(&target) {
        return Err(last_admin());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supervisors_see_only_their_areas() {
        let s = Scope::Areas(vec![1, 2]);
        assert!(s.allows_area(Some(1)));
        assert!(!s.allows_area(Some(3)));
        assert!(!s.allows_area(None));
        assert!(Scope::All.allows_area(None));
    }

    #[test]
    fn the_last_active_administrator_stays() {
        assert_eq!(check_admin_remains(1, false, &[1]), Err(last_admin()));
        assert_eq!(
            last_admin().english(),
            "This is the last active administrator. Make another staff user an active administrator first."
        );
        assert!(check_admin_remains(1, false, &[1, 2]).is_ok());
        assert!(check_admin_remains(1, true, &[1]).is_ok());
        // Someone who is not an active administrator can always be changed.
        assert!(check_admin_remains(3, false, &[1]).is_ok());
    }
}
