//! A portal account's page: its statuses, every staff action, linking a contact (the
//! assignment queue), its history from the audit log and its e-mails from the outbox.

use crate::catalog::Message;
use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawForm, State};
use axum::routing::{get, post};
use serde::Deserialize;

use super::history::rows::{History, Outbox, history};
use super::{Chrome, Staff, done};
use crate::catalog;
use crate::domain::local_time::Locale;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::{Organization, OrganizationFilter};
use crate::storage::outbox::OutboxMessage;
use crate::storage::tasks::Owner;
use crate::usecases::Error;
use crate::usecases::access::{self as access_uc, AccessInput};
use crate::usecases::accounts as uc;
use crate::usecases::notifications::{self as notify_uc, PreferencesInput};
use crate::usecases::registration::{self as reg, Candidate, CreateContactInput, RegistrationData};
use crate::web::AppState;
use crate::web::notifications::{
    PreferencesSection, as_typed, preference_errors, preferences_input,
};
use crate::web::page::{Id, PageResult, form_again, form_errors};
use crate::web::picker;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/accounts/{id}", get(show))
        .route("/console/accounts/{id}/contact", post(link_contact))
        .route("/console/accounts/{id}/access", post(set_access))
        .route(
            "/console/accounts/{id}/notifications",
            post(set_notifications),
        )
        .route(
            "/console/accounts/{id}/create-contact",
            post(create_contact),
        )
}

/// The words people see for an account's statuses.
pub struct Labels {
    pub registration: String,
    pub approval: String,
    pub lifecycle: String,
    pub valid_until: String,
    pub last_login: String,
    pub created: String,
}

impl Labels {
    /// The labels, with times in the viewer's zone and language.
    pub fn of(a: &PortalAccount, viewer: &Locale) -> Self {
        Labels {
            registration: a.registration.label().render(viewer.language.as_str()),
            approval: a.approval.label().render(viewer.language.as_str()),
            lifecycle: a.lifecycle.label().render(viewer.language.as_str()),
            valid_until: viewer.day_opt(a.valid_until),
            last_login: viewer.time_opt(a.last_login_at),
            created: viewer.time(a.created_at),
        }
    }
}

pub struct MessageRow {
    pub at: String,
    /// What the e-mail is, in words ("Request declined").
    pub what: String,
    pub m: OutboxMessage,
}

/// One of the account's portal sessions.
pub struct SessionRow {
    pub started: String,
    pub last_seen: String,
    pub client_addr: Option<String>,
    pub user_agent: Option<String>,
}

/// How many of its e-mails the page lists (the use case reads as many).
const MESSAGES_SHOWN: usize = 50;

#[derive(Template, WebTemplate)]
#[template(path = "console/portal_account.html")]
struct AccountPage {
    chrome: Chrome,
    a: PortalAccount,
    labels: Labels,
    back_url: String,
    registration: Option<RegistrationData>,
    q: String,
    candidates: Vec<Candidate>,
    organizations: Vec<Organization>,
    create_error: Option<String>,
    history: History,
    messages: Vec<MessageRow>,
    sessions: Vec<SessionRow>,
    /// The role, modules and customers form: the portal's modules, the picker, what is chosen
    /// (as typed after an error), the errors, and what it adds up to.
    modules: Vec<crate::storage::directory::Module>,
    groupings: Vec<crate::web::picker::GroupingView>,
    chosen_role: String,
    chosen_modules: Vec<String>,
    access_errors: Vec<(&'static str, String)>,
    scope: crate::usecases::access::ScopeView,
    /// The digest preferences form and the recent digests.
    notify: PreferencesSection,
    /// Whether the staff member may view the portal as this person, or why not; and the
    /// account's impersonations.
    impersonate: Result<(), String>,
    impersonations: Vec<super::impersonation::ImpersonationRow>,
    max_minutes: i64,
    default_minutes: i64,
    /// Where the account stands, in a few words, above the actions its state calls for (a
    /// catalog key).
    state_line: &'static str,
}

/// Where an account stands, the first that applies: what keeps it from logging in, or that
/// it can. A catalog key.
pub fn state_line(a: &PortalAccount, today: i64) -> &'static str {
    use crate::domain::account::{Approval, Lifecycle, Registration};
    if a.lifecycle == Lifecycle::Deactivated {
        "state-deactivated"
    } else if !a.access_granted {
        "state-access-off"
    } else if a.state().expired(today) {
        "state-expired"
    } else if a.approval == Approval::Declined {
        "state-declined"
    } else if !a.role.may_log_in() {
        "state-notifications-only"
    } else if a.registration == Registration::Invited {
        "state-invited"
    } else if a.registration == Registration::ActivationSent {
        "state-confirming"
    } else if a.contact_id.is_none() {
        "state-awaiting-contact"
    } else if a.approval == Approval::Pending {
        "state-awaiting-approval"
    } else {
        "state-active"
    }
}

