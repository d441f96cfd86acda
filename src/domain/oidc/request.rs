//! An authorization request as an application sends it (OpenID Connect Core 3.1.2.1), checked in
//! the order the specification asks: first what decides whether the browser may be sent back to
//! the application at all (the client and its exact redirect URI), then everything else, whose
//! errors go back to the application. Pure rules, no I/O.

use sha2::{Digest, Sha256};

use super::clients::OidcScope;

/// The longest `state` and `nonce` kept (they come back unchanged).
pub const VALUE_MAX: usize = 1024;

/// The parameters of `/authorize`, as given (all optional: a missing one is an error below).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct AuthorizeParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub scope: Option<String>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub prompt: Option<String>,
    pub max_age: Option<String>,
    pub login_hint: Option<String>,
    pub ui_locales: Option<String>,
    pub response_mode: Option<String>,
    pub request: Option<String>,
    pub request_uri: Option<String>,
}

/// An error the application is told about at its redirect URI (RFC 6749 4.1.2.1, OpenID
/// Connect Core 3.1.2.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectError {
    pub error: &'static str,
    pub description: String,
}

fn refuse(error: &'static str, description: impl Into<String>) -> RedirectError {
    RedirectError {
        error,
        description: description.into(),
    }
}

/// What `prompt` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prompt {
    /// Reuse a portal session when there is one, else show the login page.
    Default,
    /// Always show the login page, even with a portal session.
    Login,
    /// Never show a page: answer `login_required` when there is no usable session.
    None,
}

/// A checked authorization request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    pub scopes: Vec<OidcScope>,
    pub state: Option<String>,
    pub nonce: Option<String>,
    pub code_challenge: Option<String>,
    pub prompt: Prompt,
    /// Seconds: the person must have logged in within this time.
    pub max_age: Option<i64>,
    pub login_hint: Option<String>,
    /// The first of `ui_locales` that the portal pages speak (`en`, `de`).
    pub ui_locale: Option<&'static str>,
}

/// Checks everything after the client and redirect URI. `allowed` are the client's scopes;
/// `pkce_required` for public clients.
pub fn check(
    p: &AuthorizeParams,
    allowed: &[OidcScope],
    pkce_required: bool,
) -> Result<AuthorizeRequest, RedirectError> {
    if p.request.is_some() {
        return Err(refuse(
            "request_not_supported",
            "request objects are not supported",
        ));
    }
    if p.request_uri.is_some() {
        return Err(refuse(
            "request_uri_not_supported",
            "request_uri is not supported",
        ));
    }
    match p.response_type.as_deref() {
        Some("code") => {}
        None | Some("") => return Err(refuse("invalid_request", "response_type is required")),
        Some(_) => {
            return Err(refuse(
                "unsupported_response_type",
                "only response_type=code is supported",
            ));
        }
    }
    if let Some(mode) = p.response_mode.as_deref()
        && mode != "query"
    {
        return Err(refuse(
            "invalid_request",
            "only response_mode=query is supported",
        ));
    }
    let scopes = scopes(p.scope.as_deref().unwrap_or(""), allowed)?;
    let state = bounded(p.state.as_deref(), "state")?;
    let nonce = bounded(p.nonce.as_deref(), "nonce")?;
    let code_challenge = match (
        p.code_challenge.as_deref(),
        p.code_challenge_method.as_deref(),
    ) {
        (None, None) if pkce_required => {
            return Err(refuse(
                "invalid_request",
                "this client must use PKCE: code_challenge with code_challenge_method=S256",
            ));
        }
        (None, None) => None,
        (None, Some(_)) => {
            return Err(refuse("invalid_request", "code_challenge is missing"));
        }
        (Some(c), Some("S256")) if verifier_shaped(c) && c.len() == 43 => Some(c.to_string()),
        (Some(_), Some("S256")) => {
            return Err(refuse(
                "invalid_request",
                "code_challenge must be the 43-character base64url SHA-256 of the verifier",
            ));
        }
        (Some(_), _) => {
            return Err(refuse(
                "invalid_request",
                "code_challenge_method must be S256",
            ));
        }
    };
    let prompt = prompt(p.prompt.as_deref().unwrap_or(""))?;
    let max_age = match p.max_age.as_deref() {
        None | Some("") => None,
        Some(v) => Some(
            v.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| refuse("invalid_request", "max_age must be a number of seconds"))?,
        ),
    };
    let login_hint = p
        .login_hint
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty() && h.len() <= 254 && !h.chars().any(char::is_control))
        .map(str::to_string);
    let ui_locale = p.ui_locales.as_deref().and_then(|l| {
        l.split_whitespace()
            .filter_map(|tag| match tag.split('-').next() {
                Some(t) if t.eq_ignore_ascii_case("de") => Some("de"),
                Some(t) if t.eq_ignore_ascii_case("en") => Some("en"),
                _ => None,
            })
            .next()
    });
    Ok(AuthorizeRequest {
        scopes,
        state,
        nonce,
        code_challenge,
        prompt,
        max_age,
        login_hint,
        ui_locale,
    })
}

fn bounded(value: Option<&str>, name: &str) -> Result<Option<String>, RedirectError> {
    match value {
        None | Some("") => Ok(None),
        Some(v) if v.len() > VALUE_MAX => Err(refuse(
            "invalid_request",
            format!("{name} is longer than {VALUE_MAX} characters"),
        )),
        Some(v) => Ok(Some(v.to_string())),
    }
}

