//! Statuses shown as badges: the status's word, lower case, from the statuses' own texts, on a
//! color that helps (never the only sign). One template: `console/_badge.html`.

use crate::domain::account::{Approval, Assignment, Lifecycle, Registration};
use crate::domain::outbox::OutboxStatus;

/// A status as a badge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    pub text: String,
    /// `ok`, `bad`, `warn`, `info` or `neutral`: the CSS class `badge-{tone}`.
    pub tone: &'static str,
}

impl Badge {
    fn new(text: &str, tone: &'static str) -> Self {
        Badge {
            text: text.to_lowercase(),
            tone,
        }
    }

    pub fn registration(r: Registration) -> Self {
        let tone = match r {
            Registration::Registered => "ok",
            Registration::Invited | Registration::ActivationSent => "info",
        };
        Badge::new(r.label(false), tone)
    }

    pub fn approval(a: Approval) -> Self {
        let tone = match a {
            Approval::Approved => "ok",
            Approval::Pending => "warn",
            Approval::Declined => "bad",
        };
        Badge::new(a.label(false), tone)
    }

    pub fn assignment(a: Assignment) -> Self {
        let tone = match a {
            Assignment::Assigned => "ok",
            Assignment::Pending => "warn",
        };
        Badge::new(a.label(false), tone)
    }

    pub fn lifecycle(l: Lifecycle) -> Self {
        let tone = match l {
            Lifecycle::Active => "ok",
            Lifecycle::Deactivated => "bad",
        };
        Badge::new(l.label(false), tone)
    }

    /// The access switch.
    pub fn access(granted: bool) -> Self {
        if granted {
            Badge::new("granted", "ok")
        } else {
            Badge::new("switched off", "bad")
        }
    }

    /// A staff user's status.
    pub fn staff(active: bool) -> Self {
        if active {
            Badge::new("active", "ok")
        } else {
            Badge::new("deactivated", "bad")
        }
    }

    /// An outbox message's status.
    pub fn outbox(s: OutboxStatus) -> Self {
        let tone = match s {
            OutboxStatus::Sent => "ok",
            OutboxStatus::Failed => "bad",
            OutboxStatus::Retrying | OutboxStatus::Sending => "warn",
            OutboxStatus::Queued => "info",
        };
        Badge::new(s.as_str(), tone)
    }

    /// A contact's portal access: `accounts` in all, `with_access` of them may log in.
    pub fn portal_access(accounts: i64, with_access: i64) -> Self {
        match (accounts, with_access) {
            (_, n) if n > 0 => Badge::new("has access", "ok"),
            (0, _) => Badge::new("no account", "neutral"),
            _ => Badge::new("no access yet", "warn"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The relative luminance of `#rrggbb` (WCAG 2.2).
    fn luminance(hex: &str) -> f64 {
        let hex = hex.trim_start_matches('#');
        let channel = |i: usize| {
            let c = u8::from_str_radix(&hex[i..i + 2], 16).unwrap() as f64 / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    /// The value of `property` in a CSS rule's body.
    fn value<'a>(body: &'a str, property: &str) -> &'a str {
        body.split(';')
            .find_map(|d| {
                let (k, v) = d.split_once(':')?;
                (k.trim() == property).then(|| v.trim())
            })
            .unwrap_or_else(|| panic!("{property} in {body}"))
    }

    #[test]
    fn every_badge_tone_has_a_contrast_of_at_least_4_5() {
        let css = include_str!("../../../assets/console.css");
        for tone in ["ok", "bad", "warn", "info", "neutral"] {
            let rule = format!(".badge-{tone} {{");
            let at = css.find(&rule).unwrap_or_else(|| panic!("{rule}")) + rule.len();
            let body = &css[at..at + css[at..].find('}').unwrap()];
            let ratio = contrast(value(body, "color"), value(body, "background"));
            assert!(ratio >= 4.5, "{tone}: {ratio:.2}");
        }
    }

    #[test]
    fn badges_say_the_status_in_lower_case() {
        assert_eq!(Badge::approval(Approval::Pending).text, "pending approval");
        assert_eq!(
            Badge::registration(Registration::ActivationSent).text,
            "activation e-mail sent"
        );
        assert_eq!(Badge::lifecycle(Lifecycle::Deactivated).tone, "bad");
        assert_eq!(Badge::portal_access(2, 1).text, "has access");
        assert_eq!(Badge::portal_access(0, 0).text, "no account");
    }
}
