//! What a relying party and its user's browser do with an issuer: discovery, the authorization
//! code flow with PKCE through the login page, the code exchange, refresh grants, userinfo and
//! introspection.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hyper::Method;
use hyper::header;
use sha2::{Digest, Sha256};

use super::http::{Answer, Browser, Conn, Req, encode_form, join, login_form, query_param};

/// The endpoints of an issuer, from its discovery document.
#[derive(Clone, Debug)]
pub(super) struct Issuer {
    pub issuer: String,
    pub authorize: String,
    pub token: String,
    pub userinfo: String,
    pub introspect: String,
}

impl Issuer {
    /// Reads `{issuer}/.well-known/openid-configuration`.
    pub async fn discover(issuer: &str) -> anyhow::Result<Self> {
        let url = format!("{issuer}/.well-known/openid-configuration");
        let addr = super::http::resolve(super::http::split_url(&url)?.origin).await?;
        let a = Browser::new(Conn::new(addr)?).get(&url).await?;
        anyhow::ensure!(a.status == 200, "GET {url}: {} {}", a.status, a.snippet());
        let d = a.json()?;
        let field = |k: &str| -> anyhow::Result<String> {
            d[k].as_str()
                .map(str::to_string)
                .with_context(|| format!("{k} in the discovery document of {issuer}"))
        };
        Ok(Issuer {
            issuer: field("issuer")?,
            authorize: field("authorization_endpoint")?,
            token: field("token_endpoint")?,
            userinfo: field("userinfo_endpoint")?,
            introspect: field("introspection_endpoint")?,
        })
    }
}

/// A confidential client, as registered.
#[derive(Clone, Debug)]
pub(super) struct Client {
    pub id: String,
    pub secret: String,
}

impl Client {
    fn basic(&self) -> String {
        let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", enc(&self.id), enc(&self.secret)))
        )
    }
}

/// What a token answer holds.
pub(super) struct Tokens {
    pub access: String,
    pub refresh: Option<String>,
}

/// A person who logs in: e-mail and password, and the client address they come from.
pub(super) struct Person<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub forwarded_for: Option<String>,
}

/// A POST of a form to the token or introspection endpoint, with client_secret_basic.
pub(super) async fn post_as_client(
    conn: &mut Conn,
    url: &str,
    client: &Client,
    fields: &[(&str, &str)],
) -> anyhow::Result<Answer> {
    let path = super::http::split_url(url)?.path;
    conn.send(Req {
        method: Method::POST,
        path,
        headers: vec![(header::AUTHORIZATION, client.basic())],
        body: Some(("application/x-www-form-urlencoded", encode_form(fields))),
    })
    .await
}

fn tokens(a: &Answer, what: &str) -> anyhow::Result<Tokens> {
    anyhow::ensure!(a.status == 200, "{what}: {} {}", a.status, a.snippet());
    let j = a.json()?;
    Ok(Tokens {
        access: j["access_token"]
            .as_str()
            .with_context(|| format!("{what}: no access_token"))?
            .to_string(),
        refresh: j["refresh_token"].as_str().map(str::to_string),
    })
}

