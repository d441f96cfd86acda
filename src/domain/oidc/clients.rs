//! A client (relying party) as an administrator registers it: its name, kind, exact redirect
//! URIs and allowed scopes. Pure rules, no I/O.

use std::collections::BTreeSet;

use crate::domain::column::string_enum;
use crate::domain::validation::{FieldErrors, Message, required_text};

pub const NAME_MAX: usize = 200;
pub const URIS_MAX: usize = 10;
pub const URI_MAX: usize = 2000;

string_enum!(
    /// `confidential`: a server-side application holding a secret. `public`: an application
    /// that cannot keep one (a browser or mobile app); it gets no secret and must use PKCE.
    ClientKind { Confidential = "confidential", Public = "public" }
);

string_enum!(
    /// What a client may ask for. `openid` is required.
    OidcScope {
        Openid = "openid",
        Email = "email",
        Profile = "profile",
        OfflineAccess = "offline_access",
    }
);

/// The algorithm a client's ID tokens and access tokens are signed with. ES256 is the default;
/// RS256 is what every OpenID Connect provider must offer (and what some client libraries
/// expect unless told otherwise).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
pub enum SigningAlg {
    #[default]
    #[serde(rename = "ES256")]
    Es256,
    #[serde(rename = "RS256")]
    Rs256,
}

impl SigningAlg {
    pub const ALL: &'static [SigningAlg] = &[SigningAlg::Es256, SigningAlg::Rs256];

    pub fn as_str(self) -> &'static str {
        match self {
            SigningAlg::Es256 => "ES256",
            SigningAlg::Rs256 => "RS256",
        }
    }

    pub fn parse(s: &str) -> Result<Self, Message> {
        match s.trim() {
            "ES256" => Ok(SigningAlg::Es256),
            "RS256" => Ok(SigningAlg::Rs256),
            _ => Err(Message::new("error-one-of").text("values", "ES256, RS256")),
        }
    }
}

crate::domain::column::status_column!(SigningAlg);

/// A client's settings as given: everything but its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettingsInput<'a> {
    pub name: &'a str,
    pub redirect_uris: &'a [String],
    pub post_logout_redirect_uris: &'a [String],
    pub backchannel_logout_uri: Option<&'a str>,
    pub scopes: &'a [OidcScope],
    pub signing_alg: SigningAlg,
}

/// A client's settings, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientSettings {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub backchannel_logout_uri: Option<String>,
    /// In the order of [`OidcScope::ALL`], each once.
    pub scopes: Vec<OidcScope>,
    pub signing_alg: SigningAlg,
}

/// Checks a client's settings; errors name the field (`redirect_uris[1]`, `scopes`). A public
/// client needs a redirect URI (the code flow is all it can do); a confidential one may have
/// none (it may only use its own credentials).
pub fn validate(
    kind: ClientKind,
    input: &ClientSettingsInput,
) -> Result<ClientSettings, FieldErrors> {
    let mut errors = FieldErrors::new();
    let name = errors.take("name", required_text(input.name, NAME_MAX));
    let redirect_uris = check_uris(&mut errors, "redirect_uris", input.redirect_uris);
    if kind == ClientKind::Public && input.redirect_uris.is_empty() {
        errors.add(
            "redirect_uris",
            Message::new("error-oidc-public-needs-redirect"),
        );
    }
    let post_logout_redirect_uris = check_uris(
        &mut errors,
        "post_logout_redirect_uris",
        input.post_logout_redirect_uris,
    );
    let backchannel_logout_uri = match input.backchannel_logout_uri {
        None => None,
        Some(uri) => errors.take("backchannel_logout_uri", check_uri(uri)),
    };
    let scopes = errors.take("scopes", check_scopes(input.scopes));
    errors.into_result()?;
    Ok(ClientSettings {
        name: name.expect("checked"),
        redirect_uris,
        post_logout_redirect_uris,
        backchannel_logout_uri,
        scopes: scopes.expect("checked"),
        signing_alg: input.signing_alg,
    })
}

