//! Contacts: the list with its filters, the form (new or existing) with the contact's portal
//! accounts, and granting access from it.

use crate::catalog::Message;
use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{RawForm, State};
use serde::Deserialize;

use super::{PAGE_SIZE, saved};
use crate::domain::directory::{ContactInput, Language};
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::{
    Area, CONTACT_COLUMNS, Contact, ContactFilter, Organization, OrganizationFilter, Portal,
};
use crate::usecases::Error;
use crate::usecases::accounts::accounts_of_contact;
use crate::usecases::accounts::{GrantInput, grant_access as grant};
use crate::usecases::directory::{self as uc, Outcome};
use crate::web::AppState;
use crate::web::console::badge::Badge;
use crate::web::console::listing::{ListParams, Listing, Pager};
use crate::web::console::module_picker::GrantChoice;
use crate::web::console::{Chrome, Errors, Staff, done};
use crate::web::forms::{opt_id, opt_text};
use crate::web::page::{Id, PageResult, form_again};
use crate::web::picker::{self, GroupingView};

#[derive(Deserialize, Default)]
pub(super) struct ContactListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    area_id: String,
    #[serde(default)]
    language: String,
    #[serde(flatten)]
    list: ListParams,
}

impl ContactListQuery {
    pub(super) fn filter(&self) -> ContactFilter {
        ContactFilter {
            q: opt_text(&self.q),
            organization_id: None,
            area_id: self.area_id.parse().ok(),
            language: Language::parse(&self.language)
                .ok()
                .map(|l| l.as_str().to_string()),
            after: None,
            limit: PAGE_SIZE,
        }
    }

    pub(super) fn listing(&self, language: &str) -> Listing {
        Listing::new(
            "/console/contacts",
            &[
                ("q", &self.q),
                ("area_id", &self.area_id),
                ("language", &self.language),
            ],
            &self.list,
            CONTACT_COLUMNS,
            false,
            PAGE_SIZE,
            language,
        )
    }
}

/// A row of the contact list: the contact and its portal access.
pub(super) struct ContactRowView {
    c: Contact,
    access: Badge,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/contacts.html")]
pub(super) struct ContactsPage {
    chrome: Chrome,
    q: String,
    area_id: String,
    language: String,
    areas: Vec<Area>,
    languages: &'static [Language],
    rows: Vec<ContactRowView>,
    list: Listing,
    pager: Pager,
    csv: String,
}

pub(super) async fn list_contacts(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<ContactListQuery>,
) -> PageResult<ContactsPage> {
    let filter = q.filter();
    let list = q.listing(&staff.user.language);
    let page =
        uc::contacts_in_order(&s.cx, &staff.actor, &filter, &list.order, list.window()).await?;
    let areas = uc::list_areas(&s.cx, &staff.actor)
        .await
        .unwrap_or_default();
    let pager = list.pager(page.items.len(), page.total);
    Ok(ContactsPage {
        chrome: staff.chrome("contacts"),
        q: q.q,
        area_id: q.area_id,
        language: q.language,
        areas,
        languages: Language::ALL,
        rows: page
            .items
            .into_iter()
            .map(|r| ContactRowView {
                access: Badge::portal_access(r.accounts, r.with_access, staff.language()),
                c: r.contact,
            })
            .collect(),
        csv: list.with_path("/console/contacts.csv"),
        list,
        pager,
    })
}

#[derive(Deserialize, Default, Clone)]
pub(super) struct ContactForm {
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

