//! Who acted and on what, as the audit log names them, in the reader's language. Programs and
//! some targets were labelled in English words when the event was written ("API key CRM sync
//! (admit_ab12)", "anna@example.com on Customer portal", "signing keys"); the stored label is
//! kept as it is and said again through the catalog, by the event's kind of actor or target.
//! A label of no known form is shown as it was stored.

use crate::catalog::Message;
use crate::domain::directory::Language;

/// An actor's label in `language`.
pub fn actor_label(kind: &str, label: &str, language: Language) -> String {
    actor_message(kind, label).map_or_else(|| label.to_string(), |m| m.render(language.as_str()))
}

fn actor_message(kind: &str, label: &str) -> Option<Message> {
    match kind {
        "api_key" => {
            if let Some(name) = label.strip_prefix("API key ") {
                Some(Message::new("actor-api-key").text("name", name))
            } else {
                let name = label.strip_prefix("client ")?;
                Some(Message::new("actor-oidc-client").text("name", name))
            }
        }
        "cli" => {
            let user = label.strip_prefix("command line (")?.strip_suffix(')')?;
            Some(Message::new("actor-command-line").text("user", user))
        }
        "system" => {
            if let Some(email) = label.strip_prefix("self-registration of ") {
                return Some(Message::new("actor-self-registration-of").text("email", email));
            }
            Some(Message::new(match label {
                "expiry" => "actor-system-expiry",
                "signing keys" => "actor-system-signing-keys",
                "self-registration" => "actor-system-self-registration",
                "unsubscribe link" => "actor-system-unsubscribe-link",
                "impersonation" => "actor-system-impersonation",
                "demo" | "demo data" => "actor-system-demo",
                _ => return None,
            }))
        }
        _ => None,
    }
}

/// A target's label in `language`.
pub fn target_label(kind: &str, label: &str, language: Language) -> String {
    target_message(kind, label).map_or_else(|| label.to_string(), |m| m.render(language.as_str()))
}

fn target_message(kind: &str, label: &str) -> Option<Message> {
    match kind {
        "portal_account" => {
            if let Some(rest) = label.strip_prefix("grant ") {
                let (grant, client) = rest.split_once(" of client ")?;
                return Some(
                    Message::new("audit-label-grant")
                        .text("grant", grant)
                        .text("client", client),
                );
            }
            // An address has no space: the first " on " ends it.
            let (email, portal) = label.split_once(" on ")?;
            email.contains('@').then(|| {
                Message::new("audit-label-account-on")
                    .text("email", email)
                    .text("portal", portal)
            })
        }
        "oidc_key" if label == "signing keys" => Some(Message::new("audit-label-signing-keys")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_labels_are_said_again_and_others_kept() {
        let de = Language::De;
        assert_eq!(
            target_label("portal_account", "anna@example.com on Customer portal", de),
            "anna@example.com auf Customer portal"
        );
        assert_eq!(
            target_label("portal_account", "grant g-1 of client Invoices app", de),
            "Grant g-1 des Clients Invoices app"
        );
        assert_eq!(
            target_label("oidc_key", "signing keys", de),
            "Signaturschlüssel"
        );
        assert_eq!(actor_label("system", "expiry", de), "Ablauf");
        assert_eq!(
            actor_label("cli", "command line (root)", de),
            "Kommandozeile (root)"
        );
        assert_eq!(
            actor_label("api_key", "API key CRM (admit_ab12)", de),
            "API-Schlüssel CRM (admit_ab12)"
        );
        // Stored before a code was known, or not of a known form: as stored.
        assert_eq!(
            target_label("portal_account", "Anna Müller", de),
            "Anna Müller"
        );
        assert_eq!(
            actor_label("system", "nightly import", de),
            "nightly import"
        );
        assert_eq!(
            actor_label("staff", "maria@admit.example", de),
            "maria@admit.example"
        );
    }
}
