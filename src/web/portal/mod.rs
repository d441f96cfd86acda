//! Admit's portal pages, per portal, in English and German: accept an invitation, log in,
//! log out, and the page a logged-in person lands on.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::{Body, to_bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::console::cookie;
use super::{AppState, ClientAddr};
use crate::domain::directory::Language;
use crate::security::tokens;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::usecases::Error;
use crate::usecases::accounts::{self as uc, PortalLogin};
use crate::usecases::directory as dir_uc;

mod account;
mod notifications;
mod register;
mod team;
mod texts;
pub mod unsubscribe;
use texts::T;

pub const SESSION_COOKIE: &str = "admit_portal";
pub const FORM_COOKIE: &str = "admit_portal_form";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/portal/{id}",
            get(|Path(id): Path<String>| async move { Redirect::to(&format!("/portal/{id}/")) }),
        )
        .route("/portal/{id}/", get(home))
        .route("/portal/{id}/accept", get(accept_page).post(accept))
        .route("/portal/{id}/login", get(login_page).post(login))
        .route("/portal/{id}/logout", post(logout))
        .route("/portal/{id}/forgot", get(forgot_page).post(forgot))
        .route("/portal/{id}/new-link", get(new_link_page).post(new_link))
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
            get(account::confirm_email_page).post(account::confirm_email),
        )
        .route(
            "/portal/{id}/activate",
            get(register::activate_page).post(register::activate),
        )
        .route(
            "/portal/{id}/password",
            get(password_page).post(set_password),
        )
        .layer(middleware::from_fn(same_origin))
}

/// A form posted to a portal page must come from the same site.
async fn same_origin(req: Request, next: Next) -> Response {
    if req.method() == Method::POST {
        let h = req.headers();
        if let Some(site) = h.get("sec-fetch-site").and_then(|v| v.to_str().ok())
            && !matches!(site, "same-origin" | "none")
        {
            return (StatusCode::FORBIDDEN, "This form came from another site.").into_response();
        }
        if let (Some(origin), Some(host)) = (
            h.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
            h.get(header::HOST).and_then(|v| v.to_str().ok()),
        ) && origin.split_once("://").map(|(_, o)| o).unwrap_or(origin) != host
        {
            return (StatusCode::FORBIDDEN, "This form came from another site.").into_response();
        }
        // Read the body within the limit so that handlers see it whole.
        let (parts, body) = req.into_parts();
        let Ok(bytes) = to_bytes(body, super::BODY_LIMIT).await else {
            return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response();
        };
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    }
    next.run(req).await
}

fn cookie_path(portal_id: i64) -> String {
    format!("/portal/{portal_id}/")
}

fn set_cookie(state: &AppState, portal_id: i64, name: &str, value: &str, max_age: i64) -> String {
    let mut c = format!(
        "{name}={value}; Path={}; HttpOnly; SameSite=Lax; Max-Age={max_age}",
        cookie_path(portal_id)
    );
    if state.config.secure_cookies() {
        c.push_str("; Secure");
    }
    c
}

/// The page's language: `?lang=`, else the browser's first choice Admit speaks, else the portal's.
fn language(headers: &HeaderMap, lang: Option<&str>, portal: &Portal) -> Language {
    if let Some(l) = lang.and_then(|l| Language::parse(l).ok()) {
        return l;
    }
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    for tag in accept.split(',') {
        let primary = tag
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .split('-')
            .next()
            .unwrap_or("");
        if let Ok(l) = Language::parse(&primary.to_lowercase()) {
            return l;
        }
    }
    Language::parse(&portal.default_language).unwrap_or(Language::En)
}

async fn portal_of(s: &AppState, id: &str) -> Result<Portal, Response> {
    let id = id.parse::<i64>().map_err(|_| not_found())?;
    dir_uc::get_portal(&s.cx, id).await.map_err(|e| match e {
        Error::NotFound(_) => not_found(),
        other => super::console::error_page(other),
    })
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "There is no such portal.").into_response()
}

