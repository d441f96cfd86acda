//! The endpoints applications call with their credentials or tokens: token, userinfo,
//! introspection and revocation. Forms are read strictly (a parameter given twice is an
//! error); answers are JSON and never cached.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::{no_store, oauth_error};
use crate::usecases::oidc::client_auth::Credentials;
use crate::usecases::oidc::token::{self as token_uc, TokenForm};
use crate::usecases::oidc::{OAuthError, resource};
use crate::web::{AppState, ClientAddr};

/// The form of a POST: `application/x-www-form-urlencoded`, each parameter once.
fn form<T: DeserializeOwned>(headers: &HeaderMap, body: &Bytes) -> Result<T, OAuthError> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(OAuthError::invalid_request(
            "send the parameters as application/x-www-form-urlencoded",
        ));
    }
    if body.contains(&0) || body.windows(3).any(|w| w.eq_ignore_ascii_case(b"%00")) {
        return Err(OAuthError::invalid_request("parameters must not hold NUL"));
    }
    serde_urlencoded::from_bytes(body)
        .map_err(|e| OAuthError::invalid_request(format!("the form is not valid: {e}")))
}

/// The `Authorization: Basic` credentials, when the request has them.
fn basic(headers: &HeaderMap) -> Result<Option<(String, String)>, OAuthError> {
    match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) if v.len() > 6 && v[..6].eq_ignore_ascii_case("basic ") => {
            Credentials::basic_of(&format!("Basic {}", &v[6..])).map(Some)
        }
        _ => Ok(None),
    }
}

fn portal_id(id: &str) -> Result<i64, OAuthError> {
    id.parse()
        .map_err(|_| OAuthError::new(404, "not_found", "there is no such portal"))
}

/// A JSON answer, or the error with its challenge.
fn json_answer<T: serde::Serialize>(result: Result<T, OAuthError>) -> Response {
    match result {
        Ok(body) => (StatusCode::OK, no_store(), axum::Json(body)).into_response(),
        Err(e) => client_error(e),
    }
}

/// With the `WWW-Authenticate` challenge a refused client authentication needs (RFC 6749 5.2).
fn client_error(e: OAuthError) -> Response {
    let challenge = e.status == 401;
    let mut res = oauth_error(e);
    if challenge {
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"admit\""),
        );
    }
    res
}

pub(super) async fn token(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let run = async {
        let pid = portal_id(&id)?;
        let f: TokenForm = form(&headers, &body)?;
        token_uc::token(
            &s.cx,
            s.policy.idle_ms,
            pid,
            &f,
            basic(&headers)?,
            addr.as_deref(),
        )
        .await
    };
    json_answer(run.await)
}

pub(super) async fn userinfo(
    State(s): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "))
        .map(|v| v[7..].trim());
    let run = async {
        let pid = portal_id(&id)?;
        resource::userinfo(&s.cx, s.policy.idle_ms, pid, bearer).await
    };
    match run.await {
        Ok(claims) => (StatusCode::OK, no_store(), axum::Json(claims)).into_response(),
        Err(e) => {
            let value = format!(
                "Bearer error=\"{}\", error_description=\"{}\"",
                e.error,
                e.description.replace('"', "'")
            );
            let mut res = oauth_error(e);
            if let Ok(v) = HeaderValue::from_str(&value) {
                res.headers_mut().insert(header::WWW_AUTHENTICATE, v);
            }
            res
        }
    }
}

#[derive(serde::Deserialize)]
struct TokenParam {
    token: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// What introspection and revocation read: the portal, the `token` and the client's
/// credentials (`token_type_hint` is a hint only, and not needed).
fn token_request(
    id: &str,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(i64, Option<String>, Credentials), OAuthError> {
    let pid = portal_id(id)?;
    let f: TokenParam = form(headers, body)?;
    let creds = Credentials {
        basic: basic(headers)?,
        client_id: f.client_id,
        client_secret: f.client_secret,
    };
    Ok((pid, f.token, creds))
}

pub(super) async fn introspect(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let run = async {
        let (pid, token, creds) = token_request(&id, &headers, &body)?;
        resource::introspect(
            &s.cx,
            s.policy.idle_ms,
            pid,
            &creds,
            token.as_deref(),
            addr.as_deref(),
        )
        .await
    };
    json_answer(run.await)
}

pub(super) async fn revoke(
    State(s): State<AppState>,
    Path(id): Path<String>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let run = async {
        let (pid, token, creds) = token_request(&id, &headers, &body)?;
        resource::revoke(&s.cx, pid, &creds, token.as_deref(), addr.as_deref()).await
    };
    match run.await {
        Ok(()) => (StatusCode::OK, no_store()).into_response(),
        Err(e) => client_error(e),
    }
}
