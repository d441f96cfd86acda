//! Helpers for HTML forms: numbers and checkboxes as browsers send them.

use crate::domain::FieldErrors;

/// An optional id from a form field: empty is `None`, anything but a number is an error.
pub fn opt_id(errors: &mut FieldErrors, field: &str, value: &str) -> Option<i64> {
    match value.trim() {
        "" => None,
        v => match v.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add(field, "must be chosen from the list");
                None
            }
        },
    }
}

/// An optional text from a form field: empty is `None`.
pub fn opt_text(value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        None
    } else {
        Some(v.to_string())
    }
}

/// A checkbox: present (any value) is true.
pub fn checked(value: &Option<String>) -> bool {
    value.is_some()
}
