//! E-mail templates: which events send mail, which variables each may use, the default texts
//! shipped in the binary (English and German), rendering, and validation at save time.
//!
//! Templates are minijinja with strict undefined variables. The HTML body escapes every value;
//! the subject is one line whatever the values hold, so no header can be injected through it.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::variables::{Moments, sample};
use crate::domain::FieldErrors;
use crate::domain::directory::Language;
use crate::domain::local_time::Locale;

/// Variables every template may use.
pub const COMMON: &[&str] = &["recipient_name", "portal_name", "portal_url"];

/// An event that sends e-mail, and the variables its templates may use besides [`COMMON`].
#[derive(Debug, Clone, Copy)]
pub struct Event {
    pub key: &'static str,
    pub label: &'static str,
    pub variables: &'static [&'static str],
}

pub const EVENTS: &[Event] = &[
    Event {
        key: "invitation",
        label: "Invitation",
        variables: &["organization_name", "inviter_name", "link", "expires_at"],
    },
    Event {
        key: "activation",
        label: "Activation (confirm e-mail after registering)",
        variables: &["link", "expires_at"],
    },
    Event {
        key: "account_exists",
        label: "Registration for an address that has an account",
        variables: &["login_url", "reset_url"],
    },
    Event {
        key: "new_link_requested",
        label: "To staff: someone asks for a new link",
        variables: &[
            "account_email",
            "account_name",
            "organization_name",
            "console_url",
        ],
    },
    Event {
        key: "approved",
        label: "Access approved",
        variables: &["login_url", "message"],
    },
    Event {
        key: "declined",
        label: "Request declined",
        variables: &["message"],
    },
    Event {
        key: "access_revoked",
        label: "Access revoked (removed)",
        variables: &["organization_name"],
    },
    Event {
        key: "access_off",
        label: "Access switched off",
        variables: &[],
    },
    Event {
        key: "access_on",
        label: "Access switched on",
        variables: &["login_url"],
    },
    Event {
        key: "valid_until_set",
        label: "Access valid until a date",
        variables: &["valid_until"],
    },
    Event {
        key: "deactivated",
        label: "Account deactivated",
        variables: &[],
    },
    Event {
        key: "reactivated",
        label: "Account reactivated",
        variables: &["login_url"],
    },
    Event {
        key: "new_password",
        label: "New-password link (sent by staff)",
        variables: &["link", "expires_at"],
    },
    Event {
        key: "password_reset",
        label: "Forgot password",
        variables: &["link", "expires_at"],
    },
    Event {
        key: "email_change_confirm",
        label: "Confirm a new e-mail address",
        variables: &["new_email", "link", "expires_at"],
    },
    Event {
        key: "email_changed_notice",
        label: "E-mail address changing (to the old address)",
        variables: &["new_email"],
    },
    Event {
        key: "password_changed_notice",
        label: "Password changed",
        variables: &[],
    },
    Event {
        key: "impersonation_notice",
        label: "Staff viewed the portal as the person (afterwards)",
        variables: &["staff_name", "reason", "started_at", "ended_at", "duration"],
    },
    Event {
        key: "test",
        label: "Test message",
        variables: &["sent_at"],
    },
    Event {
        key: "digest",
        label: "Digest of open tasks (daily or weekly)",
        variables: &[
            "groups",
            "total",
            "period",
            "home_url",
            "preferences_url",
            "unsubscribe_url",
        ],
    },
];

pub fn event(key: &str) -> Option<&'static Event> {
    EVENTS.iter().find(|e| e.key == key)
}

impl Event {
    pub fn allowed(&self) -> BTreeSet<&'static str> {
        COMMON.iter().chain(self.variables).copied().collect()
    }
}

/// A template's three parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailText {
    pub subject: String,
    pub html: String,
    pub text: String,
}

#[derive(Deserialize)]
struct DefaultEntry {
    subject: String,
    text: String,
    /// The HTML body's content, when it is not made from the text (lists, say).
    html: Option<String>,
}

