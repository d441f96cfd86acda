//! Impersonation's rules: who may view a portal as which account, the reason and the time
//! limit it needs, and how its end is told. Pure functions; the use case runs them.

use serde::Serialize;

use super::FieldErrors;

/// A portal's impersonation settings, as entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalSettings {
    /// Staff may view the portal as one of its accounts.
    pub impersonation_allowed: bool,
    /// While staff view the portal as an organization admin, team actions (and notification
    /// preferences) are allowed, recorded as the staff member acting as the person; off
    /// (read-only) when not given.
    #[serde(default)]
    pub impersonation_actions: bool,
    /// Tell the person by e-mail afterwards (when, how long, by whom, why); on when not given.
    #[serde(default = "yes")]
    pub impersonation_notice: bool,
}

fn yes() -> bool {
    true
}

/// Minutes an impersonation lasts when none is chosen.
pub const DEFAULT_MINUTES: i64 = 15;
/// The longest an impersonation may last.
pub const MAX_MINUTES: i64 = 60;
/// A reason has at least this many characters and [`REASON_MIN_WORDS`] words.
pub const REASON_MIN_CHARS: usize = 10;
pub const REASON_MIN_WORDS: usize = 2;
pub const REASON_MAX_CHARS: usize = 500;

/// A checked request to impersonate: why, and for how many minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub reason: String,
    pub minutes: i64,
}

/// Checks the reason (required, a few words, one paragraph) and the duration (whole minutes,
/// 1 to [`MAX_MINUTES`]; [`DEFAULT_MINUTES`] when empty).
pub fn validate(reason: &str, minutes: &str) -> Result<Request, FieldErrors> {
    let mut errors = FieldErrors::new();
    let reason: String = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.is_empty() {
        errors.add(
            "reason",
            "is required: say why you view the portal as this person",
        );
    } else if reason.chars().count() < REASON_MIN_CHARS
        || reason.split(' ').count() < REASON_MIN_WORDS
    {
        errors.add(
            "reason",
            format!(
                "must say in a few words why (at least {REASON_MIN_WORDS} words and {REASON_MIN_CHARS} characters)"
            ),
        );
    } else if reason.chars().count() > REASON_MAX_CHARS {
        errors.add(
            "reason",
            format!("must be at most {REASON_MAX_CHARS} characters"),
        );
    } else if reason.chars().any(char::is_control) {
        errors.add("reason", "must not contain control characters");
    }
    let minutes = match minutes.trim() {
        "" => Some(DEFAULT_MINUTES),
        m => match m.parse::<i64>() {
            Ok(n) if (1..=MAX_MINUTES).contains(&n) => Some(n),
            _ => {
                errors.add(
                    "minutes",
                    format!("must be a whole number of minutes from 1 to {MAX_MINUTES}"),
                );
                None
            }
        },
    };
    errors.into_result()?;
    Ok(Request {
        reason,
        minutes: minutes.expect("checked"),
    })
}

/// Why an account cannot be impersonated (besides lying out of the staff member's reach, which
/// is "not found").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The portal does not allow impersonation.
    PortalOff,
    /// The account may not log in (its statuses say why).
    CannotLogIn,
    /// The account's address is a staff user's: staff are never impersonated.
    StaffAccount,
    /// The staff member runs an impersonation already (no chaining).
    AlreadyImpersonating,
    /// Only staff in the console impersonate (not API keys, not the command line).
    NotStaff,
}

impl Refusal {
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::PortalOff => "portal_off",
            Refusal::CannotLogIn => "cannot_log_in",
            Refusal::StaffAccount => "staff_account",
            Refusal::AlreadyImpersonating => "already_impersonating",
            Refusal::NotStaff => "not_staff",
        }
    }

    /// What the console says.
    pub fn message(self) -> crate::catalog::Message {
        crate::catalog::Message::new(match self {
            Refusal::PortalOff => "impersonation-refused-portal-off",
            Refusal::CannotLogIn => "impersonation-refused-cannot-log-in",
            Refusal::StaffAccount => "impersonation-refused-staff-account",
            Refusal::AlreadyImpersonating => "impersonation-refused-already",
            Refusal::NotStaff => "impersonation-refused-not-staff",
        })
    }
}

