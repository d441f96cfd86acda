//! Areas: the list with a "New area" form, and renaming one.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::{FormData, parse_id, refuse_non_admin};
use crate::domain::directory::AreaInput;
use crate::storage::directory::Area;
use crate::usecases::Error;
use crate::usecases::directory as uc;
use crate::web::AppState;
use crate::web::console::{Chrome, Errors, Staff, done, error_page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/areas", get(list_areas).post(create_area))
        .route("/console/areas/{id}", get(show_area).post(update_area))
}

#[derive(Template, WebTemplate)]
#[template(path = "console/areas.html")]
struct AreasPage {
    chrome: Chrome,
    rows: Vec<AreaRow>,
    /// The "New area" form.
    name: String,
    errors: Errors,
}

struct AreaRow {
    id: i64,
    name: String,
    created: String,
}

async fn areas_page(
    s: &AppState,
    staff: &Staff,
    name: String,
    errors: Errors,
    status: StatusCode,
) -> Response {
    match uc::list_areas(&s.cx, &staff.actor).await {
        Ok(areas) => (
            status,
            AreasPage {
                chrome: staff.chrome("areas"),
                rows: areas
                    .into_iter()
                    .map(|a| AreaRow {
                        id: a.id,
                        name: a.name,
                        created: crate::clock::format_time(a.created_at),
                    })
                    .collect(),
                name,
                errors,
            },
        )
            .into_response(),
        Err(e) => error_page(e),
    }
}

async fn list_areas(State(s): State<AppState>, staff: Staff) -> Response {
    if let Some(r) = refuse_non_admin(&staff) {
        return r;
    }
    areas_page(&s, &staff, String::new(), Errors::new(), StatusCode::OK).await
}

async fn create_area(State(s): State<AppState>, staff: Staff, RawForm(body): RawForm) -> Response {
    if let Some(r) = refuse_non_admin(&staff) {
        return r;
    }
    let form = FormData::parse(&body);
    let name = form.get("name");
    match uc::create_area(&s.cx, &staff.actor, &AreaInput { name: name.clone() }).await {
        Ok(a) => done(&s, "/console/areas", &format!("Area {} created.", a.name)),
        Err(Error::Invalid(errors) | Error::Conflict(errors)) => {
            areas_page(&s, &staff, name, errors, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => error_page(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/area.html")]
struct AreaPage {
    chrome: Chrome,
    area: Area,
    name: String,
    errors: Errors,
}

async fn show_area(State(s): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    if let Some(r) = refuse_non_admin(&staff) {
        return r;
    }
    let Some(id) = parse_id(&id) else {
        return error_page(Error::NotFound("area"));
    };
    match uc::get_area(&s.cx, &staff.actor, id).await {
        Ok(area) => AreaPage {
            chrome: staff.chrome("areas"),
            name: area.name.clone(),
            area,
            errors: Errors::new(),
        }
        .into_response(),
        Err(e) => error_page(e),
    }
}

async fn update_area(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    RawForm(body): RawForm,
) -> Response {
    if let Some(r) = refuse_non_admin(&staff) {
        return r;
    }
    let Some(id) = parse_id(&id) else {
        return error_page(Error::NotFound("area"));
    };
    let form = FormData::parse(&body);
    let name = form.get("name");
    match uc::update_area(&s.cx, &staff.actor, id, &AreaInput { name: name.clone() }).await {
        Ok(a) => done(&s, &format!("/console/areas/{}", a.id), "Area saved."),
        Err(Error::Invalid(errors) | Error::Conflict(errors)) => {
            match uc::get_area(&s.cx, &staff.actor, id).await {
                Ok(area) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    AreaPage {
                        chrome: staff.chrome("areas"),
                        area,
                        name,
                        errors,
                    },
                )
                    .into_response(),
                Err(e) => error_page(e),
            }
        }
        Err(e) => error_page(e),
    }
}