/// A token for the forms shown before login: in a cookie and in the form (double submit).
fn form_token(headers: &HeaderMap) -> String {
    cookie(headers, FORM_COOKIE)
        .filter(|c| c.len() == 64 && c.chars().all(|ch| ch.is_ascii_hexdigit()))
        .map(str::to_string)
        .unwrap_or_else(tokens::new_token)
}

fn form_token_ok(headers: &HeaderMap, sent: &str) -> bool {
    cookie(headers, FORM_COOKIE).is_some_and(|c| tokens::constant_time_eq(c, sent))
}

fn with_form_cookie(
    state: &AppState,
    portal_id: i64,
    csrf: &str,
    status: StatusCode,
    page: impl IntoResponse,
) -> Response {
    let c = set_cookie(state, portal_id, FORM_COOKIE, csrf, 3600);
    (status, [(header::SET_COOKIE, c)], page).into_response()
}

// ---------------------------------------------------------------- accept an invitation

#[derive(Deserialize, Default)]
struct TokenQuery {
    #[serde(default)]
    token: String,
    lang: Option<String>,
}

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

#[derive(Template, WebTemplate)]
#[template(path = "portal/message.html")]
pub(super) struct MessagePage {
    lang: &'static str,
    portal: Portal,
    title: &'static str,
    message: String,
    link: Option<(String, &'static str)>,
    second_link: Option<(String, &'static str)>,
}

fn link_invalid(portal: Portal, language: Language) -> Response {
    let t = T::of(language);
    let login = format!("/portal/{}/login", portal.id);
    (
        StatusCode::GONE,
        MessagePage {
            lang: language.as_str(),
            title: t.link_invalid_title,
            message: t.link_invalid.into(),
            link: Some((login, t.go_to_login)),
            second_link: Some((
                format!("/portal/{}/new-link?lang={}", portal.id, language.as_str()),
                t.ask_new_link,
            )),
            portal,
        },
    )
        .into_response()
}

/// Too many attempts: the page says so in the person's language, and when to try again.
fn too_many(portal: Portal, language: Language, retry_after_s: i64) -> Response {
    let t = T::of(language);
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, retry_after_s.to_string())],
        MessagePage {
            lang: language.as_str(),
            title: t.too_many_title,
            message: t.too_many.into(),
            link: None,
            second_link: None,
            portal,
        },
    )
        .into_response()
}

async fn accept_page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language_of_page = language(&headers, q.lang.as_deref(), &portal);
    match uc::check_invitation(&s.cx, portal.id, &q.token).await {
        Ok(Some(account)) => {
            // The invitation's language (the person's), unless they chose another.
            let language = match q.lang.as_deref() {
                Some(_) => language_of_page,
                None => Language::parse(&account.language).unwrap_or(language_of_page),
            };
            let csrf = form_token(&headers);
            let pid = portal.id;
            let inviter = uc::inviter_of(&s.cx, account.id).await.unwrap_or(None);
            let page = AcceptPage {
                t: T::of(language),
                lang: language.as_str(),
                portal,
                inviter,
                account,
                token: q.token,
                csrf: csrf.clone(),
                password_error: None,
                confirmation_error: None,
            };
            with_form_cookie(&s, pid, &csrf, StatusCode::OK, page)
        }
        Ok(None) => link_invalid(portal, language_of_page),
        Err(e) => super::console::error_page(e),
    }
}