    fn to_input(&self) -> Result<ContactInput, Error> {
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
pub(super) struct ContactPage {
    chrome: Chrome,
    contact: Option<Contact>,
    form: ContactForm,
    errors: Errors,
    organizations: Vec<Organization>,
    languages: &'static [Language],
    /// The contact's portal accounts.
    accounts: Vec<PortalAccount>,
    portals: Vec<Portal>,
    grant_errors: Errors,
    /// The customer picker of the grant form.
    groupings: Vec<GroupingView>,
    /// Where the account actions come back to.
    back_url: String,
    /// The grant form's portal, role and modules, and its other address, as chosen.
    grant: GrantChoice,
    grant_send_to: String,
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
        Some(c) => accounts_of_contact(&s.cx, &staff.actor, c.id).await?,
        None => vec![],
    };
    let groupings = picker::groupings(
        s,
        &staff.actor,
        contact.as_ref().map(|c| c.organization_id),
        &Default::default(),
        staff.language(),
    )
    .await?;
    let portals = uc::list_portals(&s.cx).await?;
    Ok(ContactPage {
        chrome: staff.chrome("contacts"),
        grant: GrantChoice::fresh(&portals),
        grant_send_to: String::new(),
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
        portals,
        grant_errors: Errors::new(),
    })
}

#[derive(Deserialize, Default)]
pub(super) struct NewContactQuery {
    #[serde(default)]
    organization_id: String,
}

pub(super) async fn new_contact(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<NewContactQuery>,
) -> PageResult<ContactPage> {
    let form = ContactForm {
        organization_id: q.organization_id,
        language: "en".into(),
        ..Default::default()
    };
    Ok(contact_page(&s, &staff, None, form, Errors::new()).await?)
}

pub(super) async fn create_contact(
    State(s): State<AppState>,
    staff: Staff,
    Form(form): Form<ContactForm>,
) -> PageResult {
    let created = async { uc::create_contact(&s.cx, &staff.actor, &form.to_input()?).await };
    let to = |c: &Contact| format!("/console/contacts/{}", c.id);
    let message = staff.t("flash-contact-created");
    saved(&s, created.await, to, &message, async |errors| {
        contact_page(&s, &staff, None, form, errors).await
    })
    .await
}

pub(super) async fn show_contact(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
) -> PageResult<ContactPage> {
    let c = uc::get_contact(&s.cx, &staff.actor, id).await?;
    let form = ContactForm::from_contact(&c);
    Ok(contact_page(&s, &staff, Some(c), form, Errors::new()).await?)
}

pub(super) async fn update_contact(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    Form(form): Form<ContactForm>,
) -> PageResult {
    let updated = async { uc::update_contact(&s.cx, &staff.actor, id, &form.to_input()?).await };
    let to = |c: &Contact| format!("/console/contacts/{}", c.id);
    let message = staff.t("flash-contact-saved");
    saved(&s, updated.await, to, &message, async |errors| {
        let c = uc::get_contact(&s.cx, &staff.actor, id).await?;
        contact_page(&s, &staff, Some(c), form, errors).await
    })
    .await
}

/// "Grant access" on a contact's page: portal, role, modules, optionally another address.
pub(super) async fn grant_access(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let fields = picker::fields(&body);
    let get = |name: &str| picker::one(&fields, name).to_string();
    let input = GrantInput {
        contact_id: id,
        portal_id: get("portal_id").parse().unwrap_or(0),
        role: Some(get("role")),
        modules: picker::all(&fields, "modules"),
        customers: picker::parse(&picker::all(&fields, "customers")),
        send_to: opt_text(&get("send_to")),
    };
    let back = format!("/console/contacts/{id}");
    match grant(&s.cx, &staff.actor, &input).await {
        Ok((account, Outcome::Created)) => {
            // A notifications-only account gets no invitation (it never logs in).
            let key = if account.role.may_log_in() {
                "flash-granted"
            } else {
                "flash-granted-notifications"
            };
            let portal = account
                .portal_name_in(staff.language().as_str())
                .to_string();
            let said = Message::new(key)
                .text("email", account.email)
                .text("portal", portal);
            Ok(done(&s, &back, &staff.say(&said)))
        }
        Ok((account, _)) => Ok(done(
            &s,
            &back,
            &staff.say(
                &Message::new("flash-already-has-access")
                    .text(
                        "portal",
                        account
                            .portal_name_in(staff.language().as_str())
                            .to_string(),
                    )
                    .text("email", account.email),
            ),
        )),
        Err(Error::Invalid(errors)) => {
            let contact = uc::get_contact(&s.cx, &staff.actor, id).await?;
            let form = ContactForm::from_contact(&contact);
            let org = contact.organization_id;
            let mut page = contact_page(&s, &staff, Some(contact), form, Errors::new()).await?;
            page.grant_errors = errors;
            page.grant = GrantChoice::typed(
                &page.portals,
                input.portal_id,
                &get("role"),
                input.modules.clone(),
            );
            page.grant_send_to = get("send_to");
            let chosen = picker::chosen(&input.customers);
            let language = staff.language();
            page.groupings =
                picker::groupings(&s, &staff.actor, Some(org), &chosen, language).await?;
            Ok(form_again(page))
        }
        Err(e) => Err(e.into()),
    }
}
