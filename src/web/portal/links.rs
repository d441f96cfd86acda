//! The pages of the single-use links Admit e-mails: accept an invitation, choose a new
//! password, confirm a registration's address, confirm a new address. Each link shows a page
//! with a button or a form, and only its POST uses the link, so that a mail scanner opening
//! the link does not use it up. A link that no longer works says so, and how to go on.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::SESSION_COOKIE;
use super::page::{
    MessagePage, PortalPage, form_token, form_token_ok, gone, set_cookie, signed_out,
    with_form_cookie,
};
use super::texts::T;
use crate::domain::FieldErrors;
use crate::domain::directory::Language;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::usecases::Error;
use crate::usecases::accounts as uc;
use crate::usecases::profile;
use crate::usecases::registration as reg;
use crate::web::page::PageResult;
use crate::web::{AppState, ClientAddr};

#[derive(Deserialize, Default)]
pub(super) struct TokenQuery {
    #[serde(default)]
    token: String,
    lang: Option<String>,
}

/// The form of a link's page: the token, and for the password forms the two passwords.
#[derive(Deserialize)]
pub(super) struct LinkForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
    #[serde(default)]
    csrf: String,
    lang: Option<String>,
}

/// A link's page with a fresh form token, in its cookie too.
fn with_new_token<P: IntoResponse>(
    s: &AppState,
    portal_id: i64,
    headers: &HeaderMap,
    page: impl FnOnce(String) -> P,
) -> Response {
    let csrf = form_token(headers);
    let page = page(csrf.clone());
    with_form_cookie(s, portal_id, &csrf, StatusCode::OK, page)
}

/// A form posted without its token goes back to the link's page.
fn back_to_link(portal_id: i64, path: &str, token: &str) -> Response {
    Redirect::to(&format!("/portal/{portal_id}/{path}?token={token}")).into_response()
}

/// The password form's errors, in the page's language.
fn password_errors(t: &T, errors: &FieldErrors) -> (Option<String>, Option<String>) {
    (
        errors.get("password").map(|m| t.password_rule(m)),
        errors
            .get("confirmation")
            .map(|_| t.confirmation_mismatch.to_string()),
    )
}

fn link_invalid(portal: Portal, language: Language) -> Response {
    let t = T::of(language);
    gone(portal, language, t.link_invalid, Some(t.ask_new_link))
}

// ---------------------------------------------------------------- accept an invitation

#[derive(Template, WebTemplate)]
#[template(path = "portal/accept.html")]
struct AcceptPage {
    t: &'static T,
    lang: &'static str,
    portal: Portal,
    account: PortalAccount,
    /// The staff user who sent the invitation.
    inviter: Option<String>,
    token: String,
    csrf: String,
    password_error: Option<String>,
    confirmation_error: Option<String>,
}

pub(super) async fn accept_page(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let Some(account) = uc::check_invitation(&s.cx, page.id(), &q.token).await? else {
        return Ok(link_invalid(page.portal, page.language));
    };
    // The invitation's language (the person's), unless they chose another.
    let language = match q.lang {
        Some(_) => page.language,
        None => page.choose(Some(&account.language)),
    };
    let inviter = uc::inviter_of(&s.cx, account.id).await.unwrap_or(None);
    Ok(with_new_token(&s, page.id(), &headers, |csrf| AcceptPage {
        t: T::of(language),
        lang: language.as_str(),
        portal: page.portal,
        inviter,
        account,
        token: q.token,
        csrf,
        password_error: None,
        confirmation_error: None,
    }))
}

pub(super) async fn accept(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<LinkForm>,
) -> PageResult {
    let language = page.choose(f.lang.as_deref());
    let pid = page.id();
    if !form_token_ok(&headers, &f.csrf) {
        return Ok(back_to_link(pid, "accept", &f.token));
    }
    let accepted =
        uc::accept_invitation(&s.cx, pid, &f.token, &f.password, &f.confirmation, addr).await;
    Ok(match accepted {
        Ok(_) => Redirect::to(&format!(
            "/portal/{pid}/login?welcome=1&lang={}",
            language.as_str()
        ))
        .into_response(),
        Err(Error::Invalid(errors)) => {
            let Ok(Some(account)) = uc::check_invitation(&s.cx, pid, &f.token).await else {
                return Ok(link_invalid(page.portal, language));
            };
            let t = T::of(language);
            let inviter = uc::inviter_of(&s.cx, account.id).await.unwrap_or(None);
            let (password_error, confirmation_error) = password_errors(t, &errors);
            let form = AcceptPage {
                t,
                lang: language.as_str(),
                portal: page.portal,
                inviter,
                account,
                token: f.token,
                csrf: f.csrf.clone(),
                password_error,
                confirmation_error,
            };
            with_form_cookie(&s, pid, &f.csrf, StatusCode::UNPROCESSABLE_ENTITY, form)
        }
        Err(Error::NotFound(_) | Error::Refused(_)) => link_invalid(page.portal, language),
        Err(e) => return Err(e.into()),
    })
}

// ---------------------------------------------------------------- choose a new password

#[derive(Template, WebTemplate)]
#[template(path = "portal/password.html")]
struct PasswordPage {
    t: &'static T,
    lang: &'static str,
    portal: Portal,
    account: PortalAccount,
    token: String,
    csrf: String,
    password_error: Option<String>,
    confirmation_error: Option<String>,
}

