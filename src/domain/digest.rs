//! When a person's digest is due: daily, or weekly on Monday, at 08:00 in their own time zone,
//! across daylight-saving changes. A digest belongs to a period (the day, or the week from its
//! Monday); the period's key makes "once per person and period" a unique key.

use chrono::{Datelike, Days, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Weekday};
use chrono_tz::Tz;

use super::local_time::Locale;
use crate::catalog::Message;

/// How often a person gets a digest.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    Off,
    Daily,
    /// Monday.
    Weekly,
}

impl Frequency {
    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Off => "off",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "off" => Some(Frequency::Off),
            "daily" => Some(Frequency::Daily),
            "weekly" => Some(Frequency::Weekly),
            _ => None,
        }
    }
}

/// The local time a digest is sent.
pub fn send_time() -> NaiveTime {
    NaiveTime::from_hms_opt(8, 0, 0).expect("a valid time")
}

/// The day a digest covers, or the week (from its Monday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub weekly: bool,
    /// The day; for a week, its Monday.
    pub start: NaiveDate,
}

impl Period {
    /// The period of `frequency` that holds the local day `day` (none when off).
    pub fn holding(frequency: Frequency, day: NaiveDate) -> Option<Period> {
        match frequency {
            Frequency::Off => None,
            Frequency::Daily => Some(Period {
                weekly: false,
                start: day,
            }),
            Frequency::Weekly => Some(Period {
                weekly: true,
                start: day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            }),
        }
    }

    /// A stable name, unique per person and period: `daily:2026-11-30`, `weekly:2026-11-30`.
    pub fn key(&self) -> String {
        let kind = if self.weekly { "weekly" } else { "daily" };
        format!("{kind}:{}", self.start.format("%Y-%m-%d"))
    }

    /// How a digest names its period to its reader: `week of 30 Nov 2026`, `Woche ab
    /// 30.11.2026`, or the day alone.
    pub fn label(&self, locale: &Locale) -> Message {
        let key = if self.weekly {
            "period-week-of"
        } else {
            "period-day"
        };
        Message::new(key).text("day", locale.date(self.start))
    }

    pub fn next(&self) -> Period {
        Period {
            start: self.start + Days::new(if self.weekly { 7 } else { 1 }),
            ..*self
        }
    }

    pub fn previous(&self) -> Period {
        Period {
            start: self.start - Days::new(if self.weekly { 7 } else { 1 }),
            ..*self
        }
    }

    /// When its digest is due (milliseconds since 1970, UTC): 08:00 local time on its first
    /// day. Where the clocks skip 08:00 that day, the first moment after the gap; where 08:00
    /// happens twice, the first.
    pub fn due_at(&self, tz: Tz) -> i64 {
        local_instant(tz, self.start.and_time(send_time()))
    }
}

/// The UTC instant (ms) of a local time: the earlier one when it is ambiguous, the first one
/// after a gap when it does not exist.
fn local_instant(tz: Tz, local: NaiveDateTime) -> i64 {
    let mut t = local;
    // A gap is at most a few hours; move on a minute at a time until the time exists.
    for _ in 0..(24 * 60) {
        match tz.from_local_datetime(&t) {
            LocalResult::Single(x) => return x.timestamp_millis(),
            LocalResult::Ambiguous(a, b) => return a.timestamp_millis().min(b.timestamp_millis()),
            LocalResult::None => t += chrono::Duration::minutes(1),
        }
    }
    // Unreachable for real zones; read the time as UTC rather than fail.
    local.and_utc().timestamp_millis()
}

/// The local day of an instant in a zone.
pub fn local_day(tz: Tz, at_ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive()
}

/// The latest period whose digest is due at `now` (its 08:00 has passed), with its due time.
pub fn latest_due(frequency: Frequency, tz: Tz, now: i64) -> Option<(Period, i64)> {
    let here = Period::holding(frequency, local_day(tz, now))?;
    let due = here.due_at(tz);
    if due <= now {
        Some((here, due))
    } else {
        let before = here.previous();
        Some((before, before.due_at(tz)))
    }
}

/// The first period whose digest falls due after `now`, with its due time.
pub fn next_due(frequency: Frequency, tz: Tz, now: i64) -> Option<(Period, i64)> {
    let (latest, _) = latest_due(frequency, tz, now)?;
    let next = latest.next();
    Some((next, next.due_at(tz)))
}

