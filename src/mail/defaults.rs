//! The texts shipped in the binary for every event, in English and German
//! (`defaults/en.toml`, `defaults/de.toml`), as parts in the shared layout.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use super::layout;
use super::parts::{Button, MailParts};
use super::templates::{self, MailText};
use crate::domain::directory::Language;

#[derive(Deserialize)]
struct File {
    /// The greeting of every event without its own.
    greeting: String,
    #[serde(flatten)]
    events: HashMap<String, Entry>,
}

#[derive(Deserialize)]
struct Entry {
    subject: String,
    greeting: Option<String>,
    #[serde(default)]
    paragraphs: Vec<String>,
    button: Option<Button>,
    #[serde(default)]
    closing: String,
}

fn defaults() -> &'static HashMap<(String, Language), MailParts> {
    static DEFAULTS: OnceLock<HashMap<(String, Language), MailParts>> = OnceLock::new();
    DEFAULTS.get_or_init(|| {
        let mut map = HashMap::new();
        for (language, source) in [
            (Language::En, include_str!("defaults/en.toml")),
            (Language::De, include_str!("defaults/de.toml")),
        ] {
            let file: File = toml::from_str(source).expect("the default e-mail texts parse");
            for (event, e) in file.events {
                let parts = MailParts {
                    subject: e.subject,
                    greeting: e.greeting.unwrap_or_else(|| file.greeting.clone()),
                    paragraphs: e.paragraphs,
                    button: e.button,
                    closing: e.closing,
                };
                map.insert((event, language), parts.tidy());
            }
        }
        map
    })
}

/// The parts shipped for an event and language.
pub fn default_parts(event: &str, language: Language) -> Option<MailParts> {
    defaults().get(&(event.to_string(), language)).cloned()
}

/// The text shipped for an event and language, made in the shared layout.
pub fn default_text(event: &str, language: Language) -> Option<MailText> {
    let e = templates::event(event)?;
    default_parts(event, language).map(|p| layout::build(&p, e, language))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::local_time::Locale;
    use crate::mail::parts;
    use crate::mail::templates::{EVENTS, event, render, validate};
    use crate::mail::variables::{Moments, sample};
    use serde_json::json;

    #[test]
    fn every_event_has_valid_defaults_in_both_languages() {
        for event in EVENTS {
            for language in Language::ALL {
                let p = default_parts(event.key, *language)
                    .unwrap_or_else(|| panic!("a default for {} in {language}", event.key));
                parts::validate(event, &p)
                    .unwrap_or_else(|e| panic!("{} {language}: {e}", event.key));
                let t = default_text(event.key, *language).unwrap();
                validate(event, &t).unwrap_or_else(|e| panic!("{} {language}: {e}", event.key));
                let vars = sample(event.variables, &Locale::utc(*language), Moments::fixed());
                let r = render(&t, &vars).unwrap();
                assert!(
                    r.text.contains("Erika Mustermann") && r.html.contains("Erika Mustermann"),
                    "{} {language}",
                    event.key
                );
                assert!(!r.subject.contains('\n'));
            }
        }
    }

    #[test]
    fn the_digest_lists_its_tasks_in_both_bodies() {
        let e = event("digest").unwrap();
        let vars = sample(e.variables, &Locale::utc(Language::De), Moments::fixed());
        let r = render(&default_text("digest", Language::De).unwrap(), &vars).unwrap();
        assert!(r.text.contains("Wartung fällig: 2\n- Heizung warten (Nordlicht Facility GmbH), fällig am 07.12.2026\n  https://crm.example.com/tasks/1\n"), "{}", r.text);
        assert!(
            r.text
                .contains("  und 11 weitere\n\nhttps://admit.example.com/portal/1/\n\nWas diese"),
            "{}",
            r.text
        );
        assert!(r.html.contains("Heizung warten</a>") && r.html.contains("und 11 weitere</li>"));
        assert!(!r.html.contains("due") && !r.text.contains(" more"));
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
}