/// The scopes asked for: `openid` is required; each must be one the client may ask for.
pub fn scopes(text: &str, allowed: &[OidcScope]) -> Result<Vec<OidcScope>, RedirectError> {
    let mut asked = Vec::new();
    for word in text.split_whitespace() {
        let Ok(scope) = OidcScope::parse(word) else {
            return Err(refuse(
                "invalid_scope",
                format!(
                    "unknown scope `{}`",
                    word.chars().take(40).collect::<String>()
                ),
            ));
        };
        if !allowed.contains(&scope) {
            return Err(refuse(
                "invalid_scope",
                format!("this client may not ask for `{scope}`"),
            ));
        }
        if !asked.contains(&scope) {
            asked.push(scope);
        }
    }
    if !asked.contains(&OidcScope::Openid) {
        return Err(refuse("invalid_scope", "scope must include openid"));
    }
    Ok(OidcScope::ALL
        .iter()
        .copied()
        .filter(|s| asked.contains(s))
        .collect())
}

fn prompt(text: &str) -> Result<Prompt, RedirectError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.contains(&"none") {
        return if words.len() == 1 {
            Ok(Prompt::None)
        } else {
            Err(refuse(
                "invalid_request",
                "prompt=none cannot be combined with other values",
            ))
        };
    }
    for w in &words {
        if !matches!(*w, "login" | "consent" | "select_account") {
            return Err(refuse(
                "invalid_request",
                format!(
                    "unknown prompt `{}`",
                    w.chars().take(40).collect::<String>()
                ),
            ));
        }
    }
    // There is no consent screen (every client is the operator's own) and one account per
    // portal session: `consent` needs nothing, `select_account` is a new login.
    if words
        .iter()
        .any(|w| *w == "login" || *w == "select_account")
    {
        Ok(Prompt::Login)
    } else {
        Ok(Prompt::Default)
    }
}

/// 43 to 128 characters of the unreserved set (RFC 7636 4.1).
pub fn verifier_shaped(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// Whether `verifier` is the one `challenge` was made from (S256).
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    verifier_shaped(verifier)
        && crate::security::tokens::constant_time_eq(&s256(verifier), challenge)
}

/// The S256 code challenge of a verifier: base64url (no padding) of its SHA-256.
pub fn s256(verifier: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &[OidcScope] = OidcScope::ALL;

    fn params() -> AuthorizeParams {
        AuthorizeParams {
            response_type: Some("code".into()),
            scope: Some("openid email".into()),
            code_challenge: Some(s256(&"v".repeat(43))),
            code_challenge_method: Some("S256".into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_rfc_7636_example_verifier_gives_its_challenge() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!pkce_matches(
            "short",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn a_good_request_is_read_in_full() {
        let mut p = params();
        p.prompt = Some("login".into());
        p.max_age = Some("300".into());
        p.ui_locales = Some("fr de-DE en".into());
        p.state = Some("s".into());
        let r = check(&p, ALL, true).unwrap();
        assert_eq!(r.scopes, vec![OidcScope::Openid, OidcScope::Email]);
        assert_eq!(r.prompt, Prompt::Login);
        assert_eq!(r.max_age, Some(300));
        assert_eq!(r.ui_locale, Some("de"));
        assert_eq!(r.state.as_deref(), Some("s"));
    }

    #[test]
    fn each_refusal_names_the_error_of_the_specification() {
        type Change = fn(&mut AuthorizeParams);
        let cases: Vec<(Change, &str)> = vec![
            (
                |p| p.response_type = Some("token".into()),
                "unsupported_response_type",
            ),
            (|p| p.response_type = None, "invalid_request"),
            (|p| p.scope = Some("email".into()), "invalid_scope"),
            (|p| p.scope = Some("openid admin".into()), "invalid_scope"),
            (
                |p| p.code_challenge_method = Some("plain".into()),
                "invalid_request",
            ),
            (
                |p| p.code_challenge = Some("short".into()),
                "invalid_request",
            ),
            (
                |p| {
                    p.code_challenge = None;
                    p.code_challenge_method = None;
                },
                "invalid_request",
            ),
            (|p| p.prompt = Some("none login".into()), "invalid_request"),
            (|p| p.max_age = Some("-1".into()), "invalid_request"),
            (|p| p.request = Some("x".into()), "request_not_supported"),
            (
                |p| p.response_mode = Some("fragment".into()),
                "invalid_request",
            ),
            (
                |p| p.state = Some("s".repeat(VALUE_MAX + 1)),
                "invalid_request",
            ),
        ];
        for (change, error) in cases {
            let mut p = params();
            change(&mut p);
            assert_eq!(check(&p, ALL, true).unwrap_err().error, error, "{p:?}");
        }
    }

    #[test]
    fn pkce_is_optional_for_confidential_clients_only() {
        let mut p = params();
        p.code_challenge = None;
        p.code_challenge_method = None;
        assert!(check(&p, ALL, false).unwrap().code_challenge.is_none());
        assert!(check(&p, ALL, true).is_err());
    }

    #[test]
    fn a_scope_the_client_may_not_ask_for_is_refused() {
        let mut p = params();
        p.scope = Some("openid offline_access".into());
        let allowed = [OidcScope::Openid, OidcScope::Email];
        assert_eq!(
            check(&p, &allowed, true).unwrap_err().error,
            "invalid_scope"
        );
    }
}
