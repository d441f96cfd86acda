//! Portals: the websites Admit grants access to, with their registration rules and modules.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::FormData;
use crate::catalog::Message;
use crate::domain::directory::{
    Language, ModuleInput, PortalInput, PortalKind, RegistrationMode, validate_portal,
};
use crate::storage::directory::Portal;
use crate::usecases::Error;
use crate::usecases::directory as uc;
use crate::web::AppState;
use crate::web::console::{Admin, Chrome, Errors, Staff, done};
use crate::web::forms::opt_text;
use crate::web::page::{Id, PageResult, form_errors};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/portals", get(list_portals))
        .route("/console/portals/new", get(new_portal).post(create_portal))
        .route(
            "/console/portals/{id}",
            get(show_portal).post(update_portal),
        )
}

struct PortalRow {
    id: i64,
    name: String,
    kind: &'static str,
    base_url: String,
    registration: &'static str,
    modules: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/portals.html")]
struct PortalsPage {
    chrome: Chrome,
    rows: Vec<PortalRow>,
}

async fn list_portals(State(s): State<AppState>, Admin(staff): Admin) -> PageResult<PortalsPage> {
    let portals = uc::list_portals(&s.cx).await?;
    let code = staff.language().as_str();
    Ok(PortalsPage {
        chrome: staff.chrome("portals"),
        rows: portals
            .into_iter()
            .map(|p| PortalRow {
                id: p.id,
                kind: p.kind.as_str(),
                registration: p.registration_mode.as_str(),
                modules: p.modules.len(),
                name: p.name_in(code).to_string(),
                base_url: p.base_url,
            })
            .collect(),
    })
}

/// The portal form, as the browser sends it.
struct PortalForm {
    name: String,
    name_de: String,
    kind: String,
    base_url: String,
    registration_mode: String,
    self_registration_creates_contact: bool,
    notify_staff_on_new_link: bool,
    invitation_lifetime_days: String,
    default_language: String,
    default_time_zone: String,
    /// One module per line, its German name after ` | `; a line ending in ` *` is admin-only.
    modules: String,
}

impl Default for PortalForm {
    fn default() -> Self {
        PortalForm {
            name: String::new(),
            name_de: String::new(),
            kind: PortalKind::Customer.as_str().into(),
            base_url: String::new(),
            registration_mode: RegistrationMode::InvitationOnly.as_str().into(),
            self_registration_creates_contact: false,
            notify_staff_on_new_link: false,
            invitation_lifetime_days: "7".into(),
            default_language: Language::En.as_str().into(),
            default_time_zone: "UTC".into(),
            modules: String::new(),
        }
    }
}

/// The modules of a textarea, and the line each came from (for error messages).
fn parse_modules(text: &str) -> (Vec<ModuleInput>, Vec<usize>) {
    let mut modules = Vec::new();
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (line, marketing) = match line.strip_suffix("(marketing)") {
            Some(n) => (n.trim_end(), true),
            None => (line, false),
        };
        let (line, admin_only) = match line.strip_suffix(" *") {
            Some(n) => (n.trim(), true),
            None => (line, false),
        };
        let (name, name_de) = match line.split_once('|') {
            Some((name, de)) => (name.trim(), de.trim()),
            None => (line, ""),
        };
        modules.push(ModuleInput {
            name: name.to_string(),
            name_de: Some(name_de.to_string()),
            admin_only,
            marketing,
        });
        lines.push(i + 1);
    }
    (modules, lines)
}

