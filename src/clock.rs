//! Time comes through a clock, so that tests can move it instead of waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// Milliseconds since the Unix epoch, UTC.
pub type Millis = i64;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Millis;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        chrono::Utc::now().timestamp_millis()
    }
}

/// A clock that stands still until moved; for tests.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn new(start: Millis) -> Self {
        Self(Arc::new(AtomicI64::new(start)))
    }
    pub fn advance(&self, by: Millis) {
        self.0.fetch_add(by, Ordering::SeqCst);
    }
    pub fn set(&self, to: Millis) {
        self.0.store(to, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }
}

pub type SharedClock = Arc<dyn Clock>;

/// The UTC day of `now`, as days since 1970-01-01: "today" for valid-until.
pub fn today(now: Millis) -> i64 {
    now.div_euclid(86_400_000)
}

/// Formats a time for the operator's terminal (the command line): `2026-11-23 14:05 UTC`.
/// People read times in their own zone and language: `crate::domain::local_time::Locale`.
pub fn format_time(ms: Millis) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
        None => String::from("-"),
    }
}

/// Formats a time for machines: RFC 3339 with milliseconds.
pub fn rfc3339(ms: Millis) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        None => String::new(),
    }
}

fn epoch_day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a valid date")
}

/// The day of `YYYY-MM-DD`, as days since 1970-01-01.
pub fn parse_day(s: &str) -> Result<i64, String> {
    let d = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| "must be a date as YYYY-MM-DD, like 2026-12-31".to_string())?;
    Ok(day_number(d))
}

/// A day (days since 1970-01-01) as `YYYY-MM-DD`.
pub fn format_day(day: i64) -> String {
    match day_date(day) {
        Some(d) => d.format("%Y-%m-%d").to_string(),
        None => String::new(),
    }
}

/// The days since 1970-01-01 of a date.
pub fn day_number(d: chrono::NaiveDate) -> i64 {
    (d - epoch_day()).num_days()
}

/// The date of a day number.
pub fn day_date(day: i64) -> Option<chrono::NaiveDate> {
    epoch_day().checked_add_signed(chrono::Duration::try_days(day)?)
}

/// Serde helpers for the JSON API: times in milliseconds as RFC 3339, days as `YYYY-MM-DD`.
/// Use with `#[serde(serialize_with = "crate::clock::json::time")]` and its kin.
pub mod json {
    use serde::Serializer;

    /// A time in milliseconds as RFC 3339.
    pub fn time<S: Serializer>(ms: &super::Millis, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*ms))
    }

    /// An optional time in milliseconds as RFC 3339, or null.
    pub fn time_opt<S: Serializer>(ms: &Option<super::Millis>, s: S) -> Result<S::Ok, S::Error> {
        match ms {
            Some(ms) => time(ms, s),
            None => s.serialize_none(),
        }
    }

    /// An optional day number as `YYYY-MM-DD`, or null.
    pub fn day_opt<S: Serializer>(day: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
        match day {
            Some(d) => s.serialize_str(&super::format_day(*d)),
            None => s.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_go_both_ways() {
        assert_eq!(parse_day("1970-01-01"), Ok(0));
        assert_eq!(parse_day(" 2026-12-31 "), Ok(20818));
        assert_eq!(format_day(20818), "2026-12-31");
        assert_eq!(format_day(-1), "1969-12-31");
        assert!(parse_day("31.12.2026").is_err());
        assert!(parse_day("2026-02-30").is_err());
    }

    #[test]
    fn times_are_rfc3339_in_utc_with_milliseconds() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_767_225_600_123), "2026-01-01T00:00:00.123Z");
    }
}
