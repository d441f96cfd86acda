//! The request log: one span per request with its method and address, where link tokens are
//! replaced by `[redacted]` (a `token` query parameter, a token in the path such as
//! `/unsubscribe/{token}`), so that no log line, at any level, holds a working link.

use axum::extract::Request;
use axum::http::Uri;
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::trace::{DefaultOnFailure, DefaultOnRequest, DefaultOnResponse, TraceLayer};
use tracing::{Level, Span};

/// The tracing layer of the router.
pub fn layer() -> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, fn(&Request) -> Span> {
    TraceLayer::new_for_http()
        .make_span_with(request_span as fn(&Request) -> Span)
        .on_request(DefaultOnRequest::new().level(Level::DEBUG))
        .on_response(DefaultOnResponse::new().level(Level::DEBUG))
        .on_failure(DefaultOnFailure::new().level(Level::ERROR))
}

fn request_span(req: &Request) -> Span {
    tracing::debug_span!(
        "request",
        method = %req.method(),
        uri = %redacted(req.uri()),
        version = ?req.version(),
    )
}

/// The path and query of `uri`, without link tokens.
pub fn redacted(uri: &Uri) -> String {
    let path = uri
        .path()
        .split('/')
        .map(|segment| {
            if is_token(segment) {
                "[redacted]"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let Some(query) = uri.query() else {
        return path;
    };
    let query = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.to_ascii_lowercase().contains("token") => {
                format!("{key}=[redacted]")
            }
            _ if is_token(pair) => "[redacted]".to_string(),
            _ => pair.to_string(),
        })
        .collect::<Vec<_>>()
        .join("&");
    format!("{path}?{query}")
}

/// A link token (64 hex digits) or anything as long and as random-looking: 32 or more hex
/// digits in a row.
fn is_token(s: &str) -> bool {
    let mut run = 0;
    for b in s.bytes() {
        run = if b.is_ascii_hexdigit() { run + 1 } else { 0 };
        if run >= 32 {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_redacted_in_path_and_query() {
        let t = "ab".repeat(32);
        let uri: Uri = format!("/portal/3/accept?token={t}&lang=de")
            .parse()
            .unwrap();
        assert_eq!(redacted(&uri), "/portal/3/accept?token=[redacted]&lang=de");
        let uri: Uri = format!("/unsubscribe/{t}").parse().unwrap();
        assert_eq!(redacted(&uri), "/unsubscribe/[redacted]");
        let uri: Uri = "/console/contacts?q=erika&after=0a".parse().unwrap();
        assert_eq!(redacted(&uri), "/console/contacts?q=erika&after=0a");
        let uri: Uri = format!("/portal/3/password?Token={t}").parse().unwrap();
        assert_eq!(redacted(&uri), "/portal/3/password?Token=[redacted]");
    }
}