/// Is `day` a Monday (weekly digests start there)?
pub fn is_monday(day: NaiveDate) -> bool {
    day.weekday() == Weekday::Mon
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ZONES: [Tz; 6] = [
        chrono_tz::Europe::Berlin,
        chrono_tz::America::New_York,
        chrono_tz::Asia::Kolkata,
        chrono_tz::Australia::Lord_Howe,
        chrono_tz::Pacific::Chatham,
        chrono_tz::UTC,
    ];

    fn ms(y: i32, m: u32, d: u32, h: u32, min: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, 0)
            .unwrap()
            .and_utc()
            .timestamp_millis()
    }

    #[test]
    fn eight_in_the_morning_local_time_across_daylight_saving() {
        let berlin = chrono_tz::Europe::Berlin;
        // Winter: UTC+1; summer: UTC+2. Clocks went forward on 2026-03-29.
        let sat = Period::holding(
            Frequency::Daily,
            NaiveDate::from_ymd_opt(2026, 3, 28).unwrap(),
        );
        let sun = sat.unwrap().next();
        let mon = sun.next();
        assert_eq!(sat.unwrap().due_at(berlin), ms(2026, 3, 28, 7, 0));
        assert_eq!(sun.due_at(berlin), ms(2026, 3, 29, 6, 0));
        assert_eq!(mon.due_at(berlin), ms(2026, 3, 30, 6, 0));
        // New York went back on 2026-11-01: 08:00 is 12:00 UTC before, 13:00 UTC after.
        let ny = chrono_tz::America::New_York;
        let week = Period::holding(
            Frequency::Weekly,
            NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        )
        .unwrap();
        assert_eq!(week.start, NaiveDate::from_ymd_opt(2026, 10, 26).unwrap());
        assert_eq!(week.due_at(ny), ms(2026, 10, 26, 12, 0));
        assert_eq!(week.next().due_at(ny), ms(2026, 11, 2, 13, 0));
        assert_eq!(week.key(), "weekly:2026-10-26");
        // Kolkata has no daylight saving, and a half-hour offset.
        let kolkata = chrono_tz::Asia::Kolkata;
        let day = Period::holding(
            Frequency::Daily,
            NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        );
        assert_eq!(day.unwrap().due_at(kolkata), ms(2026, 11, 30, 2, 30));
    }

    #[test]
    fn the_latest_and_the_next_digest() {
        let berlin = chrono_tz::Europe::Berlin;
        // Monday 2026-11-30, 07:59 Berlin (06:59 UTC): last week's is the latest, today's next.
        let before = ms(2026, 11, 30, 6, 59);
        let (latest, _) = latest_due(Frequency::Weekly, berlin, before).unwrap();
        assert_eq!(latest.key(), "weekly:2026-11-23");
        let (next, at) = next_due(Frequency::Weekly, berlin, before).unwrap();
        assert_eq!(
            (next.key().as_str(), at),
            ("weekly:2026-11-30", ms(2026, 11, 30, 7, 0))
        );
        // At 08:00 it is due; on Wednesday it is still the latest (a process that was down).
        let (latest, _) = latest_due(Frequency::Weekly, berlin, ms(2026, 11, 30, 7, 0)).unwrap();
        assert_eq!(latest.key(), "weekly:2026-11-30");
        let (latest, _) = latest_due(Frequency::Weekly, berlin, ms(2026, 12, 2, 15, 0)).unwrap();
        assert_eq!(latest.key(), "weekly:2026-11-30");
        assert!(latest_due(Frequency::Off, berlin, before).is_none());
    }

    /// The reference for the property test below, written with chrono-tz alone (none of the
    /// helpers above): the first UTC minute whose local time, read on the wall clock, is 08:00
    /// of `day` or later. That is 08:00 itself, the first moment after a gap that skips it, and
    /// the first of two 08:00s when the clocks go back.
    fn first_minute_at_eight(tz: Tz, day: NaiveDate) -> i64 {
        use chrono::Offset;
        let eight = day.and_hms_opt(8, 0, 0).unwrap();
        // Start before it: at 08:00 by the zone's offset near that day, less two hours (a
        // clock change moves the offset by an hour at most).
        let offset = tz.offset_from_utc_datetime(&eight).fix().local_minus_utc();
        let mut t = eight.and_utc()
            - chrono::Duration::seconds(i64::from(offset))
            - chrono::Duration::hours(2);
        assert!(
            t.with_timezone(&tz).naive_local() < eight,
            "the walk starts before 08:00"
        );
        loop {
            if t.with_timezone(&tz).naive_local() >= eight {
                return t.timestamp_millis();
            }
            t += chrono::Duration::minutes(1);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        /// Against a model of its own: walk the local days back from `now` (Mondays only, for
        /// weekly) and take the first whose 08:00, found by walking the minutes, has passed.
        #[test]
        fn latest_due_matches_a_walk_through_the_days(
            zone in 0..ZONES.len(),
            // 2020-01-01 .. 2035-01-01
            now in 1_577_836_800_000i64..2_051_222_400_000i64,
            weekly in any::<bool>(),
        ) {
            let tz = ZONES[zone];
            let frequency = if weekly { Frequency::Weekly } else { Frequency::Daily };
            let sends = |day: NaiveDate| !weekly || day.weekday() == Weekday::Mon;
            let today = chrono::DateTime::from_timestamp_millis(now)
                .unwrap()
                .with_timezone(&tz)
                .date_naive();
            let mut day = today + Days::new(1);
            let expected = loop {
                if sends(day) {
                    let due = first_minute_at_eight(tz, day);
                    if due <= now {
                        break (day, due);
                    }
                }
                day = day - Days::new(1);
            };
            let mut after = expected.0 + Days::new(1);
            while !sends(after) {
                after = after + Days::new(1);
            }
            let expected_next = (after, first_minute_at_eight(tz, after));

            let (period, due) = latest_due(frequency, tz, now).unwrap();
            prop_assert_eq!((period.start, due), expected);
            let (next, next_at) = next_due(frequency, tz, now).unwrap();
            prop_assert_eq!((next.start, next_at), expected_next);
            prop_assert!(due <= now && now < next_at);
            prop_assert_eq!(next, period.next());
            // Consecutive digests are a day (or a week) apart, give or take a clock change.
            let gap_h = (next_at - due) as f64 / 3_600_000.0;
            let nominal = if weekly { 168.0 } else { 24.0 };
            prop_assert!((gap_h - nominal).abs() <= 3.0, "{gap_h} h");
            // It is on the period's first day, in the person's zone.
            let local = chrono::DateTime::from_timestamp_millis(due).unwrap().with_timezone(&tz);
            prop_assert_eq!(local.date_naive(), period.start);
        }
    }
}
