//! The portal pages of an organization's team: "my access" for everyone; for the
//! organization's admins, their team (invite many at once, resend or cancel an invitation,
//! edit role, modules and customers, deactivate, reactivate, remove after a confirmation).
//! The same actions, rules and e-mails as the console's, limited to their organization.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::account::signed_in;
use super::texts::{T, TeamT};
use super::{MessagePage, portal_of, session_csrf};
use crate::domain::FieldErrors;
use crate::domain::access::{Grouping, LAST_ADMIN};
use crate::domain::account::Role;
use crate::domain::directory::Language;
use crate::security::tokens;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::usecases::access::{self as access_uc, AccessInput, AssignmentInput};
use crate::usecases::accounts::{self as uc, InviteInput, StatusChange};
use crate::usecases::team::{self, MyAccess};
use crate::usecases::{Actor, Error};
use crate::web::picker::{self, GroupingView};
use crate::web::{AppState, ClientAddr};

fn language_of(account: &PortalAccount) -> Language {
    Language::parse(&account.language).unwrap_or(Language::En)
}

fn roles(german: bool) -> Vec<(&'static str, &'static str)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str(), r.label(german)))
        .collect()
}

/// A message page in the person's language, with a link back.
fn message(
    portal: Portal,
    language: Language,
    status: StatusCode,
    title: &'static str,
    text: String,
    back: Option<(String, &'static str)>,
) -> Response {
    (
        status,
        MessagePage {
            lang: language.as_str(),
            portal,
            title,
            message: text,
            link: back,
            second_link: None,
        },
    )
        .into_response()
}

/// A refusal or error of an action, in the person's language where Admit knows the words.
fn failure(portal: Portal, language: Language, back: String, e: Error) -> Response {
    let tt = TeamT::of(language);
    match e {
        Error::Refused(m) => {
            let text = if m == LAST_ADMIN {
                tt.last_admin.to_string()
            } else {
                m
            };
            let back = Some((back, tt.team_title));
            message(
                portal,
                language,
                StatusCode::CONFLICT,
                tt.refused_title,
                text,
                back,
            )
        }
        Error::Forbidden(_) => message(
            portal,
            language,
            StatusCode::FORBIDDEN,
            tt.refused_title,
            tt.not_admin.into(),
            None,
        ),
        Error::NotFound(_) => message(
            portal,
            language,
            StatusCode::NOT_FOUND,
            tt.refused_title,
            tt.not_in_team.into(),
            Some((back, tt.team_title)),
        ),
        other => super::super::console::error_page(other),
    }
}

/// The logged-in admin of a team page: its account, session token and actor; or the login
/// page, or a page saying that only admins manage the team.
async fn admin(
    s: &AppState,
    headers: &HeaderMap,
    portal: &Portal,
    client_addr: Option<String>,
) -> Result<(PortalAccount, String, Actor), Response> {
    let (account, token) = signed_in(s, headers, portal).await?;
    match team::team_actor(&account, client_addr) {
        Ok(actor) => Ok((account, token, actor)),
        Err(e) => Err(failure(
            portal.clone(),
            language_of(&account),
            format!("/portal/{}/", portal.id),
            e,
        )),
    }
}

/// [`admin`] on the portal of a page's path.
async fn admin_at(
    s: &AppState,
    id: &str,
    headers: &HeaderMap,
    client_addr: Option<String>,
) -> Result<(Portal, PortalAccount, String, Actor), Response> {
    let portal = portal_of(s, id).await?;
    let (account, token, actor) = admin(s, headers, &portal, client_addr).await?;
    Ok((portal, account, token, actor))
}

fn csrf_ok(token: &str, fields: &[(String, String)]) -> bool {
    tokens::constant_time_eq(&session_csrf(token), picker::one(fields, "csrf"))
}

fn expired_form() -> Response {
    (
        StatusCode::FORBIDDEN,
        "This form has expired. Reload the page and try again.",
    )
        .into_response()
}

fn field_errors(t: &T, e: &FieldErrors) -> Vec<(&'static str, String)> {
    ["emails", "role", "modules", "customers", "contact_ids"]
        .into_iter()
        .filter_map(|f| {
            e.get(f).map(|m| {
                // The addresses' messages name the line; the others are the rules' words.
                let text = match f {
                    "emails" if m.starts_with("line ") => m.to_string(),
                    "emails" => t.invalid_email.to_string(),
                    "modules" | "customers" => m.to_string(),
                    _ => t.field_error(f, m),
                };
                (f, text)
            })
        })
        .collect()
}

fn find_error<'a>(errors: &'a [(&'static str, String)], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, m)| m.as_str())
}

// ---------------------------------------------------------------- my access

#[derive(Template, WebTemplate)]
#[template(path = "portal/my_access.html")]
struct MyAccessPage {
    t: &'static T,
    tt: &'static TeamT,
    lang: &'static str,
    portal: Portal,
    account: PortalAccount,
    role: &'static str,
    access: MyAccess,
    /// How the groupings are named.
    labels: Vec<String>,
}

pub(super) async fn my_access_page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let portal = match portal_of(&s, &id).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let (account, _) = match signed_in(&s, &headers, &portal).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let language = language_of(&account);
    let german = language == Language::De;
    let access = match team::my_access(&s.cx, &account).await {
        Ok(a) => a,
        Err(e) => return super::super::console::error_page(e),
    };
    let labels = access
        .groupings
        .iter()
        .map(|g| {
            picker::label(
                matches!(g.grouping, Grouping::Partnership(_)),
                &g.label,
                german,
            )
        })
        .collect();
    MyAccessPage {
        t: T::of(language),
        tt: TeamT::of(language),
        lang: language.as_str(),
        role: Role::parse(&account.role)
            .map(|r| r.label(german))
            .unwrap_or(""),
        portal,
        account,
        access,
        labels,
    }
    .into_response()
}

// ---------------------------------------------------------------- the team

pub struct MemberRow {
    pub a: PortalAccount,
    pub role: &'static str,
    pub state: &'static str,
    pub customers: String,
    pub last_login: String,
    pub is_self: bool,
}

/// The role, modules and customers of a form, as chosen or as typed back after an error.
pub struct AccessFields {
    pub role: String,
    pub modules: Vec<String>,
    pub groupings: Vec<GroupingView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/team.html")]
struct TeamPage {
    t: &'static T,
    tt: &'static TeamT,
    lang: &'static str,
    portal: Portal,
    organization: String,
    csrf: String,
    rows: Vec<MemberRow>,
    more: bool,
    notice: Option<String>,
    errors: Vec<(&'static str, String)>,
    emails: String,
    fields: AccessFields,
    roles: Vec<(&'static str, &'static str)>,
}

impl TeamPage {
    fn error(&self, field: &str) -> Option<&str> {
        find_error(&self.errors, field)
    }
}

#[derive(Deserialize, Default)]
pub(super) struct TeamQuery {
    invited: Option<usize>,
    unchanged: Option<usize>,
    removed: Option<String>,
    cancelled: Option<String>,
}

/// How many customers each user is assigned, per grouping ("2 in Partnership X"); "all" where
/// none are; "none" for the roles that see no customer data.
async fn customer_summaries(
    s: &AppState,
    organization: &str,
    accounts: &[PortalAccount],
    tt: &TeamT,
    german: bool,
) -> Result<BTreeMap<i64, String>, Error> {
    let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
    let counts = access_uc::assigned_counts(&s.cx, &ids).await?;
    let mut out = BTreeMap::new();
    for a in accounts {
        let text = match (a.role.as_str(), counts.get(&a.id)) {
            ("admin", _) | ("user", None) => tt.all_customers.to_string(),
            ("user", Some(list)) => list
                .iter()
                .map(|c| {
                    let label = match &c.partnership {
                        Some(p) => picker::label(true, p, german),
                        None => picker::label(false, organization, german),
                    };
                    format!("{} {} {label}", c.customers, tt.assigned_in)
                })
                .collect::<Vec<_>>()
                .join("; "),
            _ => tt.no_customers_role.to_string(),
        };
        out.insert(a.id, text);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn render_team(
    s: &AppState,
    portal: Portal,
    admin: &PortalAccount,
    actor: &Actor,
    token: &str,
    status: StatusCode,
    notice: Option<String>,
    errors: Vec<(&'static str, String)>,
    typed: Option<(String, String, Vec<String>, Vec<AssignmentInput>)>,
) -> Response {
    let language = language_of(admin);
    let german = language == Language::De;
    let tt = TeamT::of(language);
    let (members, more) = match team::members(&s.cx, actor).await {
        Ok(x) => x,
        Err(e) => return super::super::console::error_page(e),
    };
    let org = admin.organization_id.unwrap_or_default();
    let org_name = admin.organization_name.clone().unwrap_or_default();
    let summaries = match customer_summaries(s, &org_name, &members, tt, german).await {
        Ok(x) => x,
        Err(e) => return super::super::console::error_page(e),
    };
    let today = uc::today(s.cx.now());
    let rows = members
        .into_iter()
        .map(|a| MemberRow {
            role: Role::parse(&a.role).map(|r| r.label(german)).unwrap_or(""),
            state: tt.state(&a, today),
            customers: summaries.get(&a.id).cloned().unwrap_or_default(),
            last_login: a
                .last_login_at
                .map(crate::clock::format_time)
                .unwrap_or_else(|| tt.never.to_string()),
            is_self: a.id == admin.id,
            a,
        })
        .collect();
    let (emails, role, modules, customers) =
        typed.unwrap_or_else(|| (String::new(), "user".into(), Vec::new(), Vec::new()));
    let groupings =
        match picker::groupings_in(s, Some(org), &picker::chosen(&customers), german).await {
            Ok(g) => g,
            Err(e) => return super::super::console::error_page(e),
        };
    (
        status,
        TeamPage {
            t: T::of(language),
            tt,
            lang: language.as_str(),
            organization: admin.organization_name.clone().unwrap_or_default(),
            csrf: session_csrf(token),
            rows,
            more,
            notice,
            errors,
            emails,
            fields: AccessFields {
                role,
                modules,
                groupings,
            },
            roles: roles(german),
            portal,
        },
    )
        .into_response()
}

pub(super) async fn team_page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<TeamQuery>,
) -> Response {
    let (portal, account, token, actor) = match admin_at(&s, &id, &headers, addr).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let tt = TeamT::of(language_of(&account));
    let notice = if let Some(n) = q.invited {
        let mut text = format!("{} {n}.", tt.invited);
        if let Some(u) = q.unchanged.filter(|u| *u > 0) {
            text.push_str(&format!(" {} {u}.", tt.already_there));
        }
        Some(text)
    } else if let Some(e) = q.removed {
        Some(format!("{} {e}", tt.removed))
    } else {
        q.cancelled.map(|e| format!("{} {e}", tt.cancelled))
    };
    render_team(
        &s,
        portal,
        &account,
        &actor,
        &token,
        StatusCode::OK,
        notice,
        Vec::new(),
        None,
    )
    .await
}

/// The addresses of the invitation box: one per line, or separated by commas or semicolons.
fn addresses(raw: &str) -> Vec<String> {
    raw.split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) async fn invite(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    RawForm(body): RawForm,
) -> Response {
    let (portal, account, token, actor) = match admin_at(&s, &id, &headers, addr).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let f = picker::fields(&body);
    if !csrf_ok(&token, &f) {
        return expired_form();
    }
    let emails_raw = picker::one(&f, "emails").to_string();
    let input = InviteInput {
        portal_id: portal.id,
        role: Some(picker::one(&f, "role").to_string()),
        modules: picker::all(&f, "modules"),
        customers: picker::parse(&picker::all(&f, "customers")),
        contact_ids: Vec::new(),
        emails: addresses(&emails_raw),
    };
    let org = account.organization_id.unwrap_or_default();
    match uc::invite_many(&s.cx, &actor, org, &input).await {
        Ok(done) => {
            let created = done
                .iter()
                .filter(|d| matches!(d.outcome, crate::usecases::directory::Outcome::Created))
                .count();
            Redirect::to(&format!(
                "/portal/{}/team?invited={created}&unchanged={}",
                portal.id,
                done.len() - created
            ))
            .into_response()
        }
        Err(Error::Invalid(e) | Error::Conflict(e)) => {
            let t = T::of(language_of(&account));
            let errors = field_errors(t, &e);
            let typed = Some((
                emails_raw.chars().take(20_000).collect(),
                input.role.clone().unwrap_or_default(),
                input.modules.clone(),
                input.customers.clone(),
            ));
            render_team(
                &s,
                portal,
                &account,
                &actor,
                &token,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                errors,
                typed,
            )
            .await
        }
        Err(e) => {
            let back = format!("/portal/{}/team", portal.id);
            failure(portal, language_of(&account), back, e)
        }
    }
}

// ---------------------------------------------------------------- one member

#[derive(Template, WebTemplate)]
#[template(path = "portal/team_member.html")]
struct MemberPage {
    t: &'static T,
    tt: &'static TeamT,
    lang: &'static str,
    portal: Portal,
    csrf: String,
    m: PortalAccount,
    state: &'static str,
    is_self: bool,
    notice: Option<&'static str>,
    errors: Vec<(&'static str, String)>,
    fields: AccessFields,
    roles: Vec<(&'static str, &'static str)>,
}

impl MemberPage {
    fn error(&self, field: &str) -> Option<&str> {
        find_error(&self.errors, field)
    }
}

#[derive(Deserialize, Default)]
pub(super) struct MemberQuery {
    done: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn render_member(
    s: &AppState,
    portal: Portal,
    admin: &PortalAccount,
    actor: &Actor,
    token: &str,
    member_id: i64,
    status: StatusCode,
    notice: Option<&'static str>,
    errors: Vec<(&'static str, String)>,
    typed: Option<(String, Vec<String>, Vec<AssignmentInput>)>,
) -> Response {
    let language = language_of(admin);
    let german = language == Language::De;
    let tt = TeamT::of(language);
    let view = match access_uc::access_of(&s.cx, actor, member_id).await {
        Ok(v) => v,
        Err(e) => {
            let back = format!("/portal/{}/team", portal.id);
            return failure(portal, language, back, e);
        }
    };
    let (role, modules, customers) = typed.unwrap_or_else(|| {
        (
            view.account.role.clone(),
            view.account.modules.clone(),
            view.customers.clone(),
        )
    });
    let groupings = match picker::groupings_in(
        s,
        view.account.organization_id,
        &picker::chosen(&customers),
        german,
    )
    .await
    {
        Ok(g) => g,
        Err(e) => return super::super::console::error_page(e),
    };
    (
        status,
        MemberPage {
            t: T::of(language),
            tt,
            lang: language.as_str(),
            csrf: session_csrf(token),
            state: tt.state(&view.account, uc::today(s.cx.now())),
            is_self: view.account.id == admin.id,
            m: view.account,
            notice,
            errors,
            fields: AccessFields {
                role,
                modules,
                groupings,
            },
            roles: roles(german),
            portal,
        },
    )
        .into_response()
}

pub(super) async fn member_page(
    State(s): State<AppState>,
    Path((id, member)): Path<(String, String)>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Query(q): Query<MemberQuery>,
) -> Response {
    let (portal, account, token, actor) = match admin_at(&s, &id, &headers, addr).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(member) = member.parse::<i64>() else {
        return super::not_found();
    };
    let tt = TeamT::of(language_of(&account));
    let notice = match q.done.as_deref() {
        Some("saved") => Some(tt.access_saved),
        Some("resent") => Some(tt.resent),
        Some("deactivated") => Some(tt.deactivated),
        Some("reactivated") => Some(tt.reactivated),
        _ => None,
    };
    render_member(
        &s,
        portal,
        &account,
        &actor,
        &token,
        member,
        StatusCode::OK,
        notice,
        Vec::new(),
        None,
    )
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/team_remove.html")]
struct RemovePage {
    tt: &'static TeamT,
    lang: &'static str,
    portal: Portal,
    csrf: String,
    m: PortalAccount,
}

/// The confirmation before an account is removed (or its invitation cancelled), at
/// `team/{member}/remove`.
pub(super) async fn remove_page(
    State(s): State<AppState>,
    Path((id, member, what)): Path<(String, String, String)>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
) -> Response {
    let (portal, account, token, actor) = match admin_at(&s, &id, &headers, addr).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (Ok(member), "remove") = (member.parse::<i64>(), what.as_str()) else {
        return super::not_found();
    };
    let language = language_of(&account);
    match uc::get_account(&s.cx, &actor, member).await {
        Ok(m) => RemovePage {
            tt: TeamT::of(language),
            lang: language.as_str(),
            portal,
            csrf: session_csrf(&token),
            m,
        }
        .into_response(),
        Err(e) => {
            let back = format!("/portal/{}/team", portal.id);
            failure(portal, language, back, e)
        }
    }
}

/// The member's forms: `access`, `resend`, `deactivate`, `reactivate`, `remove`.
pub(super) async fn member_post(
    State(s): State<AppState>,
    Path((id, member, what)): Path<(String, String, String)>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    RawForm(body): RawForm,
) -> Response {
    let (portal, account, token, actor) = match admin_at(&s, &id, &headers, addr).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(member) = member.parse::<i64>() else {
        return super::not_found();
    };
    let f = picker::fields(&body);
    if !csrf_ok(&token, &f) {
        return expired_form();
    }
    let pid = portal.id;
    let to_member = |done: &str| {
        Redirect::to(&format!("/portal/{pid}/team/{member}?done={done}")).into_response()
    };
    let status = |action: &str| StatusChange {
        action: action.into(),
        valid_until: None,
        notify: Some(true),
        message: None,
    };
    let language = language_of(&account);
    let result = match what.as_str() {
        "access" => {
            let input = AccessInput {
                role: Some(picker::one(&f, "role").to_string()),
                modules: Some(picker::all(&f, "modules")),
                customers: Some(picker::parse(&picker::all(&f, "customers"))),
            };
            match access_uc::set_access(&s.cx, &actor, member, &input).await {
                Ok(_) => Ok(to_member("saved")),
                Err(Error::Invalid(e) | Error::Conflict(e)) => {
                    let errors = field_errors(T::of(language), &e);
                    let typed = Some((
                        input.role.clone().unwrap_or_default(),
                        input.modules.clone().unwrap_or_default(),
                        input.customers.clone().unwrap_or_default(),
                    ));
                    return render_member(
                        &s,
                        portal,
                        &account,
                        &actor,
                        &token,
                        member,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        None,
                        errors,
                        typed,
                    )
                    .await;
                }
                Err(e) => Err(e),
            }
        }
        "resend" => uc::resend_link(&s.cx, &actor, member)
            .await
            .map(|_| to_member("resent")),
        "deactivate" => uc::change_status(&s.cx, &actor, member, &status("deactivate"))
            .await
            .map(|_| to_member("deactivated")),
        "reactivate" => uc::change_status(&s.cx, &actor, member, &status("reactivate"))
            .await
            .map(|_| to_member("reactivated")),
        "remove" => uc::remove_account(&s.cx, &actor, member, true)
            .await
            .map(|gone| {
                let key = if gone.registration == "registered" {
                    "removed"
                } else {
                    "cancelled"
                };
                let who: String = form_urlencoded::byte_serialize(gone.email.as_bytes()).collect();
                Redirect::to(&format!("/portal/{pid}/team?{key}={who}")).into_response()
            }),
        _ => return super::not_found(),
    };
    match result {
        Ok(r) => r,
        Err(e) => {
            let back = format!("/portal/{pid}/team/{member}");
            failure(portal, language, back, e)
        }
    }
}
