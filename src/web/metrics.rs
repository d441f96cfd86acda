//! `/metrics` in Prometheus' text format: on the main address to a request that carries the
//! bearer token `metrics_token`, or on `metrics_listen`, an address of its own, to anyone who
//! reaches it. And the layer that counts every request by its route template.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::AppState;
use crate::metrics::Metrics;
use crate::security::tokens::constant_time_eq;
use crate::usecases::{Ctx, metrics};

/// Counts the request under its route's template (`/api/v1/accounts/{id}`), never its path.
pub async fn count(metrics: Arc<Metrics>, req: Request, next: Next) -> Response {
    let route = req.extensions().get::<MatchedPath>().cloned();
    let started = Instant::now();
    let res = next.run(req).await;
    metrics.request(
        route.as_ref().map(MatchedPath::as_str),
        res.status().as_u16(),
        started.elapsed(),
    );
    res
}

/// `/metrics` on the main address: 404 without `metrics_token`, 401 without that token.
pub async fn with_token(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let Some(token) = state.config.metrics_token.as_deref() else {
        return super::api::not_found(uri).await;
    };
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !constant_time_eq(sent, token) {
        let mut res = super::error::plain(
            StatusCode::UNAUTHORIZED,
            "/metrics needs the bearer token metrics_token.",
        );
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"metrics\""),
        );
        return res;
    }
    scrape(&state.cx).await
}

/// The router of `metrics_listen`: `/metrics` only, without a token.
pub fn own_router(cx: Ctx) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(cx): State<Ctx>| async move { scrape(&cx).await }),
        )
        .with_state(cx)
}

async fn scrape(cx: &Ctx) -> Response {
    match metrics::scrape(cx).await {
        Ok(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "reading the figures for /metrics failed");
            super::error::plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "The figures could not be read.",
            )
        }
    }
}