impl AccountPage {
    fn state_line(&self) -> &'static str {
        self.state_line
    }

    /// Modules named by their names, each in the staff member's language, joined by commas.
    fn module_names(&self, names: &[String]) -> String {
        let code = self.chrome.lang_code();
        names
            .iter()
            .map(|n| {
                self.modules
                    .iter()
                    .find(|m| &m.name == n)
                    .map_or(n.as_str(), |m| m.name_in(code))
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn access_error(&self, field: &str) -> Option<&str> {
        self.access_errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// The role, modules and customers as typed, shown again with the errors of the form.
struct AccessTyped {
    input: AccessInput,
    errors: Vec<(&'static str, String)>,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    #[serde(default)]
    q: String,
}

/// The digest preferences as typed, shown again with the errors of their form.
struct PreferencesTyped {
    input: PreferencesInput,
    errors: Vec<(&'static str, String)>,
}

async fn page(
    s: &AppState,
    staff: &Staff,
    id: i64,
    q: String,
    create_error: Option<String>,
    typed: Option<AccessTyped>,
) -> Result<AccountPage, Error> {
    page_with(s, staff, id, q, create_error, typed, None).await
}

#[allow(clippy::too_many_arguments)]
async fn page_with(
    s: &AppState,
    staff: &Staff,
    id: i64,
    q: String,
    create_error: Option<String>,
    typed: Option<AccessTyped>,
    prefs_typed: Option<PreferencesTyped>,
) -> Result<AccountPage, Error> {
    let detail = uc::account_detail(&s.cx, &staff.actor, id).await?;
    let prefs = notify_uc::preferences_named(
        &s.cx,
        &staff.actor,
        Owner::Account(id),
        Some(staff.language()),
    )
    .await?;
    let digests = notify_uc::recent_digests(&s.cx, &staff.actor, Owner::Account(id)).await?;
    let (prefs, prefs_errors) = match prefs_typed {
        Some(t) => (as_typed(prefs, &t.input), t.errors),
        None => (prefs, Vec::new()),
    };
    let notify = PreferencesSection::new(
        format!("/console/accounts/{id}/notifications"),
        prefs,
        prefs_errors,
        digests,
        &staff.locale(),
    );
    let access = access_uc::access_of(&s.cx, &staff.actor, id).await?;
    let portal = crate::usecases::directory::get_portal(&s.cx, detail.account.portal_id).await?;
    let a = detail.account;
    let (chosen_role, chosen_modules, customers, access_errors) = match typed {
        Some(t) => (
            t.input.role.unwrap_or_default(),
            t.input.modules.unwrap_or_default(),
            t.input.customers.unwrap_or_default(),
            t.errors,
        ),
        None => (
            a.role.to_string(),
            a.modules.clone(),
            access.customers,
            Vec::new(),
        ),
    };
    let groupings = picker::groupings(
        s,
        &staff.actor,
        a.organization_id,
        &picker::chosen(&customers),
        staff.language(),
    )
    .await?;
    let impersonate = crate::usecases::impersonation::check(&s.cx, &staff.actor, id)
        .await?
        .map_err(|why| staff.say(&why.message()));
    let impersonations = super::impersonation::rows(s, staff, id).await?;
    let registration = RegistrationData::of(&a);
    let (candidates, organizations) = if a.contact_id.is_none() {
        let candidates = reg::candidates(&s.cx, &staff.actor, id, Some(&q)).await?;
        let organizations = match &registration {
            Some(d) => {
                crate::usecases::directory::list_organizations(
                    &s.cx,
                    &staff.actor,
                    &OrganizationFilter {
                        q: Some(d.organization.clone()),
                        limit: 10,
                        ..Default::default()
                    },
                )
                .await?
                .items
            }
            None => Vec::new(),
        };
        (candidates, organizations)
    } else {
        (Vec::new(), Vec::new())
    };
    let outbox = Outbox {
        statuses: detail.messages.iter().map(|m| (m.id, m.status)).collect(),
        from: match detail.messages.last() {
            Some(oldest) if detail.messages.len() >= MESSAGES_SHOWN => oldest.id,
            _ => 0,
        },
    };
    let history = history(s, staff, detail.history, Some(&outbox)).await?;
    Ok(AccountPage {
        chrome: staff.chrome("access"),
        labels: Labels::of(&a, &staff.locale()),
        back_url: format!("/console/accounts/{id}"),
        registration,
        q,
        candidates,
        organizations,
        create_error,
        history,
        messages: detail
            .messages
            .into_iter()
            .map(|m| MessageRow {
                at: staff.locale().time(m.created_at),
                what: event_label(staff, &m.event),
                m,
            })
            .collect(),
        sessions: detail
            .sessions
            .into_iter()
            .map(|x| SessionRow {
                started: staff.locale().time(x.created_at),
                last_seen: staff.locale().time(x.last_seen_at),
                client_addr: x.client_addr,
                user_agent: x.user_agent,
            })
            .collect(),
        modules: portal.modules,
        groupings,
        chosen_role,
        chosen_modules,
        access_errors,
        scope: access.scope,
        notify,
        impersonate,
        impersonations,
        max_minutes: crate::domain::impersonation::MAX_MINUTES,
        default_minutes: crate::domain::impersonation::DEFAULT_MINUTES,
        state_line: state_line(&a, crate::clock::today(s.cx.now())),
        a,
    })
}

/// What an e-mail is, in words, by its event: from the catalog, else the event's own label.
pub fn event_label(staff: &Staff, event: &str) -> String {
    let key = format!("mail-event-{event}");
    match crate::mail::templates::event(event) {
        Some(_) if catalog::has(catalog::LANGUAGES[0], &key) => staff.t(&key),
        Some(e) => e.label.to_string(),
        None => staff.t("mail-event-other"),
    }
}

async fn show(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    Query(q): Query<ShowQuery>,
) -> PageResult<AccountPage> {
    Ok(page(&s, &staff, id, q.q, None, None).await?)
}

fn field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn link_contact(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let contact_id = field(&body, "contact_id")
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| Error::invalid("contact_id", Message::new("error-choose-contact")))?;
    let a = reg::link_contact(&s.cx, &staff.actor, id, contact_id).await?;
    Ok(done(
        &s,
        &format!("/console/accounts/{id}"),
        &staff.say(&match a.organization_name.as_deref() {
            Some(o) => Message::new("flash-linked-to")
                .text("email", a.email.clone())
                .text("organization", o),
            None => Message::new("flash-linked-to-contact").text("email", a.email.clone()),
        }),
    ))
}

async fn create_contact(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let input = CreateContactInput {
        organization_id: field(&body, "organization_id").and_then(|o| o.parse().ok()),
        allow_duplicate: field(&body, "allow_duplicate").is_some(),
    };
    Ok(
        match form_errors(reg::create_contact(&s.cx, &staff.actor, id, &input).await)? {
            Ok(a) => done(
                &s,
                &format!("/console/accounts/{id}"),
                &staff.say(&Message::new("flash-contact-linked").text("email", a.email.clone())),
            ),
            Err(f) => {
                let create_error = Some(f.all_in(staff.language().as_str()));
                form_again(page(&s, &staff, id, String::new(), create_error, None).await?)
            }
        },
    )
}

/// Changes the account's role, modules and customers; a refusal shows the form again with
/// what was typed and why.
async fn set_access(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let f = picker::fields(&body);
    let input = AccessInput {
        role: Some(picker::one(&f, "role").to_string()),
        modules: Some(picker::all(&f, "modules")),
        customers: Some(picker::parse(&picker::all(&f, "customers"))),
    };
    Ok(
        match form_errors(access_uc::set_access(&s.cx, &staff.actor, id, &input).await)? {
            Ok(v) => done(
                &s,
                &format!("/console/accounts/{id}"),
                &staff.say(
                    &Message::new("flash-access-saved")
                        .text("email", v.account.email.clone())
                        .text(
                            "portal",
                            v.account
                                .portal_name_in(staff.language().as_str())
                                .to_string(),
                        ),
                ),
            ),
            Err(e) => {
                let errors = ["role", "modules", "customers"]
                    .into_iter()
                    .filter_map(|k| e.text(k, staff.language().as_str()).map(|m| (k, m)))
                    .collect();
                let typed = AccessTyped { input, errors };
                form_again(page(&s, &staff, id, String::new(), None, Some(typed)).await?)
            }
        },
    )
}

/// Sets the account's digest preferences; bad input shows the page again with the form as
/// typed and its errors, and nothing is saved.
async fn set_notifications(
    State(s): State<AppState>,
    staff: Staff,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let input = preferences_input(&body);
    let saved = notify_uc::set_preferences(&s.cx, &staff.actor, Owner::Account(id), &input).await;
    Ok(match form_errors(saved)? {
        Ok(p) => {
            let said = match &p.next_due_at {
                Some(t) => Message::new("flash-notifications-saved-next")
                    .text(
                        "when",
                        crate::web::notifications::local_time(
                            t,
                            &Locale::new(&p.time_zone, staff.locale().language),
                        ),
                    )
                    .text("zone", p.time_zone.clone()),
                None => Message::new("flash-notifications-saved-none"),
            };
            done(
                &s,
                &format!("/console/accounts/{id}#notifications"),
                &staff.say(&said),
            )
        }
        Err(e) => {
            let typed = PreferencesTyped {
                input,
                errors: preference_errors(&e),
            };
            form_again(page_with(&s, &staff, id, String::new(), None, None, Some(typed)).await?)
        }
    })
}
