use std::collections::{BTreeSet, HashMap};

use super::*;
use crate::usecases::accounts::{StatusAction, UNDOABLE, undo_code};

/// Every audit action the code can record: the literals it passes (`"account.removed"`), and
/// those it builds (`account.{status action}`, the undos, the ends of sessions).
fn recorded_actions() -> BTreeSet<String> {
    let prefixes: BTreeSet<&str> = catalog_actions().into_iter().map(|(p, _)| p).collect();
    let mut found = BTreeSet::new();
    let mut dirs = vec![std::path::PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/src"
    ))];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                // The catalog itself names every action.
                if !path.ends_with("console/history") {
                    dirs.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for literal in text.split('"').skip(1).step_by(2) {
                let Some((prefix, rest)) = literal.split_once('.') else {
                    continue;
                };
                let word = |s: &str| {
                    !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                };
                if prefixes.contains(prefix) && word(rest) {
                    found.insert(literal.to_string());
                }
            }
        }
    }
    for a in StatusAction::ALL {
        found.insert(format!("account.{}", a.as_str()));
    }
    for a in UNDOABLE {
        found.insert(undo_code(a));
    }
    for who in ["account", "staff"] {
        for what in ["session_ended", "other_sessions_ended", "sessions_ended"] {
            found.insert(format!("{who}.{what}"));
        }
    }
    found
}

#[test]
fn every_recorded_action_has_an_english_and_a_german_text() {
    let actions = recorded_actions();
    assert!(actions.len() > 80, "found only {} actions", actions.len());
    let missing: Vec<&String> = actions
        .iter()
        .filter(|a| {
            [Language::En, Language::De].iter().any(|l| {
                !crate::catalog::has(l.as_str(), &phrase_key(a))
                    || phrase(a, *l).is_none_or(|p| p.trim().is_empty())
            })
        })
        .collect();
    assert!(missing.is_empty(), "no text for {missing:?}");
}

/// The actions the catalog has a phrase for, as (prefix, rest): its `history-` keys but those
/// of the words around the phrases (`history-heading`, `history-sentence-…`).
fn catalog_actions() -> Vec<(&'static str, &'static str)> {
    crate::catalog::keys("en")
        .iter()
        .filter_map(|k| k.strip_prefix("history-")?.split_once('-'))
        .filter(|(prefix, _)| *prefix != "sentence")
        .collect()
}

#[test]
fn the_catalog_names_each_action_once_and_speaks_german_in_german() {
    let actions = catalog_actions();
    assert!(actions.len() > 80, "only {} phrases", actions.len());
    for (prefix, rest) in actions {
        let action = format!("{prefix}.{rest}");
        assert_eq!(phrase_key(&action), format!("history-{prefix}-{rest}"));
        let en = phrase(&action, Language::En).unwrap();
        let de = phrase(&action, Language::De).unwrap();
        assert!(!en.is_empty() && !de.is_empty(), "{action}");
        assert_ne!(en, de, "{action}: the German text is the English one");
    }
    // Each key once in the file: a key given twice would hide the first.
    for source in [
        include_str!("../../../../locales/en/history.ftl"),
        include_str!("../../../../locales/de/history.ftl"),
    ] {
        let mut seen = BTreeSet::new();
        for line in source.lines().filter(|l| l.starts_with("history-")) {
            let key = line.split(" =").next().unwrap();
            assert!(seen.insert(key), "{key} twice");
        }
    }
}

fn event(action: &str, actor_kind: &str, after: Option<&str>) -> AuditEvent {
    AuditEvent {
        id: 1,
        occurred_at: 0,
        actor_kind: actor_kind.into(),
        actor_id: Some(3),
        actor_label: "maria@admit.example".into(),
        action: action.into(),
        target_kind: "portal_account".into(),
        target_id: Some(9),
        target_label: "anna@example.com on Customer portal".into(),
        before_json: None,
        after_json: after.map(str::to_string),
        client_addr: None,
    }
}

