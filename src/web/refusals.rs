//! Refused requests in the audit log, with the client's address: authorization refusals
//! (403 from the API and the console), CSRF refusals (tagged by whoever refuses), and unknown
//! or revoked API keys (401 to a request that sent one). Each kind is audited once per client
//! in a window (see `usecases::limits::refused`).

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::usecases::limits;
use crate::web::{AppState, ClientAddr};

/// Put in a response's extensions by a CSRF check that refused it.
#[derive(Debug, Clone, Copy)]
pub struct CsrfRefused;

/// `res`, marked as a CSRF refusal.
pub fn csrf_refused(mut res: Response) -> Response {
    res.extensions_mut().insert(CsrfRefused);
    res
}

pub async fn audit(
    State(s): State<AppState>,
    ClientAddr(addr): ClientAddr,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let what = format!(
        "{} {}",
        req.method(),
        path.chars().take(200).collect::<String>()
    );
    let key_prefix = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|k| crate::security::tokens::api_key_prefix(k.trim()));
    let res = next.run(req).await;
    let action = match res.status() {
        StatusCode::FORBIDDEN if res.extensions().get::<CsrfRefused>().is_some() => {
            "security.csrf_refused"
        }
        StatusCode::FORBIDDEN if path.starts_with("/api/") || path.starts_with("/console") => {
            "security.forbidden"
        }
        StatusCode::UNAUTHORIZED if path.starts_with("/api/") && key_prefix.is_some() => {
            "security.unknown_api_key"
        }
        _ => return res,
    };
    let who = key_prefix.as_deref().filter(|_| path.starts_with("/api/"));
    if let Err(e) = limits::refused(&s.cx, action, addr.as_deref(), &what, who).await {
        tracing::warn!(error = %e, "a refused request could not be audited");
    }
    res
}
