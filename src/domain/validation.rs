//! Validation errors that name the field they are about.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The input field, as named in the request (`email`, `parent_id`...).
    pub field: String,
    /// What is wrong, in words a person understands.
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first message for `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Records the error of `result` under `field` and returns its value.
    pub fn take<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.add(field, message);
                None
            }
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

/// A required single-line text: trimmed, not empty, at most `max` characters, no control characters.
pub fn required_text(value: &str, max: usize) -> Result<String, String> {
    let v = value.trim();
    if v.is_empty() {
        return Err("is required".into());
    }
    single_line(v, max)
}

/// An optional single-line text: empty becomes `None`.
pub fn optional_text(value: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => single_line(v, max).map(Some),
    }
}

/// An optional text of several lines (a message): empty becomes `None`; line breaks and tabs
/// are allowed, other control characters are not.
pub fn optional_multiline(value: Option<&str>, max: usize) -> Result<Option<String>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > max => Err(format!("must be at most {max} characters")),
        Some(v)
            if v.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) =>
        {
            Err("must not contain control characters".into())
        }
        Some(v) => Ok(Some(v.replace("\r\n", "\n"))),
    }
}

fn single_line(v: &str, max: usize) -> Result<String, String> {
    if v.chars().count() > max {
        return Err(format!("must be at most {max} characters"));
    }
    if v.chars().any(char::is_control) {
        return Err("must not contain line breaks or control characters".into());
    }
    Ok(v.to_string())
}

/// Lower-cased text for case-insensitive search, joined from the given parts.
pub fn search_text(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .map(|p| p.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A time zone of the IANA database (`Europe/Berlin`), by its canonical name, or why not.
pub fn time_zone(name: &str) -> Result<String, String> {
    name.trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| "is not a known time zone (like Europe/Berlin)".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_single_line() {
        assert_eq!(required_text("  Acme  ", 10), Ok("Acme".into()));
        assert_eq!(required_text("   ", 10), Err("is required".into()));
        assert!(required_text("abcdefghijk", 10).is_err());
        assert!(required_text("a\nb", 10).is_err());
        assert_eq!(optional_text(Some(" "), 5), Ok(None));
        assert_eq!(optional_text(None, 5), Ok(None));
        assert_eq!(required_text("ÄÖÜäöüß", 7), Ok("ÄÖÜäöüß".into()));
    }
}
