//! Why an e-mail or a logout notice was not delivered, as `last_error` stores it: a code the
//! catalog words (`delivery-<code>`, in the reader's language) with its detail, or the other
//! side's own words. The detail is data (a server's answer, an HTTP status, an address) and is
//! shown as it is. Stored as `<code>` or `<code>: <detail>`; a stored text that does not begin
//! with a code (written before codes, or an SMTP server's answer) is shown as it was stored.

use fluent_bundle::FluentValue;
use serde::Serializer;

use crate::catalog;

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryError {
    /// The catalog's code; none when the text is the other side's own.
    code: Option<&'static str>,
    detail: Option<String>,
}

impl DeliveryError {
    /// A failure of ours without detail (`client-deleted`).
    pub fn new(code: &'static str) -> Self {
        DeliveryError {
            code: Some(code),
            detail: None,
        }
    }

    /// A failure of ours with its detail (`client-answered`, `500 Internal Server Error`).
    pub fn with(code: &'static str, detail: impl std::fmt::Display) -> Self {
        DeliveryError {
            code: Some(code),
            detail: Some(detail.to_string()),
        }
    }

    /// The other side's words, as they are (an SMTP server's refusal).
    pub fn said(text: impl Into<String>) -> Self {
        DeliveryError {
            code: None,
            detail: Some(text.into()),
        }
    }

    /// As `last_error` stores it.
    pub fn stored(&self) -> String {
        match (self.code, &self.detail) {
            (Some(code), Some(d)) => format!("{code}: {d}"),
            (Some(code), None) => code.to_string(),
            (None, d) => d.clone().unwrap_or_default(),
        }
    }

    /// In English, as the logs and the command line give it.
    pub fn english(&self) -> String {
        shown(&self.stored(), catalog::LANGUAGES[0])
    }
}

impl std::fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

/// Given up on a delivery whose last attempt was interrupted (its lease ran out), with the
/// error stored before it, if any.
pub fn gave_up(last_error: Option<&str>) -> DeliveryError {
    match last_error {
        Some(e) => DeliveryError::with("gave-up-after", e),
        None => DeliveryError::new("gave-up"),
    }
}

/// A stored `last_error` in the language `code`.
pub fn shown(stored: &str, code: &str) -> String {
    let (head, detail) = match stored.split_once(": ") {
        Some((head, detail)) => (head, Some(detail)),
        None => (stored, None),
    };
    let key = format!("delivery-{head}");
    let a_code = head.contains('-') && head.chars().all(|c| c.is_ascii_lowercase() || c == '-');
    if !a_code || !catalog::has(catalog::LANGUAGES[0], &key) {
        return stored.to_string();
    }
    let Some(detail) = detail else {
        return catalog::tr(code, &key);
    };
    let detail = match head {
        // The error before, stored in its turn.
        "gave-up-after" => shown(detail, code),
        "account-past-step" => catalog::word(code, "status-registration", detail),
        _ => detail.to_string(),
    };
    catalog::tr_args(code, &key, &[("detail", FluentValue::from(detail))])
}

/// `last_error` in the JSON API: in English.
pub fn json_english<S: Serializer>(stored: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
    match stored {
        Some(e) => s.serialize_some(&shown(e, catalog::LANGUAGES[0])),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_in_each_language_and_old_words_as_stored() {
        let e = DeliveryError::with("client-answered", "500 Internal Server Error");
        assert_eq!(e.stored(), "client-answered: 500 Internal Server Error");
        assert_eq!(e.english(), "the client answered 500 Internal Server Error");
        assert_eq!(
            shown(&e.stored(), "de"),
            "die Anwendung antwortete 500 Internal Server Error"
        );
        let off = DeliveryError::new("client-off").stored();
        assert_eq!(shown(&off, "en"), "not sent: the client is switched off");
        assert_eq!(
            shown(&off, "de"),
            "nicht gesendet: die Anwendung ist abgeschaltet"
        );
        // Given up after an interruption: the error before, in its turn.
        let gave_up = DeliveryError::with("gave-up-after", off).stored();
        assert!(
            shown(&gave_up, "de").ends_with(": nicht gesendet: die Anwendung ist abgeschaltet"),
            "{}",
            shown(&gave_up, "de")
        );
        // The other side's words, and words stored before codes: as stored.
        let said = DeliveryError::said("550 5.1.1 no such user: here").stored();
        assert_eq!(shown(&said, "de"), "550 5.1.1 no such user: here");
        assert_eq!(
            shown("not sent: the client was deleted", "de"),
            "not sent: the client was deleted"
        );
        assert_eq!(
            shown("the client answered 502 Bad Gateway", "de"),
            "the client answered 502 Bad Gateway"
        );
        // A registration is said in words.
        let past = DeliveryError::with("account-past-step", "registered").stored();
        assert_eq!(
            shown(&past, "de"),
            "nicht gesendet: das Konto ist schon weiter (Registriert)"
        );
    }
}
