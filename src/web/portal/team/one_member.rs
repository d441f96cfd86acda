//! One member of the team: their page (state, role, modules and customers), its actions
//! (save the access, resend the link, deactivate, reactivate), and removal after a
//! confirmation.

use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::{AccessFields, TeamAdmin, field_errors, no_such_member, roles, state_key};
use crate::domain::account::Registration;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::usecases::Error;
use crate::usecases::access::{self as access_uc, AccessInput, AssignmentInput};
use crate::usecases::accounts::{self as uc, StatusAction, StatusChange};
use crate::web::AppState;
use crate::web::page::{PageError, PageResult};
use crate::web::picker;
use crate::web::portal::page::error_of;
use crate::web::portal::words::Words;

/// A member's address: `team/{member}`, and `team/{member}/{what}` for an action.
#[derive(Deserialize)]
pub(in crate::web::portal) struct MemberPath {
    member: String,
    what: Option<String>,
}

impl MemberPath {
    fn id(&self) -> Result<i64, PageError> {
        self.member.parse().map_err(|_| no_such_member())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/team_member.html")]
struct MemberPage {
    words: Words,
    lang: &'static str,
    /// `?lang=xx` for the links and forms when the language was chosen so, else empty.
    lang_query: String,
    portal: Portal,
    csrf: String,
    m: PortalAccount,
    state: String,
    is_self: bool,
    notice: Option<String>,
    errors: Vec<(&'static str, String)>,
    fields: AccessFields,
    roles: Vec<(&'static str, String)>,
}

impl MemberPage {
    fn error(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

#[derive(Deserialize, Default)]
pub(in crate::web::portal) struct MemberQuery {
    done: Option<String>,
}

async fn render_member(
    s: &AppState,
    admin: TeamAdmin,
    member_id: i64,
    status: StatusCode,
    notice: Option<String>,
    errors: Vec<(&'static str, String)>,
    typed: Option<(String, Vec<String>, Vec<AssignmentInput>)>,
) -> PageResult {
    let language = admin.language();
    let words = Words::of(language);
    let back = format!("/portal/{}/team", admin.portal_id());
    let view = access_uc::access_of(&s.cx, &admin.actor, member_id)
        .await
        .map_err(admin.failure(back))?;
    let chosen = typed.unwrap_or_else(|| {
        (
            view.account.role.to_string(),
            view.account.modules.clone(),
            view.customers.clone(),
        )
    });
    let fields = AccessFields::of(s, &admin, view.account.organization_id, chosen).await?;
    let page = MemberPage {
        words,
        lang: language.as_str(),
        lang_query: admin.me.lang_query(),
        csrf: admin.me.csrf(),
        state: words.t(state_key(&view.account, crate::clock::today(s.cx.now()))),
        is_self: view.account.id == admin.me.account.id,
        m: view.account,
        notice,
        errors,
        fields,
        roles: roles(language),
        portal: admin.me.page.portal,
    };
    Ok((status, page).into_response())
}

pub(in crate::web::portal) async fn member_page(
    State(s): State<AppState>,
    admin: TeamAdmin,
    Path(path): Path<MemberPath>,
    Query(q): Query<MemberQuery>,
) -> PageResult {
    let member = path.id()?;
    let notice = match q.done.as_deref() {
        Some("saved") => Some("team-access-saved"),
        Some("resent") => Some("team-resent"),
        Some("deactivated") => Some("team-deactivated"),
        Some("reactivated") => Some("team-reactivated"),
        _ => None,
    }
    .map(|key| Words::of(admin.language()).t(key));
    render_member(&s, admin, member, StatusCode::OK, notice, Vec::new(), None).await
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/team_remove.html")]
struct RemovePage {
    words: Words,
    lang: &'static str,
    /// `?lang=xx` for the links and forms when the language was chosen so, else empty.
    lang_query: String,
    portal: Portal,
    csrf: String,
    m: PortalAccount,
}

/// The confirmation before an account is removed (or its invitation cancelled), at
/// `team/{member}/remove`.
pub(in crate::web::portal) async fn remove_page(
    State(s): State<AppState>,
    admin: TeamAdmin,
    Path(path): Path<MemberPath>,
) -> PageResult {
    let member = path.id()?;
    if path.what.as_deref() != Some("remove") {
        return Err(no_such_member());
    }
    let language = admin.language();
    let back = format!("/portal/{}/team", admin.portal_id());
    let m = uc::get_account(&s.cx, &admin.actor, member)
        .await
        .map_err(admin.failure(back))?;
    Ok(RemovePage {
        words: Words::of(language),
        lang: language.as_str(),
        lang_query: admin.me.lang_query(),
        csrf: admin.me.csrf(),
        portal: admin.me.page.portal,
        m,
    }
    .into_response())
}

/// The member's forms: `access`, `resend`, `deactivate`, `reactivate`, `remove`.
pub(in crate::web::portal) async fn member_post(
    State(s): State<AppState>,
    admin: TeamAdmin,
    Path(path): Path<MemberPath>,
    RawForm(body): RawForm,
) -> PageResult {
    let member = path.id()?;
    let f = picker::fields(&body);
    admin.me.check_csrf(picker::one(&f, "csrf"))?;
    let pid = admin.portal_id();
    let lang = admin.me.lang_param();
    let to_member = |done: &str| {
        Redirect::to(&format!("/portal/{pid}/team/{member}?done={done}{lang}")).into_response()
    };
    let status = |action: StatusAction| StatusChange {
        action,
        valid_until: None,
        notify: Some(true),
        message: None,
    };
    let actor = &admin.actor;
    let result = match path.what.as_deref().unwrap_or("") {
        "access" => {
            let input = AccessInput {
                role: Some(picker::one(&f, "role").to_string()),
                modules: Some(picker::all(&f, "modules")),
                customers: Some(picker::parse(&picker::all(&f, "customers"))),
            };
            match access_uc::set_access(&s.cx, actor, member, &input).await {
                Ok(_) => Ok(to_member("saved")),
                Err(Error::Invalid(e) | Error::Conflict(e)) => {
                    let errors = field_errors(admin.language(), &e);
                    let typed = Some((
                        input.role.clone().unwrap_or_default(),
                        input.modules.clone().unwrap_or_default(),
                        input.customers.clone().unwrap_or_default(),
                    ));
                    let status = StatusCode::UNPROCESSABLE_ENTITY;
                    return render_member(&s, admin, member, status, None, errors, typed).await;
                }
                Err(e) => Err(e),
            }
        }
        "resend" => uc::resend_link(&s.cx, actor, member)
            .await
            .map(|_| to_member("resent")),
        "deactivate" => uc::change_status(&s.cx, actor, member, &status(StatusAction::Deactivate))
            .await
            .map(|_| to_member("deactivated")),
        "reactivate" => uc::change_status(&s.cx, actor, member, &status(StatusAction::Reactivate))
            .await
            .map(|_| to_member("reactivated")),
        "remove" => uc::remove_account(&s.cx, actor, member, true)
            .await
            .map(|gone| {
                let key = if gone.registration == Registration::Registered {
                    "removed"
                } else {
                    "cancelled"
                };
                let who: String = form_urlencoded::byte_serialize(gone.email.as_bytes()).collect();
                let lang = admin.me.lang_param();
                Redirect::to(&format!("/portal/{pid}/team?{key}={who}{lang}")).into_response()
            }),
        _ => return Err(no_such_member()),
    };
    result.map_err(admin.failure(format!("/portal/{pid}/team/{member}")))
}
