//! Self-registration on the portal pages: the form, and the activation link's page.
//!
//! The activation link shows a page with a button, and only the button's POST uses the link, so
//! that a mail scanner opening the link does not use it up.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::texts::T;
use super::{
    MessagePage, TokenQuery, form_token, form_token_ok, language, portal_of, with_form_cookie,
};
use crate::domain::FieldErrors;
use crate::domain::directory::Language;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::usecases::Error;
use crate::usecases::registration::{self as reg, RegistrationInput};
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
    t: &'static T,
    lang: &'static str,
    portal: Portal,
    csrf: String,
    form: RegisterForm,
    errors: Vec<(&'static str, String)>,
    sent: bool,
}

impl RegisterPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

fn errors_in(t: &T, e: &FieldErrors) -> Vec<(&'static str, String)> {
    [
        "name",
        "organization",
        "email",
        "phone",
        "password",
        "confirmation",
    ]
    .into_iter()
    .filter_map(|f| e.get(f).map(|m| (f, t.field_error(f, m))))
    .collect()
}

/// The portal, when it takes registrations.
async fn open_portal(s: &AppState, id: &str) -> Result<Portal, Response> {
    let portal = portal_of(s, id).await?;
    match reg::open_mode(&portal) {
        Ok(_) => Ok(portal),
        Err(_) => Err((
            StatusCode::NOT_FOUND,
            "This portal takes invitations only; there is no registration.",
        )
            .into_response()),
    }
}

pub(super) async fn register_page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Response {
    let portal = match open_portal(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language = language(&headers, q.lang.as_deref(), &portal);
    let csrf = form_token(&headers);
    let pid = portal.id;
    let page = RegisterPage {
        t: T::of(language),
        lang: language.as_str(),
        portal,
        csrf: csrf.clone(),
        form: RegisterForm::default(),
        errors: Vec::new(),
        sent: false,
    };
    with_form_cookie(&s, pid, &csrf, StatusCode::OK, page)
}

pub(super) async fn register(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<RegisterForm>,
) -> Response {
    let portal = match open_portal(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language = language(&headers, f.lang.as_deref(), &portal);
    let t = T::of(language);
    let pid = portal.id;
    if !form_token_ok(&headers, &f.csrf) {
        return Redirect::to(&format!("/portal/{pid}/register")).into_response();
    }
    let input = RegistrationInput {
        name: f.name.clone(),
        organization: f.organization.clone(),
        email: f.email.clone(),
        phone: Some(f.phone.clone()),
        password: f.password.clone(),
        confirmation: f.confirmation.clone(),
    };
    let (status, errors, sent) = match reg::register(&s.cx, pid, &input, language, addr).await {
        Ok(()) => (StatusCode::OK, Vec::new(), true),
        Err(Error::Invalid(e)) => (StatusCode::UNPROCESSABLE_ENTITY, errors_in(t, &e), false),
        Err(Error::TooMany { retry_after_s }) => {
            return super::too_many(portal, language, retry_after_s);
        }
        Err(e) => return super::super::console::error_page(e),
    };
    let csrf = f.csrf.clone();
    let page = RegisterPage {
        t,
        lang: language.as_str(),
        portal,
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
    with_form_cookie(&s, pid, &csrf, status, page)
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/activate.html")]
struct ActivatePage {
    t: &'static T,
    lang: &'static str,
    portal: Portal,
    account: PortalAccount,
    token: String,
    csrf: String,
}

fn activation_invalid(portal: Portal, language: Language) -> Response {
    let t = T::of(language);
    (
        StatusCode::GONE,
        MessagePage {
            lang: language.as_str(),
            title: t.link_invalid_title,
            message: t.activation_invalid.into(),
            link: Some((format!("/portal/{}/login", portal.id), t.go_to_login)),
            second_link: Some((
                format!("/portal/{}/new-link?lang={}", portal.id, language.as_str()),
                t.ask_new_activation,
            )),
            portal,
        },
    )
        .into_response()
}

pub(super) async fn activate_page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language = language(&headers, q.lang.as_deref(), &portal);
    match reg::check_activation(&s.cx, portal.id, &q.token).await {
        Ok(Some(account)) => {
            let csrf = form_token(&headers);
            let pid = portal.id;
            let page = ActivatePage {
                t: T::of(language),
                lang: language.as_str(),
                portal,
                account,
                token: q.token,
                csrf: csrf.clone(),
            };
            with_form_cookie(&s, pid, &csrf, StatusCode::OK, page)
        }
        Ok(None) => activation_invalid(portal, language),
        Err(e) => super::super::console::error_page(e),
    }
}

#[derive(Deserialize)]
pub(super) struct ActivateForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    csrf: String,
    lang: Option<String>,
}

pub(super) async fn activate(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<ActivateForm>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language = language(&headers, f.lang.as_deref(), &portal);
    let t = T::of(language);
    if !form_token_ok(&headers, &f.csrf) {
        return Redirect::to(&format!("/portal/{}/activate?token={}", portal.id, f.token))
            .into_response();
    }
    match reg::activate(&s.cx, portal.id, &f.token, addr).await {
        Ok(account) => {
            let may_log_in = account.may_log_in(crate::clock::today(s.cx.now()));
            let message = if may_log_in {
                t.activated_login
            } else {
                t.activated_wait
            };
            let login = format!("/portal/{}/login?lang={}", portal.id, language.as_str());
            MessagePage {
                lang: language.as_str(),
                title: t.activate_title,
                message: message.into(),
                link: may_log_in.then_some((login, t.go_to_login)),
                second_link: None,
                portal,
            }
            .into_response()
        }
        Err(Error::NotFound(_) | Error::Refused(_)) => activation_invalid(portal, language),
        Err(e) => super::super::console::error_page(e),
    }
}
