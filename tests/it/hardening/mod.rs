//! The HTTP surface against a hostile client: redirects that stay valid whatever a form held,
//! query parameters with a NUL character, security headers, server timeouts and the request
//! log without link tokens.

mod cookies;
mod headers;
mod logging;
mod nul;
mod redirects;
mod timeouts;