impl PortalForm {
    fn from_portal(p: &Portal) -> Self {
        PortalForm {
            name: p.name.clone(),
            name_de: p.name_de.clone().unwrap_or_default(),
            kind: p.kind.as_str().into(),
            base_url: p.base_url.clone(),
            registration_mode: p.registration_mode.as_str().into(),
            self_registration_creates_contact: p.self_registration_creates_contact,
            notify_staff_on_new_link: p.notify_staff_on_new_link,
            invitation_lifetime_days: p.invitation_lifetime_days.to_string(),
            default_language: p.default_language.clone(),
            default_time_zone: p.default_time_zone.clone(),
            modules: p
                .modules
                .iter()
                .map(|m| {
                    let mut line = m.name.clone();
                    if let Some(de) = &m.name_de {
                        line.push_str(" | ");
                        line.push_str(de);
                    }
                    if m.admin_only {
                        line.push_str(" *");
                    }
                    if m.marketing {
                        line.push_str(" (marketing)");
                    }
                    line
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    fn parse(body: &[u8]) -> Self {
        let d = FormData::parse(body);
        PortalForm {
            name: d.get("name"),
            name_de: d.get("name_de"),
            kind: d.get("kind"),
            base_url: d.get("base_url"),
            registration_mode: d.get("registration_mode"),
            self_registration_creates_contact: d.has("self_registration_creates_contact"),
            notify_staff_on_new_link: d.has("notify_staff_on_new_link"),
            invitation_lifetime_days: d.get("invitation_lifetime_days"),
            default_language: d.get("default_language"),
            default_time_zone: d.get("default_time_zone"),
            modules: d.get("modules"),
        }
    }

    fn to_input(&self) -> Result<PortalInput, Error> {
        let mut errors = Errors::new();
        let invitation_lifetime_days = match self.invitation_lifetime_days.trim() {
            "" => None,
            v => match v.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.add("invitation_lifetime_days", "must be a whole number of days");
                    None
                }
            },
        };
        let input = PortalInput {
            name: self.name.clone(),
            name_de: Some(self.name_de.clone()),
            kind: self.kind.clone(),
            base_url: self.base_url.clone(),
            registration_mode: self.registration_mode.clone(),
            self_registration_creates_contact: self.self_registration_creates_contact,
            notify_staff_on_new_link: self.notify_staff_on_new_link,
            invitation_lifetime_days,
            default_language: opt_text(&self.default_language),
            default_time_zone: opt_text(&self.default_time_zone),
            modules: parse_modules(&self.modules).0,
        };
        if !errors.is_empty() {
            // Show every mistake at once, not only the one found here.
            if let Err(more) = validate_portal(&input) {
                errors.0.extend(more.0);
            }
            return Err(Error::Invalid(errors));
        }
        Ok(input)
    }

    /// The errors about modules, each naming its line of the textarea.
    fn module_errors(&self, errors: &Errors, code: &str) -> Vec<String> {
        let (_, lines) = parse_modules(&self.modules);
        errors
            .0
            .iter()
            .filter_map(|e| {
                if e.field == "modules" {
                    return Some(e.text(code));
                }
                let rest = e.field.strip_prefix("modules[")?;
                let n: usize = rest
                    .strip_suffix("].name")
                    .or_else(|| rest.strip_suffix("].name_de"))?
                    .parse()
                    .ok()?;
                Some(match lines.get(n) {
                    Some(line) => Message::new("portal-module-line")
                        .number("line", i64::try_from(*line).unwrap_or(i64::MAX))
                        .text("problem", e.text(code))
                        .render(code),
                    None => e.text(code),
                })
            })
            .collect()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/portal.html")]
struct PortalPage {
    chrome: Chrome,
    portal: Option<Portal>,
    form: PortalForm,
    errors: Errors,
    module_errors: Vec<String>,
    kinds: &'static [PortalKind],
    modes: &'static [RegistrationMode],
    languages: &'static [Language],
    time_zones: Vec<&'static str>,
}

fn portal_page(
    staff: &Staff,
    portal: Option<Portal>,
    form: PortalForm,
    errors: Errors,
    status: StatusCode,
) -> Response {
    let module_errors = form.module_errors(&errors, staff.language().as_str());
    (
        status,
        PortalPage {
            chrome: staff.chrome("portals"),
            portal,
            form,
            errors,
            module_errors,
            kinds: PortalKind::ALL,
            modes: RegistrationMode::ALL,
            languages: Language::ALL,
            time_zones: crate::usecases::profile::time_zones().collect(),
        },
    )
        .into_response()
}

async fn new_portal(Admin(staff): Admin) -> Response {
    portal_page(
        &staff,
        None,
        PortalForm::default(),
        Errors::new(),
        StatusCode::OK,
    )
}

async fn create_portal(
    State(s): State<AppState>,
    Admin(staff): Admin,
    RawForm(body): RawForm,
) -> PageResult {
    let form = PortalForm::parse(&body);
    let result = match form.to_input() {
        Ok(input) => uc::create_portal(&s.cx, &staff.actor, &input).await,
        Err(e) => Err(e),
    };
    Ok(match form_errors(result)? {
        Ok(p) => done(
            &s,
            &format!("/console/portals/{}", p.id),
            &staff.say(&Message::new("flash-portal-created")),
        ),
        Err(errors) => portal_page(&staff, None, form, errors, StatusCode::UNPROCESSABLE_ENTITY),
    })
}

async fn show_portal(State(s): State<AppState>, Admin(staff): Admin, Id(id): Id) -> PageResult {
    let p = uc::get_portal(&s.cx, id).await?;
    let form = PortalForm::from_portal(&p);
    Ok(portal_page(
        &staff,
        Some(p),
        form,
        Errors::new(),
        StatusCode::OK,
    ))
}

async fn update_portal(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let form = PortalForm::parse(&body);
    let result = match form.to_input() {
        Ok(input) => uc::update_portal(&s.cx, &staff.actor, id, &input).await,
        Err(e) => Err(e),
    };
    Ok(match form_errors(result)? {
        Ok(p) => done(
            &s,
            &format!("/console/portals/{}", p.id),
            &staff.say(&Message::new("flash-portal-saved")),
        ),
        Err(errors) => {
            let p = uc::get_portal(&s.cx, id).await?;
            portal_page(
                &staff,
                Some(p),
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modules_come_one_per_line_a_star_means_admin_only_and_marketing_is_marked() {
        let (modules, lines) = parse_modules(
            "Invoices | Rechnungen\r\n\n  Pricing|Preise *\nPayment*\nPartner kit (marketing)\nBrochures | Broschüren * (marketing)\n",
        );
        let names: Vec<(&str, Option<&str>, bool, bool)> = modules
            .iter()
            .map(|m| {
                (
                    m.name.as_str(),
                    m.name_de.as_deref(),
                    m.admin_only,
                    m.marketing,
                )
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("Invoices", Some("Rechnungen"), false, false),
                ("Pricing", Some("Preise"), true, false),
                ("Payment*", Some(""), false, false),
                ("Partner kit", Some(""), false, true),
                ("Brochures", Some("Broschüren"), true, true)
            ]
        );
        assert_eq!(lines, vec![1, 3, 4, 5, 6]);
    }
}
