//! What every HTML page shares: the error that is a page, and the id in a page's path.
//!
//! A handler returns [`PageResult`] and uses `?` on the use cases, as the API's handlers do. A
//! use-case error becomes a [`Failure`]: rendered as the console's message page (in English,
//! and again in the staff member's language by the console's layer), and re-rendered by the
//! portal pages' layer as the portal's message page in the person's language. Validation
//! errors that a form shows beside its fields are handled by that form.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::catalog::{self, Message};
use crate::domain::FieldErrors;
use crate::domain::directory::Language;
use crate::domain::validation::Problem;
use crate::usecases::Error;
use crate::web::AppState;

/// What a page handler answers.
pub type PageResult<T = Response> = Result<T, PageError>;

/// A page that could not be shown as asked.
pub enum PageError {
    /// A use case refused or failed: the surface's message page says so.
    Failed(Failure),
    /// A page of its own instead (a redirect to the login, a page in the person's words).
    Page(Box<Response>),
}

/// A use-case error as a page shows it; a server error is logged when it is made, and the
/// page says only that something went wrong.
#[derive(Debug, Clone)]
pub enum Failure {
    NotFound,
    Forbidden(Problem),
    Refused(Problem),
    Invalid(FieldErrors),
    TooMany { retry_after_s: i64 },
    Internal,
}

impl From<Error> for PageError {
    fn from(e: Error) -> Self {
        PageError::Failed(Failure::from(e))
    }
}

impl From<Response> for PageError {
    fn from(r: Response) -> Self {
        PageError::Page(Box::new(r))
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        match e {
            Error::NotFound(_) => Failure::NotFound,
            Error::Forbidden(m) => Failure::Forbidden(m),
            Error::Refused(m) => Failure::Refused(m),
            Error::Invalid(f) | Error::Conflict(f) => Failure::Invalid(f),
            Error::TooMany { retry_after_s } => Failure::TooMany { retry_after_s },
            Error::Db(err) => internal(&err),
            Error::Internal(err) => internal(&*err),
        }
    }
}

fn internal(err: &dyn std::fmt::Display) -> Failure {
    tracing::error!(error = %err, "page request failed");
    Failure::Internal
}

impl Failure {
    pub fn status(&self) -> StatusCode {
        match self {
            Failure::NotFound => StatusCode::NOT_FOUND,
            Failure::Forbidden(_) => StatusCode::FORBIDDEN,
            Failure::Refused(_) => StatusCode::CONFLICT,
            Failure::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Failure::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
            Failure::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The status, with `Retry-After` after too many attempts, around a page.
    pub fn answer(&self, page: impl IntoResponse) -> Response {
        let mut res = (self.status(), page).into_response();
        if let Failure::TooMany { retry_after_s } = self
            && let Ok(v) = header::HeaderValue::from_str(&retry_after_s.to_string())
        {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        res
    }

    /// The console's title and message in a language.
    pub fn words(&self, language: Language) -> (String, String) {
        let code = language.as_str();
        let t = |key: &str| catalog::tr(code, key);
        match self {
            Failure::NotFound => (t("failure-not-found-title"), t("failure-not-found")),
            Failure::Forbidden(m) => (t("failure-forbidden-title"), m.render(code)),
            Failure::Refused(m) => (t("failure-refused-title"), m.render(code)),
            Failure::Invalid(f) => (t("failure-invalid-title"), f.all_in(code)),
            Failure::TooMany { retry_after_s } => (
                t("failure-too-many-title"),
                too_many(*retry_after_s).render(code),
            ),
            Failure::Internal => (t("failure-internal-title"), t("failure-internal")),
        }
    }

    /// The console's message page, in English. The failure rides along in the answer's
    /// extensions, for a surface (or the console's layer) that shows it in another language.
    pub fn console_page(self) -> Response {
        let mut res = self.answer(self.message_page(Language::En));
        res.extensions_mut().insert(self);
        res
    }

    /// The console's message page in a language.
    pub fn message_page(&self, language: Language) -> MessagePage {
        let (title, message) = self.words(language);
        MessagePage {
            bare: Bare { lang: language },
            title,
            message,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Failed(f) => f.console_page(),
            PageError::Page(r) => *r,
        }
    }
}

/// A wait in words: "a minute", "5 minutes".
pub fn minutes(seconds: i64) -> String {
    wait(seconds).english()
}

/// A wait as a catalog message.
pub fn wait(seconds: i64) -> Message {
    Message::new("wait-minutes").number("minutes", ((seconds + 59) / 60).max(1))
}

/// "Too many attempts. Please wait 5 minutes and try again."
pub fn too_many(seconds: i64) -> Message {
    Message::new("failure-too-many").message("wait", wait(seconds))
}

/// The language of a console page without the console's frame (`console/bare.html`).
pub struct Bare {
    pub lang: Language,
}

impl Bare {
    pub fn lang_code(&self) -> &'static str {
        self.lang.as_str()
    }

    /// A text of the catalog in the page's language.
    pub fn t(&self, key: &str) -> String {
        catalog::tr(self.lang.as_str(), key)
    }

    /// A catalog message in the page's language.
    pub fn say(&self, message: &Message) -> String {
        message.render(self.lang.as_str())
    }
}

/// The console's message page.
#[derive(Template, WebTemplate)]
#[template(path = "console/message.html")]
pub struct MessagePage {
    pub bare: Bare,
    pub title: String,
    pub message: String,
}

/// The console's "not allowed" page, with its reason.
pub fn forbidden(message: impl Into<Problem>) -> Response {
    Failure::Forbidden(message.into()).console_page()
}

/// The console's "not found" page.
pub fn not_found_page() -> Response {
    Failure::NotFound.console_page()
}

/// The numeric `{id}` of the request's path, if it has one.
pub async fn path_id(parts: &mut Parts, state: &AppState) -> Option<i64> {
    let params = RawPathParams::from_request_parts(parts, state).await.ok()?;
    params
        .iter()
        .find(|(k, _)| *k == "id")
        .and_then(|(_, v)| v.parse::<i64>().ok())
}

/// The numeric `{id}` of a console page's path; anything else is the "not found" page.
pub struct Id(pub i64);

impl FromRequestParts<AppState> for Id {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        path_id(parts, state)
            .await
            .map(Id)
            .ok_or(PageError::Failed(Failure::NotFound))
    }
}

/// A form posted to a page must come from the same site: `Sec-Fetch-Site` and `Origin` say so.
pub fn from_other_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return true;
    }
    if let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        return origin_host != host;
    }
    false
}

/// Splits a use case's answer into what a form shows beside its fields (invalid input, a
/// conflict) and what only the message page can show (every other error).
pub fn form_errors<T>(r: Result<T, Error>) -> PageResult<Result<T, FieldErrors>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(Error::Invalid(f) | Error::Conflict(f)) => Ok(Err(f)),
        Err(e) => Err(e.into()),
    }
}

/// A form shown again with its errors.
pub fn form_again(page: impl IntoResponse) -> Response {
    (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
}
