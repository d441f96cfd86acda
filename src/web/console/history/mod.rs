//! History in words: each audit event as a sentence from the catalog, in the reader's language
//! ("Declined by Maria Keller — e-mail sent to anna@…"), not as its code.

use std::collections::HashMap;

use crate::catalog::{self, Message};
use crate::domain::directory::Language;
use crate::domain::outbox::OutboxStatus;
use crate::storage::audit::AuditEvent;

pub mod labels;
pub mod rows;

pub use labels::{actor_label, target_label};

/// What became of an e-mail a change queued, as far as the page knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailFate {
    Sent,
    Waiting,
    Failed,
    /// No longer in the outbox: an undo took it out before it was sent.
    Gone,
    /// The page did not look.
    Unknown,
}

impl MailFate {
    pub fn of(status: Option<OutboxStatus>) -> Self {
        match status {
            Some(OutboxStatus::Sent) => MailFate::Sent,
            Some(OutboxStatus::Failed) => MailFate::Failed,
            Some(_) => MailFate::Waiting,
            None => MailFate::Gone,
        }
    }
}

/// Who did it, as a reader should see it: a staff member by name, anyone else by their label
/// (in `language`); nobody when the person acted on their own account ("Logged in").
pub fn who(
    e: &AuditEvent,
    staff_names: &HashMap<i64, String>,
    language: Language,
) -> Option<String> {
    match e.actor_kind.as_str() {
        "staff" => Some(
            e.actor_id
                .and_then(|id| staff_names.get(&id))
                .filter(|n| !n.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| e.actor_label.clone()),
        ),
        "portal_user" if e.target_kind == "portal_account" && e.actor_id == e.target_id => None,
        _ => Some(actor_label(&e.actor_kind, &e.actor_label, language)),
    }
}

/// The catalog key of an audit action's phrase: `history-` and the action, its dot a hyphen
/// (`account.switch_off`: `history-account-switch_off`).
pub fn phrase_key(action: &str) -> String {
    format!("history-{}", action.replacen('.', "-", 1))
}

/// The phrase of an audit action in `language`, if the catalog has one.
pub fn phrase(action: &str, language: Language) -> Option<String> {
    let key = phrase_key(action);
    catalog::has(catalog::LANGUAGES[0], &key).then(|| catalog::tr(language.as_str(), &key))
}

/// The event as a sentence in `language`: its phrase, who did it, and what went with it.
/// `fate` tells what became of an e-mail in the outbox by its id.
pub fn sentence(
    e: &AuditEvent,
    who: Option<&str>,
    fate: impl Fn(i64) -> MailFate,
    language: Language,
) -> String {
    let code = language.as_str();
    let mut s = phrase(&e.action, language).unwrap_or_else(|| {
        Message::new("history-sentence-unknown")
            .text("action", e.action.as_str())
            .render(code)
    });
    if let Some(who) = who {
        s = Message::new("history-sentence-by")
            .text("what", s)
            .text("who", who)
            .render(code);
    }
    if let Some(d) = detail(e, &fate) {
        s = Message::new("history-sentence-detail")
            .text("what", s)
            .message("detail", d)
            .render(code);
    }
    s
}

/// What went with a change: its e-mail, or the valid-until day it set.
fn detail(e: &AuditEvent, fate: &impl Fn(i64) -> MailFate) -> Option<Message> {
    let after: serde_json::Value = serde_json::from_str(e.after_json.as_deref()?).ok()?;
    if e.action == "account.set_valid_until" {
        return Some(match after["valid_until"].as_i64() {
            Some(day) => Message::new("history-sentence-valid-until")
                .text("day", crate::clock::format_day(day)),
            None => Message::new("history-sentence-no-end-date"),
        });
    }
    if e.action.ends_with("_undone") {
        let to = after["to"].as_str()?;
        let key = match after["mail"].as_str()? {
            "cancelled" => "history-sentence-email-cancelled",
            "already_sent" => "history-sentence-email-already-sent",
            _ => return None,
        };
        return Some(Message::new(key).text("to", to));
    }
    let mail = after.get("mail")?;
    let to = mail["to"].as_str()?;
    let key = match mail["outbox_id"].as_i64().map(fate) {
        Some(MailFate::Sent) => "history-sentence-email-sent",
        Some(MailFate::Waiting) => "history-sentence-email-waiting",
        Some(MailFate::Failed) => "history-sentence-email-failed",
        Some(MailFate::Gone) => "history-sentence-email-not-sent",
        Some(MailFate::Unknown) | None => "history-sentence-email-to",
    };
    Some(Message::new(key).text("to", to))
}

#[cfg(test)]
mod tests;
