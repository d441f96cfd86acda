//! Logging in and out of a portal, the page a logged-in person lands on, and the two forms that
//! ask for an e-mail address and answer the same whatever it is: "forgot password" and "a new
//! invitation link".

use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::page::{
    PortalPage, SignedIn, expired_form, form_token, session_csrf, set_cookie, signed_out,
    with_form_cookie,
};
use super::words::Words;
use super::{SESSION_COOKIE, WELCOME_COOKIE};
use crate::domain::account::Refusal;
use crate::domain::directory::{Language, RegistrationMode};
use crate::security::tokens::constant_time_eq;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::usecases::Error;
use crate::usecases::accounts::{self as uc, PortalLogin};
use crate::usecases::metrics::LoginKind;
use crate::web::cookies::cookie;
use crate::web::device_cookie::{device, set_device};
use crate::web::page::PageResult;
use crate::web::{AppState, ClientAddr};

#[derive(Template, WebTemplate)]
#[template(path = "portal/login.html")]
pub(super) struct LoginPage {
    words: Words,
    lang: &'static str,
    portal: Portal,
    csrf: String,
    email: String,
    error: Option<String>,
    notice: Option<String>,
    /// After "confirm your e-mail first": offer to send the confirmation again.
    resend: bool,
}

impl LoginPage {
    fn register_open(&self) -> bool {
        self.portal.registration_mode != RegistrationMode::InvitationOnly
    }
}

/// The login page's query (`lang` is read with the page, see [`PortalPage`]).
#[derive(Deserialize, Default)]
pub(super) struct LoginQuery {
    welcome: Option<String>,
    out: Option<String>,
    reset: Option<String>,
    /// An application's `login_hint`: the address to fill in.
    email: Option<String>,
}

pub(super) async fn login_page(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    let words = Words::of(page.language);
    let csrf = form_token(&headers);
    let notice = if q.welcome.is_some() {
        Some("portal-password-set")
    } else if q.reset.is_some() {
        Some("portal-password-changed")
    } else if q.out.is_some() {
        Some("portal-logged-out")
    } else {
        None
    }
    .map(|key| words.t(key));
    let pid = page.id();
    // Just after accepting an invitation, the address it was for (once).
    let welcome = cookie(&headers, WELCOME_COOKIE);
    let accepted = welcome.filter(|_| q.welcome.is_some()).and_then(|v| {
        form_urlencoded::parse(format!("email={v}").as_bytes())
            .next()
            .map(|(_, email)| email.into_owned())
    });
    let form = LoginPage {
        words,
        lang: page.language.as_str(),
        portal: page.portal,
        csrf: csrf.clone(),
        email: q
            .email
            .or(accepted)
            .filter(|e| e.len() <= 254 && !e.chars().any(char::is_control))
            .unwrap_or_default(),
        error: None,
        notice,
        resend: false,
    };
    let mut res = with_form_cookie(&s, pid, &csrf, StatusCode::OK, form);
    if welcome.is_some()
        && let Ok(forget) =
            header::HeaderValue::from_str(&set_cookie(&s, pid, WELCOME_COOKIE, "", 0))
    {
        res.headers_mut().append(header::SET_COOKIE, forget);
    }
    res
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    lang: Option<String>,
}

