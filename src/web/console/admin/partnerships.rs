//! Partnerships: a partner organization and the customers it works for. Everyone sees those
//! of their areas; only administrators change them.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawForm, State};
use axum::routing::get;

use super::{Choice, FormData, all_organizations};
use crate::domain::directory::{OrganizationKind, PartnershipInput, validate_partnership};
use crate::storage::directory::{Organization, Partnership};
use crate::usecases::Error;
use crate::usecases::directory as uc;
use crate::web::AppState;
use crate::web::console::{Admin, Chrome, Errors, Staff, done};
use crate::web::forms::opt_text;
use crate::web::page::{Failure, Id, PageError, PageResult, form_again, form_errors};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/partnerships", get(list_partnerships))
        .route(
            "/console/partnerships/new",
            get(new_partnership).post(create_partnership),
        )
        .route(
            "/console/partnerships/{id}",
            get(show_partnership).post(update_partnership),
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "console/partnerships.html")]
struct PartnershipsPage {
    chrome: Chrome,
    rows: Vec<Partnership>,
}

async fn list_partnerships(
    State(s): State<AppState>,
    staff: Staff,
) -> PageResult<PartnershipsPage> {
    Ok(PartnershipsPage {
        chrome: staff.chrome("partnerships"),
        rows: uc::list_partnerships(&s.cx, &staff.actor, None).await?,
    })
}

#[derive(Default)]
struct PartnershipForm {
    partner_id: String,
    name: String,
    external_id: String,
    customer_ids: Vec<i64>,
}

impl PartnershipForm {
    fn from_partnership(p: &Partnership) -> Self {
        PartnershipForm {
            partner_id: p.partner_id.to_string(),
            name: p.name.clone(),
            external_id: p.external_id.clone().unwrap_or_default(),
            customer_ids: p.customer_ids.clone(),
        }
    }

    fn parse(body: &[u8]) -> (Self, Errors) {
        let data = FormData::parse(body);
        let mut errors = Errors::new();
        let customer_ids = data.ids(&mut errors, "customer_ids");
        (
            PartnershipForm {
                partner_id: data.get("partner_id"),
                name: data.get("name"),
                external_id: data.get("external_id"),
                customer_ids,
            },
            errors,
        )
    }

    fn to_input(&self, mut errors: Errors) -> Result<PartnershipInput, Errors> {
        let partner_id = match self.partner_id.trim() {
            "" => {
                errors.add("partner_id", "is required");
                0
            }
            v => v.parse::<i64>().unwrap_or_else(|_| {
                errors.add("partner_id", "must be chosen from the list");
                0
            }),
        };
        let input = PartnershipInput {
            partner_id,
            name: self.name.clone(),
            external_id: opt_text(&self.external_id),
            customer_ids: self.customer_ids.clone(),
        };
        if !errors.is_empty() {
            // Show every mistake at once, not only the one found here.
            if let Err(more) = validate_partnership(&input) {
                errors.0.extend(more.0);
            }
            return Err(errors);
        }
        Ok(input)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/partnership.html")]
struct PartnershipPage {
    chrome: Chrome,
    partnership: Option<Partnership>,
    form: PartnershipForm,
    errors: Errors,
    partners: Vec<Organization>,
    customers: Vec<Choice>,
    /// Customers of the partnership the user may not see (outside a supervisor's areas).
    hidden_customers: usize,
    can_edit: bool,
}

async fn partnership_page(
    s: &AppState,
    staff: &Staff,
    partnership: Option<Partnership>,
    form: PartnershipForm,
    errors: Errors,
) -> Result<PartnershipPage, Error> {
    let partners = all_organizations(&s.cx, &staff.actor, OrganizationKind::Partner).await?;
    let customers = all_organizations(&s.cx, &staff.actor, OrganizationKind::Customer).await?;
    let hidden_customers = form
        .customer_ids
        .iter()
        .filter(|id| !customers.iter().any(|c| c.id == **id))
        .count();
    let customers = customers
        .into_iter()
        .map(|c| Choice {
            checked: form.customer_ids.contains(&c.id),
            name: match &c.area_name {
                Some(a) => format!("{} ({a})", c.name),
                None => c.name,
            },
            id: c.id,
        })
        .collect();
    Ok(PartnershipPage {
        chrome: staff.chrome("partnerships"),
        partnership,
        form,
        errors,
        partners,
        customers,
        hidden_customers,
        can_edit: staff.user.is_admin(),
    })
}

async fn new_partnership(
    State(s): State<AppState>,
    Admin(staff): Admin,
) -> PageResult<PartnershipPage> {
    let form = PartnershipForm::default();
    Ok(partnership_page(&s, &staff, None, form, Errors::new()).await?)
}

/// Supervisors may not change partnerships: no form for them, only the refusal.
fn only_administrators() -> PageError {
    PageError::Failed(Failure::Forbidden(
        crate::catalog::Message::new("error-admins-only").into(),
    ))
}

async fn create_partnership(
    State(s): State<AppState>,
    staff: Staff,
    RawForm(body): RawForm,
) -> PageResult {
    let (form, errors) = PartnershipForm::parse(&body);
    let result = match form.to_input(errors) {
        Ok(input) => uc::create_partnership(&s.cx, &staff.actor, &input).await,
        Err(errors) => Err(Error::Invalid(errors)),
    };
    match form_errors(result)? {
        Ok(p) => Ok(done(
            &s,
            &format!("/console/partnerships/{}", p.id),
            &staff.t("flash-partnership-created"),
        )),
        Err(errors) if staff.user.is_admin() => Ok(form_again(
            partnership_page(&s, &staff, None, form, errors).await?,
        )),
        Err(_) => Err(only_administrators()),
    }
}

async fn show_partnership(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
) -> PageResult<PartnershipPage> {
    let p = uc::get_partnership(&s.cx, &staff.actor, id).await?;
    let form = PartnershipForm::from_partnership(&p);
    Ok(partnership_page(&s, &staff, Some(p), form, Errors::new()).await?)
}

async fn update_partnership(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let (form, errors) = PartnershipForm::parse(&body);
    let result = match form.to_input(errors) {
        Ok(input) => uc::update_partnership(&s.cx, &staff.actor, id, &input).await,
        Err(errors) if staff.user.is_admin() => Err(Error::Invalid(errors)),
        Err(_) => return Err(only_administrators()),
    };
    Ok(match form_errors(result)? {
        Ok(p) => done(
            &s,
            &format!("/console/partnerships/{}", p.id),
            &staff.t("flash-partnership-saved"),
        ),
        Err(errors) => {
            let p = uc::get_partnership(&s.cx, &staff.actor, id).await?;
            form_again(partnership_page(&s, &staff, Some(p), form, errors).await?)
        }
    })
}
