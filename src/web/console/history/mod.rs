//! History in words: each audit event as a sentence from the catalog, in the reader's language
//! ("Declined by Maria Keller — e-mail sent to anna@…"), not as its code.

use std::collections::HashMap;

use crate::domain::directory::Language;
use crate::domain::outbox::OutboxStatus;
use crate::storage::audit::AuditEvent;

pub mod labels;
pub mod rows;

pub use labels::{actor_label, target_label};
pub mod texts;

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

/// The event as a sentence in `language`: its phrase, who did it, and what went with it.
/// `fate` tells what became of an e-mail in the outbox by its id.
pub fn sentence(
    e: &AuditEvent,
    who: Option<&str>,
    fate: impl Fn(i64) -> MailFate,
    language: Language,
) -> String {
    let w = texts::words(language);
    let mut s = match texts::phrase(&e.action, language) {
        Some(p) => p.to_string(),
        None => format!("{} ({})", w.unknown, e.action),
    };
    if let Some(who) = who {
        s.push(' ');
        s.push_str(w.by);
        s.push(' ');
        s.push_str(who);
    }
    if let Some(d) = detail(e, &fate, w) {
        s.push_str(" — ");
        s.push_str(&d);
    }
    s
}

/// What went with a change: its e-mail, or the valid-until day it set.
fn detail(e: &AuditEvent, fate: &impl Fn(i64) -> MailFate, w: &texts::Words) -> Option<String> {
    let after: serde_json::Value = serde_json::from_str(e.after_json.as_deref()?).ok()?;
    if e.action == "account.set_valid_until" {
        return Some(match after["valid_until"].as_i64() {
            Some(day) => w
                .valid_until
                .replace("{day}", &crate::clock::format_day(day)),
            None => w.no_end_date.to_string(),
        });
    }
    if e.action.ends_with("_undone") {
        let to = after["to"].as_str()?;
        let text = match after["mail"].as_str()? {
            "cancelled" => w.mail_cancelled,
            "already_sent" => w.mail_already_sent,
            _ => return None,
        };
        return Some(text.replace("{to}", to));
    }
    let mail = after.get("mail")?;
    let to = mail["to"].as_str()?;
    let text = match mail["outbox_id"].as_i64().map(fate) {
        Some(MailFate::Sent) => w.mail_sent,
        Some(MailFate::Waiting) => w.mail_waiting,
        Some(MailFate::Failed) => w.mail_failed,
        Some(MailFate::Gone) => w.mail_not_sent,
        Some(MailFate::Unknown) | None => w.mail_to,
    };
    Some(text.replace("{to}", to))
}

#[cfg(test)]
mod tests;
