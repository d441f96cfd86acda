//! Organizations: the list with its filters, the form (new or existing) with the
//! organization's sub-accounts, contacts and partnerships, and inviting many at once.

use crate::catalog::Message;
use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{RawForm, State};
use serde::Deserialize;

use super::{PAGE_SIZE, saved};
use crate::domain::directory::{OrganizationInput, OrganizationKind};
use crate::storage::directory::{
    Area, Contact, ContactFilter, ORGANIZATION_COLUMNS, Organization, OrganizationFilter, Portal,
};
use crate::usecases::Error;
use crate::usecases::accounts::{InviteInput, invite_many};
use crate::usecases::directory::{self as uc, Outcome};
use crate::web::AppState;
use crate::web::console::listing::{ListParams, Listing, Pager};
use crate::web::console::module_picker::GrantChoice;
use crate::web::console::{Chrome, Errors, Staff, done};
use crate::web::forms::{opt_id, opt_text};
use crate::web::page::{Id, PageResult, form_again, form_errors};
use crate::web::picker::{self, GroupingView};

#[derive(Deserialize, Default)]
pub(super) struct OrgListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    area_id: String,
    #[serde(flatten)]
    list: ListParams,
}

impl OrgListQuery {
    pub(super) fn filter(&self) -> OrganizationFilter {
        OrganizationFilter {
            q: opt_text(&self.q),
            kind: OrganizationKind::parse(&self.kind).ok(),
            area_id: self.area_id.parse().ok(),
            parent_id: None,
            after: None,
            limit: PAGE_SIZE,
        }
    }

    pub(super) fn listing(&self, language: &str) -> Listing {
        Listing::new(
            "/console/organizations",
            &[
                ("q", &self.q),
                ("kind", &self.kind),
                ("area_id", &self.area_id),
            ],
            &self.list,
            ORGANIZATION_COLUMNS,
            false,
            PAGE_SIZE,
            language,
        )
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/organizations.html")]
pub(super) struct OrganizationsPage {
    chrome: Chrome,
    q: String,
    kind: String,
    area_id: String,
    areas: Vec<Area>,
    kinds: &'static [OrganizationKind],
    rows: Vec<Organization>,
    list: Listing,
    pager: Pager,
    csv: String,
}

pub(super) async fn list_organizations(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<OrgListQuery>,
) -> PageResult<OrganizationsPage> {
    let filter = q.filter();
    let list = q.listing(&staff.user.language);
    let page = uc::organizations_in_order(&s.cx, &staff.actor, &filter, &list.order, list.window())
        .await?;
    let areas = uc::list_areas(&s.cx, &staff.actor)
        .await
        .unwrap_or_default();
    Ok(OrganizationsPage {
        chrome: staff.chrome("organizations"),
        q: q.q,
        kind: q.kind,
        area_id: q.area_id,
        areas,
        kinds: OrganizationKind::ALL,
        pager: list.pager(page.items.len(), page.total),
        rows: page.items,
        csv: list.with_path("/console/organizations.csv"),
        list,
    })
}

/// The organization form, as the browser sends it.
#[derive(Deserialize, Default, Clone)]
pub(super) struct OrgForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    area_id: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    external_id: String,
}

impl OrgForm {
    fn from_org(o: &Organization) -> Self {
        OrgForm {
            name: o.name.clone(),
            kind: o.kind.as_str().into(),
            area_id: o.area_id.map(|a| a.to_string()).unwrap_or_default(),
            parent_id: o.parent_id.map(|a| a.to_string()).unwrap_or_default(),
            external_id: o.external_id.clone().unwrap_or_default(),
        }
    }

