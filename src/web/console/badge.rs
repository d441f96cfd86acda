//! Statuses shown as badges: the status's word, lower case, from the statuses' own texts or
//! the catalog, in the reader's language, on a color that helps (never the only sign). One
//! template: `console/_badge.html`.

use crate::catalog;
use crate::domain::account::{Approval, Assignment, Lifecycle, Registration};
use crate::domain::directory::Language;
use crate::domain::outbox::OutboxStatus;

/// A status as a badge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    pub text: String,
    /// `ok`, `bad`, `warn`, `info` or `neutral`: the CSS class `badge-{tone}`.
    pub tone: &'static str,
}

impl Badge {
    /// English badges are lower case; German nouns keep their capital.
    fn new(text: &str, tone: &'static str, language: Language) -> Self {
        Badge {
            text: match language {
                Language::En => text.to_lowercase(),
                Language::De => text.to_string(),
            },
            tone,
        }
    }

    /// A text of the catalog as a badge.
    fn said(language: Language, key: &str, tone: &'static str) -> Self {
        Badge::new(&catalog::tr(language.as_str(), key), tone, language)
    }

    pub fn registration(r: Registration, language: Language) -> Self {
        let tone = match r {
            Registration::Registered => "ok",
            Registration::Invited | Registration::ActivationSent => "info",
        };
        Badge::said(language, r.label().key, tone)
    }

    pub fn approval(a: Approval, language: Language) -> Self {
        let tone = match a {
            Approval::Approved => "ok",
            Approval::Pending => "warn",
            Approval::Declined => "bad",
        };
        Badge::said(language, a.label().key, tone)
    }

    pub fn assignment(a: Assignment, language: Language) -> Self {
        let tone = match a {
            Assignment::Assigned => "ok",
            Assignment::Pending => "warn",
        };
        Badge::said(language, a.label().key, tone)
    }

    pub fn lifecycle(l: Lifecycle, language: Language) -> Self {
        let tone = match l {
            Lifecycle::Active => "ok",
            Lifecycle::Deactivated => "bad",
        };
        Badge::said(language, l.label().key, tone)
    }

    /// The access switch.
    pub fn access(granted: bool, language: Language) -> Self {
        if granted {
            Badge::said(language, "badge-granted", "ok")
        } else {
            Badge::said(language, "badge-switched-off", "bad")
        }
    }

    /// A staff user's status.
    pub fn staff(active: bool, language: Language) -> Self {
        if active {
            Badge::said(language, "badge-active", "ok")
        } else {
            Badge::said(language, "badge-deactivated", "bad")
        }
    }

    /// An outbox message's status.
    pub fn outbox(s: OutboxStatus, language: Language) -> Self {
        let tone = match s {
            OutboxStatus::Sent => "ok",
            OutboxStatus::Failed => "bad",
            OutboxStatus::Retrying | OutboxStatus::Sending => "warn",
            OutboxStatus::Queued => "info",
        };
        Badge::said(language, &format!("badge-outbox-{}", s.as_str()), tone)
    }

    /// A contact's portal access: `accounts` in all, `with_access` of them may log in.
    pub fn portal_access(accounts: i64, with_access: i64, language: Language) -> Self {
        match (accounts, with_access) {
            (_, n) if n > 0 => Badge::said(language, "badge-has-access", "ok"),
            (0, _) => Badge::said(language, "badge-no-account", "neutral"),
            _ => Badge::said(language, "badge-no-access-yet", "warn"),
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
        let en = Language::En;
        assert_eq!(
            Badge::approval(Approval::Pending, en).text,
            "pending approval"
        );
        assert_eq!(
            Badge::registration(Registration::ActivationSent, en).text,
            "activation e-mail sent"
        );
        assert_eq!(Badge::lifecycle(Lifecycle::Deactivated, en).tone, "bad");
        assert_eq!(Badge::portal_access(2, 1, en).text, "has access");
        assert_eq!(Badge::portal_access(0, 0, en).text, "no account");
    }

    #[test]
    fn badges_speak_german() {
        let de = Language::De;
        assert_eq!(
            Badge::registration(Registration::ActivationSent, de).text,
            "Aktivierungs-E-Mail geschickt"
        );
        assert_eq!(Badge::access(false, de).text, "Abgeschaltet");
        assert_eq!(Badge::portal_access(0, 0, de).text, "Kein Konto");
    }
}