fn check_uris(errors: &mut FieldErrors, field: &str, uris: &[String]) -> Vec<String> {
    if uris.len() > URIS_MAX {
        errors.add(
            field,
            Message::new("error-oidc-too-many-uris").number("max", URIS_MAX as i64),
        );
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, uri) in uris.iter().enumerate() {
        let name = format!("{field}[{i}]");
        if let Some(u) = errors.take(&name, check_uri(uri)) {
            if seen.insert(u.clone()) {
                out.push(u);
            } else {
                errors.add(&name, Message::new("error-listed-twice"));
            }
        }
    }
    out
}

/// An absolute `https` URI, or `http` on the own machine (`localhost`, `127.0.0.1`) for
/// development; compared exactly, so no wildcard and no fragment. Kept as given.
pub fn check_uri(uri: &str) -> Result<String, Message> {
    if uri.is_empty() {
        return Err(Message::new("error-required"));
    }
    if uri.chars().count() > URI_MAX {
        return Err(Message::new("error-too-long").number("max", URI_MAX as i64));
    }
    if uri
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
    {
        return Err(Message::new("error-uri-spaces"));
    }
    if uri.contains('#') {
        return Err(Message::new("error-uri-fragment"));
    }
    if uri.contains('*') {
        return Err(Message::new("error-uri-wildcard"));
    }
    let (https, rest) = if let Some(rest) = uri.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = uri.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(Message::new("error-uri-absolute"));
    };
    let authority = rest.split(['/', '?']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err(Message::new("error-uri-user"));
    }
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && !host.starts_with(['.', '-'])
        && !host.ends_with('-')
        && !host.contains("..")
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if !host_ok {
        return Err(Message::new("error-uri-host"));
    }
    if let Some(port) = port
        && !(port.len() <= 5
            && port.chars().all(|c| c.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p)))
    {
        return Err(Message::new("error-uri-port"));
    }
    if !https && !matches!(host, "localhost" | "127.0.0.1") {
        return Err(Message::new("error-uri-https"));
    }
    Ok(uri.to_string())
}

/// The scopes, each once, from the allowed set, with `openid`; in their canonical order.
pub fn check_scopes(scopes: &[OidcScope]) -> Result<Vec<OidcScope>, Message> {
    let mut seen = BTreeSet::new();
    for s in scopes {
        if !seen.insert(s.as_str()) {
            return Err(Message::new("error-scope-twice").text("scope", s.as_str()));
        }
    }
    if !scopes.contains(&OidcScope::Openid) {
        return Err(Message::new("error-scope-openid"));
    }
    Ok(OidcScope::ALL
        .iter()
        .copied()
        .filter(|s| scopes.contains(s))
        .collect())
}

