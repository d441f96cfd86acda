//! E-mail addresses, checked when they are made.

use std::fmt;

use crate::catalog::Message;

/// A syntactically valid e-mail address, lower-cased, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

/// "must be a valid e-mail address, like name@example.com".
pub fn invalid_email() -> Message {
    Message::new("error-invalid-email")
}

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, Message> {
        let s = input.trim();
        if s.is_empty() {
            return Err(super::validation::required());
        }
        if s.chars().count() > 254 {
            return Err(super::validation::too_long(254));
        }
        let Some((local, domain)) = s.rsplit_once('@') else {
            return Err(invalid_email());
        };
        if !valid_local(local) || !valid_domain(domain) {
            return Err(invalid_email());
        }
        Ok(Self(s.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

fn valid_local(local: &str) -> bool {
    if local.is_empty() || local.len() > 64 || local.starts_with('.') || local.ends_with('.') {
        return false;
    }
    if local.contains("..") {
        return false;
    }
    local
        .chars()
        .all(|c| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
}

fn valid_domain(domain: &str) -> bool {
    if domain.len() > 253 || !domain.contains('.') {
        return false;
    }
    domain.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    })
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses_and_lowercases_them() {
        for ok in [
            "a@b.de",
            "Erika.Mustermann@Example.COM",
            "x+tag@sub.example.co.uk",
            "jörg@müller.de",
        ] {
            assert!(EmailAddress::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            EmailAddress::parse(" Erika@Example.com ").unwrap().as_str(),
            "erika@example.com"
        );
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in [
            "",
            "not-an-email",
            "@example.com",
            "a@",
            "a@b",
            "a b@example.com",
            "a@exa mple.com",
            "a..b@example.com",
            ".a@example.com",
            "a@-example.com",
            "a@example..com",
            "a@example.com\r\nBcc: x@y.z",
            "<a@example.com>",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(65));
        assert!(EmailAddress::parse(&long).is_err());
    }
}