/// The facts the rule decides on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    pub portal_allows: bool,
    pub account_may_log_in: bool,
    pub staff_address: bool,
    pub already_running: bool,
}

/// May the staff member start an impersonation of the account? (Reach is checked before.)
pub fn may_start(f: Facts) -> Result<(), Refusal> {
    if f.already_running {
        Err(Refusal::AlreadyImpersonating)
    } else if f.staff_address {
        Err(Refusal::StaffAccount)
    } else if !f.portal_allows {
        Err(Refusal::PortalOff)
    } else if !f.account_may_log_in {
        Err(Refusal::CannotLogIn)
    } else {
        Ok(())
    }
}

/// How an impersonation ended, as people read it.
pub fn end_label(reason: &str) -> crate::catalog::Message {
    crate::catalog::Message::new(match reason {
        "ended_by_staff" => "impersonation-end-ended_by_staff",
        "time_limit" => "impersonation-end-time_limit",
        "staff_logged_out" => "impersonation-end-staff_logged_out",
        "staff_session_ended" => "impersonation-end-staff_session_ended",
        "account_barred" => "impersonation-end-account_barred",
        _ => "impersonation-end-session",
    })
}

/// Whole minutes between two times (at least 1 once anything was seen).
pub fn minutes_between(from_ms: i64, to_ms: i64) -> i64 {
    let ms = (to_ms - from_ms).max(0);
    ((ms + 59_999) / 60_000).max(1)
}

/// A number of minutes for a person: `1 minute`, `15 Minuten`.
pub fn minutes_text(n: i64) -> crate::catalog::Message {
    crate::catalog::Message::new("duration-minutes").number("minutes", n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_of_a_few_words_and_a_duration_up_to_an_hour() {
        let ok = validate("  Customer  called about\ninvoices ", "").unwrap();
        assert_eq!(ok.reason, "Customer called about invoices");
        assert_eq!(ok.minutes, DEFAULT_MINUTES);
        assert_eq!(validate("Customer called", "60").unwrap().minutes, 60);
        for (reason, minutes, field) in [
            ("", "15", "reason"),
            ("   ", "15", "reason"),
            ("help", "15", "reason"),
            ("Customerscalled", "15", "reason"),
            ("Customer called", "61", "minutes"),
            ("Customer called", "0", "minutes"),
            ("Customer called", "-5", "minutes"),
            ("Customer called", "1.5", "minutes"),
            ("Customer called", "ten", "minutes"),
        ] {
            let e = validate(reason, minutes).unwrap_err();
            assert!(e.get(field).is_some(), "{reason:?} {minutes:?}: {e:?}");
        }
        assert!(validate(&"word ".repeat(200), "15").is_err());
    }

    #[test]
    fn the_rule_refuses_chaining_staff_a_closed_portal_and_barred_accounts() {
        let ok = Facts {
            portal_allows: true,
            account_may_log_in: true,
            staff_address: false,
            already_running: false,
        };
        assert_eq!(may_start(ok), Ok(()));
        assert_eq!(
            may_start(Facts {
                already_running: true,
                ..ok
            }),
            Err(Refusal::AlreadyImpersonating)
        );
        assert_eq!(
            may_start(Facts {
                portal_allows: false,
                ..ok
            }),
            Err(Refusal::PortalOff)
        );
        assert_eq!(
            may_start(Facts {
                account_may_log_in: false,
                ..ok
            }),
            Err(Refusal::CannotLogIn)
        );
        assert_eq!(
            may_start(Facts {
                staff_address: true,
                ..ok
            }),
            Err(Refusal::StaffAccount)
        );
    }

    #[test]
    fn durations_in_the_persons_words() {
        assert_eq!(minutes_between(0, 1), 1);
        assert_eq!(minutes_between(0, 15 * 60_000), 15);
        assert_eq!(minutes_text(15).render("de"), "15 Minuten");
        assert_eq!(minutes_text(1).english(), "1 minute");
    }
}
