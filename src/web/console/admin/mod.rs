//! Console pages for administrators: areas, partnerships, portals, staff users, API keys,
//! the audit log; and every staff user's own account (password, sessions).

use axum::Router;

use super::Errors;
use crate::domain::directory::OrganizationKind;
use crate::storage::directory::{Area, Organization, OrganizationFilter, decode_cursor};
use crate::usecases::directory as dir_uc;
use crate::usecases::{Actor, Ctx, Error};
use crate::web::AppState;

mod account;
mod apikeys;
mod areas;
mod audit;
mod audit_csv;
mod categories;
mod oidc_clients;
mod partnerships;
mod portals;
mod staff;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(areas::router())
        .merge(partnerships::router())
        .merge(portals::router())
        .merge(categories::router())
        .merge(oidc_clients::router())
        .merge(staff::router())
        .merge(apikeys::router())
        .merge(audit::router())
        .merge(audit_csv::router())
        .merge(account::router())
}

/// A form as the browser sends it, keeping repeated fields (checkbox lists).
struct FormData(Vec<(String, String)>);

impl FormData {
    fn parse(bytes: &[u8]) -> Self {
        FormData(
            form_urlencoded::parse(bytes)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of a field, or "".
    fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Whether the field was sent at all (a ticked checkbox).
    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// Every value of a repeated id field; anything but a number is an error.
    fn ids(&self, errors: &mut Errors, name: &str) -> Vec<i64> {
        let mut ids = Vec::new();
        for (k, v) in &self.0 {
            if k != name || v.trim().is_empty() {
                continue;
            }
            match v.trim().parse::<i64>() {
                Ok(id) => {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                Err(_) => {
                    if errors.get(name).is_none() {
                        errors.add(name, "must be chosen from the list");
                    }
                }
            }
        }
        ids
    }
}

/// One checkbox of a list.
struct Choice {
    id: i64,
    name: String,
    checked: bool,
}

fn area_choices(areas: &[Area], selected: &[i64]) -> Vec<Choice> {
    areas
        .iter()
        .map(|a| Choice {
            id: a.id,
            name: a.name.clone(),
            checked: selected.contains(&a.id),
        })
        .collect()
}

/// The names of areas by id, for lists; unknown ids show as `#id`.
fn area_names(areas: &[Area], ids: &[i64]) -> String {
    ids.iter()
        .map(|id| {
            areas
                .iter()
                .find(|a| a.id == *id)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| format!("#{id}"))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Every organization of a kind the actor may see, page by page.
async fn all_organizations(
    cx: &Ctx,
    actor: &Actor,
    kind: OrganizationKind,
) -> Result<Vec<Organization>, Error> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let page = dir_uc::list_organizations(
            cx,
            actor,
            &OrganizationFilter {
                kind: Some(kind),
                after,
                limit: 1000,
                ..Default::default()
            },
        )
        .await?;
        out.extend(page.items);
        match page.next.as_deref().and_then(decode_cursor) {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(out)
}