    fn to_input(&self) -> Result<OrganizationInput, Error> {
        let mut errors = Errors::new();
        let area_id = opt_id(&mut errors, "area_id", &self.area_id);
        let parent_id = opt_id(&mut errors, "parent_id", &self.parent_id);
        errors.into_result()?;
        Ok(OrganizationInput {
            kind: self.kind.clone(),
            name: self.name.clone(),
            parent_id,
            parent_external_id: None,
            area_id,
            external_id: opt_text(&self.external_id),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/organization.html")]
pub(super) struct OrganizationPage {
    chrome: Chrome,
    /// `None` for a new organization.
    org: Option<Organization>,
    form: OrgForm,
    errors: Errors,
    areas: Vec<Area>,
    kinds: &'static [OrganizationKind],
    /// Customers that can be the parent (a short list; the id can also be typed).
    parents: Vec<Organization>,
    children: Vec<Organization>,
    contacts: Vec<Contact>,
    partnerships: Vec<(i64, String, String)>,
    /// Portals to grant access to from the contacts' checkboxes.
    portals: Vec<Portal>,
    invite_error: Option<String>,
    /// The invite form as filled in, shown again after a refusal.
    grant: GrantChoice,
    invite_emails: String,
    invite_contacts: Vec<i64>,
    /// The customer picker of the invitation form.
    groupings: Vec<GroupingView>,
}

async fn organization_page(
    s: &AppState,
    staff: &Staff,
    org: Option<Organization>,
    form: OrgForm,
    errors: Errors,
) -> Result<OrganizationPage, Error> {
    let areas = uc::list_areas(&s.cx, &staff.actor).await?;
    let customers = uc::list_organizations(
        &s.cx,
        &staff.actor,
        &OrganizationFilter {
            kind: Some(OrganizationKind::Customer),
            limit: 500,
            ..Default::default()
        },
    )
    .await?;
    let mut parents: Vec<Organization> = customers
        .items
        .into_iter()
        .filter(|c| org.as_ref().is_none_or(|o| o.id != c.id))
        .collect();
    // The chosen parent is always in the list, even past the first 500: saving the form
    // must not drop it.
    if let Ok(id) = form.parent_id.parse::<i64>()
        && !parents.iter().any(|p| p.id == id)
        && let Ok(p) = uc::get_organization(&s.cx, &staff.actor, id).await
    {
        parents.insert(0, p);
    }
    let (children, contacts, partnerships) = match &org {
        Some(o) => {
            let children = uc::list_organizations(
                &s.cx,
                &staff.actor,
                &OrganizationFilter {
                    parent_id: Some(o.id),
                    limit: 200,
                    ..Default::default()
                },
            )
            .await?
            .items;
            let contacts = uc::list_contacts(
                &s.cx,
                &staff.actor,
                &ContactFilter {
                    organization_id: Some(o.id),
                    limit: 200,
                    ..Default::default()
                },
            )
            .await?
            .items;
            let partnerships = uc::partnerships_of(&s.cx, &staff.actor, o.id).await?;
            (children, contacts, partnerships)
        }
        None => (vec![], vec![], vec![]),
    };
    let groupings = picker::groupings(
        s,
        &staff.actor,
        org.as_ref().map(|o| o.id),
        &Default::default(),
        staff.language(),
    )
    .await?;
    let portals = uc::list_portals(&s.cx).await?;
    Ok(OrganizationPage {
        groupings,
        grant: GrantChoice::fresh(&portals),
        invite_emails: String::new(),
        invite_contacts: Vec::new(),
        chrome: staff.chrome("organizations"),
        org,
        form,
        errors,
        areas,
        kinds: OrganizationKind::ALL,
        parents,
        children,
        contacts,
        partnerships,
        portals,
        invite_error: None,
    })
}

/// Grants access from the organization's page: the checked contacts and the pasted addresses,
/// with one portal, role and modules.
pub(super) async fn invite(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let fields = picker::fields(&body);
    let all = |name: &str| picker::all(&fields, name);
    let first = |name: &str| picker::one(&fields, name).to_string();
    let input = InviteInput {
        portal_id: first("portal_id").parse().unwrap_or_default(),
        role: Some(first("role")),
        modules: all("modules"),
        customers: picker::parse(&all("customers")),
        contact_ids: all("contact_ids")
            .iter()
            .filter_map(|c| c.parse().ok())
            .collect(),
        emails: first("emails")
            .split(['\n', ',', ';'])
            .map(str::to_string)
            .collect(),
    };
    match form_errors(invite_many(&s.cx, &staff.actor, id, &input).await)? {
        Ok(done_list) => {
            let new = done_list
                .iter()
                .filter(|d| d.outcome == Outcome::Created)
                .count();
            let had = done_list.len() - new;
            // A notifications-only account gets no invitation (it never logs in).
            let notifications_only =
                crate::domain::account::Role::parse(&first("role")).is_ok_and(|r| !r.may_log_in());
            let said = Message::new(match (notifications_only, had > 0) {
                (true, _) => "flash-added-notifications",
                (false, true) => "flash-invited-some-had",
                (false, false) => "flash-invited",
            })
            .number("new", i64::try_from(new).unwrap_or(i64::MAX))
            .number("had", i64::try_from(had).unwrap_or(i64::MAX));
            Ok(done(
                &s,
                &format!("/console/organizations/{id}"),
                &staff.say(&said),
            ))
        }
        Err(errors) => {
            let org = uc::get_organization(&s.cx, &staff.actor, id).await?;
            let form = OrgForm::from_org(&org);
            let mut page = organization_page(&s, &staff, Some(org), form, Errors::new()).await?;
            page.invite_error = Some(errors.all_in(staff.language().as_str()));
            page.grant = GrantChoice::typed(
                &page.portals,
                input.portal_id,
                &first("role"),
                input.modules,
            );
            page.invite_emails = first("emails");
            page.invite_contacts = input.contact_ids;
            let chosen = picker::chosen(&input.customers);
            let language = staff.language();
            page.groupings =
                picker::groupings(&s, &staff.actor, Some(id), &chosen, language).await?;
            Ok(form_again(page))
        }
    }
}

#[derive(Deserialize, Default)]
pub(super) struct NewOrgQuery {
    #[serde(default)]
    parent_id: String,
}

pub(super) async fn new_organization(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<NewOrgQuery>,
) -> PageResult<OrganizationPage> {
    let form = OrgForm {
        kind: "customer".into(),
        parent_id: q.parent_id,
        ..Default::default()
    };
    Ok(organization_page(&s, &staff, None, form, Errors::new()).await?)
}

pub(super) async fn create_organization(
    State(s): State<AppState>,
    staff: Staff,
    Form(form): Form<OrgForm>,
) -> PageResult {
    let created = async { uc::create_organization(&s.cx, &staff.actor, &form.to_input()?).await };
    let to = |o: &Organization| format!("/console/organizations/{}", o.id);
    saved(
        &s,
        created.await,
        to,
        &staff.t("flash-organization-created"),
        async |errors| organization_page(&s, &staff, None, form, errors).await,
    )
    .await
}

pub(super) async fn show_organization(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
) -> PageResult<OrganizationPage> {
    let org = uc::get_organization(&s.cx, &staff.actor, id).await?;
    let form = OrgForm::from_org(&org);
    Ok(organization_page(&s, &staff, Some(org), form, Errors::new()).await?)
}

pub(super) async fn update_organization(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    Form(form): Form<OrgForm>,
) -> PageResult {
    let updated =
        async { uc::update_organization(&s.cx, &staff.actor, id, &form.to_input()?).await };
    let to = |o: &Organization| format!("/console/organizations/{}", o.id);
    saved(
        &s,
        updated.await,
        to,
        &staff.t("flash-organization-saved"),
        async |errors| {
            let org = uc::get_organization(&s.cx, &staff.actor, id).await?;
            organization_page(&s, &staff, Some(org), form, errors).await
        },
    )
    .await
}
