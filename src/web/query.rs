//! Query parameters, checked before anything reaches the database: a NUL character (`%00`),
//! which PostgreSQL refuses in text and which breaks SQLite's full-text search, is refused
//! with the parameter's name; so is a value of the wrong type. The API answers its JSON
//! error (`ApiQuery` in `api/extract.rs`), the pages their message page ([`Query`]).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::domain::FieldErrors;
use crate::web::AppState;
use crate::web::page::{Failure, PageError};

/// What a parameter with a NUL character is told.
pub const NUL_MESSAGE: &str = "must not contain a NUL character";

/// A query parameter, or part of the path, that holds a NUL character: the parameter's name
/// (`path` for the path).
pub fn nul_parameter(path: &str, query: Option<&str>) -> Option<String> {
    if path
        .as_bytes()
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"%00"))
    {
        return Some("path".into());
    }
    form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        .map(|(k, _)| k.replace('\0', ""))
}

/// The query parameters of a page; a bad one (a NUL character, a wrong type) is the page's
/// "check your input" message naming it, in the language of the portal page that asked.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for Query<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let invalid = |field: &str, message: String| {
            PageError::Failed(Failure::Invalid(FieldErrors::single(field, message)))
        };
        if let Some(name) = nul_parameter(parts.uri.path(), parts.uri.query()) {
            return Err(invalid(&name, NUL_MESSAGE.into()));
        }
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let path = e.path().to_string();
                invalid(&path, e.into_inner().to_string())
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_anywhere_names_its_parameter() {
        assert_eq!(
            nul_parameter("/api/v1/contacts", Some("q=ab%00cd")).as_deref(),
            Some("q")
        );
        assert_eq!(
            nul_parameter("/x", Some("limit=5&q=%00")).as_deref(),
            Some("q")
        );
        assert_eq!(nul_parameter("/x", Some("a%00b=1")).as_deref(), Some("ab"));
        assert_eq!(
            nul_parameter("/unsubscribe/ab%00", None).as_deref(),
            Some("path")
        );
        assert_eq!(nul_parameter("/x", Some("q=ab%2500cd&r=%0A")), None);
        assert_eq!(nul_parameter("/x", None), None);
    }
}
