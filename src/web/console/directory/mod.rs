//! Console pages for organizations and contacts.

use axum::Router;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::usecases::Error;
use crate::web::AppState;
use crate::web::console::{Errors, done};
use crate::web::page::{PageResult, form_again, form_errors};

mod contacts;
mod downloads;
mod organizations;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/console/organizations",
            get(organizations::list_organizations),
        )
        .route(
            "/console/organizations/new",
            get(organizations::new_organization).post(organizations::create_organization),
        )
        .route(
            "/console/organizations/{id}",
            get(organizations::show_organization).post(organizations::update_organization),
        )
        .route(
            "/console/organizations/{id}/invite",
            post(organizations::invite),
        )
        .route("/console/contacts", get(contacts::list_contacts))
        .route("/console/contacts.csv", get(downloads::contacts))
        .route("/console/organizations.csv", get(downloads::organizations))
        .route(
            "/console/contacts/new",
            get(contacts::new_contact).post(contacts::create_contact),
        )
        .route(
            "/console/contacts/{id}",
            get(contacts::show_contact).post(contacts::update_contact),
        )
        .route("/console/contacts/{id}/grant", post(contacts::grant_access))
}

const PAGE_SIZE: i64 = 50;

/// The end of a saved form, the same for organizations and contacts: to the record's page
/// (`to`) with `message`, or the form `again` with what was refused.
async fn saved<T, P: IntoResponse>(
    s: &AppState,
    result: Result<T, Error>,
    to: impl FnOnce(&T) -> String,
    message: &str,
    again: impl AsyncFnOnce(Errors) -> Result<P, Error>,
) -> PageResult {
    Ok(match form_errors(result)? {
        Ok(record) => done(s, &to(&record), message),
        Err(errors) => form_again(again(errors).await?),
    })
}