pub(super) async fn login(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<LoginForm>,
) -> PageResult {
    let language = page.posted(&headers, &f.csrf, f.lang.as_deref(), "login")?;
    let words = Words::of(language);
    let pid = page.id();
    let previous = cookie(&headers, SESSION_COOKIE);
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let attempt = uc::Attempt {
        portal_id: pid,
        email: &f.email,
        password: &f.password,
        previous_token: previous,
        client_addr: addr,
        user_agent: agent,
        device: device(&headers),
        // An application sent the person here: its request waits, and is answered with the login.
        waiting: cookie(&headers, super::oidc::REQUEST_COOKIE),
    };
    let outcome = uc::log_in(&s.cx, s.policy.absolute_ms, attempt).await;
    crate::usecases::metrics::count_login(&s.cx, LoginKind::Portal, &outcome, |o| {
        matches!(o, PortalLogin::LoggedIn { .. })
    });
    let form_again = |error: String, status: StatusCode, resend: bool| {
        let form = LoginPage {
            words,
            lang: language.as_str(),
            portal: page.portal.clone(),
            csrf: f.csrf.clone(),
            email: f.email.chars().take(254).collect(),
            error: Some(error),
            notice: None,
            resend,
        };
        with_form_cookie(&s, pid, &f.csrf, status, form)
    };
    Ok(match outcome {
        Ok(PortalLogin::LoggedIn {
            token,
            device,
            onward,
            ..
        }) => {
            let c = set_cookie(&s, pid, SESSION_COOKIE, &token, s.policy.absolute_ms / 1000);
            // An application sent the person here: back to it.
            if let Some(outcome) = onward {
                let cookies = [c, set_device(&s, &device)];
                return Ok(super::oidc::after_login(
                    &s, page, language, outcome, &cookies,
                ));
            }
            (
                StatusCode::SEE_OTHER,
                axum::response::AppendHeaders([
                    (header::LOCATION, format!("/portal/{pid}/")),
                    (header::SET_COOKIE, c),
                    (header::SET_COOKIE, set_device(&s, &device)),
                ]),
            )
                .into_response()
        }
        Ok(PortalLogin::Refused { refusal, .. }) => {
            let message = words.say(&refusal.message());
            let resend = refusal == Refusal::ConfirmEmail;
            form_again(message, StatusCode::FORBIDDEN, resend)
        }
        Err(Error::TooMany { retry_after_s }) => {
            let mut res = form_again(
                words.t("portal-too-many"),
                StatusCode::TOO_MANY_REQUESTS,
                false,
            );
            if let Ok(v) = header::HeaderValue::from_str(&retry_after_s.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            res
        }
        Ok(PortalLogin::WrongCredentials) => form_again(
            words.t("portal-wrong-credentials"),
            StatusCode::UNAUTHORIZED,
            false,
        ),
        Err(e) => return Err(e.into()),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/home.html")]
pub(super) struct HomePage {
    words: Words,
    lang: &'static str,
    /// `?lang=xx` for the links and forms when the language was chosen so, else empty.
    lang_query: String,
    portal: Portal,
    account: PortalAccount,
    role: String,
    /// The modules the person sees: an admin every module of the portal.
    modules: Vec<String>,
    csrf: String,
}

/// The person's page: in their language, unless they chose another (`?lang=`).
pub(super) async fn home(me: SignedIn) -> HomePage {
    let language = me.language();
    let role = Words::of(language).say(&me.account.role.label());
    let modules = crate::usecases::team::modules_seen(&me.page.portal, &me.account);
    HomePage {
        modules,
        words: Words::of(language),
        lang: language.as_str(),
        lang_query: me.lang_query(),
        role,
        csrf: me.csrf(),
        portal: me.page.portal,
        account: me.account,
    }
}

#[derive(Deserialize)]
pub(super) struct LogoutForm {
    #[serde(default)]
    csrf: String,
    lang: Option<String>,
}

pub(super) async fn logout(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<LogoutForm>,
) -> PageResult {
    let language = page.choose(f.lang.as_deref());
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        if !constant_time_eq(&session_csrf(token), &f.csrf) {
            return Ok(expired_form());
        }
        uc::portal_logout(&s.cx, token, addr).await?;
    }
    let to = format!(
        "/portal/{}/login?out=1&lang={}",
        page.id(),
        language.as_str()
    );
    Ok(signed_out(&s, page.id(), to))
}

// ---------------------------------------------------------------- forgot password, a new link

/// A page that asks for an e-mail address and answers the same whatever it is: "forgot
/// password" and "a new invitation link".
#[derive(Template, WebTemplate)]
#[template(path = "portal/email_form.html")]
pub(super) struct EmailFormPage {
    words: Words,
    lang: &'static str,
    portal: Portal,
    csrf: String,
    sent: bool,
    /// `forgot` or `new-link`: the page's own address, under the portal.
    action: &'static str,
    title: String,
    intro: String,
    button: String,
    sent_message: String,
}

/// The form of `action` (`forgot` or `new-link`), with its cookie.
fn email_form(
    s: &AppState,
    page: PortalPage,
    language: Language,
    csrf: String,
    sent: bool,
    action: &'static str,
) -> Response {
    let words = Words::of(language);
    let (title, intro, sent_message) = match action {
        "forgot" => (
            "portal-forgot-title",
            "portal-forgot-intro",
            "portal-forgot-sent",
        ),
        _ => (
            "portal-new-link-title",
            "portal-new-link-intro",
            "portal-new-link-sent",
        ),
    };
    let pid = page.id();
    let form = EmailFormPage {
        words,
        lang: language.as_str(),
        portal: page.portal,
        csrf: csrf.clone(),
        sent,
        action,
        title: words.t(title),
        intro: words.t(intro),
        button: words.t("portal-send-link"),
        sent_message: words.t(sent_message),
    };
    with_form_cookie(s, pid, &csrf, StatusCode::OK, form)
}

/// An e-mail form's page as a type, so that one handler serves both: `email_form_page::<Forgot>`.
pub(super) trait EmailAction {
    /// The page's own address, under the portal.
    const ACTION: &'static str;
}

/// "Forgot password" (`forgot`).
pub(super) struct Forgot;

impl EmailAction for Forgot {
    const ACTION: &'static str = "forgot";
}

/// A new invitation (or activation) link for an address whose link expired (`new-link`).
pub(super) struct NewLink;

impl EmailAction for NewLink {
    const ACTION: &'static str = "new-link";
}

pub(super) async fn email_form_page<A: EmailAction>(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
) -> Response {
    let language = page.language;
    email_form(&s, page, language, form_token(&headers), false, A::ACTION)
}

#[derive(Deserialize)]
pub(super) struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf: String,
    lang: Option<String>,
}

/// Takes "forgot password" or "a new invitation link": the same answer, whether or not the
/// address has an account (or an open invitation).
pub(super) async fn submit_email_form<A: EmailAction>(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<EmailForm>,
) -> PageResult {
    let (s, action) = (&s, A::ACTION);
    let language = page.posted(&headers, &f.csrf, f.lang.as_deref(), action)?;
    let result = match action {
        "forgot" => uc::request_password_reset(&s.cx, page.id(), &f.email, addr).await,
        _ => uc::request_new_link(&s.cx, page.id(), &f.email, addr).await,
    };
    // Too many attempts: the failure page says so, in the page's language.
    result?;
    Ok(email_form(s, page, language, f.csrf, true, action))
}
