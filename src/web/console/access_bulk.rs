//! Actions on the accounts selected in the access list: send the invitation or activation
//! e-mail again, approve, switch access off, deactivate, download them as CSV. Each account
//! goes through the same use case as its own action would (the actor's areas, the rules, the
//! e-mails, the audit event), one at a time; the answer says per account what was done and
//! what was refused and why. Switching off and deactivating first show a page that lists
//! everyone affected and the e-mail each gets, and are done only from there. Nothing is
//! selected unless ticked, and a form with nothing ticked changes nothing.

use super::accounts::event_label;
use crate::catalog::Message;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawForm, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::access_csv;
use super::{Chrome, Staff, done};
use crate::usecases::Error;
use crate::usecases::accounts::{self as uc, Confirmed, Consequence, StatusAction, StatusChange};
use crate::web::AppState;
use crate::web::page::PageResult;

pub fn router() -> Router<AppState> {
    Router::new().route("/console/access/bulk", post(bulk))
}

/// The most accounts one form may name (a page of the list is 50).
pub const MOST: usize = 500;

/// An action on the selected accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bulk {
    Resend,
    Approve,
    SwitchOff,
    Deactivate,
    Export,
}

impl Bulk {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "resend" => Bulk::Resend,
            "approve" => Bulk::Approve,
            "switch_off" => Bulk::SwitchOff,
            "deactivate" => Bulk::Deactivate,
            "export" => Bulk::Export,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Bulk::Resend => "resend",
            Bulk::Approve => "approve",
            Bulk::SwitchOff => "switch_off",
            Bulk::Deactivate => "deactivate",
            Bulk::Export => "export",
        }
    }

    /// Those that take something away: asked for on a confirmation page first.
    fn confirmed(self) -> Option<Confirmed> {
        match self {
            Bulk::SwitchOff => Some(Confirmed::SwitchOff),
            Bulk::Deactivate => Some(Confirmed::Deactivate),
            _ => None,
        }
    }

    /// What was done, for the result: its key in the catalog.
    fn done(self) -> &'static str {
        match self {
            Bulk::Resend => "done-sent-again",
            Bulk::Approve => "done-approved",
            Bulk::SwitchOff => "done-switched-off",
            Bulk::Deactivate => "done-deactivated",
            Bulk::Export => "done-downloaded",
        }
    }
}

/// The form as sent: the fields once each, the ticked accounts.
struct BulkForm {
    action: String,
    back: String,
    ids: Vec<i64>,
    /// Every `id` value was a number.
    ids_ok: bool,
    confirmed: bool,
    notify: bool,
}

impl BulkForm {
    fn parse(raw: &[u8]) -> Self {
        let mut f = BulkForm {
            action: String::new(),
            back: "/console/access".into(),
            ids: Vec::new(),
            ids_ok: true,
            confirmed: false,
            notify: false,
        };
        for (k, v) in form_urlencoded::parse(raw) {
            match &*k {
                "action" => f.action = v.into_owned(),
                "back" if v.starts_with("/console/access") && !v.contains('\\') => {
                    f.back = v.into_owned()
                }
                "id" => match v.trim().parse::<i64>() {
                    Ok(id) if !f.ids.contains(&id) => f.ids.push(id),
                    Ok(_) => {}
                    Err(_) => f.ids_ok = false,
                },
                "confirmed" => f.confirmed = true,
                "notify" => f.notify = true,
                _ => {}
            }
        }
        f
    }
}

/// One account on the confirmation page: what will happen to it, or why it will be left.
pub struct Planned {
    pub id: i64,
    pub email: String,
    pub portal: String,
    /// "Request declined" e-mail to whom, when one goes with it.
    pub mail: Option<String>,
    pub refused: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/access_bulk_confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    action: &'static str,
    title: &'static str,
    button: &'static str,
    consequence: &'static str,
    back: String,
    rows: Vec<Planned>,
    doable: usize,
}

