//! The access list: every portal account, with its statuses side by side and filters on each.

use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;

use super::accounts::Labels;
use super::badge::Badge;
use super::listing::{ListParams, Listing, Pager};
use super::{Chrome, Staff};
use crate::catalog::Message;
use crate::domain::account::{Approval, Assignment, Lifecycle, Registration, Role};
use crate::domain::directory::PortalKind;
use crate::storage::accounts::{ACCOUNT_COLUMNS, AccountFilter, PortalAccount, ValidUntilFilter};
use crate::storage::directory::Portal;
use crate::usecases::access::{AssignedCount, assigned_counts};
use crate::usecases::accounts as uc;
use crate::usecases::directory as dir_uc;
use crate::web::AppState;
use crate::web::page::PageResult;

pub fn router() -> Router<AppState> {
    Router::new().route("/console/access", get(access_list))
}

#[derive(Deserialize, Default)]
pub struct AccessQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    portal_id: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    registration: String,
    #[serde(default)]
    approval: String,
    #[serde(default)]
    assignment: String,
    #[serde(default)]
    access: String,
    #[serde(default)]
    lifecycle: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organization_id: String,
    /// `set`, `none`, `past` or `ending` (within 7 days).
    #[serde(default)]
    valid_until: String,
    /// `expiring`: invitations whose link stops working within 48 hours.
    #[serde(default)]
    invitation: String,
    #[serde(flatten)]
    list: ListParams,
}

impl AccessQuery {
    /// The list's filter; `now` in ms.
    pub fn filter(&self, now: i64) -> AccountFilter {
        AccountFilter {
            q: Some(self.q.clone()).filter(|x| !x.trim().is_empty()),
            portal_id: self.portal_id.parse().ok(),
            source: known(&self.source, PortalKind::ALL, PortalKind::as_str),
            registration: known(&self.registration, Registration::ALL, Registration::as_str),
            approval: known(&self.approval, Approval::ALL, Approval::as_str),
            assignment: known(&self.assignment, Assignment::ALL, Assignment::as_str),
            access_granted: match self.access.as_str() {
                "granted" => Some(true),
                "off" => Some(false),
                _ => None,
            },
            lifecycle: known(&self.lifecycle, Lifecycle::ALL, Lifecycle::as_str),
            role: known(&self.role, Role::ALL, Role::as_str),
            organization_id: self.organization_id.parse().ok(),
            valid_until: match self.valid_until.as_str() {
                "set" => Some(ValidUntilFilter::Set),
                "none" => Some(ValidUntilFilter::None),
                "past" => Some(ValidUntilFilter::Past {
                    today: crate::clock::today(now),
                }),
                "ending" => Some(ValidUntilFilter::Ending {
                    today: crate::clock::today(now),
                }),
                _ => None,
            },
            invitation_expiring: (self.invitation == "expiring").then_some(now),
            after: None,
            limit: PAGE_SIZE,
        }
    }

