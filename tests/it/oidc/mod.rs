//! The OpenID Connect provider, driven over HTTP as an application and a browser would: the
//! code flow through the portal's own login page, tokens, refresh, userinfo, introspection,
//! revocation, logout, the decision API with a client's own token, and every refusal.
//! (`tests/browser/oidc.test.mjs` drives the same with the certified `openid-client` library.)

use crate::common::{self, Browser, PASSWORD, TestApp};
use admit::domain::oidc::request::s256;
use reqwest::StatusCode;
use serde_json::{Value, json};

mod flow;
mod kept_clients;
mod refresh;
mod refusals;

pub const VERIFIER: &str = "a-verifier-of-forty-three-characters-or-more-0123456789";
pub const REDIRECT: &str = "http://127.0.0.1:9/callback";
pub const AFTER_LOGOUT: &str = "http://127.0.0.1:9/";

/// A registered application of a portal.
#[derive(Clone)]
pub struct Rp {
    pub pid: i64,
    pub client_id: String,
    pub secret: Option<String>,
}

/// A person who may log in on a portal, and a confidential client of that portal.
pub struct World {
    pub pid: i64,
    pub account: i64,
    pub email: &'static str,
    pub rp: Rp,
}

pub async fn client(app: &TestApp, pid: i64, kind: &str, name: &str) -> Rp {
    let api = app.api(&app.api_key().await);
    let (status, created) = api
        .post(
            &format!("/api/v1/portals/{pid}/clients"),
            &json!({
                "name": name, "kind": kind,
                "redirect_uris": [REDIRECT],
                "post_logout_redirect_uris": [AFTER_LOGOUT],
                "scopes": ["openid", "email", "profile", "offline_access"],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    Rp {
        pid,
        client_id: created["client"]["client_id"].as_str().unwrap().into(),
        secret: created["client_secret"].as_str().map(str::to_string),
    }
}

pub async fn world(app: &TestApp) -> World {
    let email = "erika@nordlicht.example";
    let (pid, account, token) = common::invited_on_portal(app, "customer", email).await;
    admit::usecases::accounts::accept_invitation(&app.cx, pid, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");
    let rp = client(app, pid, "confidential", "Invoices").await;
    World {
        pid,
        account: account["id"].as_i64().unwrap(),
        email,
        rp,
    }
}

/// The authorization request's address, with PKCE (S256 of [`VERIFIER`]), a state and a nonce.
pub fn authorize_path(rp: &Rp, extra: &[(&str, &str)]) -> String {
    let challenge = s256(VERIFIER);
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", rp.client_id.as_str()),
        ("redirect_uri", REDIRECT),
        ("scope", "openid email profile"),
        ("state", "the-state"),
        ("nonce", "the-nonce"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ];
    for (k, v) in extra {
        params.retain(|(name, _)| name != k);
        if !v.is_empty() {
            params.push((k, v));
        }
    }
    let q: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    format!("/portal/{}/oidc/authorize?{q}", rp.pid)
}

/// A parameter of a redirect's query.
pub fn param(location: &str, name: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// The whole flow in a browser: the application's request, the portal's login page, and back
/// to the application with a code. Answers the code.
pub async fn log_in(_app: &TestApp, b: &Browser, rp: &Rp, email: &str) -> String {
    let first = b.get(&authorize_path(rp, &[])).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let to_login = first.location.unwrap();
    assert!(
        to_login.starts_with(&format!("/portal/{}/login", rp.pid)),
        "{to_login}"
    );
    // The login's answer is a page that goes on by itself to the application, with the code:
    // a redirect would be part of the form's submission, which the portal's
    // `form-action 'self'` keeps on the portal.
    let login = b.portal_login(rp.pid, email, PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let marker = "http-equiv=\"refresh\" content=\"0; url=";
    let at = login
        .body
        .find(marker)
        .unwrap_or_else(|| panic!("no page that goes on: {}", login.body))
        + marker.len();
    let end = login.body[at..].find('"').unwrap() + at;
    // As the browser reads the attribute (askama writes `&` as `&#38;`).
    let onward = ["&amp;", "&#38;"]
        .iter()
        .fold(login.body[at..end].to_string(), |u, e| u.replace(e, "&"))
        .replace("&#x2f;", "/");
    code_of(&onward)
}

/// The code of a redirect to the application, checking its state and issuer.
pub fn code_of(location: &str) -> String {
    assert!(location.starts_with(REDIRECT), "{location}");
    assert_eq!(param(location, "state").as_deref(), Some("the-state"));
    assert!(param(location, "iss").is_some(), "{location}");
    param(location, "code").unwrap_or_else(|| panic!("no code in {location}"))
}

/// A POST of a form to one of the portal's OIDC endpoints, with the client's Basic credentials.
pub async fn post(
    app: &TestApp,
    rp: &Rp,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .post(app.url(&format!("/portal/{}/oidc/{endpoint}", rp.pid)))
        .form(form);
    match &rp.secret {
        Some(secret) => req = req.basic_auth(&rp.client_id, Some(secret)),
        None => {
            let mut with_id = form.to_vec();
            with_id.push(("client_id", &rp.client_id));
            req = reqwest::Client::new()
                .post(app.url(&format!("/portal/{}/oidc/{endpoint}", rp.pid)))
                .form(&with_id);
        }
    }
    common::read(req.send().await.unwrap()).await
}

pub async fn exchange(app: &TestApp, rp: &Rp, code: &str) -> (StatusCode, Value) {
    post(
        app,
        rp,
        "token",
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await
}

pub async fn refresh(app: &TestApp, rp: &Rp, token: &str) -> (StatusCode, Value) {
    post(
        app,
        rp,
        "token",
        &[("grant_type", "refresh_token"), ("refresh_token", token)],
    )
    .await
}

pub async fn userinfo(app: &TestApp, pid: i64, access_token: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .get(app.url(&format!("/portal/{pid}/oidc/userinfo")))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    common::read(res).await
}

/// A JWT's header and claims, read without checking (the tests check what they need).
pub fn jwt(token: &str) -> (Value, Value) {
    use base64::Engine;
    let part = |i: usize| -> Value {
        let b = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(token.split('.').nth(i).unwrap())
            .unwrap();
        serde_json::from_slice(&b).unwrap()
    };
    (part(0), part(1))
}

/// Logged in through an application: the browser and the tokens.
pub async fn tokens(app: &TestApp, w: &World) -> (Browser, Value) {
    let b = app.browser();
    let code = log_in(app, &b, &w.rp, w.email).await;
    let (status, tokens) = exchange(app, &w.rp, &code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    (b, tokens)
}

pub fn s(v: &Value, name: &str) -> String {
    v[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {v}"))
        .to_string()
}
