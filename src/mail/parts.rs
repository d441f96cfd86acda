//! A template as office staff write it: a subject, a greeting, paragraphs, a button (its label
//! and the link it leads to) and a closing, each a short text with `{{ variables }}`. The
//! shared layout (`layout.rs`) makes the HTML and the text body from them; no HTML is written.

use serde::{Deserialize, Serialize};

use super::templates::{Event, check_part};
use crate::domain::FieldErrors;
use crate::domain::validation::Message;

/// A template's texts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailParts {
    pub subject: String,
    #[serde(default)]
    pub greeting: String,
    #[serde(default)]
    pub paragraphs: Vec<String>,
    #[serde(default)]
    pub button: Option<Button>,
    /// After the button: further paragraphs, a blank line between two.
    #[serde(default)]
    pub closing: String,
}

/// The message's button: what it says, and the variable holding the address it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub label: String,
    pub link: String,
}

/// The field of the `n`th paragraph (from 1) in forms and errors.
pub fn paragraph_field(n: usize) -> String {
    format!("paragraph-{n}")
}

impl MailParts {
    /// The parts with line ends made `\n`, each text trimmed, and a button that opens nothing
    /// ("No button") left out whatever its label: what a form's fields mean. Empty paragraphs
    /// keep their place (errors name paragraphs by their place in the form); see
    /// [`MailParts::compact`].
    pub fn tidy(mut self) -> Self {
        let clean = |s: &str| s.replace("\r\n", "\n").trim().to_string();
        self.subject = clean(&self.subject);
        self.greeting = clean(&self.greeting);
        self.closing = clean(&self.closing);
        self.paragraphs = self.paragraphs.iter().map(|p| clean(p)).collect();
        self.button = self
            .button
            .map(|b| Button {
                label: clean(&b.label),
                link: b.link.trim().to_string(),
            })
            .filter(|b| !b.link.is_empty());
        self
    }

    /// The parts without their empty paragraphs: what is saved.
    pub fn compact(mut self) -> Self {
        self.paragraphs.retain(|p| !p.trim().is_empty());
        self
    }

    /// Parts read from a text body (a template written before templates had parts): the first
    /// block is the greeting, the first block that is only a link variable the button (with
    /// `label`), the blocks before it the paragraphs and those after it the closing.
    pub fn from_text(subject: &str, text: &str, event: &Event, label: &str) -> MailParts {
        let text = text.replace("\r\n", "\n");
        let mut blocks = text
            .split("\n\n")
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_string);
        let greeting = blocks.next().unwrap_or_default();
        let links = event.links();
        let mut paragraphs = Vec::new();
        let mut closing = Vec::new();
        let mut button = None;
        for block in blocks {
            let only = block
                .strip_prefix("{{")
                .and_then(|b| b.strip_suffix("}}"))
                .map(str::trim)
                .filter(|v| links.contains(v));
            match (only, &button) {
                (Some(link), None) => {
                    button = Some(Button {
                        label: label.to_string(),
                        link: link.to_string(),
                    })
                }
                _ if button.is_none() => paragraphs.push(block),
                _ => closing.push(block),
            }
        }
        MailParts {
            subject: subject.trim().to_string(),
            greeting,
            paragraphs,
            button,
            closing: closing.join("\n\n"),
        }
    }
}

/// Checks the parts before they are saved or previewed, each on its own: it parses, uses only
/// the event's variables and renders on sample data; the button leads to one of the event's
/// links; no text turns off escaping. Errors name the field (`subject`, `greeting`,
/// `paragraph-2`, `button_label`, `button_link`, `closing`).
pub fn validate(event: &Event, p: &MailParts) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut check = |field: &str, source: &str, max: usize, required: bool| {
        if unescaped(source) {
            errors.add(field, Message::new("error-template-safe"));
        } else {
            check_part(&mut errors, event, field, source, max, required);
        }
    };
    check("subject", &p.subject, 300, true);
    check("greeting", &p.greeting, 1_000, false);
    for (i, paragraph) in p.paragraphs.iter().enumerate() {
        check(&paragraph_field(i + 1), paragraph, 10_000, false);
    }
    if let Some(b) = &p.button {
        check("button_label", &b.label, 200, true);
    }
    check("closing", &p.closing, 10_000, false);
    if let Some(b) = &p.button
        && !event.links().contains(&b.link.as_str())
    {
        errors.add(
            "button_link",
            Message::new("error-template-button-link").text("links", event.links().join(", ")),
        );
    }
    if p.paragraphs.iter().all(|x| x.trim().is_empty()) && p.button.is_none() {
        errors.add(
            &paragraph_field(1),
            Message::new("error-template-no-paragraph"),
        );
    }
    errors.into_result()
}

/// Whether a text turns off escaping (`{{ x | safe }}`, `{% autoescape false %}`).
fn unescaped(source: &str) -> bool {
    let squeezed: String = source.chars().filter(|c| !c.is_whitespace()).collect();
    squeezed.contains("|safe") || squeezed.contains("{%autoescape")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mail::templates::event;

    #[test]
    fn each_field_is_checked_on_its_own() {
        let e = event("approved").unwrap();
        let p = MailParts {
            subject: "Welcome".into(),
            greeting: "Hello {{ recipient_name }},".into(),
            paragraphs: vec!["ok".into(), "Your {{ pasword }}".into()],
            button: Some(Button {
                label: "Log in".into(),
                link: "link".into(),
            }),
            closing: "{{ x | safe }}".into(),
        };
        let err = validate(e, &p).unwrap_err();
        assert!(err.get("paragraph-2").unwrap().contains("`pasword`"));
        assert!(err.get("paragraph-1").is_none());
        assert!(err.get("button_link").unwrap().contains("login_url"));
        assert!(err.get("closing").unwrap().contains("safe"));
        assert!(err.get("subject").is_none() && err.get("greeting").is_none());
    }

    #[test]
    fn no_button_is_no_button_whatever_its_label() {
        let p = MailParts {
            subject: " Hi\r\n".into(),
            paragraphs: vec!["a\r\nb ".into(), " ".into()],
            button: Some(Button {
                label: "Log in".into(),
                link: "".into(),
            }),
            ..MailParts::default()
        }
        .tidy();
        assert_eq!(p.button, None);
        assert_eq!(p.subject, "Hi");
        assert_eq!(p.paragraphs, vec!["a\nb", ""], "in their places");
        assert_eq!(p.compact().paragraphs, vec!["a\nb"]);
    }

    #[test]
    fn a_text_body_splits_into_parts() {
        let e = event("account_exists").unwrap();
        let p = MailParts::from_text(
            "Hi",
            "Hello,\r\n\r\nLog in here:\n\n{{ login_url }}\n\nForgot it?\n\n{{ reset_url }}\n",
            e,
            "Log in",
        );
        assert_eq!(p.greeting, "Hello,");
        assert_eq!(p.paragraphs, vec!["Log in here:"]);
        assert_eq!(p.button.unwrap().link, "login_url");
        assert_eq!(p.closing, "Forgot it?\n\n{{ reset_url }}");
    }
}