#[derive(Deserialize)]
struct AcceptForm {
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

async fn accept(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<AcceptForm>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language = language(&headers, f.lang.as_deref(), &portal);
    let t = T::of(language);
    if !form_token_ok(&headers, &f.csrf) {
        return Redirect::to(&format!("/portal/{}/accept?token={}", portal.id, f.token))
            .into_response();
    }
    match uc::accept_invitation(
        &s.cx,
        portal.id,
        &f.token,
        &f.password,
        &f.confirmation,
        addr,
    )
    .await
    {
        Ok(_) => Redirect::to(&format!(
            "/portal/{}/login?welcome=1&lang={}",
            portal.id,
            language.as_str()
        ))
        .into_response(),
        Err(Error::Invalid(errors)) => {
            let Ok(Some(account)) = uc::check_invitation(&s.cx, portal.id, &f.token).await else {
                return link_invalid(portal, language);
            };
            let pid = portal.id;
            let inviter = uc::inviter_of(&s.cx, account.id).await.unwrap_or(None);
            let page = AcceptPage {
                t,
                lang: language.as_str(),
                portal,
                inviter,
                account,
                token: f.token,
                csrf: f.csrf.clone(),
                password_error: errors.get("password").map(|m| t.password_rule(m)),
                confirmation_error: errors
                    .get("confirmation")
                    .map(|_| t.confirmation_mismatch.to_string()),
            };
            with_form_cookie(&s, pid, &f.csrf, StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(Error::NotFound(_) | Error::Refused(_)) => link_invalid(portal, language),
        Err(e) => super::console::error_page(e),
    }
}

// ---------------------------------------------------------------- log in and out

#[derive(Template, WebTemplate)]
#[template(path = "portal/login.html")]
struct LoginPage {
    t: &'static T,
    lang: &'static str,
    portal: Portal,
    csrf: String,
    email: String,
    error: Option<String>,
    notice: Option<&'static str>,
    /// After "confirm your e-mail first": offer to send the confirmation again.
    resend: bool,
}

impl LoginPage {
    fn register_open(&self) -> bool {
        self.portal.registration_mode != "invitation_only"
    }
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    lang: Option<String>,
    welcome: Option<String>,
    out: Option<String>,
    reset: Option<String>,
}

async fn login_page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language = language(&headers, q.lang.as_deref(), &portal);
    let t = T::of(language);
    let csrf = form_token(&headers);
    let notice = if q.welcome.is_some() {
        Some(t.password_set)
    } else if q.reset.is_some() {
        Some(t.password_changed)
    } else if q.out.is_some() {
        Some(t.logged_out)
    } else {
        None
    };
    let pid = portal.id;
    let page = LoginPage {
        t,
        lang: language.as_str(),
        portal,
        csrf: csrf.clone(),
        email: String::new(),
        error: None,
        notice,
        resend: false,
    };
    with_form_cookie(&s, pid, &csrf, StatusCode::OK, page)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    lang: Option<String>,
}

async fn login(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<LoginForm>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language = language(&headers, f.lang.as_deref(), &portal);
    let t = T::of(language);
    let pid = portal.id;
    if !form_token_ok(&headers, &f.csrf) {
        return Redirect::to(&format!("/portal/{pid}/login")).into_response();
    }
    let previous = cookie(&headers, SESSION_COOKIE);
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let outcome = uc::portal_login(
        &s.cx,
        s.policy.absolute_ms,
        pid,
        &f.email,
        &f.password,
        previous,
        addr,
        agent,
    )
    .await;
    let form_again = |error: String, status: StatusCode, portal: Portal, resend: bool| {
        let page = LoginPage {
            t,
            lang: language.as_str(),
            portal,
            csrf: f.csrf.clone(),
            email: f.email.chars().take(254).collect(),
            error: Some(error),
            notice: None,
            resend,
        };
        with_form_cookie(&s, pid, &f.csrf, status, page)
    };
    match outcome {
        Ok(PortalLogin::LoggedIn { token, .. }) => {
            let c = set_cookie(&s, pid, SESSION_COOKIE, &token, s.policy.absolute_ms / 1000);
            (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, format!("/portal/{pid}/")),
                    (header::SET_COOKIE, c),
                ],
            )
                .into_response()
        }
        Ok(PortalLogin::Refused { refusal, .. }) => {
            let message = refusal.message(language == Language::De).to_string();
            let resend = refusal == crate::domain::account::Refusal::ConfirmEmail;
            form_again(message, StatusCode::FORBIDDEN, portal, resend)
        }
        Err(Error::TooMany { retry_after_s }) => {
            let mut res = form_again(
                t.too_many.into(),
                StatusCode::TOO_MANY_REQUESTS,
                portal,
                false,
            );
            if let Ok(v) = header::HeaderValue::from_str(&retry_after_s.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Ok(PortalLogin::WrongCredentials) => form_again(
            t.wrong_credentials.into(),
            StatusCode::UNAUTHORIZED,
            portal,
            false,
        ),
        Err(e) => super::console::error_page(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/home.html")]
struct HomePage {
    t: &'static T,
    lang: &'static str,
    portal: Portal,
    account: PortalAccount,
    role: &'static str,
    csrf: String,
    tt: &'static texts::TeamT,
}

/// The session's CSRF token, derived from its cookie and never stored.
fn session_csrf(token: &str) -> String {
    tokens::derive(token, "admit-portal-csrf")
}

async fn home(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let to_login = Redirect::to(&format!("/portal/{}/login", portal.id)).into_response();
    let Some(token) = cookie(&headers, SESSION_COOKIE) else {
        return to_login;
    };
    match uc::portal_session(&s.cx, s.policy.idle_ms, portal.id, token).await {
        Ok(Some(account)) => {
            let language = match q.lang.as_deref() {
                Some(_) => language(&headers, q.lang.as_deref(), &portal),
                None => Language::parse(&account.language).unwrap_or(Language::En),
            };
            let role = account.role.label(language == Language::De);
            HomePage {
                t: T::of(language),
                tt: texts::TeamT::of(language),
                lang: language.as_str(),
                role,
                csrf: session_csrf(token),
                portal,
                account,
            }
            .into_response()
        }
        Ok(None) => to_login,
        Err(e) => super::console::error_page(e),
    }
}

#[derive(Deserialize)]
struct LogoutForm {
    #[serde(default)]
    csrf: String,
    lang: Option<String>,
}

async fn logout(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(f): Form<LogoutForm>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language = language(&headers, f.lang.as_deref(), &portal);
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if !tokens::constant_time_eq(&session_csrf(token), &f.csrf) {
            return (
                StatusCode::FORBIDDEN,
                "This form has expired. Reload the page and try again.",
            )
                .into_response();
        }
        if let Err(e) = uc::portal_logout(&s.cx, token).await {
            return super::console::error_page(e);
        }
    }
    let c = set_cookie(&s, portal.id, SESSION_COOKIE, "", 0);
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::LOCATION,
                format!(
                    "/portal/{}/login?out=1&lang={}",
                    portal.id,
                    language.as_str()
                ),
            ),
            (header::SET_COOKIE, c),
        ],
    )
        .into_response()
}

// ---------------------------------------------------------------- forgot password

/// A page that asks for an e-mail address and answers the same whatever it is: "forgot
/// password" and "a new invitation link".
#[derive(Template, WebTemplate)]
#[template(path = "portal/email_form.html")]
struct EmailFormPage {
    t: &'static T,
    lang: &'static str,
    portal: Portal,
    csrf: String,
    sent: bool,
    /// `forgot` or `new-link`: the page's own address, under the portal.
    action: &'static str,
    title: &'static str,
    intro: &'static str,
    button: &'static str,
    sent_message: &'static str,
}

fn email_form(
    t: &'static T,
    lang: Language,
    portal: Portal,
    csrf: String,
    sent: bool,
    action: &'static str,
) -> EmailFormPage {
    let (title, intro, button, sent_message) = match action {
        "forgot" => (t.forgot_title, t.forgot_intro, t.send_link, t.forgot_sent),
        _ => (
            t.new_link_title,
            t.new_link_intro,
            t.send_link,
            t.new_link_sent,
        ),
    };
    EmailFormPage {
        t,
        lang: lang.as_str(),
        portal,
        csrf,
        sent,
        action,
        title,
        intro,
        button,
        sent_message,
    }
}

async fn forgot_page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    show_email_form(&s, &id, &headers, q.lang.as_deref(), "forgot").await
}

