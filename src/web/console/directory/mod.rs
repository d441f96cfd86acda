//! Console pages for organizations and contacts.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

use super::{Chrome, Errors, Staff, done, done as done_page, error_page, not_found_page};
use crate::domain::directory::{ContactInput, Language, OrganizationInput, OrganizationKind};
use crate::storage::directory::{
    Area, Contact, ContactFilter, Organization, OrganizationFilter, decode_cursor,
};
use crate::usecases::Error;
use crate::usecases::directory as uc;
use crate::web::AppState;
use crate::web::forms::{opt_id, opt_text};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/organizations", get(list_organizations))
        .route(
            "/console/organizations/new",
            get(new_organization).post(create_organization),
        )
        .route(
            "/console/organizations/{id}",
            get(show_organization).post(update_organization),
        )
        .route(
            "/console/organizations/{id}/invite",
            axum::routing::post(invite),
        )
        .route("/console/contacts", get(list_contacts))
        .route(
            "/console/contacts/new",
            get(new_contact).post(create_contact),
        )
        .route(
            "/console/contacts/{id}",
            get(show_contact).post(update_contact),
        )
        .route(
            "/console/contacts/{id}/grant",
            axum::routing::post(grant_access),
        )
}

const PAGE_SIZE: i64 = 50;

fn parse_id(raw: &str) -> Option<i64> {
    raw.parse().ok()
}

/// Keeps the list filters in the "next page" link.
fn next_link(base: &str, params: &[(&str, &str)], next: Option<&str>) -> Option<String> {
    let next = next?;
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        if !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.append_pair("after", next);
    Some(format!("{base}?{}", s.finish()))
}

// ---------------------------------------------------------------- organizations

#[derive(Deserialize, Default)]
struct OrgListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    area_id: String,
    #[serde(default)]
    after: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/organizations.html")]
struct OrganizationsPage {
    chrome: Chrome,
    q: String,
    kind: String,
    area_id: String,
    areas: Vec<Area>,
    kinds: &'static [OrganizationKind],
    rows: Vec<Organization>,
    next: Option<String>,
}

async fn list_organizations(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<OrgListQuery>,
) -> Response {
    let filter = OrganizationFilter {
        q: opt_text(&q.q),
        kind: OrganizationKind::parse(&q.kind)
            .ok()
            .map(|k| k.as_str().to_string()),
        area_id: q.area_id.parse().ok(),
        parent_id: None,
        after: decode_cursor(&q.after),
        limit: PAGE_SIZE,
    };
    let page = match uc::list_organizations(&s.cx, &staff.actor, &filter).await {
        Ok(p) => p,
        Err(e) => return error_page(e),
    };
    let areas = uc::list_areas(&s.cx, &staff.actor)
        .await
        .unwrap_or_default();
    let next = next_link(
        "/console/organizations",
        &[("q", &q.q), ("kind", &q.kind), ("area_id", &q.area_id)],
        page.next.as_deref(),
    );
    OrganizationsPage {
        chrome: staff.chrome("organizations"),
        q: q.q,
        kind: q.kind,
        area_id: q.area_id,
        areas,
        kinds: OrganizationKind::ALL,
        rows: page.items,
        next,
    }
    .into_response()
}

/// The organization form, as the browser sends it.
#[derive(Deserialize, Default, Clone)]
struct OrgForm {
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
            kind: o.kind.clone(),
            area_id: o.area_id.map(|a| a.to_string()).unwrap_or_default(),
            parent_id: o.parent_id.map(|a| a.to_string()).unwrap_or_default(),
            external_id: o.external_id.clone().unwrap_or_default(),
        }
    }

    fn to_input(&self) -> Result<OrganizationInput, Errors> {
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
struct OrganizationPage {
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
    portals: Vec<crate::storage::directory::Portal>,
    invite_error: Option<String>,
    /// The customer picker of the invitation form.
    groupings: Vec<crate::web::picker::GroupingView>,
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
            kind: Some("customer".into()),
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
            let mut tx = s.cx.db.read().await?;
            let partnerships = if o.kind == "partner" {
                crate::storage::directory::list_partnerships(
                    &mut tx,
                    &staff.actor.scope,
                    Some(o.id),
                )
                .await?
                .into_iter()
                .map(|p| (p.id, p.partner_name, p.name))
                .collect()
            } else {
                crate::storage::directory::partnerships_of_customer(&mut tx, o.id).await?
            };
            (children, contacts, partnerships)
        }
        None => (vec![], vec![], vec![]),
    };
    let groupings =
        crate::web::picker::groupings(s, org.as_ref().map(|o| o.id), &Default::default()).await?;
    Ok(OrganizationPage {
        groupings,
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
        portals: uc::list_portals(&s.cx).await?,
        invite_error: None,
    })
}

