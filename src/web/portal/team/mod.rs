//! The portal pages of an organization's team: "my access" for everyone; for the
//! organization's admins, their team (invite many at once, resend or cancel an invitation,
//! edit role, modules and customers, deactivate, reactivate, remove after a confirmation).
//! The same actions, rules and e-mails as the console's, limited to their organization.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::IntoResponse;

use super::page::{MessagePage, SignedIn};
use super::words::Words;
use crate::domain::FieldErrors;
use crate::domain::account::{Approval, Lifecycle, Registration, Role};
use crate::domain::directory::Language;
use crate::domain::validation::Problem;
use crate::storage::accounts::PortalAccount;
use crate::usecases::access::AssignmentInput;
use crate::usecases::team::team_actor;
use crate::usecases::{Actor, Error};
use crate::web::page::PageError;
use crate::web::picker::{self, GroupingView};
use crate::web::{AppState, ClientAddr};

mod members;
mod my_access;
mod one_member;

pub(super) use members::{invite, team_page};
pub(super) use my_access::my_access_page;
pub(super) use one_member::{member_page, member_post, remove_page};

fn roles(language: Language) -> Vec<(&'static str, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str(), r.label().render(language.as_str())))
        .collect()
}

/// A refusal or error of an action, in the person's language where Admit knows the words;
/// `back` leads to the team's page it came from.
fn failure(me: &SignedIn, back: String, e: Error) -> PageError {
    let language = me.language();
    let w = Words::of(language);
    let (status, text, back) = match e {
        Error::Refused(m) => {
            let last_admin = crate::domain::access::last_admin();
            let text = if matches!(&m, Problem::Coded(c) if c.key == last_admin.key) {
                w.t("team-last-admin")
            } else {
                m.render(language.as_str())
            };
            (StatusCode::CONFLICT, text, Some(back))
        }
        Error::Forbidden(_) => (StatusCode::FORBIDDEN, w.t("team-not-admin"), None),
        Error::NotFound(_) => (StatusCode::NOT_FOUND, w.t("team-not-in-team"), Some(back)),
        other => return other.into(),
    };
    let title = w.t("team-refused-title");
    let page = MessagePage {
        link: back.map(|b| (b, w.t("team-title"))),
        ..MessagePage::new(me.portal().clone(), language, title, text)
    };
    (status, page).into_response().into()
}

/// The logged-in admin of a team page and their actor; or the login page, or a page saying
/// that only admins manage the team.
pub(super) struct TeamAdmin {
    me: SignedIn,
    actor: Actor,
}

impl TeamAdmin {
    fn language(&self) -> Language {
        self.me.language()
    }

    fn portal_id(&self) -> i64 {
        self.me.page.id()
    }

    fn locale(&self) -> crate::domain::local_time::Locale {
        self.me.locale()
    }

    /// A refusal of an action, with a link back to `back`.
    fn failure(&self, back: String) -> impl FnOnce(Error) -> PageError + '_ {
        move |e| failure(&self.me, back, e)
    }
}

impl FromRequestParts<AppState> for TeamAdmin {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let me = SignedIn::from_request_parts(parts, state).await?;
        let ClientAddr(addr) = ClientAddr::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientAddr(None));
        let home = format!("/portal/{}/", me.page.id());
        if parts.method == axum::http::Method::POST {
            let what = parts.uri.path().to_string();
            super::impersonation::refuse_unless_actions(state, &me, addr.clone(), &what).await?;
        }
        match team_actor(&me.account, addr) {
            // During an impersonation, the audit log names the staff member as the person.
            Ok(actor) => Ok(TeamAdmin {
                actor: match &me.impersonation {
                    Some(imp) => crate::usecases::impersonation::acting_as(actor, imp),
                    None => actor,
                },
                me,
            }),
            Err(e) => Err(failure(&me, home, e)),
        }
    }
}

fn field_errors(language: Language, e: &FieldErrors) -> Vec<(&'static str, String)> {
    let words = Words::of(language);
    ["emails", "role", "modules", "customers", "contact_ids"]
        .into_iter()
        .filter_map(|f| {
            e.error(f).map(|err| {
                // The addresses' errors carry their code (the line, the address, what is
                // wrong), and so do the rules on modules and customers.
                let text = match f {
                    "emails" if err.code.is_some() => err.text(language.as_str()),
                    "emails" => words.t("portal-invalid-email"),
                    "modules" | "customers" => err.text(language.as_str()),
                    _ => words.field_error(err),
                };
                (f, text)
            })
        })
        .collect()
}

/// The role, modules and customers of a form, as chosen or as typed back after an error.
pub struct AccessFields {
    pub role: String,
    pub modules: Vec<String>,
    pub groupings: Vec<GroupingView>,
}

impl AccessFields {
    /// The fields with the customer picker of `organization`.
    async fn of(
        s: &AppState,
        admin: &TeamAdmin,
        organization: Option<i64>,
        (role, modules, customers): (String, Vec<String>, Vec<AssignmentInput>),
    ) -> Result<Self, Error> {
        let chosen = picker::chosen(&customers);
        let language = admin.language();
        let groupings = picker::groupings(s, &admin.actor, organization, &chosen, language).await?;
        Ok(AccessFields {
            role,
            modules,
            groupings,
        })
    }
}

/// The catalog's key of an account's state in one word or two, as its team sees it.
fn state_key(a: &PortalAccount, today: i64) -> &'static str {
    if a.lifecycle == Lifecycle::Deactivated {
        "team-state-deactivated"
    } else if a.registration == Registration::Invited {
        "team-state-invited"
    } else if a.registration == Registration::ActivationSent {
        "team-state-confirming"
    } else if a.approval == Approval::Declined {
        "team-state-declined"
    } else if a.approval == Approval::Pending || a.contact_id.is_none() {
        "team-state-awaiting"
    } else if !a.access_granted {
        "team-state-access-off"
    } else if a.valid_until.is_some_and(|d| d < today) {
        "team-state-expired"
    } else {
        "team-state-active"
    }
}

/// The plain "not found" of a member's address that is not one.
fn no_such_member() -> PageError {
    super::page::not_found().into()
}