    /// The list's filters, by their names in the address.
    pub fn filters(&self) -> [(&'static str, &str); 12] {
        [
            ("q", &self.q),
            ("portal_id", &self.portal_id),
            ("source", &self.source),
            ("registration", &self.registration),
            ("approval", &self.approval),
            ("assignment", &self.assignment),
            ("access", &self.access),
            ("lifecycle", &self.lifecycle),
            ("role", &self.role),
            ("organization_id", &self.organization_id),
            ("valid_until", &self.valid_until),
            ("invitation", &self.invitation),
        ]
    }

    /// The list as asked for: its filters, order and page.
    pub fn listing(&self, language: &str) -> Listing {
        Listing::new(
            "/console/access",
            &self.filters(),
            &self.list,
            ACCOUNT_COLUMNS,
            false,
            PAGE_SIZE,
            language,
        )
    }

    /// This list's address with its filters but `skip`, on its first page in its order.
    fn without(&self, skip: &str) -> String {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.filters() {
            if !v.is_empty() && k != skip {
                ser.append_pair(k, v);
            }
        }
        for (k, v) in [("sort", &self.list.sort), ("dir", &self.list.dir)] {
            if !v.is_empty() {
                ser.append_pair(k, v);
            }
        }
        format!("/console/access?{}", ser.finish())
    }
}

/// Accounts on a page of the access list.
const PAGE_SIZE: i64 = 50;

/// The organization the list is narrowed to: its id, its name when the staff user may see
/// it, and the list's address without it.
pub struct OrganizationChip {
    pub id: i64,
    pub name: Option<String>,
    pub remove: String,
}

pub struct Row {
    pub a: PortalAccount,
    pub registration: Badge,
    pub approval: Badge,
    pub assignment: Badge,
    pub access: Badge,
    pub lifecycle: Badge,
    pub valid_until: String,
    pub last_login: String,
    /// What customers it sees: "all", "none", or how many are assigned per partnership.
    pub customers: String,
}

/// The customers column of a row.
fn customers_of(a: &PortalAccount, counts: Option<&Vec<AssignedCount>>) -> String {
    match (a.role, counts) {
        (Role::Admin, _) | (Role::User, None) => "all".into(),
        (Role::User, Some(list)) => list
            .iter()
            .map(|c| match &c.partnership {
                Some(p) => format!("{p}: {}", c.customers),
                None => format!("sub-accounts: {}", c.customers),
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => "none".into(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/access.html")]
struct AccessPage {
    chrome: Chrome,
    q: AccessQuery,
    portals: Vec<Portal>,
    registrations: Vec<(&'static str, String)>,
    approvals: Vec<(&'static str, String)>,
    lifecycles: Vec<(&'static str, String)>,
    organization: Option<OrganizationChip>,
    rows: Vec<Row>,
    list: Listing,
    pager: Pager,
    /// The download of every account the filters find.
    csv: String,
    /// This page, for the row menus' actions to come back to.
    back_url: String,
}

/// The value of `all` the form chose; none (no filter) for any other text.
fn known<T: Copy>(value: &str, all: &[T], text: fn(T) -> &'static str) -> Option<T> {
    all.iter().copied().find(|v| text(*v) == value)
}

async fn access_list(
    State(s): State<AppState>,
    staff: Staff,
    uri: axum::http::Uri,
    Query(q): Query<AccessQuery>,
) -> PageResult<AccessPage> {
    let filter = q.filter(s.cx.now());
    let list = q.listing(&staff.user.language);
    let page = uc::accounts_in_order(
        &s.cx,
        &staff.actor,
        &filter,
        &list.order,
        list.chosen,
        list.window(),
    )
    .await?;
    let portals = dir_uc::list_portals(&s.cx).await.unwrap_or_default();
    let pager = list.pager(page.items.len(), page.total);
    let organization = match filter.organization_id {
        Some(id) => Some(OrganizationChip {
            id,
            name: dir_uc::get_organization(&s.cx, &staff.actor, id)
                .await
                .ok()
                .map(|o| o.name),
            remove: q.without("organization_id"),
        }),
        None => None,
    };
    let ids: Vec<i64> = page.items.iter().map(|a| a.id).collect();
    let counts = assigned_counts(&s.cx, &ids).await?;
    let viewer = staff.locale();
    let rows = page
        .items
        .into_iter()
        .map(|a| {
            let labels = Labels::of(&a, &viewer);
            Row {
                customers: customers_of(&a, counts.get(&a.id)),
                registration: Badge::registration(a.registration, viewer.language),
                approval: Badge::approval(a.approval, viewer.language),
                assignment: Badge::assignment(a.assignment, viewer.language),
                access: Badge::access(a.access_granted, viewer.language),
                lifecycle: Badge::lifecycle(a.lifecycle, viewer.language),
                valid_until: labels.valid_until,
                last_login: labels.last_login,
                a,
            }
        })
        .collect();
    let say = |m: Message| staff.say(&m);
    Ok(AccessPage {
        chrome: staff.chrome("access"),
        q,
        portals,
        registrations: Registration::ALL
            .iter()
            .map(|r| (r.as_str(), say(r.label())))
            .collect(),
        approvals: Approval::ALL
            .iter()
            .map(|r| (r.as_str(), say(r.label())))
            .collect(),
        lifecycles: Lifecycle::ALL
            .iter()
            .map(|r| (r.as_str(), say(r.label())))
            .collect(),
        organization,
        rows,
        csv: list.with_path("/console/access.csv"),
        back_url: uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/console/access".into()),
        list,
        pager,
    })
}
