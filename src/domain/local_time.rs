//! Times and dates as a person reads them: in their time zone and their language. Every time
//! put in front of a person (console, portal pages, e-mails, the e-mail preview) is written by
//! a [`Locale`]: `11.12.2026, 14:56 Uhr` in German, `11 Dec 2026, 14:56` in English, a date
//! alone (`11.12.2026`, `11 Dec 2026`) where only a day is meant. The zone is never printed:
//! it is the reader's own. Machines get RFC 3339 (`crate::clock::rfc3339`).

use chrono::{Datelike, NaiveDate, TimeZone};
use chrono_tz::Tz;

use super::directory::Language;

/// Milliseconds since the Unix epoch, UTC (as `crate::clock::Millis`).
type Millis = i64;

const DAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const DAYS_DE: [&str; 7] = [
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
];

/// A reader's time zone and language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locale {
    pub zone: Tz,
    pub language: Language,
}

impl Locale {
    /// A zone by its IANA name (an unknown one is UTC) and a language.
    pub fn new(zone: &str, language: Language) -> Self {
        Locale {
            zone: zone.trim().parse().unwrap_or(Tz::UTC),
            language,
        }
    }

    /// As [`Locale::new`], with the language by its code (an unknown one is English).
    pub fn of(zone: &str, language: &str) -> Self {
        Self::new(zone, Language::parse(language).unwrap_or(Language::En))
    }

    /// UTC in a language.
    pub fn utc(language: Language) -> Self {
        Locale {
            zone: Tz::UTC,
            language,
        }
    }

