//! Cookies of the console and the portal pages: reading one from a request, and the
//! `Set-Cookie` value of one (HttpOnly, SameSite=Lax, `Secure` when configured).

use axum::http::{HeaderMap, header};

use crate::web::AppState;

/// Reads a cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value for the pages under `path`; without `max_age`, a session cookie.
pub fn set_cookie(
    state: &AppState,
    path: &str,
    name: &str,
    value: &str,
    max_age: Option<i64>,
) -> String {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if state.config.secure_cookies() {
        c.push_str("; Secure");
    }
    c
}
