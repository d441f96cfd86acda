//! The history of a page as rows of sentences, in the staff member's language.

use std::collections::HashMap;

use super::{MailFate, sentence, who};
use crate::domain::outbox::OutboxStatus;
use crate::storage::audit::AuditEvent;
use crate::usecases::Error;
use crate::web::AppState;
use crate::web::console::Staff;

/// One event as a page shows it.
pub struct HistoryRow {
    pub at: String,
    /// The sentence: "Declined by Maria Keller — e-mail sent to anna@…".
    pub text: String,
    /// Its code, for those who look for it in the audit log.
    pub action: String,
    pub client_addr: Option<String>,
}

/// A page's history: the language it is written in (`en`, `de`), its heading, what it says
/// when nothing has happened, and its rows.
pub struct History {
    pub lang: &'static str,
    pub heading: String,
    pub empty: String,
    pub rows: Vec<HistoryRow>,
}

/// What a page knows of the e-mails of its events: their statuses by id, read for every id
/// from `from` up; an e-mail from there up that it does not know was taken out of the outbox.
pub struct Outbox {
    pub statuses: HashMap<i64, OutboxStatus>,
    pub from: i64,
}

/// The events as sentences.
pub async fn history(
    s: &AppState,
    staff: &Staff,
    events: Vec<AuditEvent>,
    outbox: Option<&Outbox>,
) -> Result<History, Error> {
    let language = staff.language();
    let at = staff.locale();
    let names = crate::usecases::audit_log::staff_names(
        &s.cx,
        events
            .iter()
            .filter(|e| e.actor_kind == "staff")
            .filter_map(|e| e.actor_id),
    )
    .await?;
    let fate = |id: i64| match outbox {
        Some(o) if id >= o.from => MailFate::of(o.statuses.get(&id).copied()),
        _ => MailFate::Unknown,
    };
    let rows = events
        .into_iter()
        .map(|e| {
            let by = who(&e, &names, language);
            HistoryRow {
                at: at.time(e.occurred_at),
                text: sentence(&e, by.as_deref(), fate, language),
                action: e.action,
                client_addr: e.client_addr,
            }
        })
        .collect();
    Ok(History {
        lang: language.as_str(),
        heading: crate::catalog::tr(language.as_str(), "history-heading"),
        empty: crate::catalog::tr(language.as_str(), "history-empty"),
        rows,
    })
}