/// Grants access from the organization's page: the checked contacts and the pasted addresses,
/// with one portal, role and modules.
async fn invite(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return not_found_page();
    };
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let all = |name: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let first = |name: &str| all(name).into_iter().next().unwrap_or_default();
    let input = crate::usecases::accounts::InviteInput {
        portal_id: first("portal_id").parse().unwrap_or_default(),
        role: Some(first("role")),
        modules: all("modules"),
        customers: crate::web::picker::parse(&all("customers")),
        contact_ids: all("contact_ids")
            .iter()
            .filter_map(|c| c.parse().ok())
            .collect(),
        emails: first("emails")
            .split(['\n', ',', ';'])
            .map(str::to_string)
            .collect(),
    };
    match crate::usecases::accounts::invite_many(&s.cx, &staff.actor, id, &input).await {
        Ok(done) => {
            let new = done
                .iter()
                .filter(|d| d.outcome == crate::usecases::directory::Outcome::Created)
                .count();
            let had = done.len() - new;
            done_page(
                &s,
                &format!("/console/organizations/{id}"),
                &format!(
                    "{new} invitation(s) on their way{}.",
                    if had > 0 {
                        format!("; {had} already had access")
                    } else {
                        String::new()
                    }
                ),
            )
        }
        Err(Error::Invalid(errors) | Error::Conflict(errors)) => {
            let org = match uc::get_organization(&s.cx, &staff.actor, id).await {
                Ok(o) => o,
                Err(e) => return error_page(e),
            };
            let form = OrgForm::from_org(&org);
            match organization_page(&s, &staff, Some(org), form, Errors::new()).await {
                Ok(mut page) => {
                    page.invite_error = Some(errors.to_string());
                    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
                }
                Err(e) => error_page(e),
            }
        }
        Err(e) => error_page(e),
    }
}

fn render_form(page: Result<OrganizationPage, Error>, status: StatusCode) -> Response {
    match page {
        Ok(p) => (status, p).into_response(),
        Err(e) => error_page(e),
    }
}

#[derive(Deserialize, Default)]
struct NewOrgQuery {
    #[serde(default)]
    parent_id: String,
}

async fn new_organization(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<NewOrgQuery>,
) -> Response {
    let form = OrgForm {
        kind: "customer".into(),
        parent_id: q.parent_id,
        ..Default::default()
    };
    render_form(
        organization_page(&s, &staff, None, form, Errors::new()).await,
        StatusCode::OK,
    )
}

