//! What the notification pages of the portal and the console share: the preferences form as
//! sent and as shown again (stored, or as typed after an error), times in the person's own
//! zone, and the list of recent digests.

use crate::domain::FieldErrors;
use crate::domain::digest::Period;
use crate::domain::local_time::Locale;
use crate::storage::tasks::DigestRow;
use crate::usecases::notifications::{Preferences, PreferencesInput};

/// The fields of a preferences form: `frequency` (a radio button), `categories` (a checkbox
/// per choice, repeated). Other fields (`csrf`) are left to the caller.
pub fn preferences_input(body: &[u8]) -> PreferencesInput {
    let mut input = PreferencesInput::default();
    for (k, v) in form_urlencoded::parse(body) {
        match k.as_ref() {
            "frequency" if input.frequency.is_empty() => input.frequency = v.into_owned(),
            "categories" => input.categories.push(v.into_owned()),
            _ => {}
        }
    }
    input
}

/// The stored preferences with the form as typed, to show it again after an error.
pub fn as_typed(mut p: Preferences, input: &PreferencesInput) -> Preferences {
    p.frequency = input.frequency.trim().to_string();
    for c in &mut p.choices {
        c.chosen = input.categories.iter().any(|k| k.trim() == c.key);
    }
    p.categories = p
        .choices
        .iter()
        .filter(|c| c.chosen)
        .map(|c| c.key.clone())
        .collect();
    p
}

/// The errors of a preferences form, by field (`frequency`, `categories`), in the rules' words.
pub fn preference_errors(e: &FieldErrors) -> Vec<(&'static str, String)> {
    ["frequency", "categories"]
        .into_iter()
        .filter_map(|f| e.get(f).map(|m| (f, m.to_string())))
        .collect()
}

/// A time (RFC 3339, as the use cases give it) with its weekday, for people (see
/// [`Locale::long_time`]); an unreadable one as it is.
pub fn local_time(rfc3339: &str, locale: &Locale) -> String {
    match chrono::DateTime::parse_from_rfc3339(rfc3339) {
        Ok(t) => locale.long_time(t.timestamp_millis()),
        Err(_) => rfc3339.to_string(),
    }
}

/// A digest of the recent list, for the console.
pub struct DigestView {
    /// `30 Nov 2026`, or `week of 30 Nov 2026`.
    pub period: String,
    pub tasks: i64,
    pub made: String,
    pub outbox_id: Option<i64>,
}

impl DigestView {
    /// A digest as its viewer reads it, in their zone and language.
    pub fn new(d: DigestRow, viewer: &Locale) -> Self {
        let period = d
            .period
            .split_once(':')
            .and_then(|(kind, day)| {
                let start = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
                Some(Period {
                    weekly: kind == "weekly",
                    start,
                })
            })
            .map(|p| p.label(viewer).render(viewer.language.as_str()))
            .unwrap_or_else(|| d.period.clone());
        DigestView {
            period,
            tasks: d.tasks,
            made: viewer.time(d.made_at),
            outbox_id: d.outbox_id,
        }
    }
}

/// The console's notifications form for one person: where it posts, what it shows, its
/// errors, and the person's recent digests.
pub struct PreferencesSection {
    /// The form's address.
    pub action: String,
    pub prefs: Preferences,
    pub errors: Vec<(&'static str, String)>,
    /// When the next digest is due, in the person's zone (in the viewer's language).
    pub next_due: Option<String>,
    pub digests: Vec<DigestView>,
}

impl PreferencesSection {
    pub fn new(
        action: String,
        prefs: Preferences,
        errors: Vec<(&'static str, String)>,
        digests: Vec<DigestRow>,
        viewer: &Locale,
    ) -> Self {
        let theirs = Locale::new(&prefs.time_zone, viewer.language);
        let next_due = prefs.next_due_at.as_deref().map(|t| local_time(t, &theirs));
        PreferencesSection {
            action,
            prefs,
            errors,
            next_due,
            digests: digests
                .into_iter()
                .map(|d| DigestView::new(d, viewer))
                .collect(),
        }
    }

    /// The message of a field's error.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::directory::Language;

    #[test]
    fn times_given_as_rfc3339_are_shown_as_the_locale_writes_them() {
        let berlin = Locale::new("Europe/Berlin", Language::De);
        assert_eq!(
            local_time("2026-03-02T07:00:00.000Z", &berlin),
            "Montag, 02.03.2026, 08:00 Uhr"
        );
        assert_eq!(local_time("not a time", &berlin), "not a time");
    }

    #[test]
    fn a_digest_is_listed_in_the_viewers_words() {
        let row = DigestRow {
            period: "weekly:2026-11-30".into(),
            due_at: 1_796_997_000_000,
            made_at: 1_796_997_360_000,
            tasks: 3,
            outbox_id: None,
        };
        let d = DigestView::new(row, &Locale::new("Europe/Berlin", Language::De));
        assert_eq!(d.period, "Woche ab 30.11.2026");
        assert_eq!(d.made, "11.12.2026, 14:56 Uhr");
    }

    #[test]
    fn the_form_keeps_every_ticked_category_and_the_first_frequency() {
        let input = preferences_input(
            b"csrf=x&frequency=weekly&frequency=daily&categories=a&categories=admit.approval",
        );
        assert_eq!(input.frequency, "weekly");
        assert_eq!(input.categories, vec!["a", "admit.approval"]);
        let none = preferences_input(b"csrf=x");
        assert_eq!(none.frequency, "");
        assert!(none.categories.is_empty());
    }
}
