//! Errors as HTTP answers. The API answers JSON naming the field; a server error is opaque
//! to the client and logged with its cause.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::domain::{FieldError, FieldErrors};
use crate::usecases::Error;

/// The body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// A stable code: `invalid`, `not_found`, `conflict`, `refused`, `forbidden`,
    /// `unauthorized`, `bad_request`, `too_many_requests`, `internal`.
    pub error: String,
    /// What went wrong, for people.
    pub message: String,
    /// The fields at fault, each with its message.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                error: code.into(),
                message: message.into(),
                fields: vec![],
            },
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Send a valid API key as `Authorization: Bearer admit_...`.",
        )
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    fn with_fields(status: StatusCode, code: &str, fields: FieldErrors) -> Self {
        Self {
            status,
            body: ErrorBody {
                error: code.into(),
                message: fields.to_string(),
                fields: fields.0,
            },
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        match e {
            Error::Invalid(f) => {
                ApiError::with_fields(StatusCode::UNPROCESSABLE_ENTITY, "invalid", f)
            }
            Error::Conflict(f) => ApiError::with_fields(StatusCode::CONFLICT, "conflict", f),
            Error::NotFound(what) => ApiError::not_found(what),
            Error::Refused(m) => ApiError::new(StatusCode::CONFLICT, "refused", m.english()),
            Error::Forbidden(m) => ApiError::new(StatusCode::FORBIDDEN, "forbidden", m.english()),
            Error::TooMany { retry_after_s } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                format!("Too many attempts; try again in {retry_after_s} seconds."),
            ),
            Error::Db(err) => internal(&err),
            Error::Internal(err) => internal(&*err),
        }
    }
}

fn internal(err: &dyn std::fmt::Display) -> ApiError {
    tracing::error!(error = %err, "request failed");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "Something went wrong on our side; it has been logged.",
    )
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

/// A plain-text answer, for errors outside the API and the console.
pub fn plain(status: StatusCode, message: &'static str) -> Response {
    (status, message).into_response()
}
