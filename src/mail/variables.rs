//! How an e-mail's variables are written: its times in the recipient's zone and language
//! (one function per kind of time, used by the code that sends and by the preview alike), and
//! the sample values a template is previewed and checked with.

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::clock::{Millis, today};
use crate::domain::digest::{Frequency, Period};
use crate::domain::directory::Language;
use crate::domain::impersonation::minutes_text;
use crate::domain::local_time::Locale;

/// When a single-use link stops working (`expires_at`): `11.12.2026, 14:56 Uhr`.
pub fn link_expiry(locale: &Locale, at: Millis) -> String {
    locale.time(at)
}

/// The day access ends (`valid_until`), or a task is due: `31.12.2026`.
pub fn day(locale: &Locale, day: i64) -> String {
    locale.day(day)
}

/// When a test message was sent (`sent_at`).
pub fn sent_at(locale: &Locale, at: Millis) -> String {
    locale.time(at)
}

/// When staff began and stopped viewing the portal as the person (`started_at`, `ended_at`),
/// with the weekday: `Montag, 30.11.2026, 14:00 Uhr`.
pub fn visit_time(locale: &Locale, at: Millis) -> String {
    locale.long_time(at)
}

/// The day an instant falls on in the zone.
fn local_day(locale: &Locale, at: Millis) -> NaiveDate {
    use chrono::TimeZone;
    locale
        .zone
        .timestamp_millis_opt(at)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// The moments a sample message speaks of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moments {
    /// When it is sent.
    pub now: Millis,
    /// When its link stops working.
    pub link_expires_at: Millis,
}

impl Moments {
    /// Fixed moments, to check a template before it is saved: Monday 30 November 2026, 13:00
    /// UTC, with a link for 7 days.
    pub fn fixed() -> Self {
        let now = 1_796_043_600_000;
        Moments {
            now,
            link_expires_at: now + 7 * 86_400_000,
        }
    }
}

/// Values to preview a template with (the common ones and `variables`, an event's): a message
/// as if sent at `at.now` to a person whose zone and language are `locale`, its times written
/// as the sending code writes them.
pub fn sample(variables: &[&str], locale: &Locale, at: Moments) -> Value {
    let language = locale.language;
    let mut v = json!({
        "recipient_name": "Erika Mustermann",
        "portal_name": "Customer portal",
        "portal_url": "https://portal.example.com",
    });
    let de = language == Language::De;
    for name in variables {
        let value = match *name {
            "organization_name" => json!("Nordlicht Facility GmbH"),
            "inviter_name" => json!("Max Keller"),
            "link" => json!("https://portal.example.com/link/preview"),
            "login_url" => json!("https://portal.example.com/login"),
            "reset_url" => json!("https://portal.example.com/forgot"),
            "account_email" => json!("erika@nordlicht.example"),
            "account_name" => json!("Erika Mustermann"),
            "console_url" => json!("https://admit.example.com/console/accounts/1"),
            "message" => json!(if de {
                "Willkommen an Bord!"
            } else {
                "Welcome aboard!"
            }),
            "expires_at" => json!(link_expiry(locale, at.link_expires_at)),
            "valid_until" => json!(day(locale, today(at.now) + 30)),
            "new_email" => json!("erika.new@example.com"),
            "staff_name" => json!("Max Keller"),
            "reason" => json!(if de {
                "Rückruf wegen einer fehlenden Rechnung"
            } else {
                "Call back about a missing invoice"
            }),
            "started_at" => json!(visit_time(locale, at.now - 12 * 60_000)),
            "ended_at" => json!(visit_time(locale, at.now)),
            "duration" => json!(minutes_text(12).render(language.as_str())),
            "sent_at" => json!(sent_at(locale, at.now)),
            "total" => json!(3),
            "period" => json!(
                Period::holding(Frequency::Weekly, local_day(locale, at.now))
                    .map(|p| p.label(locale).render(language.as_str()))
                    .unwrap_or_default()
            ),
            "groups" => json!([
                {
                    "name": if de { "Wartung fällig" } else { "Service due" },
                    "count": 2,
                    "more": 0,
                    "lines": [
                        {"title": if de { "Heizung warten" } else { "Boiler service" },
                         "subject": "Nordlicht Facility GmbH",
                         "due": day(locale, today(at.now) + 7),
                         "link": "https://crm.example.com/tasks/1"},
                        {"title": if de { "Filter tauschen" } else { "Replace filters" },
                         "subject": "Nordlicht Facility GmbH", "due": "", "link": ""}
                    ]
                },
                {
                    "name": if de { "Einladungen, die in 48 Stunden ablaufen" } else { "Invitations expiring within 48 hours" },
                    "count": 12,
                    "more": 11,
                    "lines": [
                        {"title": "max@nordlicht.example", "subject": "Nordlicht Facility GmbH",
                         "due": "", "link": "https://portal.example.com/team/7"}
                    ]
                }
            ]),
            "home_url" => json!("https://admit.example.com/portal/1/"),
            "preferences_url" => json!("https://admit.example.com/portal/1/notifications"),
            "unsubscribe_url" => json!("https://admit.example.com/unsubscribe/preview"),
            other => json!(other),
        };
        v[*name] = value;
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_write_times_in_the_zone_and_language_given() {
        let berlin = Locale::new("Europe/Berlin", Language::De);
        let at = Moments::fixed();
        let v = sample(&["expires_at"], &berlin, at);
        assert_eq!(v["expires_at"], "07.12.2026, 14:00 Uhr");
        let v = sample(&["valid_until"], &berlin, at);
        assert_eq!(v["valid_until"], "30.12.2026");
        let v = sample(&["started_at", "duration"], &berlin, at);
        assert_eq!(v["started_at"], "Montag, 30.11.2026, 13:48 Uhr");
        assert_eq!(v["duration"], "12 Minuten");
        let v = sample(&["period"], &berlin, at);
        assert_eq!(v["period"], "Woche ab 30.11.2026");
        let utc = Locale::utc(Language::En);
        let v = sample(&["sent_at"], &utc, at);
        assert_eq!(v["sent_at"], "30 Nov 2026, 13:00");
        assert!(!v.to_string().contains("UTC"));
    }
}
