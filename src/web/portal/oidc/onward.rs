//! The page that sends the browser on after a form was sent: from the login page to the
//! waiting authorization request, from the logout confirmation to the application.
//!
//! A redirect does not do here. The portal pages' Content-Security-Policy says
//! `form-action 'self'`, and browsers hold a form submission's whole redirect chain to it: a
//! 303 from the login form to `/oidc/resume` and on to an application on another origin is
//! blocked (Chromium: "Sending form data to ... violates ... form-action 'self'"). A page that
//! navigates on by itself (`<meta http-equiv="refresh">`, with a link for when it does not)
//! starts a new navigation, not the form's, and the policy stays as strict as it is.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::domain::directory::Language;
use crate::storage::directory::Portal;
use crate::web::portal::words::Words;

#[derive(Template, WebTemplate)]
#[template(path = "portal/oidc_onward.html")]
struct OnwardPage {
    words: Words,
    lang: &'static str,
    portal: Portal,
    title: String,
    to: String,
}

/// What the person just did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    LoggedIn,
    LoggedOut,
}

/// The page that goes on to `to`, with the cookies the form's answer sets.
pub fn onward(
    portal: Portal,
    language: Language,
    done: Done,
    to: String,
    cookies: &[String],
) -> Response {
    let words = Words::of(language);
    let title = words.t(match done {
        Done::LoggedIn => "portal-oidc-logged-in-title",
        Done::LoggedOut => "portal-oidc-logged-out-title",
    });
    let page = OnwardPage {
        words,
        lang: language.as_str(),
        portal,
        title,
        to,
    };
    let mut res = (StatusCode::OK, page).into_response();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}