/// One account in the result.
pub struct Outcome {
    pub id: i64,
    pub email: String,
    pub done: bool,
    /// What was done (and the e-mail), or why it was refused.
    pub said: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/access_bulk_result.html")]
struct ResultPage {
    chrome: Chrome,
    title: &'static str,
    back: String,
    rows: Vec<Outcome>,
    done: usize,
    refused: usize,
}

/// Why an account was left, in words for staff, in their language.
fn reason(staff: &Staff, e: &Error) -> String {
    let code = staff.language().as_str();
    match e {
        Error::Db(_) | Error::Internal(_) => {
            tracing::error!(error = %e, "bulk action on an account");
            staff.t("bulk-not-saved")
        }
        Error::NotFound(_) => staff.t("bulk-not-found"),
        Error::Refused(p) | Error::Forbidden(p) => p.render(code),
        Error::Invalid(f) | Error::Conflict(f) => f.all_in(code),
        other => other.to_string(),
    }
}

async fn bulk(
    State(s): State<AppState>,
    staff: Staff,
    RawForm(raw): RawForm,
) -> PageResult<Response> {
    let f = BulkForm::parse(&raw);
    let Some(action) = Bulk::parse(&f.action) else {
        return Ok(done(&s, &f.back, &staff.t("flash-choose-action")));
    };
    if !f.ids_ok {
        return Err(Error::invalid("id", Message::new("error-bulk-id")).into());
    }
    if f.ids.is_empty() {
        return Ok(done(&s, &f.back, &staff.t("flash-select-one")));
    }
    if f.ids.len() > MOST {
        return Err(Error::invalid(
            "id",
            Message::new("error-bulk-too-many").number("max", MOST as i64),
        )
        .into());
    }
    if action == Bulk::Export {
        let accounts = uc::these_accounts(&s.cx, &staff.actor, &f.ids).await?;
        return Ok(access_csv::download(
            &accounts,
            "accounts-selected.csv",
            staff.language(),
        ));
    }
    let chrome = staff.chrome("access");
    if let Some(c) = action.confirmed()
        && !f.confirmed
    {
        return Ok(confirm_page(&s, &staff, chrome, action, c, f)
            .await
            .into_response());
    }
    // Approving and sending again always send their e-mail, as their own buttons do; the
    // confirmation page has a box for the others' e-mail.
    let notify = action.confirmed().is_none() || f.notify;
    let known = emails(&s, &staff, &f.ids).await?;
    let mut rows = Vec::new();
    for id in &f.ids {
        let mut row = perform(&s, &staff, action, *id, notify).await;
        if let (false, Some(email)) = (row.done, known.get(id)) {
            row.email = email.clone();
        }
        rows.push(row);
    }
    let done = rows.iter().filter(|r| r.done).count();
    Ok(ResultPage {
        chrome,
        title: action.done(),
        back: f.back,
        refused: rows.len() - done,
        done,
        rows,
    }
    .into_response())
}

async fn confirm_page(
    s: &AppState,
    staff: &Staff,
    chrome: Chrome,
    action: Bulk,
    c: Confirmed,
    f: BulkForm,
) -> ConfirmPage {
    let known = emails(s, staff, &f.ids).await.unwrap_or_default();
    let mut rows = Vec::new();
    for id in &f.ids {
        rows.push(match uc::consequence(&s.cx, &staff.actor, *id, c).await {
            Ok(Consequence { account, mail, .. }) => Planned {
                id: *id,
                portal: account
                    .portal_name_in(staff.language().as_str())
                    .to_string(),
                email: account.email,
                mail: mail.map(|m| {
                    staff.say(
                        &Message::new("bulk-mail-plan")
                            .text("label", event_label(staff, m.event))
                            .text("to", m.to),
                    )
                }),
                refused: None,
            },
            Err(e) => Planned {
                id: *id,
                email: known.get(id).cloned().unwrap_or_else(|| format!("#{id}")),
                portal: String::new(),
                mail: None,
                refused: Some(reason(staff, &e)),
            },
        });
    }
    let (title, button, consequence) = match action {
        Bulk::SwitchOff => (
            "bulk-switch-off-title",
            "confirm-button-switch-off",
            "bulk-switch-off-consequence",
        ),
        _ => (
            "bulk-deactivate-title",
            "confirm-button-deactivate",
            "bulk-deactivate-consequence",
        ),
    };
    ConfirmPage {
        chrome,
        action: action.as_str(),
        title,
        button,
        consequence,
        back: f.back,
        doable: rows.iter().filter(|r| r.refused.is_none()).count(),
        rows,
    }
}

/// Does `action` to one account, as its own action would be done.
async fn perform(s: &AppState, staff: &Staff, action: Bulk, id: i64, notify: bool) -> Outcome {
    let status = |action| StatusChange {
        action,
        valid_until: None,
        notify: Some(notify),
        message: None,
    };
    let result = match action {
        Bulk::Resend => uc::resend_link(&s.cx, &staff.actor, id).await.map(|a| {
            let mail = Message::new("bulk-mail-queued").text("to", a.email.clone());
            (a.email, mail)
        }),
        Bulk::Approve => changed(
            uc::change_status_told(&s.cx, &staff.actor, id, &status(StatusAction::Approve)).await,
        ),
        Bulk::SwitchOff => changed(
            uc::change_status_told(&s.cx, &staff.actor, id, &status(StatusAction::SwitchOff)).await,
        ),
        Bulk::Deactivate => changed(
            uc::change_status_told(&s.cx, &staff.actor, id, &status(StatusAction::Deactivate))
                .await,
        ),
        Bulk::Export => Err(Error::invalid(
            "action",
            Message::new("error-choose-action"),
        )),
    };
    match result {
        Ok((email, mail)) => Outcome {
            id,
            email,
            done: true,
            said: staff.say(
                &Message::new("bulk-done")
                    .message("what", Message::new(action.done()))
                    .message("mail", mail),
            ),
        },
        Err(e) => Outcome {
            id,
            email: format!("#{id}"),
            done: false,
            said: staff.say(&Message::new("bulk-refused").text("why", reason(staff, &e))),
        },
    }
}

/// The addresses of the accounts of `ids` the staff member may see.
async fn emails(
    s: &AppState,
    staff: &Staff,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, Error> {
    Ok(uc::these_accounts(&s.cx, &staff.actor, ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a.email))
        .collect())
}

/// The account's address and what happened to its e-mail.
fn changed(r: Result<uc::Changed, Error>) -> Result<(String, Message), Error> {
    r.map(|c| {
        let mail = match &c.mailed_to {
            Some(to) => Message::new("bulk-mail-queued").text("to", to.clone()),
            None => Message::new("bulk-no-mail"),
        };
        (c.account.email, mail)
    })
}
