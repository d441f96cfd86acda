//! Self-registration on the portal pages: the form. The activation link's page is with the
//! other links' pages.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde::Deserialize;

use super::page::{PortalPage, error_of, field_errors_in, form_token, with_form_cookie};
use super::words::Words;
use crate::domain::FieldErrors;
use crate::storage::directory::Portal;
use crate::usecases::Error;
use crate::usecases::registration::{self as reg, RegistrationInput};
use crate::web::page::{PageError, PageResult};
use crate::web::{AppState, ClientAddr};

#[derive(Deserialize, Default)]
pub(super) struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
    #[serde(default)]
    csrf: String,
    lang: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/register.html")]
struct RegisterPage {
    words: Words,
    lang: &'static str,
    portal: Portal,
    csrf: String,
    form: RegisterForm,
    errors: Vec<(&'static str, String)>,
    sent: bool,
}

impl RegisterPage {
    fn error(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

fn errors_in(words: Words, e: &FieldErrors) -> Vec<(&'static str, String)> {
    field_errors_in(
        words,
        e,
        &[
            "name",
            "organization",
            "email",
            "phone",
            "password",
            "confirmation",
        ],
    )
}

/// A portal that takes invitations only has no registration form.
fn check_open(page: &PortalPage) -> Result<(), PageError> {
    match reg::open_mode(&page.portal) {
        Ok(_) => Ok(()),
        Err(_) => Err((
            StatusCode::NOT_FOUND,
            "This portal takes invitations only; there is no registration.",
        )
            .into_response()
            .into()),
    }
}

pub(super) async fn register_page(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
) -> PageResult {
    check_open(&page)?;
    let language = page.language;
    let csrf = form_token(&headers);
    let pid = page.id();
    let form = RegisterPage {
        words: Words::of(language),
        lang: language.as_str(),
        portal: page.portal,
        csrf: csrf.clone(),
        form: RegisterForm::default(),
        errors: Vec::new(),
        sent: false,
    };
    Ok(with_form_cookie(&s, pid, &csrf, StatusCode::OK, form))
}

pub(super) async fn register(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<RegisterForm>,
) -> PageResult {
    check_open(&page)?;
    let language = page.posted(&headers, &f.csrf, f.lang.as_deref(), "register")?;
    let words = Words::of(language);
    let pid = page.id();
    let input = RegistrationInput {
        name: f.name.clone(),
        organization: f.organization.clone(),
        email: f.email.clone(),
        phone: Some(f.phone.clone()),
        password: f.password.clone(),
        confirmation: f.confirmation.clone(),
    };
    // Too many attempts: the failure page says so, in the page's language.
    let (status, errors, sent) = match reg::register(&s.cx, pid, &input, language, addr).await {
        Ok(()) => (StatusCode::OK, Vec::new(), true),
        Err(Error::Invalid(e)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            errors_in(words, &e),
            false,
        ),
        Err(e) => return Err(e.into()),
    };
    let csrf = f.csrf.clone();
    let form = RegisterPage {
        words,
        lang: language.as_str(),
        portal: page.portal,
        csrf: csrf.clone(),
        // Passwords are never sent back into the page.
        form: RegisterForm {
            password: String::new(),
            confirmation: String::new(),
            ..f
        },
        errors,
        sent,
    };
    Ok(with_form_cookie(&s, pid, &csrf, status, form))
}