pub(super) async fn password_page(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let language = page.language;
    let Some(account) = uc::check_password_link(&s.cx, page.id(), &q.token).await? else {
        return Ok(link_invalid(page.portal, language));
    };
    Ok(with_new_token(&s, page.id(), &headers, |csrf| {
        PasswordPage {
            t: T::of(language),
            lang: language.as_str(),
            portal: page.portal,
            account,
            token: q.token,
            csrf,
            password_error: None,
            confirmation_error: None,
        }
    }))
}

pub(super) async fn set_password(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<LinkForm>,
) -> PageResult {
    let language = page.choose(f.lang.as_deref());
    let pid = page.id();
    if !form_token_ok(&headers, &f.csrf) {
        return Ok(back_to_link(pid, "password", &f.token));
    }
    let reset = uc::reset_password(&s.cx, pid, &f.token, &f.password, &f.confirmation, addr).await;
    Ok(match reset {
        Ok(_) => {
            let to = format!("/portal/{pid}/login?reset=1&lang={}", language.as_str());
            signed_out(&s, pid, to)
        }
        Err(Error::Invalid(errors)) => {
            let Ok(Some(account)) = uc::check_password_link(&s.cx, pid, &f.token).await else {
                return Ok(link_invalid(page.portal, language));
            };
            let t = T::of(language);
            let (password_error, confirmation_error) = password_errors(t, &errors);
            let form = PasswordPage {
                t,
                lang: language.as_str(),
                portal: page.portal,
                account,
                token: f.token,
                csrf: f.csrf.clone(),
                password_error,
                confirmation_error,
            };
            with_form_cookie(&s, pid, &f.csrf, StatusCode::UNPROCESSABLE_ENTITY, form)
        }
        Err(Error::NotFound(_)) => link_invalid(page.portal, language),
        Err(e) => return Err(e.into()),
    })
}

// ---------------------------------------------------------------- confirm a registration

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
    gone(
        portal,
        language,
        t.activation_invalid,
        Some(t.ask_new_activation),
    )
}

pub(super) async fn activate_page(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let language = page.language;
    let Some(account) = reg::check_activation(&s.cx, page.id(), &q.token).await? else {
        return Ok(activation_invalid(page.portal, language));
    };
    Ok(with_new_token(&s, page.id(), &headers, |csrf| {
        ActivatePage {
            t: T::of(language),
            lang: language.as_str(),
            portal: page.portal,
            account,
            token: q.token,
            csrf,
        }
    }))
}

pub(super) async fn activate(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<LinkForm>,
) -> PageResult {
    let language = page.choose(f.lang.as_deref());
    let t = T::of(language);
    let pid = page.id();
    if !form_token_ok(&headers, &f.csrf) {
        return Ok(back_to_link(pid, "activate", &f.token));
    }
    let account = match reg::activate(&s.cx, pid, &f.token, addr).await {
        Ok(account) => account,
        Err(Error::NotFound(_) | Error::Refused(_)) => {
            return Ok(activation_invalid(page.portal, language));
        }
        Err(e) => return Err(e.into()),
    };
    let may_log_in =
        uc::state_of(&account).is_some_and(|st| st.login(uc::today(s.cx.now())).is_ok());
    let message = if may_log_in {
        t.activated_login
    } else {
        t.activated_wait
    };
    let login = format!("/portal/{pid}/login?lang={}", language.as_str());
    Ok(MessagePage {
        lang: language.as_str(),
        title: t.activate_title,
        message: message.into(),
        link: may_log_in.then_some((login, t.go_to_login)),
        second_link: None,
        portal: page.portal,
    }
    .into_response())
}

// ---------------------------------------------------------------- confirm a new address

#[derive(Template, WebTemplate)]
#[template(path = "portal/confirm_email.html")]
struct ConfirmEmailPage {
    t: &'static T,
    lang: &'static str,
    portal: Portal,
    new_email: String,
    token: String,
    csrf: String,
}

fn email_link_invalid(portal: Portal, language: Language) -> Response {
    gone(portal, language, T::of(language).link_invalid, None)
}

pub(super) async fn confirm_email_page(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let language = page.language;
    let Some((_, new_email)) = profile::check_email_link(&s.cx, page.id(), &q.token).await? else {
        return Ok(email_link_invalid(page.portal, language));
    };
    Ok(with_new_token(&s, page.id(), &headers, |csrf| {
        ConfirmEmailPage {
            t: T::of(language),
            lang: language.as_str(),
            portal: page.portal,
            new_email,
            token: q.token,
            csrf,
        }
    }))
}

pub(super) async fn confirm_email(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<LinkForm>,
) -> PageResult {
    let language = page.choose(f.lang.as_deref());
    let pid = page.id();
    if !form_token_ok(&headers, &f.csrf) {
        return Ok(back_to_link(pid, "confirm-email", &f.token));
    }
    match profile::confirm_email_change(&s.cx, pid, &f.token, addr).await {
        Ok(_) => {
            let t = T::of(language);
            let c = set_cookie(&s, pid, SESSION_COOKIE, "", 0);
            let login = format!("/portal/{pid}/login?lang={}", language.as_str());
            Ok((
                [(header::SET_COOKIE, c)],
                MessagePage {
                    lang: language.as_str(),
                    title: t.confirm_email_title,
                    message: t.email_changed.into(),
                    link: Some((login, t.go_to_login)),
                    second_link: None,
                    portal: page.portal,
                },
            )
                .into_response())
        }
        Err(Error::NotFound(_) | Error::Conflict(_)) => {
            Ok(email_link_invalid(page.portal, language))
        }
        Err(e) => Err(e.into()),
    }
}
