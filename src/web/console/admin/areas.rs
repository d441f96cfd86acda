//! Areas: the list with a "New area" form, and renaming one.

use crate::catalog::Message;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;

use super::FormData;
use crate::domain::directory::AreaInput;
use crate::storage::directory::Area;
use crate::usecases::directory as uc;
use crate::web::AppState;
use crate::web::console::{Admin, Chrome, Errors, Staff, done};
use crate::web::page::{Id, PageResult, form_again, form_errors};

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
) -> PageResult {
    let areas = uc::list_areas(&s.cx, &staff.actor).await?;
    let at = staff.locale();
    let page = AreasPage {
        chrome: staff.chrome("areas"),
        rows: areas
            .into_iter()
            .map(|a| AreaRow {
                id: a.id,
                name: a.name,
                created: at.time(a.created_at),
            })
            .collect(),
        name,
        errors,
    };
    Ok((status, page).into_response())
}

async fn list_areas(State(s): State<AppState>, Admin(staff): Admin) -> PageResult {
    areas_page(&s, &staff, String::new(), Errors::new(), StatusCode::OK).await
}

async fn create_area(
    State(s): State<AppState>,
    Admin(staff): Admin,
    RawForm(body): RawForm,
) -> PageResult {
    let form = FormData::parse(&body);
    let name = form.get("name");
    let created = uc::create_area(&s.cx, &staff.actor, &AreaInput { name: name.clone() }).await;
    match form_errors(created)? {
        Ok(a) => Ok(done(
            &s,
            "/console/areas",
            &staff.say(&Message::new("flash-area-created").text("name", a.name)),
        )),
        Err(errors) => areas_page(&s, &staff, name, errors, StatusCode::UNPROCESSABLE_ENTITY).await,
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

async fn show_area(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
) -> PageResult<AreaPage> {
    let area = uc::get_area(&s.cx, &staff.actor, id).await?;
    Ok(AreaPage {
        chrome: staff.chrome("areas"),
        name: area.name.clone(),
        area,
        errors: Errors::new(),
    })
}

async fn update_area(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let form = FormData::parse(&body);
    let name = form.get("name");
    let saved = uc::update_area(&s.cx, &staff.actor, id, &AreaInput { name: name.clone() }).await;
    Ok(match form_errors(saved)? {
        Ok(a) => done(
            &s,
            &format!("/console/areas/{}", a.id),
            &staff.t("flash-area-saved"),
        ),
        Err(errors) => form_again(AreaPage {
            chrome: staff.chrome("areas"),
            area: uc::get_area(&s.cx, &staff.actor, id).await?,
            name,
            errors,
        }),
    })
}