/// One complete login of a new browser: authorize, the login page, the form, the redirects back
/// to the client's redirect URI, the code exchange. The browser's connection is kept; its
/// cookies are dropped first.
pub(super) async fn code_flow(
    browser: &mut Browser,
    issuer: &Issuer,
    client: &Client,
    redirect_uri: &str,
    person: &Person<'_>,
) -> anyhow::Result<Tokens> {
    browser.reset(person.forwarded_for.clone());
    let verifier = admit::security::tokens::random_hex(32);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let state = admit::security::tokens::random_hex(8);
    let nonce = admit::security::tokens::random_hex(8);
    let query = encode_form(&[
        ("response_type", "code"),
        ("client_id", client.id.as_str()),
        ("redirect_uri", redirect_uri),
        ("scope", "openid email profile offline_access"),
        ("state", state.as_str()),
        ("nonce", nonce.as_str()),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
    ]);
    let mut url = format!("{}?{query}", issuer.authorize);
    let mut answer = browser.get(&url).await?;
    let mut logged_in = false;
    let mut steps = 0;
    let code = loop {
        steps += 1;
        anyhow::ensure!(steps < 12, "more than 10 redirects from {url}");
        if (300..400).contains(&answer.status) {
            let location = answer
                .location
                .as_deref()
                .with_context(|| format!("{} without Location from {url}", answer.status))?;
            let next = join(&url, location)?;
            if next.starts_with(redirect_uri) {
                break code_from(&next, &state)?;
            }
            url = next;
            answer = browser.get(&url).await?;
            continue;
        }
        anyhow::ensure!(
            answer.status == 200,
            "{url}: {} {}",
            answer.status,
            answer.snippet()
        );
        let html = String::from_utf8_lossy(&answer.body).into_owned();
        // A page that goes on by itself (Admit's answer to a login an application asked for),
        // followed as a browser does.
        if let Some(to) = meta_refresh(&html) {
            let next = join(&url, &to)?;
            if next.starts_with(redirect_uri) {
                break code_from(&next, &state)?;
            }
            url = next;
            answer = browser.get(&url).await?;
            continue;
        }
        anyhow::ensure!(
            !logged_in,
            "the login page came again after logging in: {url}"
        );
        let form = login_form(&html).with_context(|| format!("no login form on {url}"))?;
        let action = match &form.action {
            Some(a) if !a.is_empty() => join(&url, a)?,
            _ => url.clone(),
        };
        let mut fields = form.hidden;
        fields.push(("email".into(), person.email.into()));
        fields.push(("password".into(), person.password.into()));
        logged_in = true;
        answer = browser.post_form(&action, &fields).await?;
        url = action;
    };
    let a = post_as_client(
        &mut browser.conn,
        &issuer.token,
        client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier.as_str()),
        ],
    )
    .await?;
    tokens(&a, "the code exchange")
}

/// The code of the way back to the application's redirect URI, with its state checked.
fn code_from(back: &str, state: &str) -> anyhow::Result<String> {
    if let Some(e) = query_param(back, "error") {
        anyhow::bail!("the authorization ended with {e}: {back}");
    }
    anyhow::ensure!(
        query_param(back, "state").as_deref() == Some(state),
        "the state came back changed: {back}"
    );
    query_param(back, "code").with_context(|| format!("no code in {back}"))
}

/// The address of a `<meta http-equiv="refresh" content="0; url=...">`, unescaped.
fn meta_refresh(html: &str) -> Option<String> {
    let at = html.find("http-equiv=\"refresh\"")?;
    let rest = &html[at..];
    let start = rest.find("url=")? + 4;
    let end = rest[start..].find('"')? + start;
    Some(
        rest[start..end]
            .replace("&amp;", "&")
            .replace("&#38;", "&")
            .replace("&#x2f;", "/"),
    )
}

/// One refresh grant: the new tokens (the refresh token rotated).
pub(super) async fn refresh(
    conn: &mut Conn,
    issuer: &Issuer,
    client: &Client,
    refresh_token: &str,
) -> anyhow::Result<Tokens> {
    let a = post_as_client(
        conn,
        &issuer.token,
        client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await?;
    let t = tokens(&a, "a refresh grant")?;
    anyhow::ensure!(
        t.refresh.is_some(),
        "a refresh grant gave no new refresh token"
    );
    Ok(t)
}

/// One userinfo request with an access token.
pub(super) async fn userinfo(conn: &mut Conn, issuer: &Issuer, access: &str) -> anyhow::Result<()> {
    let path = super::http::split_url(&issuer.userinfo)?.path;
    let a = conn
        .send(Req {
            method: Method::GET,
            path,
            headers: vec![(header::AUTHORIZATION, format!("Bearer {access}"))],
            body: None,
        })
        .await?;
    anyhow::ensure!(a.status == 200, "userinfo: {} {}", a.status, a.snippet());
    Ok(())
}

/// One introspection of an access token by its client: it must be active.
pub(super) async fn introspect(
    conn: &mut Conn,
    issuer: &Issuer,
    client: &Client,
    access: &str,
) -> anyhow::Result<()> {
    let a = post_as_client(
        conn,
        &issuer.introspect,
        client,
        &[("token", access), ("token_type_hint", "access_token")],
    )
    .await?;
    anyhow::ensure!(
        a.status == 200,
        "introspection: {} {}",
        a.status,
        a.snippet()
    );
    anyhow::ensure!(
        a.body.starts_with(br#"{"active":true"#) || a.json()?["active"] == true,
        "introspection: not active: {}",
        a.snippet()
    );
    Ok(())
}
