//! The person's own account on the portal pages: profile, password, e-mail address, sessions.
//! The page of the link that confirms a new address is with the other links' pages.

use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::page::{SignedIn, error_of, field_errors_in, not_found, signed_out};
use super::words::Words;
use crate::domain::FieldErrors;
use crate::security::tokens;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::storage::sessions::Kind;
use crate::usecases::profile::{self as profile, ProfileInput};
use crate::usecases::sessions::{Own, Which, end_own};
use crate::web::page::{PageResult, form_errors};
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
    words: Words,
    lang: &'static str,
    /// `?lang=xx` for the links and forms when the language was chosen so, else empty.
    lang_query: String,
    portal: Portal,
    account: PortalAccount,
    csrf: String,
    time_zones: Vec<&'static str>,
    sessions: Vec<SessionView>,
    errors: Vec<(&'static str, String)>,
    notice: Option<String>,
    /// The profile form as typed (after an error) or as stored.
    name: String,
    new_email: String,
}

impl AccountPage {
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
            "language",
            "time_zone",
            "current_password",
            "password",
            "confirmation",
            "new_email",
        ],
    )
}

/// The account page: its forms as stored, or as typed with their errors.
async fn render(
    s: &AppState,
    me: SignedIn,
    status: StatusCode,
    errors: Vec<(&'static str, String)>,
    notice: Option<String>,
    typed: Option<(String, String)>,
) -> PageResult {
    let language = me.language();
    let sessions = profile::sessions(&s.cx, me.account.id).await?;
    let current = tokens::hash_token(&me.token);
    let at = me.locale();
    let sessions = sessions
        .into_iter()
        .map(|r| SessionView {
            current: r.token_hash == current,
            started: at.time(r.created_at),
            last_seen: at.time(r.last_seen_at),
            client: r.client_addr.unwrap_or_default(),
            agent: r.user_agent.unwrap_or_default(),
            id: r.token_hash,
        })
        .collect();
    let (name, new_email) = typed.unwrap_or_else(|| (me.account.name.clone(), String::new()));
    Ok((
        status,
        AccountPage {
            words: Words::of(language),
            lang: language.as_str(),
            lang_query: me.lang_query(),
            csrf: me.csrf(),
            portal: me.page.portal,
            time_zones: profile::time_zones().collect(),
            sessions,
            errors,
            notice,
            name,
            new_email,
            account: me.account,
        },
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct NoticeQuery {
    saved: Option<String>,
    sent: Option<String>,
    ended: Option<String>,
    others_ended: Option<String>,
}

pub(super) async fn account_page(
    State(s): State<AppState>,
    me: SignedIn,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let key = if q.saved.is_some() {
        Some("portal-saved")
    } else if q.sent.is_some() {
        Some("portal-email-change-sent")
    } else if q.ended.is_some() {
        Some("portal-session-ended")
    } else if q.others_ended.is_some() {
        Some("portal-other-sessions-ended")
    } else {
        None
    };
    let notice = key.map(|k| Words::of(me.language()).t(k));
    render(&s, me, StatusCode::OK, Vec::new(), notice, None).await
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
/// The form of `account/{what}`.
#[derive(Deserialize)]
pub(super) struct What {
    what: String,
}

pub(super) async fn account_post(
    State(s): State<AppState>,
    me: SignedIn,
    Path(What { what }): Path<What>,
    ClientAddr(addr): ClientAddr,
    headers: axum::http::HeaderMap,
    Form(f): Form<AccountForm>,
) -> PageResult {
    let device = crate::web::device_cookie::device(&headers);
    me.check_csrf(&f.csrf)?;
    super::impersonation::refuse_own(&s, &me, addr.clone(), &format!("account/{what}")).await?;
    let pid = me.page.id();
    let chosen = me.lang_param();
    let back =
        |q: &str| Redirect::to(&format!("/portal/{pid}/account?{q}{chosen}")).into_response();
    let lang = me.language().as_str();
    let to_login = |notice: &str| {
        signed_out(
            &s,
            pid,
            format!("/portal/{pid}/login?{notice}=1&lang={lang}"),
        )
    };
    let account = &me.account;
    let result = match what.as_str() {
        "profile" => {
            let input = ProfileInput {
                name: f.name.clone(),
                language: f.language.clone(),
                time_zone: f.time_zone.clone(),
            };
            // The page after it speaks the language just saved.
            profile::update_profile(&s.cx, account.id, &input, addr)
                .await
                .map(|_| Redirect::to(&format!("/portal/{pid}/account?saved=1")).into_response())
        }
        "password" => profile::change_password(
            &s.cx,
            account.id,
            &f.current_password,
            &f.password,
            &f.confirmation,
            addr,
            device,
        )
        .await
        .map(|_| to_login("reset")),
        "email" => profile::request_email_change(
            &s.cx,
            account.id,
            &f.new_email,
            &f.current_password,
            addr,
            device,
        )
        .await
        .map(|_| back("sent=1")),
        "end-session" => {
            let current = tokens::hash_token(&me.token);
            let which = Which::parse(&f.session);
            let actor = crate::usecases::accounts::person(account, addr);
            let own = Own {
                kind: Kind::Portal,
                actor: &actor,
                current: &current,
                password: &f.current_password,
                device,
            };
            end_own(&s.cx, &own, which).await.map(|_| match which {
                Which::One(one) if one == current => to_login("out"),
                Which::One(_) => back("ended=1"),
                Which::Others => back("others_ended=1"),
            })
        }
        _ => return Ok(not_found()),
    };
    // Too many attempts: the failure page says so, in the person's language.
    match form_errors(result)? {
        Ok(r) => Ok(r),
        Err(e) => {
            let mut errors = errors_in(Words::of(me.language()), &e);
            if what == "end-session" {
                // The sessions form has its own password field.
                for (field, _) in errors.iter_mut().filter(|(f, _)| *f == "current_password") {
                    *field = "session_password";
                }
            }
            let typed = Some((
                if what == "profile" {
                    f.name.chars().take(200).collect()
                } else {
                    me.account.name.clone()
                },
                f.new_email.chars().take(254).collect(),
            ));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(&s, me, status, errors, None, typed).await
        }
    }
}