fn defaults() -> &'static HashMap<(String, Language), MailText> {
    static DEFAULTS: OnceLock<HashMap<(String, Language), MailText>> = OnceLock::new();
    DEFAULTS.get_or_init(|| {
        let mut map = HashMap::new();
        for (language, source) in [
            (Language::En, include_str!("defaults/en.toml")),
            (Language::De, include_str!("defaults/de.toml")),
        ] {
            let entries: HashMap<String, DefaultEntry> =
                toml::from_str(source).expect("the default e-mail texts parse");
            for (event, entry) in entries {
                let text = entry.text.trim().to_string() + "\n";
                let html = match &entry.html {
                    Some(h) => frame(&format!("{}\n", h.trim()), language),
                    None => text_to_html(&text, language),
                };
                map.insert(
                    (event, language),
                    MailText {
                        subject: entry.subject.trim().to_string(),
                        html,
                        text,
                    },
                );
            }
        }
        map
    })
}

/// The text shipped in the binary for an event and language.
pub fn default_text(event: &str, language: Language) -> Option<MailText> {
    defaults().get(&(event.to_string(), language)).cloned()
}

/// Escapes the literal parts of a template for HTML, leaving `{{ }}` and `{% %}` alone.
fn escape_literal(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find(['{']) {
        let (lit, tail) = rest.split_at(start);
        out.push_str(&escape(lit));
        let close = if tail.starts_with("{{") {
            Some("}}")
        } else if tail.starts_with("{%") {
            Some("%}")
        } else {
            None
        };
        match close.and_then(|c| tail.find(c).map(|i| i + c.len())) {
            Some(end) => {
                out.push_str(&tail[..end]);
                rest = &tail[end..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(&escape(rest));
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The HTML body made from a text body: a paragraph per block, a button for a line that is
/// only a link variable.
pub fn text_to_html(text: &str, language: Language) -> String {
    let mut body = String::new();
    for block in text.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        let var = block
            .strip_prefix("{{")
            .and_then(|b| b.strip_suffix("}}"))
            .map(str::trim);
        match var {
            Some(name @ ("link" | "login_url" | "reset_url" | "console_url")) => {
                let label = match (name, language) {
                    ("link", Language::De) => "Weiter",
                    ("link", _) => "Continue",
                    ("reset_url", Language::De) => "Neues Passwort wählen",
                    ("reset_url", _) => "Choose a new password",
                    ("console_url", Language::De) => "In der Konsole öffnen",
                    ("console_url", _) => "Open in the console",
                    (_, Language::De) => "Anmelden",
                    _ => "Log in",
                };
                body.push_str(&format!(
                    "<p style=\"margin:24px 0\"><a href=\"{{{{ {name} }}}}\" style=\"background:#2456c7;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;display:inline-block\">{label}</a></p>\n\
                     <p style=\"font-size:13px;color:#5d6677\">{{{{ {name} }}}}</p>\n"
                ));
            }
            _ => {
                let lines: Vec<String> = block.lines().map(escape_literal).collect();
                body.push_str(&format!("<p>{}</p>\n", lines.join("<br>\n")));
            }
        }
    }
    frame(&body, language)
}

/// The page every HTML body sits in: the portal's name above the content.
fn frame(body: &str, language: Language) -> String {
    format!(
        "<!doctype html>\n<html lang=\"{}\">\n<body style=\"margin:0;padding:24px;background:#f6f7f9;font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#1d2330\">\n\
         <div style=\"max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #d9dde5;border-radius:8px;padding:24px\">\n\
         <p style=\"font-weight:bold;margin-top:0\">{{{{ portal_name }}}}</p>\n{body}</div>\n</body>\n</html>\n",
        language.as_str()
    )
}

/// A rendered message, ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    env
}

fn describe(err: &minijinja::Error) -> String {
    let what = err
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| err.kind().to_string());
    match err.line() {
        Some(line) => format!("line {line}: {what}"),
        None => what,
    }
}

/// Renders a template with `vars`. Errors name the part and the line.
pub fn render(t: &MailText, vars: &Value) -> Result<Rendered, String> {
    let env = environment();
    let part = |name: &str, source: &str| -> Result<String, String> {
        env.render_named_str(name, source, vars).map_err(|e| {
            format!(
                "{}: {}",
                name.split('.').next().unwrap_or(name),
                describe(&e)
            )
        })
    };
    let subject = part("subject.txt", &t.subject)?;
    Ok(Rendered {
        subject: one_line(&subject),
        html: part("html_body.html", &t.html)?,
        text: part("text_body.txt", &t.text)?,
    })
}

/// A subject is one line: line breaks and control characters become spaces.
pub fn one_line(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks a template before it is saved: each part parses, uses only the event's variables,
/// and renders on sample data. Errors name the field (`subject`, `html_body`, `text_body`),
/// the line and the reason.
pub fn validate(event: &Event, t: &MailText) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    let env = environment();
    let allowed = event.allowed();
    for (field, name, source, max) in [
        ("subject", "subject.txt", &t.subject, 300usize),
        ("html_body", "html_body.html", &t.html, 100_000),
        ("text_body", "text_body.txt", &t.text, 50_000),
    ] {
        if source.trim().is_empty() {
            errors.add(field, "is required");
            continue;
        }
        if source.chars().count() > max {
            errors.add(field, format!("must be at most {max} characters"));
            continue;
        }
        let template = match env.template_from_named_str(name, source) {
            Ok(t) => t,
            Err(e) => {
                errors.add(field, describe(&e));
                continue;
            }
        };
        let used = template.undeclared_variables(false);
        let mut unknown: Vec<&String> = used
            .iter()
            .filter(|v| !allowed.contains(v.as_str()))
            .collect();
        unknown.sort();
        if let Some(first) = unknown.first() {
            let line = source
                .lines()
                .position(|l| l.contains(first.as_str()))
                .map(|i| format!("line {}: ", i + 1))
                .unwrap_or_default();
            let known: Vec<&str> = allowed.iter().copied().collect();
            errors.add(
                field,
                format!(
                    "{line}unknown variable `{first}`; this e-mail knows {}",
                    known.join(", ")
                ),
            );
            continue;
        }
        for language in Language::ALL {
            let sample = sample(event.variables, &Locale::utc(*language), Moments::fixed());
            if let Err(e) = template.render(sample) {
                errors.add(field, describe(&e));
                break;
            }
        }
    }
    errors.into_result()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_event_has_valid_defaults_in_both_languages() {
        for event in EVENTS {
            for language in Language::ALL {
                let t = default_text(event.key, *language)
                    .unwrap_or_else(|| panic!("a default for {} in {language}", event.key));
                validate(event, &t).unwrap_or_else(|e| panic!("{} {language}: {e}", event.key));
                let vars = sample(event.variables, &Locale::utc(*language), Moments::fixed());
                let r = render(&t, &vars).unwrap();
                assert!(
                    r.text.contains("Erika Mustermann"),
                    "{} {language}",
                    event.key
                );
                assert!(!r.subject.contains('\n'));
            }
        }
    }

    #[test]
    fn values_are_escaped_in_html_only() {
        let t = default_text("invitation", Language::En).unwrap();
        let mut vars = sample(
            event("invitation").unwrap().variables,
            &Locale::utc(Language::En),
            Moments::fixed(),
        );
        vars["organization_name"] = json!("<script>alert(1)</script> & Co");
        let r = render(&t, &vars).unwrap();
        assert!(
            r.html.contains("&lt;script&gt;alert(1)") && r.html.contains(" &amp; Co"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("<script>"));
        assert!(r.text.contains("<script>alert(1)</script> & Co"));
    }

    #[test]
    fn subjects_stay_on_one_line() {
        let t = MailText {
            subject: "Hi {{ recipient_name }}".into(),
            html: "x".into(),
            text: "x".into(),
        };
        let r = render(
            &t,
            &json!({"recipient_name": "Eve\r\nBcc: victim@example.com"}),
        )
        .unwrap();
        assert_eq!(r.subject, "Hi Eve Bcc: victim@example.com");
    }

    #[test]
    fn unknown_variables_and_syntax_errors_are_refused_with_the_line() {
        let e = event("approved").unwrap();
        let t = MailText {
            subject: "Welcome {{ recipient_name }}".into(),
            html: "<p>Hello</p>\n<p>{{ pasword }}</p>".into(),
            text: "Hello\n{% if portal_name %}\nno end".into(),
        };
        let err = validate(e, &t).unwrap_err();
        let html = err.get("html_body").unwrap();
        assert!(
            html.contains("line 2") && html.contains("pasword"),
            "{html}"
        );
        let text = err.get("text_body").unwrap();
        assert!(text.contains("line"), "{text}");
        assert!(err.get("subject").is_none());
    }

    #[test]
    fn html_is_made_from_text_with_a_button_for_links() {
        let html = text_to_html("Hello & welcome\n\n{{ link }}\n", Language::En);
        assert!(html.contains("Hello &amp; welcome"));
        assert!(html.contains("href=\"{{ link }}\""));
        assert!(html.contains(">Continue</a>"));
    }
}
