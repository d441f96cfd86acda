//! The person's own account on the portal pages: profile, password, e-mail address, sessions;
//! and the page of the link that confirms a new address.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::texts::T;
use super::{
    MessagePage, SESSION_COOKIE, TokenQuery, form_token, form_token_ok, language, portal_of,
    session_csrf, set_cookie, too_many, with_form_cookie,
};
use crate::domain::FieldErrors;
use crate::domain::directory::Language;
use crate::security::tokens;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::usecases::Error;
use crate::usecases::accounts as uc;
use crate::usecases::profile::{self as profile, ProfileInput};
use crate::web::console::cookie;
use crate::web::{AppState, ClientAddr};

pub struct SessionView {
    pub id: String,
    pub started: String,
    pub last_seen: String,
    pub client: String,
    pub agent: String,
    pub current: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/account.html")]
struct AccountPage {
    t: &'static T,
    lang: &'static str,
    portal: Portal,
    account: PortalAccount,
    csrf: String,
    time_zones: Vec<&'static str>,
    sessions: Vec<SessionView>,
    errors: Vec<(&'static str, String)>,
    notice: Option<&'static str>,
    /// The profile form as typed (after an error) or as stored.
    name: String,
    new_email: String,
}

impl AccountPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// The logged-in person of a portal page and their session token, or the login page.
pub(super) async fn signed_in(
    s: &AppState,
    headers: &HeaderMap,
    portal: &Portal,
) -> Result<(PortalAccount, String), Response> {
    let to_login = || Redirect::to(&format!("/portal/{}/login", portal.id)).into_response();
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Err(to_login());
    };
    match uc::portal_session(&s.cx, s.policy.idle_ms, portal.id, token).await {
        Ok(Some(a)) => Ok((a, token.to_string())),
        Ok(None) => Err(to_login()),
        Err(e) => Err(super::super::console::error_page(e)),
    }
}

fn account_language(account: &PortalAccount) -> Language {
    Language::parse(&account.language).unwrap_or(Language::En)
}

fn errors_in(t: &T, e: &FieldErrors) -> Vec<(&'static str, String)> {
    [
        "name",
        "language",
        "time_zone",
        "current_password",
        "password",
        "confirmation",
        "new_email",
    ]
    .into_iter()
    .filter_map(|f| e.get(f).map(|m| (f, t.field_error(f, m))))
    .collect()
}

#[allow(clippy::too_many_arguments)]
async fn render(
    s: &AppState,
    portal: Portal,
    account: PortalAccount,
    token: &str,
    status: StatusCode,
    errors: Vec<(&'static str, String)>,
    notice: Option<&'static str>,
    typed: Option<(String, String)>,
) -> Response {
    let language = account_language(&account);
    let sessions = match profile::sessions(&s.cx, account.id).await {
        Ok(list) => list,
        Err(e) => return super::super::console::error_page(e),
    };
    let current = tokens::hash_token(token);
    let sessions = sessions
        .into_iter()
        .map(|r| SessionView {
            current: r.token_hash == current,
            started: crate::clock::format_time(r.created_at),
            last_seen: crate::clock::format_time(r.last_seen_at),
            client: r.client_addr.unwrap_or_default(),
            agent: r.user_agent.unwrap_or_default(),
            id: r.token_hash,
        })
        .collect();
    let (name, new_email) = typed.unwrap_or_else(|| (account.name.clone(), String::new()));
    (
        status,
        AccountPage {
            t: T::of(language),
            lang: language.as_str(),
            portal,
            csrf: session_csrf(token),
            time_zones: profile::time_zones().collect(),
            sessions,
            errors,
            notice,
            name,
            new_email,
            account,
        },
    )
        .into_response()
}

#[derive(Deserialize, Default)]
pub(super) struct NoticeQuery {
    saved: Option<String>,
    sent: Option<String>,
    ended: Option<String>,
}

pub(super) async fn account_page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (account, token) = match signed_in(&s, &headers, &portal).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let t = T::of(account_language(&account));
    let notice = if q.saved.is_some() {
        Some(t.saved)
    } else if q.sent.is_some() {
        Some(t.email_change_sent)
    } else if q.ended.is_some() {
        Some(t.session_ended)
    } else {
        None
    };
    render(
        &s,
        portal,
        account,
        &token,
        StatusCode::OK,
        Vec::new(),
        notice,
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
pub(super) struct AccountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
    #[serde(default)]
    new_email: String,
    #[serde(default)]
    session: String,
}

/// One handler for the page's forms: `what` is `profile`, `password`, `email` or `end-session`.
pub(super) async fn account_post(
    State(s): State<AppState>,
    Path((id, what)): Path<(String, String)>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<AccountForm>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (account, token) = match signed_in(&s, &headers, &portal).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !tokens::constant_time_eq(&session_csrf(&token), &f.csrf) {
        return (
            StatusCode::FORBIDDEN,
            "This form has expired. Reload the page and try again.",
        )
            .into_response();
    }
    let pid = portal.id;
    let back = |q: &str| Redirect::to(&format!("/portal/{pid}/account?{q}")).into_response();
    let to_login = |notice: &str, lang: &str| {
        let c = set_cookie(&s, pid, SESSION_COOKIE, "", 0);
        (
            StatusCode::SEE_OTHER,
            [
                (
                    header::LOCATION,
                    format!("/portal/{pid}/login?{notice}=1&lang={lang}"),
                ),
                (header::SET_COOKIE, c),
            ],
        )
            .into_response()
    };
    let lang = account.language.clone();
    let result = match what.as_str() {
        "profile" => {
            let input = ProfileInput {
                name: f.name.clone(),
                language: f.language.clone(),
                time_zone: f.time_zone.clone(),
            };
            profile::update_profile(&s.cx, account.id, &input, addr)
                .await
                .map(|_| back("saved=1"))
        }
        "password" => profile::change_password(
            &s.cx,
            account.id,
            &f.current_password,
            &f.password,
            &f.confirmation,
            addr,
        )
        .await
        .map(|_| to_login("reset", &lang)),
        "email" => profile::request_email_change(
            &s.cx,
            account.id,
            &f.new_email,
            &f.current_password,
            addr,
        )
        .await
        .map(|_| back("sent=1")),
        "end-session" => {
            let ended_own = tokens::hash_token(&token) == f.session;
            profile::end_session(&s.cx, account.id, &f.session, addr)
                .await
                .map(|_| {
                    if ended_own {
                        to_login("out", &lang)
                    } else {
                        back("ended=1")
                    }
                })
        }
        _ => return super::not_found(),
    };
    match result {
        Ok(r) => r,
        Err(Error::Invalid(e) | Error::Conflict(e)) => {
            let t = T::of(account_language(&account));
            let errors = errors_in(t, &e);
            let typed = Some((
                if what == "profile" {
                    f.name.chars().take(200).collect()
                } else {
                    account.name.clone()
                },
                f.new_email.chars().take(254).collect(),
            ));
            render(
                &s,
                portal,
                account,
                &token,
                StatusCode::UNPROCESSABLE_ENTITY,
                errors,
                None,
                typed,
            )
            .await
        }
        Err(Error::TooMany { retry_after_s }) => {
            too_many(portal, account_language(&account), retry_after_s)
        }
        Err(e) => super::super::console::error_page(e),
    }
}

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
    let t = T::of(language);
    (
        StatusCode::GONE,
        MessagePage {
            lang: language.as_str(),
            title: t.link_invalid_title,
            message: t.link_invalid.into(),
            link: Some((format!("/portal/{}/login", portal.id), t.go_to_login)),
            second_link: None,
            portal,
        },
    )
        .into_response()
}

pub(super) async fn confirm_email_page(
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
    match profile::check_email_link(&s.cx, portal.id, &q.token).await {
        Ok(Some((_, new_email))) => {
            let csrf = form_token(&headers);
            let pid = portal.id;
            let page = ConfirmEmailPage {
                t: T::of(language),
                lang: language.as_str(),
                portal,
                new_email,
                token: q.token,
                csrf: csrf.clone(),
            };
            with_form_cookie(&s, pid, &csrf, StatusCode::OK, page)
        }
        Ok(None) => email_link_invalid(portal, language),
        Err(e) => super::super::console::error_page(e),
    }
}

#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    csrf: String,
    lang: Option<String>,
}

pub(super) async fn confirm_email(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<ConfirmForm>,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let language = language(&headers, f.lang.as_deref(), &portal);
    if !form_token_ok(&headers, &f.csrf) {
        return Redirect::to(&format!(
            "/portal/{}/confirm-email?token={}",
            portal.id, f.token
        ))
        .into_response();
    }
    match profile::confirm_email_change(&s.cx, portal.id, &f.token, addr).await {
        Ok(_) => {
            let t = T::of(language);
            let c = set_cookie(&s, portal.id, SESSION_COOKIE, "", 0);
            let login = format!("/portal/{}/login?lang={}", portal.id, language.as_str());
            (
                [(header::SET_COOKIE, c)],
                MessagePage {
                    lang: language.as_str(),
                    title: t.confirm_email_title,
                    message: t.email_changed.into(),
                    link: Some((login, t.go_to_login)),
                    second_link: None,
                    portal,
                },
            )
                .into_response()
        }
        Err(Error::NotFound(_) | Error::Conflict(_)) => email_link_invalid(portal, language),
        Err(e) => super::super::console::error_page(e),
    }
}
