//! Validation errors that name the field they are about.
//!
//! A rule says what is wrong as a catalog [`Message`] (a code and its arguments): the JSON API
//! gives its English words, a page renders it in the reader's language. Rules not yet in the
//! catalog give English words only.

use serde::Serialize;

pub use crate::catalog::Message;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The input field, as named in the request (`email`, `parent_id`...).
    pub field: String,
    /// What is wrong, in words a person understands.
    pub message: String,
    /// The same as a catalog message, for a page in another language.
    #[serde(skip)]
    pub code: Option<Message>,
}

impl FieldError {
    /// What is wrong, in the language `code` (`en`, `de`).
    pub fn text(&self, code: &str) -> String {
        match &self.code {
            Some(m) => m.render(code),
            None => self.message.clone(),
        }
    }
}

/// What is wrong with a value: a catalog message, or English words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Coded(Message),
    Words(String),
}

impl Problem {
    /// The problem in the language `code` (`en`, `de`).
    pub fn render(&self, code: &str) -> String {
        match self {
            Problem::Coded(m) => m.render(code),
            Problem::Words(w) => w.clone(),
        }
    }

    /// The problem in English, as the JSON API and the logs give it.
    pub fn english(&self) -> String {
        self.render("en")
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

impl From<Message> for Problem {
    fn from(m: Message) -> Self {
        Problem::Coded(m)
    }
}

impl From<String> for Problem {
    fn from(s: String) -> Self {
        Problem::Words(s)
    }
}

impl From<&str> for Problem {
    fn from(s: &str) -> Self {
        Problem::Words(s.to_string())
    }
}

impl From<&String> for Problem {
    fn from(s: &String) -> Self {
        Problem::Words(s.clone())
    }
}

impl From<Message> for String {
    fn from(m: Message) -> Self {
        m.english()
    }
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.english())
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: &str, problem: impl Into<Problem>) -> Self {
        let mut e = Self::new();
        e.add(field, problem);
        e
    }

    pub fn add(&mut self, field: &str, problem: impl Into<Problem>) {
        let (message, code) = match problem.into() {
            Problem::Coded(m) => (m.english(), Some(m)),
            Problem::Words(w) => (w, None),
        };
        self.0.push(FieldError {
            field: field.to_string(),
            message,
            code,
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

    /// The first error for `field`, if any.
    pub fn error(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// The first message for `field` in the language `code`, if any.
    pub fn text(&self, field: &str, code: &str) -> Option<String> {
        self.error(field).map(|e| e.text(code))
    }

    /// Every error as `field: message`, in the language `code`.
    pub fn all_in(&self, code: &str) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.text(code)))
            .collect();
        parts.join("; ")
    }

    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }

    /// Records the error of `result` under `field` and returns its value.
    pub fn take<T, E: Into<Problem>>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(problem) => {
                self.add(field, problem);
                None
            }
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.all_in("en"))
    }
}

/// A required single-line text: trimmed, not empty, at most `max` characters, no control characters.
pub fn required_text(value: &str, max: usize) -> Result<String, Message> {
    let v = value.trim();
    if v.is_empty() {
        return Err(required());
    }
    single_line(v, max)
}

/// An optional single-line text: empty becomes `None`.
pub fn optional_text(value: Option<&str>, max: usize) -> Result<Option<String>, Message> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => single_line(v, max).map(Some),
    }
}

/// An optional text of several lines (a message): empty becomes `None`; line breaks and tabs
/// are allowed, other control characters are not.
pub fn optional_multiline(value: Option<&str>, max: usize) -> Result<Option<String>, Message> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) if v.chars().count() > max => Err(too_long(max)),
        Some(v)
            if v.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) =>
        {
            Err(Message::new("error-control-characters"))
        }
        Some(v) => Ok(Some(v.replace("\r\n", "\n"))),
    }
}

/// "is required".
pub fn required() -> Message {
    Message::new("error-required")
}

/// "must be at most 200 characters".
pub fn too_long(max: usize) -> Message {
    Message::new("error-too-long").number("max", i64::try_from(max).unwrap_or(i64::MAX))
}

fn single_line(v: &str, max: usize) -> Result<String, Message> {
    if v.chars().count() > max {
        return Err(too_long(max));
    }
    if v.chars().any(char::is_control) {
        return Err(Message::new("error-line-breaks"));
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
pub fn time_zone(name: &str) -> Result<String, Message> {
    name.trim()
        .parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_string())
        .map_err(|_| Message::new("error-time-zone"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_single_line() {
        assert_eq!(required_text("  Acme  ", 10), Ok("Acme".into()));
        assert_eq!(required_text("   ", 10), Err(required()));
        assert_eq!(required().english(), "is required");
        assert_eq!(too_long(10).english(), "must be at most 10 characters");
        assert!(required_text("abcdefghijk", 10).is_err());
        assert!(required_text("a\nb", 10).is_err());
        assert_eq!(optional_text(Some(" "), 5), Ok(None));
        assert_eq!(optional_text(None, 5), Ok(None));
        assert_eq!(required_text("ÄÖÜäöüß", 7), Ok("ÄÖÜäöüß".into()));
    }
}
