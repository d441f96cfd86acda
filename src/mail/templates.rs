//! E-mail templates: which events send mail, which variables each may use, rendering, and
//! validation at save time. A template is made of parts in a shared layout (`parts.rs`,
//! `layout.rs`), or written as HTML in advanced mode (`source.rs`).
//!
//! Templates are minijinja with strict undefined variables. The HTML body escapes every value;
//! the subject is one line whatever the values hold, so no header can be injected through it.

use std::collections::BTreeSet;

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::variables::{Moments, sample};
use crate::domain::FieldErrors;
use crate::domain::directory::Language;
use crate::domain::local_time::Locale;
use crate::domain::validation::Message;

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

    /// The variables that hold an address a button or a link can lead to.
    pub fn links(&self) -> Vec<&'static str> {
        self.allowed().into_iter().filter(|v| is_link(v)).collect()
    }

    /// Whether its messages list tasks by group (the digest).
    pub fn lists_tasks(&self) -> bool {
        self.variables.contains(&"groups")
    }
}

/// Whether a variable holds an address: `link` and every `…_url`.
pub fn is_link(variable: &str) -> bool {
    variable == "link" || variable.ends_with("_url")
}

/// A template's three parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailText {
    pub subject: String,
    pub html: String,
    pub text: String,
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

/// A template engine's error in the catalog's words: what kind of mistake, at which line and
/// column of `source` when the engine knows them. The engine's own detail is English, so only
/// the English text carries it.
fn describe(err: &minijinja::Error, source: &str) -> Message {
    use minijinja::ErrorKind as K;
    let what = match err.kind() {
        K::SyntaxError => Message::new("template-error-syntax"),
        K::UndefinedError => Message::new("template-error-undefined"),
        K::UnknownFilter => Message::new("template-error-unknown-filter"),
        K::UnknownTest => Message::new("template-error-unknown-test"),
        K::UnknownFunction => Message::new("template-error-unknown-function"),
        K::UnknownMethod => Message::new("template-error-unknown-method"),
        K::TooManyArguments | K::MissingArgument => Message::new("template-error-arguments"),
        K::BadEscape => Message::new("template-error-escape"),
        K::InvalidOperation | K::NonPrimitive | K::NonKey | K::CannotUnpack => {
            Message::new("template-error-operation")
        }
        _ => Message::new("template-error-other"),
    }
    .text(
        "detail",
        err.detail()
            .map(str::to_string)
            .unwrap_or_else(|| err.kind().to_string()),
    );
    let number = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    match (err.line(), err.range()) {
        (Some(line), Some(range)) if range.start <= source.len() => {
            let before = source.get(..range.start).unwrap_or_default();
            let column = before
                .rsplit('\n')
                .next()
                .unwrap_or_default()
                .chars()
                .count()
                + 1;
            Message::new("error-line-column")
                .number("line", number(line))
                .number("column", number(column))
                .message("problem", what)
        }
        (Some(line), _) => Message::new("error-line")
            .number("line", number(line))
            .message("problem", what),
        _ => what,
    }
}

/// The name of a template's part as staff read it (`subject`, `html_body`, `text_body`).
fn part_name(part: &str) -> Message {
    Message::new(match part {
        "subject" => "mail-subject",
        "html_body" => "mail-html-body",
        _ => "mail-text-body",
    })
}

/// Renders a template with `vars`. Errors name the part, the line and the column.
pub fn render(t: &MailText, vars: &Value) -> Result<Rendered, Message> {
    let env = environment();
    let part = |name: &str, source: &str| -> Result<String, Message> {
        env.render_named_str(name, source, vars).map_err(|e| {
            Message::new("template-error-in-part")
                .message("part", part_name(name.split('.').next().unwrap_or(name)))
                .message("problem", describe(&e, source))
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
    check_part(&mut errors, event, "subject", &t.subject, 300, true);
    check_part(&mut errors, event, "html_body", &t.html, 100_000, true);
    check_part(&mut errors, event, "text_body", &t.text, 50_000, true);
    errors.into_result()
}

/// Checks one part of a template (`source`, shown as `field`): at most `max` characters, given
/// when `required`, parsing, using only the event's variables, rendering on sample data in each
/// language. The first problem is added to `errors`; returns whether there was none.
pub fn check_part(
    errors: &mut FieldErrors,
    event: &Event,
    field: &str,
    source: &str,
    max: usize,
    required: bool,
) -> bool {
    if source.trim().is_empty() {
        if required {
            errors.add(field, Message::new("error-required"));
        }
        return !required;
    }
    if source.chars().count() > max {
        errors.add(
            field,
            Message::new("error-too-long").number("max", i64::try_from(max).unwrap_or(i64::MAX)),
        );
        return false;
    }
    let env = environment();
    let name = if field == "html_body" {
        "part.html"
    } else {
        "part.txt"
    };
    let template = match env.template_from_named_str(name, source) {
        Ok(t) => t,
        Err(e) => {
            errors.add(field, describe(&e, source));
            return false;
        }
    };
    let allowed = event.allowed();
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
            .filter(|_| source.trim().contains('\n'));
        let known: Vec<&str> = allowed.iter().copied().collect();
        let unknown = Message::new("error-unknown-variable")
            .text("variable", first.as_str())
            .text("known", known.join(", "));
        errors.add(
            field,
            match line {
                Some(i) => Message::new("error-line")
                    .number("line", i64::try_from(i + 1).unwrap_or(i64::MAX))
                    .message("problem", unknown),
                None => unknown,
            },
        );
        return false;
    }
    for language in Language::ALL {
        let sample = sample(event.variables, &Locale::utc(*language), Moments::fixed());
        if let Err(e) = template.render(sample) {
            errors.add(field, describe(&e, source));
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
}