/// The scopes as stored: their OAuth form, space-separated.
pub fn scopes_text(scopes: &[OidcScope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The stored scopes read back; a word that names no scope is skipped.
pub fn parse_scopes(text: &str) -> Vec<OidcScope> {
    text.split_whitespace()
        .filter_map(|w| OidcScope::parse(w).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings<'a>(redirect: &'a [String], scopes: &'a [OidcScope]) -> ClientSettingsInput<'a> {
        ClientSettingsInput {
            name: "Invoices",
            redirect_uris: redirect,
            post_logout_redirect_uris: &[],
            backchannel_logout_uri: None,
            scopes,
            signing_alg: SigningAlg::Es256,
        }
    }

    #[test]
    fn redirect_uris_are_absolute_exact_and_https_but_on_loopback() {
        for ok in [
            "https://app.example.com/callback",
            "https://app.example.com:8443/cb?x=1",
            "http://localhost/cb",
            "http://localhost:3000/cb",
            "http://127.0.0.1:8080/callback",
            "https://a-b.example",
        ] {
            assert_eq!(check_uri(ok), Ok(ok.to_string()), "{ok}");
        }
        for (bad, why) in [
            ("", "is required"),
            ("/callback", "absolute"),
            ("app.example.com/cb", "absolute"),
            ("ftp://app.example.com/cb", "absolute"),
            ("javascript:alert(1)", "absolute"),
            ("http://app.example.com/cb", "https"),
            ("http://localhost.example.com/cb", "https"),
            ("http://127.0.0.2/cb", "https"),
            ("https://app.example.com/cb#top", "fragment"),
            ("https://*.example.com/cb", "wildcard"),
            ("https://app.example.com/*", "wildcard"),
            ("https://user:pw@app.example.com/cb", "user name"),
            ("https:///cb", "host"),
            ("https://app..example.com/", "host"),
            ("https://app.example.com:0/", "port"),
            ("https://app.example.com:99999/", "port"),
            ("https://app.example.com:x/", "port"),
            ("https://app.example.com/a b", "spaces"),
            ("https://app.example.com/\\cb", "backslash"),
            ("HTTPS://app.example.com/cb", "absolute"),
        ] {
            let err = check_uri(bad).expect_err(bad).english();
            assert!(err.contains(why), "{bad}: {err}");
        }
        let long = format!("https://app.example.com/{}", "a".repeat(URI_MAX));
        assert!(check_uri(&long).unwrap_err().english().contains("at most"));
    }

    #[test]
    fn lists_are_limited_and_errors_name_the_entry() {
        let scopes = [OidcScope::Openid];
        let eleven: Vec<String> = (0..11)
            .map(|i| format!("https://app.example.com/cb{i}"))
            .collect();
        let err = validate(ClientKind::Confidential, &settings(&eleven, &scopes)).unwrap_err();
        assert_eq!(err.get("redirect_uris"), Some("at most 10 URIs"));
        let ten = &eleven[..10];
        assert!(validate(ClientKind::Confidential, &settings(ten, &scopes)).is_ok());

        let twice = vec![
            "https://app.example.com/cb".to_string(),
            "http://evil.example.com/cb".to_string(),
            "https://app.example.com/cb".to_string(),
        ];
        let err = validate(ClientKind::Public, &settings(&twice, &scopes)).unwrap_err();
        assert!(err.get("redirect_uris[1]").unwrap().contains("https"));
        assert_eq!(err.get("redirect_uris[2]"), Some("is listed twice"));

        let err = validate(ClientKind::Public, &settings(&[], &scopes)).unwrap_err();
        assert!(err.get("redirect_uris").unwrap().contains("public client"));
        assert!(validate(ClientKind::Confidential, &settings(&[], &scopes)).is_ok());

        let mut input = settings(ten, &scopes);
        input.post_logout_redirect_uris = &eleven;
        input.backchannel_logout_uri = Some("https://app.example.com/logout#x");
        input.name = " ";
        let err = validate(ClientKind::Confidential, &input).unwrap_err();
        assert_eq!(
            err.get("post_logout_redirect_uris"),
            Some("at most 10 URIs")
        );
        assert!(
            err.get("backchannel_logout_uri")
                .unwrap()
                .contains("fragment")
        );
        assert_eq!(err.get("name"), Some("is required"));
    }

    #[test]
    fn names_have_one_to_two_hundred_characters() {
        let scopes = [OidcScope::Openid];
        let mut input = settings(&[], &scopes);
        let longest = "ä".repeat(NAME_MAX);
        input.name = &longest;
        assert_eq!(
            validate(ClientKind::Confidential, &input).unwrap().name,
            longest
        );
        let too_long = "ä".repeat(NAME_MAX + 1);
        input.name = &too_long;
        let err = validate(ClientKind::Confidential, &input).unwrap_err();
        assert!(err.get("name").is_some());
    }

    #[test]
    fn scopes_include_openid_each_once_in_their_order() {
        use OidcScope::*;
        assert_eq!(
            check_scopes(&[OfflineAccess, Email, Openid]),
            Ok(vec![Openid, Email, OfflineAccess])
        );
        assert_eq!(
            check_scopes(&[Email, Profile]).unwrap_err().english(),
            "must include `openid`"
        );
        assert_eq!(
            check_scopes(&[Openid, Email, Email]).unwrap_err().english(),
            "`email` is listed twice"
        );
        let all = check_scopes(OidcScope::ALL).unwrap();
        assert_eq!(scopes_text(&all), "openid email profile offline_access");
        assert_eq!(parse_scopes(&scopes_text(&all)), all);
        assert!(
            OidcScope::parse("address")
                .unwrap_err()
                .english()
                .contains("must be one of")
        );
    }
}
