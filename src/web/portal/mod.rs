//! Admit's portal pages, per portal, in English and German: accept an invitation, log in,
//! log out, the page a logged-in person lands on, their account, notifications and team.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::AppState;
use super::page::from_other_site;
use crate::catalog::Message;

mod account;
mod banner;
mod failures;
mod impersonation;
mod links;
mod login;
mod notifications;
pub mod oidc;
mod page;
mod register;
mod team;
pub mod unsubscribe;
mod words;
mod zone_offer;

pub use page::browser_language;

pub const SESSION_COOKIE: &str = "admit_portal";
pub const FORM_COOKIE: &str = "admit_portal_form";
/// The address of an invitation just accepted, which the login page fills in once: in a
/// cookie, so that it stays out of addresses and logs.
pub const WELCOME_COOKIE: &str = "admit_portal_welcome";

pub fn router(state: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/portal/{id}",
            get(|Path(id): Path<String>| async move {
                let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
                Redirect::to(&format!("/portal/{id}/"))
            }),
        )
        .route("/portal/{id}/", get(login::home))
        .route("/portal/{id}/time-zone", post(zone_offer::use_zone))
        .route("/portal/zone-offer.js", get(zone_offer::script))
        .route(
            "/portal/{id}/accept",
            get(links::password_link_page::<links::Invitation>)
                .post(links::submit_password::<links::Invitation>),
        )
        .route(
            "/portal/{id}/login",
            get(login::login_page).post(login::login),
        )
        .route("/portal/{id}/logout", post(login::logout))
        .route("/portal/{id}/impersonation/end", post(impersonation::end))
        .route(
            "/portal/{id}/forgot",
            get(login::email_form_page::<login::Forgot>)
                .post(login::submit_email_form::<login::Forgot>),
        )
        .route(
            "/portal/{id}/new-link",
            get(login::email_form_page::<login::NewLink>)
                .post(login::submit_email_form::<login::NewLink>),
        )
        .route(
            "/portal/{id}/register",
            get(register::register_page).post(register::register),
        )
        .route("/portal/{id}/account", get(account::account_page))
        .route("/portal/{id}/access", get(team::my_access_page))
        .route(
            "/portal/{id}/notifications",
            get(notifications::notifications_page).post(notifications::save_notifications),
        )
        .route("/portal/{id}/team", get(team::team_page))
        .route("/portal/{id}/team/invite", post(team::invite))
        .route("/portal/{id}/team/{member}", get(team::member_page))
        .route(
            "/portal/{id}/team/{member}/{what}",
            get(team::remove_page).post(team::member_post),
        )
        .route("/portal/{id}/account/{what}", post(account::account_post))
        .route(
            "/portal/{id}/confirm-email",
            get(links::confirm_email_page).post(links::confirm_email),
        )
        .route(
            "/portal/{id}/activate",
            get(links::activate_page).post(links::activate),
        )
        .route(
            "/portal/{id}/password",
            get(links::password_link_page::<links::Reset>)
                .post(links::submit_password::<links::Reset>),
        )
        .layer(middleware::from_fn(same_origin))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            failures::in_their_words,
        ))
        .layer(middleware::from_fn(banner::with_banner))
}

/// A form posted to a portal page must come from the same site.
async fn same_origin(req: Request, next: Next) -> Response {
    if req.method() == Method::POST {
        if from_other_site(req.headers()) {
            // Shown on the portal's page in the reader's language by the layer around.
            let refused = crate::web::page::forbidden(Message::new("error-form-other-site"));
            return crate::web::refusals::csrf_refused(refused);
        }
        // Read the body within the limit so that handlers see it whole.
        let (parts, body) = req.into_parts();
        let Ok(bytes) = to_bytes(body, super::BODY_LIMIT).await else {
            // Said in the page's language by the layer around the body limit.
            return StatusCode::PAYLOAD_TOO_LARGE.into_response();
        };
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    }
    next.run(req).await
}