/// Shows "forgot password" or "a new invitation link" (`action`).
async fn show_email_form(
    s: &AppState,
    id: &str,
    headers: &HeaderMap,
    lang: Option<&str>,
    action: &'static str,
) -> Response {
    let portal = match portal_of(s, id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language = language(headers, lang, &portal);
    let csrf = form_token(headers);
    let pid = portal.id;
    let page = email_form(
        T::of(language),
        language,
        portal,
        csrf.clone(),
        false,
        action,
    );
    with_form_cookie(s, pid, &csrf, StatusCode::OK, page)
}

/// Takes "forgot password" or "a new invitation link" (`action`): the same answer, whether or
/// not the address has an account.
async fn submit_email_form(
    s: &AppState,
    id: &str,
    headers: &HeaderMap,
    addr: Option<String>,
    f: ForgotForm,
    action: &'static str,
) -> Response {
    let portal = match portal_of(s, id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language = language(headers, f.lang.as_deref(), &portal);
    if !form_token_ok(headers, &f.csrf) {
        return Redirect::to(&format!("/portal/{}/{action}", portal.id)).into_response();
    }
    let result = match action {
        "forgot" => uc::request_password_reset(&s.cx, portal.id, &f.email, addr).await,
        _ => uc::request_new_link(&s.cx, portal.id, &f.email, addr).await,
    };
    match result {
        Err(Error::TooMany { retry_after_s }) => return too_many(portal, language, retry_after_s),
        Err(e) => return super::console::error_page(e),
        Ok(()) => {}
    }
    let pid = portal.id;
    let page = email_form(
        T::of(language),
        language,
        portal,
        f.csrf.clone(),
        true,
        action,
    );
    with_form_cookie(s, pid, &f.csrf, StatusCode::OK, page)
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
    lang: Option<String>,
}

async fn forgot(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<ForgotForm>,
) -> Response {
    submit_email_form(&s, &id, &headers, addr, f, "forgot").await
}

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

async fn password_page(
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
    match uc::check_password_link(&s.cx, portal.id, &q.token).await {
        Ok(Some(account)) => {
            let csrf = form_token(&headers);
            let pid = portal.id;
            let page = PasswordPage {
                t: T::of(language),
                lang: language.as_str(),
                portal,
                account,
                token: q.token,
                csrf: csrf.clone(),
                password_error: None,
                confirmation_error: None,
            };
            with_form_cookie(&s, pid, &csrf, StatusCode::OK, page)
        }
        Ok(None) => link_invalid(portal, language),
        Err(e) => super::console::error_page(e),
    }
}

async fn set_password(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<AcceptForm>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language = language(&headers, f.lang.as_deref(), &portal);
    let t = T::of(language);
    if !form_token_ok(&headers, &f.csrf) {
        return Redirect::to(&format!("/portal/{}/password?token={}", portal.id, f.token))
            .into_response();
    }
    match uc::reset_password(
        &s.cx,
        portal.id,
        &f.token,
        &f.password,
        &f.confirmation,
        addr,
    )
    .await
    {
        Ok(_) => {
            let c = set_cookie(&s, portal.id, SESSION_COOKIE, "", 0);
            let to = format!(
                "/portal/{}/login?reset=1&lang={}",
                portal.id,
                language.as_str()
            );
            (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, to), (header::SET_COOKIE, c)],
            )
                .into_response()
        }
        Err(Error::Invalid(errors)) => {
            let Ok(Some(account)) = uc::check_password_link(&s.cx, portal.id, &f.token).await
            else {
                return link_invalid(portal, language);
            };
            let pid = portal.id;
            let page = PasswordPage {
                t,
                lang: language.as_str(),
                portal,
                account,
                token: f.token,
                csrf: f.csrf.clone(),
                password_error: errors.get("password").map(|m| t.password_rule(m)),
                confirmation_error: errors
                    .get("confirmation")
                    .map(|_| t.confirmation_mismatch.to_string()),
            };
            with_form_cookie(&s, pid, &f.csrf, StatusCode::UNPROCESSABLE_ENTITY, page)
        }
        Err(Error::NotFound(_)) => link_invalid(portal, language),
        Err(e) => super::console::error_page(e),
    }
}

async fn new_link_page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    show_email_form(&s, &id, &headers, q.lang.as_deref(), "new-link").await
}

/// A new invitation (or activation) link for an address whose link expired; the same answer
/// whether or not the address has an open invitation.
async fn new_link(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<ForgotForm>,
) -> Response {
    submit_email_form(&s, &id, &headers, addr, f, "new-link").await
}