#[test]
fn a_decline_reads_as_a_sentence_with_its_e_mail() {
    let after = r#"{"approval":"declined","mail":{"to":"anna@example.com","outbox_id":5}}"#;
    let e = event("account.decline", "staff", Some(after));
    let names = HashMap::from([(3, "Maria Keller".to_string())]);
    let who = who(&e, &names, Language::En);
    assert_eq!(who.as_deref(), Some("Maria Keller"));
    let sent = |_| MailFate::Sent;
    assert_eq!(
        sentence(&e, who.as_deref(), sent, Language::En),
        "Declined by Maria Keller — e-mail sent to anna@example.com"
    );
    assert_eq!(
        sentence(&e, who.as_deref(), sent, Language::De),
        "Abgelehnt von Maria Keller — E-Mail an anna@example.com gesendet"
    );
    assert_eq!(
        sentence(&e, who.as_deref(), |_| MailFate::Gone, Language::En),
        "Declined by Maria Keller — e-mail to anna@example.com not sent"
    );
    // A staff member without a name is named by their address.
    assert_eq!(
        super::who(&e, &HashMap::new(), Language::En).as_deref(),
        Some("maria@admit.example")
    );
}

#[test]
fn undos_logins_and_unknown_actions_read_too() {
    let undo = event(
        "account.decline_undone",
        "staff",
        Some(
            r#"{"approval":"pending","undid_event":4,"mail":"cancelled","to":"anna@example.com"}"#,
        ),
    );
    assert_eq!(
        sentence(
            &undo,
            Some("Maria Keller"),
            |_| MailFate::Unknown,
            Language::En
        ),
        "Decline undone by Maria Keller — the e-mail to anna@example.com was not sent"
    );
    let mut login = event("account.logged_in", "portal_user", None);
    login.actor_id = Some(9);
    assert_eq!(who(&login, &HashMap::new(), Language::De), None);
    assert_eq!(
        sentence(&login, None, |_| MailFate::Unknown, Language::De),
        "Angemeldet"
    );
    let odd = event("account.something_new", "cli", None);
    assert_eq!(
        sentence(
            &odd,
            Some("command line"),
            |_| MailFate::Unknown,
            Language::En
        ),
        "Recorded (account.something_new) by command line"
    );
}

#[test]
fn a_program_is_named_in_the_reader_s_language() {
    let mut e = event("account.granted", "api_key", None);
    e.actor_label = "API key CRM sync (admit_ab12)".into();
    assert_eq!(
        who(&e, &HashMap::new(), Language::De).as_deref(),
        Some("API-Schlüssel CRM sync (admit_ab12)")
    );
    assert_eq!(
        who(&e, &HashMap::new(), Language::En).as_deref(),
        Some("API key CRM sync (admit_ab12)")
    );
    e.actor_label = "client Invoices (abc)".into();
    assert_eq!(
        super::actor_label(&e.actor_kind, &e.actor_label, Language::De),
        "Client Invoices (abc)"
    );
}

#[test]
fn german_readers_read_every_part_in_german() {
    let de = Language::De;
    let valid = event(
        "account.set_valid_until",
        "staff",
        Some(r#"{"valid_until":20454}"#),
    );
    let s = sentence(&valid, Some("Maria Keller"), |_| MailFate::Unknown, de);
    assert!(
        s.starts_with("Ablaufdatum geändert von Maria Keller — gültig bis "),
        "{s}"
    );
    let open = event("account.set_valid_until", "staff", Some("{}"));
    assert_eq!(
        sentence(&open, None, |_| MailFate::Unknown, de),
        "Ablaufdatum geändert — ohne Ablaufdatum"
    );
    let undo = event(
        "account.approve_undone",
        "staff",
        Some(r#"{"mail":"already_sent","to":"anna@example.com"}"#),
    );
    assert_eq!(
        sentence(&undo, None, |_| MailFate::Unknown, de),
        "Freigabe rückgängig gemacht — die E-Mail an anna@example.com war schon gesendet"
    );
    let waiting = event(
        "account.granted",
        "staff",
        Some(r#"{"mail":{"to":"anna@example.com","outbox_id":5}}"#),
    );
    assert_eq!(
        sentence(&waiting, None, |_| MailFate::Waiting, de),
        "Eingeladen (Zugang gewährt) — E-Mail an anna@example.com wartet im Postausgang"
    );
    let odd = event("account.something_new", "cli", None);
    assert_eq!(
        sentence(&odd, Some("Kommandozeile"), |_| MailFate::Unknown, de),
        "Erfasst (account.something_new) von Kommandozeile"
    );
}
