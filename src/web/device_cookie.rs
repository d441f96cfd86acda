//! The device cookie: set at a successful login on the console or a portal page, it marks the
//! browser as one that logged in as that address, which exempts it from the address-wide
//! lock that strangers' guesses can set off (see `usecases::limits`). One cookie for the
//! whole site; the database holds only its hash, with the addresses it logged in as.

use axum::http::HeaderMap;

use crate::usecases::limits::DEVICE_DAYS;
use crate::web::AppState;
use crate::web::cookies;

pub const DEVICE_COOKIE: &str = "admit_device";

/// The browser's device cookie, if it sent one.
pub fn device(headers: &HeaderMap) -> Option<&str> {
    cookies::cookie(headers, DEVICE_COOKIE)
}

/// The `Set-Cookie` value that keeps `value` for [`DEVICE_DAYS`].
pub fn set_device(state: &AppState, value: &str) -> String {
    cookies::set_cookie(state, "/", DEVICE_COOKIE, value, Some(DEVICE_DAYS * 86_400))
}
