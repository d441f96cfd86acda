//! The team's page: its members with their state and customers, and the invitation form
//! (many addresses at once).

use std::collections::BTreeMap;

use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::{AccessFields, TeamAdmin, field_errors, roles};
use crate::catalog::Message;
use crate::domain::account::Role;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::usecases::access::{self as access_uc, AssignmentInput};
use crate::usecases::accounts::{self as uc, InviteInput};
use crate::usecases::directory::Outcome;
use crate::usecases::{Error, team};
use crate::web::AppState;
use crate::web::page::PageResult;
use crate::web::picker;
use crate::web::portal::page::error_of;
use crate::web::portal::words::Words;

pub struct MemberRow {
    pub a: PortalAccount,
    pub role: String,
    pub state: String,
    pub customers: String,
    pub last_login: String,
    pub is_self: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/team.html")]
struct TeamPage {
    words: Words,
    lang: &'static str,
    /// `?lang=xx` for the links and forms when the language was chosen so, else empty.
    lang_query: String,
    portal: Portal,
    organization: String,
    csrf: String,
    rows: Vec<MemberRow>,
    more: bool,
    notice: Option<String>,
    errors: Vec<(&'static str, String)>,
    emails: String,
    fields: AccessFields,
    roles: Vec<(&'static str, String)>,
}

impl TeamPage {
    fn error(&self, field: &str) -> Option<&str> {
        error_of(&self.errors, field)
    }
}

#[derive(Deserialize, Default)]
pub(in crate::web::portal) struct TeamQuery {
    invited: Option<usize>,
    /// Notifications-only accounts added: they get no invitation.
    added: Option<usize>,
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
    words: Words,
) -> Result<BTreeMap<i64, String>, Error> {
    let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
    let counts = access_uc::assigned_counts(&s.cx, &ids).await?;
    let mut out = BTreeMap::new();
    for a in accounts {
        let text = match (a.role, counts.get(&a.id)) {
            (Role::Admin, _) | (Role::User, None) => words.t("team-all-customers"),
            (Role::User, Some(list)) => list
                .iter()
                .map(|c| {
                    let label = match &c.partnership {
                        Some(p) => picker::label(true, p, words.language),
                        None => picker::label(false, organization, words.language),
                    };
                    words.t2(
                        "team-assigned-in",
                        &("count", c.customers),
                        &("grouping", label),
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            _ => words.t("team-no-customers-role"),
        };
        out.insert(a.id, text);
    }
    Ok(out)
}

/// The invitation form as typed: the addresses, role, modules and customers.
type Typed = (String, (String, Vec<String>, Vec<AssignmentInput>));

async fn render_team(
    s: &AppState,
    admin: TeamAdmin,
    status: StatusCode,
    notice: Option<String>,
    errors: Vec<(&'static str, String)>,
    typed: Option<Typed>,
) -> PageResult {
    let language = admin.language();
    let words = Words::of(language);
    let (members, more) = team::members(&s.cx, &admin.actor).await?;
    let me = &admin.me.account;
    let org = me.organization_id.unwrap_or_default();
    let org_name = me.organization_name.clone().unwrap_or_default();
    let summaries = customer_summaries(s, &org_name, &members, words).await?;
    let today = crate::clock::today(s.cx.now());
    let at = admin.locale();
    let rows = members
        .into_iter()
        .map(|a| MemberRow {
            role: words.say(&a.role.label()),
            state: words.t(super::state_key(&a, today)),
            customers: summaries.get(&a.id).cloned().unwrap_or_default(),
            last_login: a
                .last_login_at
                .map(|t| at.time(t))
                .unwrap_or_else(|| words.t("team-never")),
            is_self: a.id == me.id,
            a,
        })
        .collect();
    let (emails, chosen) =
        typed.unwrap_or_else(|| (String::new(), ("user".into(), Vec::new(), Vec::new())));
    let fields = AccessFields::of(s, &admin, Some(org), chosen).await?;
    let page = TeamPage {
        words,
        lang: language.as_str(),
        lang_query: admin.me.lang_query(),
        organization: org_name,
        csrf: admin.me.csrf(),
        rows,
        more,
        notice,
        errors,
        emails,
        fields,
        roles: roles(language),
        portal: admin.me.page.portal,
    };
    Ok((status, page).into_response())
}

pub(in crate::web::portal) async fn team_page(
    State(s): State<AppState>,
    admin: TeamAdmin,
    Query(q): Query<TeamQuery>,
) -> PageResult {
    let words = Words::of(admin.language());
    let unchanged = q.unchanged.unwrap_or(0);
    let notice = if let Some(n) = q.added {
        // As the console says it: no invitation goes to an account that never logs in.
        let said = Message::new("flash-added-notifications")
            .number("new", i64::try_from(n).unwrap_or(i64::MAX))
            .number("had", i64::try_from(unchanged).unwrap_or(i64::MAX));
        Some(words.say(&said))
    } else if let Some(n) = q.invited {
        let mut text = words.t1("team-invited", "count", n);
        if unchanged > 0 {
            text.push(' ');
            text.push_str(&words.t1("team-already-there", "count", unchanged));
        }
        Some(text)
    } else if let Some(e) = q.removed {
        Some(words.t1("team-removed", "email", e))
    } else {
        q.cancelled.map(|e| words.t1("team-cancelled", "email", e))
    };
    render_team(&s, admin, StatusCode::OK, notice, Vec::new(), None).await
}

/// The addresses of the invitation box: one per line, or separated by commas or semicolons.
fn addresses(raw: &str) -> Vec<String> {
    raw.split(['\n', ',', ';'])
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect()
}

pub(in crate::web::portal) async fn invite(
    State(s): State<AppState>,
    admin: TeamAdmin,
    RawForm(body): RawForm,
) -> PageResult {
    let f = picker::fields(&body);
    admin.me.check_csrf(picker::one(&f, "csrf"))?;
    let pid = admin.portal_id();
    let emails_raw = picker::one(&f, "emails").to_string();
    let input = InviteInput {
        portal_id: pid,
        role: Some(picker::one(&f, "role").to_string()),
        modules: picker::all(&f, "modules"),
        customers: picker::parse(&picker::all(&f, "customers")),
        contact_ids: Vec::new(),
        emails: addresses(&emails_raw),
    };
    let org = admin.me.account.organization_id.unwrap_or_default();
    let back = format!("/portal/{pid}/team");
    match uc::invite_many(&s.cx, &admin.actor, org, &input).await {
        Ok(done) => {
            let created = done
                .iter()
                .filter(|d| matches!(d.outcome, Outcome::Created))
                .count();
            let unchanged = done.len() - created;
            let lang = admin.me.lang_param();
            // A notifications-only account gets no invitation (it never logs in).
            let said = match Role::parse(picker::one(&f, "role")) {
                Ok(role) if !role.may_log_in() => "added",
                _ => "invited",
            };
            Ok(Redirect::to(&format!(
                "/portal/{pid}/team?{said}={created}&unchanged={unchanged}{lang}"
            ))
            .into_response())
        }
        Err(Error::Invalid(e) | Error::Conflict(e)) => {
            let errors = field_errors(admin.language(), &e);
            let typed = Some((
                emails_raw.chars().take(20_000).collect(),
                (
                    input.role.clone().unwrap_or_default(),
                    input.modules.clone(),
                    input.customers.clone(),
                ),
            ));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_team(&s, admin, status, None, errors, typed).await
        }
        Err(e) => Err(admin.failure(back)(e)),
    }
}
