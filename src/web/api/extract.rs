//! Extractors for the API whose rejections are JSON that names what is wrong.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::usecases::Actor;
use crate::usecases::apikeys;
use crate::web::error::ApiError;
use crate::web::query::{NUL_MESSAGE, nul_parameter};
use crate::web::{AppState, ClientAddr};

/// A JSON body, always an object; malformed JSON is a 400, another JSON value than an object
/// (an array, a string), a wrong type and an unknown field a 422 naming the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(ApiError::new(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "bad_request",
                "Send the body as JSON with `Content-Type: application/json`.",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            ApiError::new(
                e.status(),
                "bad_request",
                format!("Could not read the body: {e}"),
            )
        })?;
        let mut value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("The body is not valid JSON: {e}")))?;
        // serde reads a struct from an array too (its fields in order): every body is an object.
        if !value.is_object() {
            return Err(unprocessable(
                "The body must be a JSON object.".into(),
                String::new(),
                "must be a JSON object".into(),
            ));
        }
        integral_numbers_as_integers(&mut value);
        match serde_path_to_error::deserialize(value) {
            Ok(v) => Ok(ApiJson(v)),
            Err(err) => {
                let path = err.path().to_string();
                let inner = err.into_inner();
                let message = if path == "." {
                    format!("{inner}")
                } else {
                    format!("{path}: {inner}")
                };
                let field = if path == "." { String::new() } else { path };
                Err(unprocessable(message, field, inner.to_string()))
            }
        }
    }
}

/// JSON has one kind of number: `3.0` is the integer 3 to JSON Schema (and so to the OpenAPI
/// document), though serde reads it as a float only.
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f >= i64::MIN as f64
                && f < i64::MAX as f64
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// A 422 naming the field at fault (empty: the body as a whole).
fn unprocessable(message: String, field: String, field_message: String) -> ApiError {
    let mut e = ApiError::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        message,
    );
    e.body.fields.push(crate::domain::FieldError {
        field,
        message: field_message,
        code: None,
    });
    e
}

/// Query parameters; a wrong one (a NUL character, a wrong type) is a 400 naming it.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(name) = nul_parameter(parts.uri.path(), parts.uri.query()) {
            let mut e = ApiError::bad_request(format!("Query parameter {name}: {NUL_MESSAGE}"));
            e.body.fields.push(crate::domain::FieldError {
                field: name,
                message: NUL_MESSAGE.into(),
                code: None,
            });
            return Err(e);
        }
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let path = e.path().to_string();
                ApiError::bad_request(format!("Query parameter {path}: {}", e.into_inner()))
            })
    }
}

fn form_urlencoded_parse(q: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(q.as_bytes())
}

/// A numeric id in the path; anything else is "not found".
pub struct Id(pub i64);

impl FromRequestParts<AppState> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::not_found("resource"))?;
        raw.parse::<i64>()
            .map(Id)
            .map_err(|_| ApiError::not_found("resource"))
    }
}

/// The caller, authenticated by `Authorization: Bearer <API key>`.
pub struct ApiActor(pub Actor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ClientAddr(addr) = ClientAddr::from_request_parts(parts, state)
            .await
            .unwrap_or(ClientAddr(None));
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(ApiError::unauthorized)?;
        match apikeys::authenticate(&state.cx, secret, addr).await {
            Ok(Some(actor)) => Ok(ApiActor(actor)),
            Ok(None) => Err(ApiError::unauthorized()),
            Err(e) => Err(e.into()),
        }
    }
}

/// The caller of the decision API and an account's scope: a staff API key, or a confidential
/// OpenID Connect client's own access token (client credentials), which reaches the accounts
/// of its portal only (`portal`).
pub struct AppActor {
    pub actor: Actor,
    pub portal: Option<i64>,
}

impl FromRequestParts<AppState> for AppActor {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|v| v.trim().to_string())
            .ok_or_else(ApiError::unauthorized)?;
        // An API key is `admit_` and hex; a token is a JWT (three parts).
        if bearer.split('.').count() == 3 {
            let ClientAddr(addr) = ClientAddr::from_request_parts(parts, state)
                .await
                .unwrap_or(ClientAddr(None));
            return match crate::usecases::oidc::resource::client_actor(&state.cx, &bearer, addr)
                .await
            {
                Ok(Some((actor, portal))) => Ok(AppActor {
                    actor,
                    portal: Some(portal),
                }),
                Ok(None) => Err(ApiError::unauthorized()),
                Err(e) => Err(e.into()),
            };
        }
        let ApiActor(actor) = ApiActor::from_request_parts(parts, state).await?;
        Ok(AppActor {
            actor,
            portal: None,
        })
    }
}
