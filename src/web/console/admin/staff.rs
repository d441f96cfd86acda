//! Staff users: administrators and supervisors of the console.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use super::{Choice, FormData, area_choices, area_names};
use crate::catalog::Message;
use crate::domain::staff::StaffRole;
use crate::storage::sessions::Kind;
use crate::storage::staff::StaffUser;
use crate::usecases::Error;
use crate::usecases::directory as dir_uc;
use crate::usecases::sessions::end_all_of;
use crate::usecases::staff::{self as uc, NewStaff, StaffChange};
use crate::web::AppState;
use crate::web::console::badge::Badge;
use crate::web::console::listing::number;
use crate::web::console::{Admin, Chrome, Errors, Staff, done, sessions_ended};
use crate::web::page::{Id, PageResult, form_errors};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/staff", get(list_staff))
        .route("/console/staff/new", get(new_staff).post(create_staff))
        .route("/console/staff/{id}", get(show_staff).post(update_staff))
        .route("/console/staff/{id}/password", post(set_password))
        .route("/console/staff/{id}/sessions/end", post(end_sessions))
}

const ROLES: &[StaffRole] = &[StaffRole::Administrator, StaffRole::Supervisor];

struct StaffRow {
    id: i64,
    email: String,
    name: String,
    role: &'static str,
    areas: String,
    status: Badge,
    last_login: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/staff_list.html")]
struct StaffListPage {
    chrome: Chrome,
    rows: Vec<StaffRow>,
    /// "3 staff users", the number in the staff member's language.
    count: String,
}

async fn list_staff(State(s): State<AppState>, Admin(staff): Admin) -> PageResult<StaffListPage> {
    let users = uc::list_staff(&s.cx, &staff.actor).await?;
    let areas = dir_uc::list_areas(&s.cx, &staff.actor).await?;
    let at = staff.locale();
    let count = staff.say(
        &Message::new("staff-count")
            .number("count", users.len() as i64)
            .text(
                "number",
                number(users.len() as i64, staff.user.language == "de"),
            ),
    );
    Ok(StaffListPage {
        chrome: staff.chrome("staff"),
        count,
        rows: users
            .into_iter()
            .map(|u| StaffRow {
                id: u.id,
                areas: if u.is_admin() {
                    staff.say(&Message::new("all-areas"))
                } else {
                    area_names(&areas, &u.area_ids)
                },
                role: u.role.as_str(),
                status: Badge::staff(u.active, staff.language()),
                last_login: u
                    .last_login_at
                    .map(|t| at.time(t))
                    .unwrap_or_else(|| staff.say(&Message::new("never"))),
                email: u.email,
                name: u.name,
            })
            .collect(),
    })
}

/// The staff form, new or existing.
struct StaffForm {
    email: String,
    name: String,
    role: String,
    area_ids: Vec<i64>,
    active: bool,
}

impl StaffForm {
    fn from_user(u: &StaffUser) -> Self {
        StaffForm {
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.as_str().into(),
            area_ids: u.area_ids.clone(),
            active: u.active,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/staff.html")]
struct StaffPage {
    chrome: Chrome,
    /// `None` for a new staff user.
    user: Option<StaffUser>,
    form: StaffForm,
    areas: Vec<Choice>,
    roles: &'static [StaffRole],
    errors: Errors,
    /// A rule refused the change (the last administrator stays).
    refused: Option<String>,
    password_errors: Errors,
    /// The logged-in user: their own password is changed on the account page.
    chrome_user_id: i64,
    last_login: String,
}

struct PageParts {
    user: Option<StaffUser>,
    form: StaffForm,
    errors: Errors,
    refused: Option<String>,
    password_errors: Errors,
}

async fn staff_page(
    s: &AppState,
    staff: &Staff,
    parts: PageParts,
    status: StatusCode,
) -> PageResult {
    let areas = dir_uc::list_areas(&s.cx, &staff.actor).await?;
    let at = staff.locale();
    Ok((
        status,
        StaffPage {
            chrome: staff.chrome("staff"),
            areas: area_choices(&areas, &parts.form.area_ids),
            last_login: parts
                .user
                .as_ref()
                .and_then(|u| u.last_login_at)
                .map(|t| at.time(t))
                .unwrap_or_else(|| staff.say(&Message::new("never"))),
            user: parts.user,
            form: parts.form,
            roles: ROLES,
            errors: parts.errors,
            refused: parts.refused,
            password_errors: parts.password_errors,
            chrome_user_id: staff.user.id,
        },
    )
        .into_response())
}

async fn new_staff(State(s): State<AppState>, Admin(staff): Admin) -> PageResult {
    let form = StaffForm {
        email: String::new(),
        name: String::new(),
        role: StaffRole::Supervisor.as_str().into(),
        area_ids: vec![],
        active: true,
    };
    let parts = PageParts {
        user: None,
        form,
        errors: Errors::new(),
        refused: None,
        password_errors: Errors::new(),
    };
    staff_page(&s, &staff, parts, StatusCode::OK).await
}

async fn create_staff(
    State(s): State<AppState>,
    Admin(staff): Admin,
    RawForm(body): RawForm,
) -> PageResult {
    let d = FormData::parse(&body);
    let mut errors = Errors::new();
    let form = StaffForm {
        email: d.get("email"),
        name: d.get("name"),
        role: d.get("role"),
        area_ids: d.ids(&mut errors, "area_ids"),
        active: true,
    };
    let result = if errors.is_empty() {
        let input = NewStaff {
            email: form.email.clone(),
            name: form.name.clone(),
            role: form.role.clone(),
            area_ids: form.area_ids.clone(),
            password: d.get("password"),
        };
        uc::create_staff(&s.cx, &staff.actor, &input).await
    } else {
        Err(Error::Invalid(errors))
    };
    match form_errors(result)? {
        Ok(u) => Ok(done(
            &s,
            &format!("/console/staff/{}", u.id),
            &staff.say(&Message::new("flash-staff-created")),
        )),
        Err(errors) => {
            let parts = PageParts {
                user: None,
                form,
                errors,
                refused: None,
                password_errors: Errors::new(),
            };
            staff_page(&s, &staff, parts, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// The page of an existing staff user, with the password form's errors.
fn stored(u: StaffUser, password_errors: Errors) -> PageParts {
    PageParts {
        form: StaffForm::from_user(&u),
        user: Some(u),
        errors: Errors::new(),
        refused: None,
        password_errors,
    }
}

async fn show_staff(State(s): State<AppState>, Admin(staff): Admin, Id(id): Id) -> PageResult {
    let u = uc::get_staff(&s.cx, &staff.actor, id).await?;
    staff_page(&s, &staff, stored(u, Errors::new()), StatusCode::OK).await
}

async fn update_staff(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let user = uc::get_staff(&s.cx, &staff.actor, id).await?;
    let d = FormData::parse(&body);
    let mut errors = Errors::new();
    let form = StaffForm {
        email: user.email.clone(),
        name: d.get("name"),
        role: d.get("role"),
        area_ids: d.ids(&mut errors, "area_ids"),
        active: d.has("active"),
    };
    let result = if errors.is_empty() {
        let change = StaffChange {
            name: form.name.clone(),
            role: form.role.clone(),
            active: form.active,
            area_ids: form.area_ids.clone(),
        };
        uc::update_staff(&s.cx, &staff.actor, id, &change).await
    } else {
        Err(Error::Invalid(errors))
    };
    let mut parts = PageParts {
        user: Some(user),
        form,
        errors: Errors::new(),
        refused: None,
        password_errors: Errors::new(),
    };
    match result {
        Ok(u) => Ok(done(
            &s,
            &format!("/console/staff/{}", u.id),
            &staff.say(&Message::new("flash-staff-saved")),
        )),
        Err(Error::Invalid(errors) | Error::Conflict(errors)) => {
            parts.errors = errors;
            staff_page(&s, &staff, parts, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(Error::Refused(message)) => {
            parts.refused = Some(message.render(staff.language().as_str()));
            staff_page(&s, &staff, parts, StatusCode::CONFLICT).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn set_password(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let d = FormData::parse(&body);
    let new_password = d.get("new_password");
    let set = uc::set_password(&s.cx, &staff.actor, id, None, &new_password, None, None).await;
    match form_errors(set)? {
        Ok(()) => Ok(done(
            &s,
            &format!("/console/staff/{id}"),
            &staff.say(&Message::new("flash-staff-password-set")),
        )),
        Err(errors) => {
            let u = uc::get_staff(&s.cx, &staff.actor, id).await?;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            staff_page(&s, &staff, stored(u, errors), status).await
        }
    }
}

/// Ends every session of a staff user (an administrator's action; their own included, which
/// logs them out at their next request).
async fn end_sessions(State(s): State<AppState>, Admin(staff): Admin, Id(id): Id) -> PageResult {
    let n = end_all_of(&s.cx, &staff.actor, Kind::Staff, id).await?;
    Ok(done(
        &s,
        &format!("/console/staff/{id}"),
        &sessions_ended(staff.language(), n),
    ))
}
