//! Console pages for e-mail (administrators only): the outbox, the built-in mailbox, and each
//! portal's templates with a live preview on sample data.

use axum::Router;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::web::AppState;

mod outbox;
mod templates;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/outbox", get(outbox::outbox))
        .route("/console/outbox/test", post(outbox::send_test))
        .route("/console/outbox/{id}", get(outbox::outbox_message))
        .route("/console/outbox/{id}/send-again", post(outbox::send_again))
        .route("/console/mail", get(outbox::mailbox))
        .route("/console/mail/{id}", get(outbox::mailbox_message))
        .route("/console/mail-template.js", get(editor_script))
        .route(
            "/console/portals/{id}/templates",
            get(templates::portal_templates),
        )
        .route(
            "/console/portals/{id}/templates/{event}/{language}",
            get(templates::edit_template).post(templates::save_template),
        )
        .route(
            "/console/portals/{id}/templates/{event}/{language}/preview",
            post(templates::preview_template),
        )
}

fn form_value(body: &[u8], name: &str) -> String {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Every value of a field given several times, in the form's order.
fn form_values(body: &[u8], name: &str) -> Vec<String> {
    form_urlencoded::parse(body)
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .collect()
}

/// The template editor's script: the live preview, the variable picker, adding and removing
/// paragraphs, and the advanced switch.
async fn editor_script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../../assets/mail_template.js"),
    )
        .into_response()
}

/// HTML for an `<iframe srcdoc>`: links open in a new tab.
fn framed(html: &str) -> String {
    format!("<base target=\"_blank\">{html}")
}
