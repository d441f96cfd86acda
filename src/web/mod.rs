//! The surfaces: the staff console (`/console`), the JSON API (`/api/v1`), health checks.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::config::Config;
use crate::usecases::Ctx;
use crate::usecases::staff::SessionPolicy;

pub mod api;
pub mod console;
pub mod cookies;
pub mod csv;
pub mod device_cookie;
pub mod error;
pub mod forms;
pub mod log;
pub mod metrics;
pub mod notifications;
pub mod page;
pub mod picker;
pub mod portal;
pub mod query;
pub mod refusals;
pub mod serve;
pub mod too_large;

/// Everything a request handler needs, behind one pointer: axum clones the state for every
/// extractor of every request, and a clone of the parts themselves (the context's counted
/// references, the mailer's and the proxies' heap data) cost a tenth of the processor of a
/// refresh grant.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The parts of [`AppState`].
pub struct Shared {
    pub cx: Ctx,
    pub config: Arc<Config>,
    pub policy: SessionPolicy,
    pub mailer: crate::mail::Mailer,
    /// The reverse proxies whose `X-Forwarded-For` is believed.
    pub proxies: crate::security::proxies::TrustedProxies,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Largest request body: 1 MiB.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Longest URI (path and query): 8 KiB.
pub const URI_LIMIT: usize = 8 * 1024;

pub fn router(state: AppState) -> Router {
    let request_timeout = Duration::from_secs(state.config.request_timeout_seconds);
    let hsts = state.config.public_url().starts_with("https://");
    let host_cookies = state.config.secure_cookies();
    let figures = state.cx.metrics.clone();
    let reader = state.clone();
    Router::new()
        .route(
            "/",
            get(|| async { axum::response::Redirect::to("/console") }),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::with_token))
        .merge(api::router())
        .merge(console::router(&state))
        .merge(portal::router(&state))
        .merge(portal::oidc::router())
        // Outside the CSRF layers: a mail client's one-click unsubscribe has no cookies.
        .merge(portal::unsubscribe::router())
        .fallback(api::not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refusals::audit,
        ))
        .with_state(state)
        .merge(api::docs())
        // The layers below serve every page, the API documentation included.
        .layer(middleware::from_fn(limit_uri))
        .layer(middleware::from_fn(move |req, next: Next| async move {
            if host_cookies {
                cookies::host_prefixed(req, next).await
            } else {
                next.run(req).await
            }
        }))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            reader,
            too_large::in_their_language,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .layer(log::layer())
        .layer(CatchPanicLayer::custom(|_| {
            error::plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong on our side.",
            )
        }))
        // Outermost: every answer carries them, a timeout's and a crash's too.
        .layer(middleware::from_fn(move |req, next| {
            security_headers(hsts, req, next)
        }))
        // Around everything, to count every answer under its route's template.
        .layer(middleware::from_fn(move |req, next| {
            metrics::count(figures.clone(), req, next)
        }))
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> Response {
    let ping = tokio::time::timeout(Duration::from_secs(3), state.cx.db.ping()).await;
    if matches!(ping, Ok(true)) {
        "ready".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
    }
}

async fn limit_uri(req: Request, next: Next) -> Response {
    if req.uri().to_string().len() > URI_LIMIT {
        return error::plain(StatusCode::URI_TOO_LONG, "The address is too long.");
    }
    next.run(req).await
}

/// What a page may load: scripts and styles from Admit only (no inline script; inline style
/// attributes and the preview of a mail template's HTML need inline styles), images also as
/// `data:` and over https (a logo in a mail template's preview), no plugins, no `<base>`, no
/// framing, forms posted to Admit only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// HTTP Strict Transport Security when `public_url` is https: one year.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

async fn security_headers(hsts: bool, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    if hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.entry("x-frame-options")
        .or_insert(HeaderValue::from_static("DENY"));
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    res
}

/// The client's address: the peer, or behind a trusted proxy the right-most
/// `X-Forwarded-For` entry that is not a trusted proxy (see `security::proxies`).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub Option<String>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Ok(ClientAddr(None));
        };
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok());
        let client = state.proxies.client(peer.ip(), forwarded);
        Ok(ClientAddr(Some(client.to_string())))
    }
}
