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

/// With secure cookies, every cookie carries the `__Host-` prefix: the browser keeps it only
/// when it came over https, with `Secure`, `Path=/` and no `Domain`, so no other host and no
/// plain-http answer can plant or overwrite one. A portal's cookies, otherwise scoped to
/// `/portal/{id}/`, carry the portal's id in their name (`__Host-admit_portal-3`).
///
/// This layer translates at the edge: a request's `__Host-` cookies reach the handlers under
/// their plain names (a portal's only on that portal's pages), cookies without the prefix are
/// dropped, and each `Set-Cookie` of an answer is given the prefix and `Path=/`.
pub async fn host_prefixed(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let portal = portal_of(req.uri().path());
    let kept: Vec<String> = req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            let name = name.strip_prefix(HOST_PREFIX)?;
            let plain = match name.rsplit_once('-') {
                Some((plain, id)) if id.bytes().all(|b| b.is_ascii_digit()) => {
                    (Some(id) == portal.as_deref()).then_some(plain)?
                }
                _ => name,
            };
            Some(format!("{plain}={value}"))
        })
        .collect();
    let headers = req.headers_mut();
    headers.remove(header::COOKIE);
    if !kept.is_empty()
        && let Ok(v) = kept.join("; ").parse()
    {
        headers.insert(header::COOKIE, v);
    }
    let mut res = next.run(req).await;
    let set: Vec<_> = res
        .headers_mut()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(host_cookie))
        .collect();
    res.headers_mut().remove(header::SET_COOKIE);
    for c in set {
        if let Ok(v) = c.parse() {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

const HOST_PREFIX: &str = "__Host-";

/// The portal id of a portal page's path.
fn portal_of(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/portal/")?;
    let id = rest.split('/').next()?;
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())).then(|| id.to_string())
}

/// A `Set-Cookie` value made by [`set_cookie`], as a `__Host-` cookie.
fn host_cookie(set: &str) -> String {
    let mut parts = set.split(';').map(str::trim);
    let first = parts.next().unwrap_or("");
    let (name, value) = first.split_once('=').unwrap_or((first, ""));
    let mut attrs: Vec<&str> = Vec::new();
    let mut portal = None;
    for a in parts {
        match a.split_once('=') {
            Some((k, v)) if k.eq_ignore_ascii_case("path") => portal = portal_of(v),
            Some((k, _)) if k.eq_ignore_ascii_case("domain") => {}
            _ if a.eq_ignore_ascii_case("secure") => {}
            _ => attrs.push(a),
        }
    }
    let name = match portal {
        Some(id) => format!("{HOST_PREFIX}{name}-{id}"),
        None => format!("{HOST_PREFIX}{name}"),
    };
    let mut out = format!("{name}={value}; Path=/");
    for a in attrs {
        out.push_str("; ");
        out.push_str(a);
    }
    out.push_str("; Secure");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_become_host_cookies_with_the_portal_in_the_name() {
        assert_eq!(
            host_cookie(
                "admit_console=abc; Path=/console; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
            ),
            "__Host-admit_console=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        assert_eq!(
            host_cookie("admit_portal=x; Path=/portal/12/; HttpOnly; SameSite=Lax; Secure"),
            "__Host-admit_portal-12=x; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(portal_of("/portal/12/account").as_deref(), Some("12"));
        assert_eq!(portal_of("/console/portals/12"), None);
    }
}
