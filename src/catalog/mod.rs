//! The message catalog: every word the console, the portal pages and the error messages put
//! in front of a person, in English and German. The texts are Fluent files under
//! `locales/<language>/`, compiled into the binary and parsed once. A text is found by its key
//! (`nav-home`) and may take arguments (`{ $count }`); a key missing from a language falls back
//! to English, and a key missing from both is shown as itself (the catalog test finds both).
//!
//! The languages are named by their codes (`en`, `de`), as `Language::as_str` gives them.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

mod message;

pub use message::{Arg, ArgValue, Message};

/// The catalog's files (`locales/<language>/<name>.ftl`), by name, in English and German.
macro_rules! files {
    ($($name:literal),* $(,)?) => {
        [$((
            $name,
            include_str!(concat!("../../locales/en/", $name, ".ftl")),
            include_str!(concat!("../../locales/de/", $name, ".ftl")),
        )),*]
    };
}

const FILES: [(&str, &str, &str); 13] = files!(
    "console",
    "home",
    "lists",
    "account",
    "directory",
    "errors",
    "admin",
    "portal",
    "team",
    "portal-notifications",
    "statuses",
    "history",
    "delivery",
);

/// The languages of the catalog, English first (the fallback).
pub const LANGUAGES: [&str; 2] = ["en", "de"];

struct Language {
    bundle: FluentBundle<FluentResource>,
    keys: BTreeSet<String>,
}

struct Catalog {
    languages: Vec<Language>,
}

fn language(code: &str, index: usize) -> Language {
    let id = code.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // The texts go into HTML and e-mail as they are: no Unicode isolation marks.
    bundle.set_use_isolating(false);
    let mut keys = BTreeSet::new();
    for file in FILES {
        let source = if index == 0 { file.1 } else { file.2 };
        let resource = FluentResource::try_new(source.to_string()).unwrap_or_else(|(r, errors)| {
            tracing::error!(
                file = file.0,
                language = code,
                ?errors,
                "catalog file does not parse"
            );
            r
        });
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                keys.insert(m.id.name.to_string());
            }
        }
        if let Err(errors) = bundle.add_resource(resource) {
            tracing::error!(
                file = file.0,
                language = code,
                ?errors,
                "catalog keys twice"
            );
        }
    }
    Language { bundle, keys }
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog {
        languages: LANGUAGES
            .iter()
            .enumerate()
            .map(|(i, code)| language(code, i))
            .collect(),
    })
}

fn find(code: &str) -> &'static Language {
    let c = catalog();
    let i = LANGUAGES.iter().position(|l| *l == code).unwrap_or(0);
    &c.languages[i]
}

/// The text of `key` in the language `code`, without arguments.
pub fn tr(code: &str, key: &str) -> String {
    render(code, key, None)
}

/// The text of `key` in the language `code`, with its arguments.
pub fn tr_args(code: &str, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    let mut a = FluentArgs::new();
    for (name, value) in args {
        a.set(*name, value.clone());
    }
    render(code, key, Some(&a))
}

fn render(code: &str, key: &str, args: Option<&FluentArgs<'_>>) -> String {
    let lang = find(code);
    let chosen = if lang.keys.contains(key) {
        lang
    } else {
        find(LANGUAGES[0])
    };
    let Some(pattern) = chosen.bundle.get_message(key).and_then(|m| m.value()) else {
        return key.to_string();
    };
    let mut errors = Vec::new();
    let text = chosen.bundle.format_pattern(pattern, args, &mut errors);
    if !errors.is_empty() {
        tracing::warn!(
            key,
            language = code,
            ?errors,
            "catalog text misses an argument"
        );
    }
    text.into_owned()
}

/// The word for a value of a kind (`portal-kind`, `customer`: the key `portal-kind-customer`)
/// in the language `code`; a value the catalog has no word for is shown as it is.
pub fn word(code: &str, kind: &str, value: impl std::fmt::Display) -> String {
    let key = format!("{kind}-{value}");
    if has(LANGUAGES[0], &key) {
        tr(code, &key)
    } else {
        value.to_string()
    }
}

/// Text made safe to put into HTML.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// Every key of a language, in order.
pub fn keys(code: &str) -> &'static BTreeSet<String> {
    &find(code).keys
}

/// Whether the language `code` has the key itself (not through the English fallback).
pub fn has(code: &str, key: &str) -> bool {
    find(code).keys.contains(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_in_every_language() {
        let en = keys("en");
        let de = keys("de");
        assert!(en.len() > 50, "{} keys", en.len());
        let only_en: Vec<_> = en.difference(de).collect();
        let only_de: Vec<_> = de.difference(en).collect();
        assert!(only_en.is_empty(), "missing in German: {only_en:?}");
        assert!(only_de.is_empty(), "missing in English: {only_de:?}");
    }

    #[test]
    fn no_key_is_in_two_files() {
        for (i, code) in LANGUAGES.iter().enumerate() {
            let mut seen = std::collections::BTreeMap::new();
            for file in FILES {
                let source = if i == 0 { file.1 } else { file.2 };
                let Ok(resource) = FluentResource::try_new(source.to_string()) else {
                    continue;
                };
                for entry in resource.entries() {
                    if let fluent_syntax::ast::Entry::Message(m) = entry
                        && let Some(other) = seen.insert(m.id.name.to_string(), file.0)
                    {
                        panic!("{code}: {} in {other}.ftl and {}.ftl", m.id.name, file.0);
                    }
                }
            }
        }
    }

    #[test]
    fn every_file_parses() {
        for (name, en, de) in FILES {
            for (code, source) in [("en", en), ("de", de)] {
                if let Err((_, errors)) = FluentResource::try_new(source.to_string()) {
                    panic!("locales/{code}/{name}.ftl: {errors:?}");
                }
            }
        }
    }

    #[test]
    fn texts_take_their_arguments_and_plurals() {
        assert_eq!(tr("en", "nav-home"), "Home");
        assert_eq!(tr("de", "nav-organizations"), "Organisationen");
        assert_eq!(
            tr_args("en", "sessions-ended", &[("count", 1.into())]),
            "1 session ended."
        );
        assert_eq!(
            tr_args("en", "sessions-ended", &[("count", 3.into())]),
            "3 sessions ended."
        );
        assert_eq!(
            tr_args("de", "sessions-ended", &[("count", 1.into())]),
            "1 Sitzung beendet."
        );
        assert_eq!(
            tr_args(
                "de",
                "flash-invited-some-had",
                &[("new", 2.into()), ("had", 1.into())]
            ),
            "2 Einladungen sind unterwegs; 1 Person hatte bereits Zugang."
        );
        assert_eq!(tr("fr", "nav-home"), "Home");
        assert_eq!(tr("de", "no-such-key"), "no-such-key");
    }
}
