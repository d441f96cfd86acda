//! The password rules wherever a password is set (invitation, self-registration, reset by
//! link, change on the portal, a staff user's own password in the console), in English and
//! German; and the optional breached-password check against a small range service the test
//! runs itself on loopback.

use crate::common;

use common::{Engine, PASSWORD, TestApp, hidden, id_of, last_token_to};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Refused by the rules though at least 12 characters long (the finding's examples first).
const TRIVIAL: [&str; 6] = [
    "aaaaaaaaaaaa",
    "passwordpassword",
    "123456789012",
    "iloveyou1234",
    "qwertyuiop123",
    "P@ssw0rdP@ssw0rd",
];
/// Words of the context: the portal ("Customer portal"), the organization ("Nordlicht GmbH"),
/// the person ("Erika Muster", erika@nordlicht.example), and "admit".
const CONTEXT: [&str; 5] = [
    "Customerportal1",
    "Nordlicht-im-Winter",
    "erika likes long walks",
    "my admit password!",
    "Muster-Passwort-2026",
];
const TOO_EASY: &str = "The password is too easy to guess";
const CONTEXT_EN: &str = "The password must not contain your name or e-mail address";
const CONTEXT_DE: &str = "Das Passwort darf weder Ihren Namen";
const EASY_DE: &str = "Dieses Passwort ist zu leicht zu erraten";

fn shows(body: &str, text: &str) -> bool {
    body.contains(&text.replace('"', "&quot;")) || body.contains(text)
}

/// Posts the invitation form of `token` with `password`, the page in `lang`.
async fn accept(
    b: &common::Browser,
    pid: i64,
    token: &str,
    password: &str,
    lang: &str,
) -> common::Page {
    let page = b
        .get(&format!("/portal/{pid}/accept?token={token}&lang={lang}"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    b.post(
        &format!("/portal/{pid}/accept"),
        &[
            ("csrf", hidden(&page.body, "csrf").as_str()),
            ("token", token),
            ("password", password),
            ("confirmation", password),
            ("lang", lang),
        ],
    )
    .await
}

async fn password_rules_hold_wherever_a_password_is_set(app: TestApp) {
    let email = "erika@nordlicht.example";
    let (pid, _, token) = common::invited_on_portal(&app, "customer", email).await;
    let b = app.browser();

    // Accepting the invitation: each refused with the rule's words, the link still good.
    for p in TRIVIAL {
        let page = accept(&b, pid, &token, p, "en").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert!(
            shows(&page.body, TOO_EASY) || page.body.contains("most common passwords"),
            "{p}: {}",
            page.body
        );
        assert!(!page.body.contains(p), "the password is not sent back");
    }
    for p in CONTEXT {
        let page = accept(&b, pid, &token, p, "en").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert!(shows(&page.body, CONTEXT_EN), "{p}: {}", page.body);
    }
    // In German, the catalog's words.
    let page = accept(&b, pid, &token, "Customerportal1", "de").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains(CONTEXT_DE), "{}", page.body);
    assert!(!page.body.contains(CONTEXT_EN));
    let page = accept(&b, pid, &token, "monkey12345678", "de").await;
    assert!(page.body.contains(EASY_DE), "{}", page.body);
    let page = accept(&b, pid, &token, PASSWORD, "en").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);

    // Reset by link.
    let forgot = b.get(&format!("/portal/{pid}/forgot")).await;
    b.post(
        &format!("/portal/{pid}/forgot"),
        &[
            ("csrf", hidden(&forgot.body, "csrf").as_str()),
            ("email", email),
        ],
    )
    .await;
    let mut reset = None;
    for _ in 0..200 {
        reset = last_token_to(&app, email).await.filter(|t| *t != token);
        if reset.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let reset = reset.expect("a reset link");
    let page = b
        .get(&format!("/portal/{pid}/password?token={reset}"))
        .await;
    let set = |password: &'static str| {
        let (b, csrf, reset) = (&b, hidden(&page.body, "csrf"), reset.clone());
        async move {
            b.post(
                &format!("/portal/{pid}/password"),
                &[
                    ("csrf", csrf.as_str()),
                    ("token", reset.as_str()),
                    ("password", password),
                    ("confirmation", password),
                ],
            )
            .await
        }
    };
    let refused = set("Customerportal1").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(shows(&refused.body, CONTEXT_EN), "{}", refused.body);
    assert_eq!(
        set("passwordpassword").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Changing it on the portal, logged in.
    let me = app.browser();
    me.portal_logged_in(pid, email, PASSWORD).await;
    let account = me.get(&format!("/portal/{pid}/account")).await;
    let change = |password: &'static str| {
        let (me, csrf) = (&me, hidden(&account.body, "csrf"));
        async move {
            me.post(
                &format!("/portal/{pid}/account/password"),
                &[
                    ("csrf", csrf.as_str()),
                    ("current_password", PASSWORD),
                    ("password", password),
                    ("confirmation", password),
                ],
            )
            .await
        }
    };
    for p in ["Erika Muster 1987", "iloveyou1234"] {
        let page = change(p).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    }
    assert!(
        me.get(&format!("/portal/{pid}/")).await.status == StatusCode::OK,
        "still logged in: nothing changed"
    );

    // Self-registration on a portal that allows it.
    let api = app.api(&app.api_key().await);
    let open = id_of(
        &api,
        "/api/v1/portals",
        json!({"name": "Installer world", "kind": "installer", "base_url": "https://installer.example.com",
               "registration_mode": "self_automatic", "default_language": "en"}),
    )
    .await;
    let r = app.browser();
    let form = r.get(&format!("/portal/{open}/register")).await;
    for p in ["Installerworld1", "Sonnenschein Solar 1", "123456789012"] {
        let page = r
            .post(
                &format!("/portal/{open}/register"),
                &[
                    ("csrf", hidden(&form.body, "csrf").as_str()),
                    ("name", "Max Sonnenschein"),
                    ("organization", "Solar Sonnenschein AG"),
                    ("email", "max@sonnenschein.example"),
                    ("phone", ""),
                    ("password", p),
                    ("confirmation", p),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
        assert!(page.body.contains("id=\"password-error\""), "{p}");
    }
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM portal_accounts WHERE email = $1",
            "max@sonnenschein.example"
        )
        .await,
        0
    );

    // A staff user's own password in the console.
    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    let s = app.browser();
    s.login("admin@example.test", PASSWORD).await;
    let csrf = s.csrf().await;
    for p in [
        "my admit console key",
        "admin-of-everything",
        "aaaaaaaaaaaaaaaa",
    ] {
        let page = s
            .post(
                "/console/account/password",
                &[
                    ("csrf", &csrf),
                    ("current_password", PASSWORD),
                    ("new_password", p),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    }
    assert_eq!(
        app.browser()
            .login("admin@example.test", PASSWORD)
            .await
            .status,
        StatusCode::SEE_OTHER,
        "the password stayed"
    );
}
both!(rules, password_rules_hold_wherever_a_password_is_set);

/// A range service as the breached-password check expects: `GET /range/{5 hex}` answers
/// `SUFFIX:COUNT` lines. It knows the SHA-1 suffixes in `breached` and pads with others; it
/// records every path asked for.
async fn range_service(breached: Vec<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (breached, log) = (breached.clone(), log.clone());
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut buf = [0u8; 1024];
                while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&buf[..n]),
                    }
                }
                let request = String::from_utf8_lossy(&request).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("").to_string();
                log.lock().unwrap().push(request.clone());
                let prefix = path.trim_start_matches("/range/").to_uppercase();
                let mut body = String::from("0018A45C4D1DEF81644B54AB7F969B88D65:0\r\n");
                for hash in &breached {
                    if hash.starts_with(&prefix) {
                        body.push_str(&format!("{}:42\r\n", &hash[5..]));
                    }
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (format!("http://{addr}/range/"), asked)
}

fn sha1_hex(password: &str) -> String {
    use sha1::{Digest, Sha1};
    Sha1::digest(password.as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

async fn breached_passwords_are_refused_when_the_check_is_on(engine: Engine) {
    let leaked = "winter garden lantern";
    let (url, asked) = range_service(vec![sha1_hex(leaked)]).await;
    let app = TestApp::spawn_with(engine, |c| {
        c.breached_password_check = true;
        c.breached_password_url = url.clone();
    })
    .await;
    let email = "erika@nordlicht.example";
    let (pid, _, token) = common::invited_on_portal(&app, "customer", email).await;
    let b = app.browser();

    let page = accept(&b, pid, &token, leaked, "en").await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
    assert!(
        page.body.contains("appears in known data breaches"),
        "{}",
        page.body
    );
    let page = accept(&b, pid, &token, leaked, "de").await;
    assert!(page.body.contains("Datenlecks"), "{}", page.body);
    // Only the first five characters of the hash left; never the password or the rest.
    {
        let asked = asked.lock().unwrap();
        assert_eq!(asked.len(), 2);
        let hash = sha1_hex(leaked);
        for request in asked.iter() {
            assert!(
                request.starts_with(&format!("GET /range/{} HTTP/1.1\r\n", &hash[..5])),
                "{request}"
            );
            assert!(!request.contains(&hash[5..]) && !request.contains(leaked));
        }
    }
    // A password the service does not know passes.
    let page = accept(&b, pid, &token, PASSWORD, "en").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(asked.lock().unwrap().len(), 3);
    app.stop().await;

    // The service unreachable: the password is accepted (fail open; a warning is logged).
    let (_held, port) = common::closed_port();
    let app = TestApp::spawn_with(engine, |c| {
        c.breached_password_check = true;
        c.breached_password_url = format!("http://127.0.0.1:{port}/range/");
    })
    .await;
    let (pid, _, token) = common::invited_on_portal(&app, "customer", email).await;
    let page = accept(&app.browser(), pid, &token, leaked, "en").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    app.stop().await;
}
on_both!(
    breached,
    breached_passwords_are_refused_when_the_check_is_on
);
