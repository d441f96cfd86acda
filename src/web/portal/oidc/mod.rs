//! Each portal as an OpenID Connect provider: its discovery document and keys, the pages a
//! person passes through (authorization, its return from the login page, logout) and the
//! endpoints applications call (token, userinfo, introspection, revocation). The issuer is
//! `{public_url}/portal/{id}`.

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::usecases::oidc::{OAuthError, issuer, keys};
use crate::web::AppState;

mod authorize;
mod endpoints;
mod logout;
mod onward;

pub use authorize::after_login;
pub use onward::{Done, onward};

/// The cookie that holds an application's waiting request while the person logs in.
pub const REQUEST_COOKIE: &str = "admit_oidc";

pub fn router() -> Router<AppState> {
    let machines = Router::new()
        .route(
            "/portal/{id}/.well-known/openid-configuration",
            get(discovery),
        )
        .route("/portal/{id}/oidc/jwks", get(jwks))
        .route(
            "/portal/{id}/oidc/token",
            axum::routing::post(endpoints::token),
        )
        .route(
            "/portal/{id}/oidc/userinfo",
            get(endpoints::userinfo).post(endpoints::userinfo),
        )
        .route(
            "/portal/{id}/oidc/introspect",
            axum::routing::post(endpoints::introspect),
        )
        .route(
            "/portal/{id}/oidc/revoke",
            axum::routing::post(endpoints::revoke),
        )
        .layer(middleware::from_fn(cors));
    Router::new()
        .route(
            "/portal/{id}/oidc/authorize",
            get(authorize::authorize_get).post(authorize::authorize_post),
        )
        .route("/portal/{id}/oidc/resume", get(authorize::resume))
        .route(
            "/portal/{id}/oidc/logout",
            get(logout::logout_get).post(logout::logout_post),
        )
        .merge(machines)
}

/// Applications in a browser (public clients) call these endpoints from their own origin;
/// none of them reads a cookie, so any origin may.
async fn cors(req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        return (
            StatusCode::NO_CONTENT,
            [
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                (header::ACCESS_CONTROL_ALLOW_METHODS, "GET, POST"),
                (
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    "Authorization, Content-Type",
                ),
                (header::ACCESS_CONTROL_MAX_AGE, "600"),
            ],
        )
            .into_response();
    }
    let mut res = next.run(req).await;
    res.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    res
}

/// The portal id of the path, when it names a portal that exists.
async fn portal_of(s: &AppState, id: &str) -> Option<i64> {
    let id: i64 = id.parse().ok()?;
    crate::usecases::directory::get_portal(&s.cx, id)
        .await
        .ok()
        .map(|p| p.id)
}

/// An OAuth error as JSON (RFC 6749 5.2), never cached.
pub fn oauth_error(e: OAuthError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({ "error": e.error, "error_description": e.description });
    let mut res = (status, no_store(), axum::Json(body)).into_response();
    if let Some(s) = e.retry_after
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

pub fn no_store() -> [(header::HeaderName, &'static str); 2] {
    [
        (header::CACHE_CONTROL, "no-store"),
        (header::PRAGMA, "no-cache"),
    ]
}

fn unknown_portal() -> Response {
    oauth_error(OAuthError::new(404, "not_found", "there is no such portal"))
}

/// The discovery document (OpenID Connect Discovery 1.0, section 3).
async fn discovery(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    let Some(pid) = portal_of(&s, &id).await else {
        return unknown_portal();
    };
    let iss = issuer(&s.cx, pid);
    let doc = json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/oidc/authorize"),
        "token_endpoint": format!("{iss}/oidc/token"),
        "userinfo_endpoint": format!("{iss}/oidc/userinfo"),
        "jwks_uri": format!("{iss}/oidc/jwks"),
        "introspection_endpoint": format!("{iss}/oidc/introspect"),
        "revocation_endpoint": format!("{iss}/oidc/revoke"),
        "end_session_endpoint": format!("{iss}/oidc/logout"),
        "scopes_supported": ["openid", "email", "profile", "offline_access"],
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256", "RS256"],
        "userinfo_signing_alg_values_supported": [],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid",
            "email", "email_verified", "name", "locale", "zoneinfo", "admit"],
        "prompt_values_supported": ["none", "login", "consent", "select_account"],
        "ui_locales_supported": ["en", "de"],
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
        "authorization_response_iss_parameter_supported": true,
        "backchannel_logout_supported": true,
        "backchannel_logout_session_supported": true,
        "frontchannel_logout_supported": false,
    });
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        axum::Json(doc),
    )
        .into_response()
}

/// The public keys tokens are signed with: the current ones and, after a rotation, the
/// previous ones until their tokens have expired.
async fn jwks(State(s): State<AppState>, Path(id): Path<String>) -> Response {
    if portal_of(&s, &id).await.is_none() {
        return unknown_portal();
    }
    match keys::jwks(&s.cx).await {
        Ok(set) => (
            [(header::CACHE_CONTROL, "public, max-age=300")],
            axum::Json(set),
        )
            .into_response(),
        Err(e) => oauth_error(e.into()),
    }
}
