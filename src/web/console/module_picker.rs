//! The portal, role and modules of the console's grant forms (a contact's page, an
//! organization's page): only the chosen portal's modules are offered, each once (the other
//! portals' are hidden and disabled until their portal is chosen), and a refused grant shows
//! the form again as it was filled in.

use crate::storage::directory::Portal;

/// What a grant form has chosen: shown again after a refusal.
pub struct GrantChoice {
    pub portal_id: i64,
    pub role: String,
    pub modules: Vec<String>,
}

/// `wanted` when it is one of `ids`, else the first of them (0 when there is none).
fn pick(ids: &[i64], wanted: Option<i64>) -> i64 {
    wanted
        .filter(|w| ids.contains(w))
        .or(ids.first().copied())
        .unwrap_or(0)
}

fn ids(portals: &[Portal]) -> Vec<i64> {
    portals.iter().map(|p| p.id).collect()
}

impl GrantChoice {
    /// A fresh form: the first portal, a user, no module.
    pub fn fresh(portals: &[Portal]) -> Self {
        GrantChoice {
            portal_id: pick(&ids(portals), None),
            role: "user".into(),
            modules: Vec::new(),
        }
    }

    /// The form as sent; a portal that is not among `portals` falls back to the first.
    pub fn typed(portals: &[Portal], portal_id: i64, role: &str, modules: Vec<String>) -> Self {
        GrantChoice {
            portal_id: pick(&ids(portals), Some(portal_id)),
            role: role.to_string(),
            modules,
        }
    }

    /// Whether module `name` of portal `portal` is ticked.
    pub fn ticked(&self, portal: &i64, name: &str) -> bool {
        *portal == self.portal_id && self.modules.iter().any(|m| m == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chosen_portal_is_one_of_the_list_else_the_first() {
        assert_eq!(pick(&[3, 5], None), 3);
        assert_eq!(pick(&[3, 5], Some(5)), 5);
        assert_eq!(pick(&[3, 5], Some(9)), 3);
        assert_eq!(pick(&[], Some(9)), 0);
    }

    #[test]
    fn a_sent_form_ticks_its_modules_on_its_portal_only() {
        let g = GrantChoice {
            portal_id: 5,
            role: "admin".into(),
            modules: vec!["Invoices".into()],
        };
        assert!(g.ticked(&5, "Invoices"));
        assert!(!g.ticked(&3, "Invoices"), "the same name on another portal");
        assert!(!g.ticked(&5, "Pricing"));
    }
}
