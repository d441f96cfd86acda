//! API keys: create (the secret is shown once), list, revoke.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawForm, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

use super::{Choice, FormData, area_choices, area_names};
use crate::catalog::Message;
use crate::usecases::Error;
use crate::usecases::apikeys as uc;
use crate::usecases::directory as dir_uc;
use crate::web::AppState;
use crate::web::console::{Admin, Chrome, Errors, Staff, done};
use crate::web::page::{Id, PageResult, form_errors};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/api-keys", get(list_keys).post(create_key))
        .route("/console/api-keys/{id}/revoke", post(revoke_key))
}

struct KeyRow {
    id: i64,
    name: String,
    prefix: String,
    areas: String,
    created: String,
    last_used: String,
    revoked: Option<String>,
}

/// A key just created: its secret, shown on this one page only.
struct NewKey {
    name: String,
    secret: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/api_keys.html")]
struct KeysPage {
    chrome: Chrome,
    rows: Vec<KeyRow>,
    created: Option<NewKey>,
    name: String,
    areas: Vec<Choice>,
    errors: Errors,
}

async fn keys_page(
    s: &AppState,
    staff: &Staff,
    created: Option<NewKey>,
    name: String,
    selected: &[i64],
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let keys = uc::list(&s.cx, &staff.actor).await?;
    let at = staff.locale();
    let areas = dir_uc::list_areas(&s.cx, &staff.actor).await?;
    let rows = keys
        .into_iter()
        .map(|k| KeyRow {
            id: k.id,
            areas: if k.area_ids.is_empty() {
                staff.say(&Message::new("api-keys-all-areas"))
            } else {
                area_names(&areas, &k.area_ids)
            },
            created: at.time(k.created_at),
            last_used: k
                .last_used_at
                .map(|t| at.time(t))
                .unwrap_or_else(|| staff.say(&Message::new("never"))),
            revoked: k.revoked_at.map(|t| at.time(t)),
            name: k.name,
            prefix: k.prefix,
        })
        .collect();
    let page = KeysPage {
        chrome: staff.chrome("api-keys"),
        rows,
        created,
        name,
        areas: area_choices(&areas, selected),
        errors,
    };
    // The page with a new secret must not be kept by the browser or a proxy.
    Ok((status, [(header::CACHE_CONTROL, "no-store")], page).into_response())
}

async fn list_keys(State(s): State<AppState>, Admin(staff): Admin) -> PageResult {
    keys_page(
        &s,
        &staff,
        None,
        String::new(),
        &[],
        Errors::new(),
        StatusCode::OK,
    )
    .await
}

async fn create_key(
    State(s): State<AppState>,
    Admin(staff): Admin,
    RawForm(body): RawForm,
) -> PageResult {
    let d = FormData::parse(&body);
    let mut errors = Errors::new();
    let name = d.get("name");
    let area_ids = d.ids(&mut errors, "area_ids");
    let result = if errors.is_empty() {
        uc::create(&s.cx, &staff.actor, &name, &area_ids).await
    } else {
        Err(Error::Invalid(errors))
    };
    match form_errors(result)? {
        Ok(created) => {
            let new = NewKey {
                name: created.key.name,
                secret: created.secret,
            };
            keys_page(
                &s,
                &staff,
                Some(new),
                String::new(),
                &[],
                Errors::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(errors) => {
            keys_page(
                &s,
                &staff,
                None,
                name,
                &area_ids,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn revoke_key(State(s): State<AppState>, Admin(staff): Admin, Id(id): Id) -> PageResult {
    let k = uc::revoke(&s.cx, &staff.actor, id).await?;
    Ok(done(
        &s,
        "/console/api-keys",
        &staff.say(&Message::new("flash-api-key-revoked").text("name", k.name)),
    ))
}
