//! The customer picker of the grant, invite and access forms (console and portal pages): an organization's groupings (its
//! partnerships, or its sub-accounts) with a checkbox per customer. None ticked in a grouping
//! means all of it.

use std::collections::BTreeSet;

use crate::domain::access::Grouping;
use crate::domain::directory::Language;
use crate::usecases::access::AssignmentInput;
use crate::usecases::directory::customer_groupings;
use crate::usecases::{Actor, Error};
use crate::web::AppState;

pub struct Choice {
    /// `p{partnership}:{customer}`, or `s:{customer}` among the sub-accounts.
    pub value: String,
    pub name: String,
    pub checked: bool,
}

pub struct GroupingView {
    pub label: String,
    pub customers: Vec<Choice>,
}

fn value(g: Grouping, customer: i64) -> String {
    match g {
        Grouping::Partnership(p) => format!("p{p}:{customer}"),
        Grouping::SubAccounts => format!("s:{customer}"),
    }
}

/// A grouping's name: a partnership's, or the organization's with its sub-accounts.
pub fn label(partnership: bool, name: &str, language: Language) -> String {
    let key = if partnership {
        "grouping-partnership"
    } else {
        "grouping-sub-accounts"
    };
    crate::catalog::tr_args(language.as_str(), key, &[("name", name.into())])
}

/// The picker for a contact or account of `organization`, with `chosen` ticked, its labels in
/// the page's `language`.
pub async fn groupings(
    s: &AppState,
    actor: &Actor,
    organization: Option<i64>,
    chosen: &BTreeSet<(Grouping, i64)>,
    language: Language,
) -> Result<Vec<GroupingView>, Error> {
    let Some(org) = organization else {
        return Ok(Vec::new());
    };
    let listing = customer_groupings(&s.cx, actor, org).await?;
    Ok(listing
        .into_iter()
        .map(|l| GroupingView {
            label: label(
                matches!(l.grouping, Grouping::Partnership(_)),
                &l.label,
                language,
            ),
            customers: l
                .customers
                .into_iter()
                .map(|(id, name)| Choice {
                    value: value(l.grouping, id),
                    name,
                    checked: chosen.contains(&(l.grouping, id)),
                })
                .collect(),
        })
        .collect())
}

/// The ticked set, as the picker's `chosen`.
pub fn chosen(list: &[AssignmentInput]) -> BTreeSet<(Grouping, i64)> {
    list.iter()
        .map(|a| {
            let g = match a.partnership_id {
                Some(p) => Grouping::Partnership(p),
                None => Grouping::SubAccounts,
            };
            (g, a.customer_id)
        })
        .collect()
}

/// The fields of a submitted form in order, a name as often as it was sent (checkboxes).
pub fn fields(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

/// Every value sent under `name`.
pub fn all(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .collect()
}

/// The first value sent under `name`, or empty.
pub fn one<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The ticked customers of a submitted form (values that are not a picker's are skipped).
pub fn parse(values: &[String]) -> Vec<AssignmentInput> {
    values
        .iter()
        .filter_map(|v| {
            let (g, c) = v.split_once(':')?;
            let customer_id = c.parse().ok()?;
            let partnership_id = match g {
                "s" => None,
                p => Some(p.strip_prefix('p')?.parse().ok()?),
            };
            Some(AssignmentInput {
                partnership_id,
                customer_id,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn picker_values_name_grouping_and_customer() {
        let got = super::parse(&["p7:12".into(), "s:3".into(), "x:1".into(), "p:2".into()]);
        let pairs: Vec<(Option<i64>, i64)> = got
            .iter()
            .map(|a| (a.partnership_id, a.customer_id))
            .collect();
        assert_eq!(pairs, [(Some(7), 12), (None, 3)]);
    }
}