    /// The zone's name, `Europe/Berlin`.
    pub fn zone_name(&self) -> &'static str {
        self.zone.name()
    }

    fn local(&self, ms: Millis) -> Option<chrono::DateTime<Tz>> {
        self.zone.timestamp_millis_opt(ms).single()
    }

    /// A time: `11.12.2026, 14:56 Uhr` or `11 Dec 2026, 14:56`.
    pub fn time(&self, ms: Millis) -> String {
        let Some(l) = self.local(ms) else {
            return String::new();
        };
        match self.language {
            Language::De => l.format("%d.%m.%Y, %H:%M Uhr").to_string(),
            Language::En => l.format("%-d %b %Y, %H:%M").to_string(),
        }
    }

    /// An optional time, or nothing.
    pub fn time_opt(&self, ms: Option<Millis>) -> String {
        ms.map(|t| self.time(t)).unwrap_or_default()
    }

    /// A time with its weekday, for a time that matters on its own (the next digest, a visit):
    /// `Montag, 02.03.2026, 08:00 Uhr` or `Monday 2 March 2026, 08:00`.
    pub fn long_time(&self, ms: Millis) -> String {
        let Some(l) = self.local(ms) else {
            return String::new();
        };
        let day = l.weekday().num_days_from_monday() as usize;
        match self.language {
            Language::De => format!("{}, {}", DAYS_DE[day], l.format("%d.%m.%Y, %H:%M Uhr")),
            Language::En => format!("{} {}", DAYS_EN[day], l.format("%-d %B %Y, %H:%M")),
        }
    }

    /// The day an instant falls on in the zone: `11.12.2026` or `11 Dec 2026`.
    pub fn date_of(&self, ms: Millis) -> String {
        self.local(ms)
            .map(|l| self.date(l.date_naive()))
            .unwrap_or_default()
    }

    /// A date: `11.12.2026` or `11 Dec 2026`.
    pub fn date(&self, d: NaiveDate) -> String {
        match self.language {
            Language::De => d.format("%d.%m.%Y").to_string(),
            Language::En => d.format("%-d %b %Y").to_string(),
        }
    }

    /// A day given as days since 1970-01-01 (valid-until, a task's due day), which needs no
    /// zone: `31.12.2026` or `31 Dec 2026`.
    pub fn day(&self, day: i64) -> String {
        NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|e| e.checked_add_signed(chrono::Duration::try_days(day)?))
            .map(|d| self.date(d))
            .unwrap_or_default()
    }

    /// When a date begins in the zone: its midnight, or where the clocks skip midnight, the
    /// first hour after it. For "from" and "to" days typed by a person.
    pub fn start_of(&self, d: NaiveDate) -> Millis {
        (0..3)
            .find_map(|h| {
                let t = d.and_hms_opt(h, 0, 0)?;
                self.zone.from_local_datetime(&t).earliest()
            })
            .map(|t| t.timestamp_millis())
            .unwrap_or_else(|| {
                d.and_time(chrono::NaiveTime::MIN)
                    .and_utc()
                    .timestamp_millis()
            })
    }

    /// An optional day, or nothing.
    pub fn day_opt(&self, day: Option<i64>) -> String {
        day.map(|d| self.day(d)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BERLIN_DE: Locale = Locale {
        zone: chrono_tz::Europe::Berlin,
        language: Language::De,
    };
    const BERLIN_EN: Locale = Locale {
        zone: chrono_tz::Europe::Berlin,
        language: Language::En,
    };

    /// 2026-12-11 13:56 UTC: 14:56 in Berlin (winter, UTC+1).
    const WINTER: Millis = 1_796_997_360_000;

    #[test]
    fn german_and_english_in_the_persons_zone() {
        assert_eq!(BERLIN_DE.time(WINTER), "11.12.2026, 14:56 Uhr");
        assert_eq!(BERLIN_EN.time(WINTER), "11 Dec 2026, 14:56");
        assert_eq!(Locale::utc(Language::En).time(WINTER), "11 Dec 2026, 13:56");
        assert_eq!(
            Locale::utc(Language::De).time(WINTER),
            "11.12.2026, 13:56 Uhr"
        );
        for l in [BERLIN_DE, BERLIN_EN] {
            assert!(!l.time(WINTER).contains("UTC"));
        }
    }

    #[test]
    fn daylight_saving_in_berlin_moves_the_wall_clock() {
        // Clocks went forward on 2026-03-29 at 02:00 (01:00 UTC) and back on 2026-10-25 at
        // 03:00 (01:00 UTC).
        let before_spring = 1_774_745_940_000; // 2026-03-29 00:59 UTC
        let after_spring = before_spring + 60_000; // 01:00 UTC
        assert_eq!(BERLIN_DE.time(before_spring), "29.03.2026, 01:59 Uhr");
        assert_eq!(BERLIN_DE.time(after_spring), "29.03.2026, 03:00 Uhr");
        let before_autumn = 1_792_889_940_000; // 2026-10-25 00:59 UTC
        let after_autumn = before_autumn + 60_000; // 01:00 UTC
        assert_eq!(BERLIN_EN.time(before_autumn), "25 Oct 2026, 02:59");
        assert_eq!(BERLIN_EN.time(after_autumn), "25 Oct 2026, 02:00");
        // Summer is UTC+2.
        assert_eq!(BERLIN_DE.time(1_782_914_400_000), "01.07.2026, 16:00 Uhr");
    }

    #[test]
    fn dates_alone_and_the_day_an_instant_falls_on() {
        assert_eq!(BERLIN_DE.day(20818), "31.12.2026");
        assert_eq!(BERLIN_EN.day(20818), "31 Dec 2026");
        assert_eq!(BERLIN_EN.day_opt(None), "");
        // 2026-12-31 23:30 UTC is already New Year's Day in Berlin.
        let late = 1_798_759_800_000;
        assert_eq!(BERLIN_DE.date_of(late), "01.01.2027");
        assert_eq!(Locale::utc(Language::De).date_of(late), "31.12.2026");
    }

    #[test]
    fn a_day_starts_at_local_midnight() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 11).unwrap();
        // Midnight in Berlin is 23:00 UTC the day before.
        assert_eq!(BERLIN_DE.start_of(d), 1_796_943_600_000);
        assert_eq!(Locale::utc(Language::En).start_of(d), 1_796_947_200_000);
    }

    #[test]
    fn long_times_name_the_weekday() {
        // 2026-03-02 07:00 UTC is Monday 08:00 in Berlin.
        let t = 1_772_434_800_000;
        assert_eq!(BERLIN_EN.long_time(t), "Monday 2 March 2026, 08:00");
        assert_eq!(BERLIN_DE.long_time(t), "Montag, 02.03.2026, 08:00 Uhr");
    }

    #[test]
    fn unknown_zones_and_languages_fall_back_to_utc_and_english() {
        assert_eq!(Locale::of("Nowhere/Else", "fr"), Locale::utc(Language::En));
        assert_eq!(Locale::of(" Europe/Berlin ", "de"), BERLIN_DE);
        assert_eq!(BERLIN_DE.zone_name(), "Europe/Berlin");
    }
}