async fn create_organization(
    State(s): State<AppState>,
    staff: Staff,
    Form(form): Form<OrgForm>,
) -> Response {
    let result = match form.to_input() {
        Ok(input) => uc::create_organization(&s.cx, &staff.actor, &input).await,
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match result {
        Ok(org) => done(
            &s,
            &format!("/console/organizations/{}", org.id),
            "Organization created.",
        ),
        Err(Error::Invalid(errors) | Error::Conflict(errors)) => render_form(
            organization_page(&s, &staff, None, form, errors).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(e),
    }
}

async fn show_organization(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return not_found_page();
    };
    match uc::get_organization(&s.cx, &staff.actor, id).await {
        Ok(org) => {
            let form = OrgForm::from_org(&org);
            render_form(
                organization_page(&s, &staff, Some(org), form, Errors::new()).await,
                StatusCode::OK,
            )
        }
        Err(e) => error_page(e),
    }
}

async fn update_organization(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<OrgForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return not_found_page();
    };
    let result = match form.to_input() {
        Ok(input) => uc::update_organization(&s.cx, &staff.actor, id, &input).await,
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match result {
        Ok(org) => done(
            &s,
            &format!("/console/organizations/{}", org.id),
            "Organization saved.",
        ),
        Err(Error::Invalid(errors) | Error::Conflict(errors)) => {
            let org = match uc::get_organization(&s.cx, &staff.actor, id).await {
                Ok(o) => o,
                Err(e) => return error_page(e),
            };
            render_form(
                organization_page(&s, &staff, Some(org), form, errors).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => error_page(e),
    }
}

// ---------------------------------------------------------------- contacts

#[derive(Deserialize, Default)]
struct ContactListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    area_id: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    after: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/contacts.html")]
struct ContactsPage {
    chrome: Chrome,
    q: String,
    area_id: String,
    language: String,
    areas: Vec<Area>,
    languages: &'static [Language],
    rows: Vec<Contact>,
    next: Option<String>,
}

async fn list_contacts(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<ContactListQuery>,
) -> Response {
    let filter = ContactFilter {
        q: opt_text(&q.q),
        organization_id: None,
        area_id: q.area_id.parse().ok(),
        language: Language::parse(&q.language)
            .ok()
            .map(|l| l.as_str().to_string()),
        after: decode_cursor(&q.after),
        limit: PAGE_SIZE,
    };
    let page = match uc::list_contacts(&s.cx, &staff.actor, &filter).await {
        Ok(p) => p,
        Err(e) => return error_page(e),
    };
    let areas = uc::list_areas(&s.cx, &staff.actor)
        .await
        .unwrap_or_default();
    let next = next_link(
        "/console/contacts",
        &[
            ("q", &q.q),
            ("area_id", &q.area_id),
            ("language", &q.language),
        ],
        page.next.as_deref(),
    );
    ContactsPage {
        chrome: staff.chrome("contacts"),
        q: q.q,
        area_id: q.area_id,
        language: q.language,
        areas,
        languages: Language::ALL,
        rows: page.items,
        next,
    }
    .into_response()
}

#[derive(Deserialize, Default, Clone)]
struct ContactForm {
    #[serde(default)]
    organization_id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    external_id: String,
}

impl ContactForm {
    fn from_contact(c: &Contact) -> Self {
        ContactForm {
            organization_id: c.organization_id.to_string(),
            name: c.name.clone(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            language: c.language.clone(),
            external_id: c.external_id.clone().unwrap_or_default(),
        }
    }

    fn to_input(&self) -> Result<ContactInput, Errors> {
        let mut errors = Errors::new();
        let organization_id = opt_id(&mut errors, "organization_id", &self.organization_id);
        errors.into_result()?;
        Ok(ContactInput {
            organization_id,
            organization_external_id: None,
            name: self.name.clone(),
            email: opt_text(&self.email),
            phone: opt_text(&self.phone),
            language: opt_text(&self.language),
            external_id: opt_text(&self.external_id),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/contact.html")]
struct ContactPage {
    chrome: Chrome,
    contact: Option<Contact>,
    form: ContactForm,
    errors: Errors,
    organizations: Vec<Organization>,
    languages: &'static [Language],
    /// The contact's portal accounts.
    accounts: Vec<crate::storage::accounts::PortalAccount>,
    portals: Vec<crate::storage::directory::Portal>,
    grant_errors: Errors,
    /// The customer picker of the grant form.
    groupings: Vec<crate::web::picker::GroupingView>,
    /// Where the account actions come back to.
    back_url: String,
}

async fn contact_page(
    s: &AppState,
    staff: &Staff,
    contact: Option<Contact>,
    form: ContactForm,
    errors: Errors,
) -> Result<ContactPage, Error> {
    let mut organizations = uc::list_organizations(
        &s.cx,
        &staff.actor,
        &OrganizationFilter {
            limit: 500,
            ..Default::default()
        },
    )
    .await?
    .items;
    // The chosen organization is always in the list, even past the first 500.
    if let Ok(id) = form.organization_id.parse::<i64>()
        && !organizations.iter().any(|o| o.id == id)
        && let Ok(o) = uc::get_organization(&s.cx, &staff.actor, id).await
    {
        organizations.insert(0, o);
    }
    let accounts = match &contact {
        Some(c) => {
            let mut tx = s.cx.db.read().await?;
            crate::storage::accounts::of_contact(&mut tx, c.id).await?
        }
        None => vec![],
    };
    let groupings = crate::web::picker::groupings(
        s,
        contact.as_ref().map(|c| c.organization_id),
        &Default::default(),
    )
    .await?;
    Ok(ContactPage {
        chrome: staff.chrome("contacts"),
        groupings,
        back_url: contact
            .as_ref()
            .map(|c| format!("/console/contacts/{}", c.id))
            .unwrap_or_else(|| "/console/contacts".into()),
        contact,
        form,
        errors,
        organizations,
        languages: Language::ALL,
        accounts,
        portals: uc::list_portals(&s.cx).await?,
        grant_errors: Errors::new(),
    })
}

fn render_contact(page: Result<ContactPage, Error>, status: StatusCode) -> Response {
    match page {
        Ok(p) => (status, p).into_response(),
        Err(e) => error_page(e),
    }
}

#[derive(Deserialize, Default)]
struct NewContactQuery {
    #[serde(default)]
    organization_id: String,
}

async fn new_contact(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<NewContactQuery>,
) -> Response {
    let form = ContactForm {
        organization_id: q.organization_id,
        language: "en".into(),
        ..Default::default()
    };
    render_contact(
        contact_page(&s, &staff, None, form, Errors::new()).await,
        StatusCode::OK,
    )
}

async fn create_contact(
    State(s): State<AppState>,
    staff: Staff,
    Form(form): Form<ContactForm>,
) -> Response {
    let result = match form.to_input() {
        Ok(input) => uc::create_contact(&s.cx, &staff.actor, &input).await,
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match result {
        Ok(c) => done(
            &s,
            &format!("/console/contacts/{}", c.id),
            "Contact created.",
        ),
        Err(Error::Invalid(errors) | Error::Conflict(errors)) => render_contact(
            contact_page(&s, &staff, None, form, errors).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => error_page(e),
    }
}

async fn show_contact(State(s): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    let Some(id) = parse_id(&id) else {
        return not_found_page();
    };
    match uc::get_contact(&s.cx, &staff.actor, id).await {
        Ok(c) => {
            let form = ContactForm::from_contact(&c);
            render_contact(
                contact_page(&s, &staff, Some(c), form, Errors::new()).await,
                StatusCode::OK,
            )
        }
        Err(e) => error_page(e),
    }
}

async fn update_contact(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Form(form): Form<ContactForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return not_found_page();
    };
    let result = match form.to_input() {
        Ok(input) => uc::update_contact(&s.cx, &staff.actor, id, &input).await,
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match result {
        Ok(c) => done(&s, &format!("/console/contacts/{}", c.id), "Contact saved."),
        Err(Error::Invalid(errors) | Error::Conflict(errors)) => {
            let c = match uc::get_contact(&s.cx, &staff.actor, id).await {
                Ok(c) => c,
                Err(e) => return error_page(e),
            };
            render_contact(
                contact_page(&s, &staff, Some(c), form, errors).await,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => error_page(e),
    }
}

/// "Grant access" on a contact's page: portal, role, modules, optionally another address.
async fn grant_access(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return not_found_page();
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let get = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let input = crate::usecases::accounts::GrantInput {
        contact_id: id,
        portal_id: get("portal_id").parse().unwrap_or(0),
        role: Some(get("role")),
        modules: fields
            .iter()
            .filter(|(k, _)| k == "modules")
            .map(|(_, v)| v.clone())
            .collect(),
        customers: crate::web::picker::parse(
            &fields
                .iter()
                .filter(|(k, _)| k == "customers")
                .map(|(_, v)| v.clone())
                .collect::<Vec<_>>(),
        ),
        send_to: opt_text(&get("send_to")),
    };
    match crate::usecases::accounts::grant_access(&s.cx, &staff.actor, &input).await {
        Ok((account, crate::usecases::directory::Outcome::Created)) => done(
            &s,
            &format!("/console/contacts/{id}"),
            &format!(
                "Access granted: an invitation to {} is on its way.",
                account.portal_name
            ),
        ),
        Ok((account, _)) => done(
            &s,
            &format!("/console/contacts/{id}"),
            &format!(
                "{} already has access to {}.",
                account.email, account.portal_name
            ),
        ),
        Err(Error::Invalid(errors)) => {
            let contact = match uc::get_contact(&s.cx, &staff.actor, id).await {
                Ok(c) => c,
                Err(e) => return error_page(e),
            };
            let form = ContactForm::from_contact(&contact);
            match contact_page(&s, &staff, Some(contact), form, Errors::new()).await {
                Ok(mut page) => {
                    page.grant_errors = errors;
                    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
                }
                Err(e) => error_page(e),
            }
        }
        Err(e) => error_page(e),
    }
}
