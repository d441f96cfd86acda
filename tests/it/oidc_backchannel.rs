//! OpenID Connect Back-Channel Logout: when a portal session ends (the person logs out, staff
//! end the account's sessions, the account is deactivated, the password is reset by link),
//! every client with a back-channel logout URI that held a grant from that session receives one
//! logout token per session, signed with the client's algorithm and verifiable against the
//! JWKS; a client that answers 500 is tried again with backoff and finally marked failed, shown
//! in the API and the console, from where it can be sent again; a switched-off client is sent
//! nothing; a logout whose worker died is taken over when its lease ends; an application that
//! logged the person in through the code flow is told, with its ID token's `sid`, when they log
//! out at the end-session endpoint.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};

use admit::clock::ManualClock;
use admit::storage::oidc_grants::{NewGrant, insert_grant};
use admit::storage::{Db, sessions};
use admit::usecases::oidc::keys;
use axum::extract::State;
use axum::http::StatusCode as HttpStatus;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, Api, Browser, Engine, PASSWORD, TestApp, eventually, exec, hidden};

/// 2026-11-23 09:00 UTC.
const START: i64 = 1_795_424_400_000;
const SECOND: i64 = 1_000;
const EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// A relying party's back-channel endpoint: answers what it is told, and keeps the logout
/// tokens it was posted.
#[derive(Clone)]
struct Receiver {
    url: String,
    answer: Arc<AtomicU16>,
    tokens: Arc<Mutex<Vec<String>>>,
}

impl Receiver {
    async fn start() -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let r = Receiver {
            url: format!("http://{}/backchannel", listener.local_addr().unwrap()),
            answer: Arc::new(AtomicU16::new(200)),
            tokens: Default::default(),
        };
        let app = axum::Router::new()
            .route("/backchannel", axum::routing::post(receive))
            .with_state(r.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        r
    }

    fn answer(&self, status: u16) {
        self.answer.store(status, Ordering::SeqCst);
    }

    fn tokens(&self) -> Vec<String> {
        self.tokens.lock().unwrap().clone()
    }

    /// The tokens whose `sid` claim is `sid`, once `n` of them came (at most 10 s).
    async fn wait_for(&self, app: &TestApp, sid: &str, n: usize) -> Vec<Value> {
        let came = eventually(10, || async { self.claims_of(app, sid).await.len() >= n }).await;
        assert!(came, "{n} logout tokens for {sid}: {:?}", self.tokens());
        self.claims_of(app, sid).await
    }

    /// The verified headers and claims of the tokens with `sid`.
    async fn claims_of(&self, app: &TestApp, sid: &str) -> Vec<Value> {
        let mut out = Vec::new();
        for token in self.tokens() {
            let v = keys::verify(&app.cx, &token)
                .await
                .expect("the logout token's signature verifies against the JWKS");
            if v.claims["sid"] == sid {
                out.push(json!({"header": v.header, "claims": v.claims, "alg": v.alg.as_str()}));
            }
        }
        out
    }
}

async fn receive(
    State(r): State<Receiver>,
    headers: axum::http::HeaderMap,
    body: String,
) -> HttpStatus {
    assert_eq!(headers["content-type"], "application/x-www-form-urlencoded");
    let fields: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .into_owned()
        .collect();
    assert_eq!(fields.len(), 1, "{body}");
    assert_eq!(fields[0].0, "logout_token");
    r.tokens.lock().unwrap().push(fields[0].1.clone());
    HttpStatus::from_u16(r.answer.load(Ordering::SeqCst)).unwrap()
}

/// An account registered on a new portal, with the password [`PASSWORD`]: (portal, account).
async fn registered(app: &TestApp, email: &str) -> (i64, i64) {
    let (pid, account, token) = common::invited_on_portal(app, "customer", email).await;
    admit::usecases::accounts::accept_invitation(&app.cx, pid, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");
    (pid, account["id"].as_i64().unwrap())
}

/// Registers a client on portal `pid`: (its id, its client_id).
async fn client(
    api: &Api,
    pid: i64,
    name: &str,
    backchannel: Option<&str>,
    alg: &str,
) -> (i64, String) {
    let (status, created) = api
        .post(
            &format!("/api/v1/portals/{pid}/clients"),
            &json!({"name": name, "kind": "confidential",
                    "redirect_uris": ["https://app.example.com/cb"],
                    "backchannel_logout_uri": backchannel, "signing_alg": alg}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let c = &created["client"];
    (
        c["id"].as_i64().unwrap(),
        c["client_id"].as_str().unwrap().into(),
    )
}

/// The hash of the account's newest portal session.
async fn newest_session(app: &TestApp, account: i64) -> String {
    let mut tx = app.cx.db.read().await.unwrap();
    sessions::of_owner(&mut tx, sessions::Kind::Portal, account)
        .await
        .unwrap()
        .into_iter()
        .max_by_key(|s| s.created_at)
        .expect("a portal session")
        .token_hash
}

/// Grants for `clients` from the account's newest session, all with the session id `sid`.
async fn grants(app: &TestApp, account: i64, clients: &[i64], sid: &str) {
    let session = newest_session(app, account).await;
    let now = app.cx.now();
    let mut tx = app.cx.db.write().await.unwrap();
    for (i, client) in clients.iter().enumerate() {
        insert_grant(
            &mut tx,
            &NewGrant {
                public_id: &format!("{sid}-{i}"),
                client_id: *client,
                account_id: account,
                session_hash: &session,
                sid,
                scope: "openid",
                nonce: Some("a-nonce"),
                auth_time: now / 1000,
                now,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn logged_in(app: &TestApp, pid: i64, email: &str, password: &str) -> Browser {
    let b = app.browser();
    b.portal_logged_in(pid, email, password).await;
    b
}

/// The client's back-channel logouts, as the API lists them.
async fn logouts(api: &Api, client: i64) -> Vec<Value> {
    let (status, list) = api
        .get(&format!("/api/v1/oidc-clients/{client}/logouts"))
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().unwrap().clone()
}

/// The client's newest back-channel logout.
async fn latest(api: &Api, client: i64) -> Value {
    logouts(api, client).await[0].clone()
}

/// Checks a logout token (section 2.4 of the specification) for `client_id` about `sid`.
fn check_token(
    app: &TestApp,
    t: &Value,
    pid: i64,
    client_id: &str,
    account: i64,
    sid: &str,
    alg: &str,
) {
    let (h, c) = (&t["header"], &t["claims"]);
    assert_eq!(h["typ"], "logout+jwt", "{t}");
    assert_eq!(t["alg"], alg, "{t}");
    assert_eq!(h["alg"], alg, "{t}");
    assert_eq!(c["iss"], format!("{}/portal/{pid}", app.base), "{t}");
    assert_eq!(c["aud"], client_id, "{t}");
    assert_eq!(c["sub"], account.to_string(), "{t}");
    assert_eq!(c["sid"], sid, "{t}");
    assert_eq!(c["events"], json!({ EVENT: {} }), "{t}");
    assert!(c.get("nonce").is_none(), "a logout token has no nonce: {t}");
    let (iat, exp) = (c["iat"].as_i64().unwrap(), c["exp"].as_i64().unwrap());
    assert_eq!(exp - iat, 120, "{t}");
    assert!((iat - app.cx.now() / 1000).abs() < 60, "{t}");
    assert!(c["jti"].as_str().is_some_and(|j| j.len() >= 16), "{t}");
}

async fn every_end_of_a_session_reaches_each_client_once(app: TestApp) {
    let receiver = Receiver::start().await;
    let other = Receiver::start().await;
    let api = app.api(&app.api_key().await);
    let email = "erika@nordlicht.example";
    let (pid, account) = registered(&app, email).await;
    let (a, a_id) = client(&api, pid, "Invoices", Some(&receiver.url), "ES256").await;
    let (b, b_id) = client(&api, pid, "Pricing", Some(&other.url), "RS256").await;
    let (silent, _) = client(&api, pid, "Without back-channel", None, "ES256").await;

    let new_password = "another correct horse battery staple";
    let mut password = PASSWORD;
    for way in ["logout", "staff", "deactivation", "password_reset"] {
        let browser = logged_in(&app, pid, email, password).await;
        let sid = format!("sid-{way}");
        // Two grants of Invoices from the one session: still one logout for it.
        grants(&app, account, &[a, a, b, silent], &sid).await;
        match way {
            "logout" => {
                let page = browser.get(&format!("/portal/{pid}/account")).await;
                let csrf = hidden(&page.body, "csrf");
                let out = browser
                    .post(&format!("/portal/{pid}/logout"), &[("csrf", &csrf)])
                    .await;
                assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
            }
            "staff" => {
                let (status, ended) = api
                    .delete(&format!("/api/v1/accounts/{account}/sessions"))
                    .await;
                assert_eq!(status, StatusCode::OK, "{ended}");
            }
            "deactivation" => {
                for action in ["deactivate", "reactivate"] {
                    let (status, changed) = api
                        .post(
                            &format!("/api/v1/accounts/{account}/status"),
                            &json!({"action": action, "notify": false}),
                        )
                        .await;
                    assert_eq!(status, StatusCode::OK, "{changed}");
                }
            }
            _ => {
                let (status, sent) = api
                    .post(
                        &format!("/api/v1/accounts/{account}/password-link"),
                        &json!({}),
                    )
                    .await;
                assert_eq!(status, StatusCode::OK, "{sent}");
                assert!(common::outbox_quiet(&app, 10).await);
                let token = common::last_token_to(&app, email).await.unwrap();
                admit::usecases::accounts::reset_password(
                    &app.cx,
                    pid,
                    &token,
                    new_password,
                    new_password,
                    None,
                )
                .await
                .expect("the password is reset");
                password = new_password;
            }
        }
        let to_a = receiver.wait_for(&app, &sid, 1).await;
        let to_b = other.wait_for(&app, &sid, 1).await;
        // Nothing more comes: one logout per client and session.
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        assert_eq!(receiver.claims_of(&app, &sid).await.len(), 1, "{way}");
        assert_eq!(other.claims_of(&app, &sid).await.len(), 1, "{way}");
        check_token(&app, &to_a[0], pid, &a_id, account, &sid, "ES256");
        check_token(&app, &to_b[0], pid, &b_id, account, &sid, "RS256");
        assert_ne!(to_a[0]["claims"]["jti"], to_b[0]["claims"]["jti"]);
    }

    let listed = logouts(&api, a).await;
    assert_eq!(listed.len(), 4, "{listed:?}");
    for l in &listed {
        assert_eq!(l["status"], "sent", "{l}");
        assert_eq!(l["attempts"], 1, "{l}");
        assert_eq!(l["account_id"], account, "{l}");
        assert_eq!(l["account_email"], email, "{l}");
        assert!(l["sent_at"].is_string(), "{l}");
        assert!(l.get("lease_owner").is_none(), "{l}");
    }
    // Newest first.
    assert_eq!(listed[0]["sid"], "sid-password_reset");
    assert_eq!(listed[3]["sid"], "sid-logout");
    assert!(logouts(&api, silent).await.is_empty());
    // No token is kept anywhere Admit writes.
    let token = &receiver.tokens()[0];
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM audit_events WHERE before_json LIKE '%' || $1 || '%' \
             OR after_json LIKE '%' || $1 || '%'",
            token,
        )
        .await,
        0
    );

    // Only administrators see them.
    let north = api.create("/api/v1/areas", &json!({"name": "North"})).await;
    let area = app.api(&app.area_key(&[north["id"].as_i64().unwrap()]).await);
    let (status, _) = area.get(&format!("/api/v1/oidc-clients/{a}/logouts")).await;
    assert!(
        matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{status}"
    );
    let (status, _) = api.get("/api/v1/oidc-clients/999999/logouts").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
both!(
    every_end_of_a_session_reaches_each_client_once,
    every_end_of_a_session_reaches_each_client_once
);

/// The console's page of a client, and its table's row for `sid`.
async fn console_row(b: &Browser, client: i64, sid_account: &str) -> (String, String) {
    let page = b.get(&format!("/console/oidc-clients/{client}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Back-channel logouts"), "{}", page.body);
    let row = page
        .body
        .split("<tr>")
        .find(|r| r.contains(sid_account))
        .unwrap_or_else(|| panic!("a row for {sid_account}: {}", page.body))
        .to_string();
    (page.body, row)
}

async fn a_client_that_fails_is_retried_then_failed_and_can_be_sent_again(engine: Engine) {
    let clock = ManualClock::new(START);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |c| {
        c.mail_max_attempts = 3;
        c.mail_retry_seconds = 30;
    })
    .await;
    let receiver = Receiver::start().await;
    receiver.answer(500);
    let api = app.api(&app.api_key().await);
    let email = "erika@nordlicht.example";
    let (pid, account) = registered(&app, email).await;
    let (a, a_id) = client(&api, pid, "Invoices", Some(&receiver.url), "ES256").await;

    let _browser = logged_in(&app, pid, email, PASSWORD).await;
    grants(&app, account, &[a], "sid-1").await;
    let (status, _) = api
        .delete(&format!("/api/v1/accounts/{account}/sessions"))
        .await;
    assert_eq!(status, StatusCode::OK);

    // The first attempt, at once; then one after about 30 s, one after about 60 s more.
    receiver.wait_for(&app, "sid-1", 1).await;
    assert!(
        eventually(10, || async {
            latest(&api, a).await["status"] == "retrying"
        })
        .await,
        "{}",
        latest(&api, a).await
    );
    let l = latest(&api, a).await;
    assert_eq!(l["attempts"], 1, "{l}");
    assert_eq!(
        l["last_error"],
        "the client answered 500 Internal Server Error"
    );
    // Not before its time.
    clock.advance(20 * SECOND);
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(receiver.tokens().len(), 1);
    clock.advance(14 * SECOND);
    receiver.wait_for(&app, "sid-1", 2).await;
    assert!(
        eventually(10, || async {
            latest(&api, a).await["attempts"] == 2 && latest(&api, a).await["status"] == "retrying"
        })
        .await
    );
    clock.advance(67 * SECOND);
    receiver.wait_for(&app, "sid-1", 3).await;
    assert!(
        eventually(10, || async { latest(&api, a).await["status"] == "failed" }).await,
        "{}",
        latest(&api, a).await
    );
    let l = latest(&api, a).await;
    assert_eq!(l["attempts"], 3, "{l}");
    assert_eq!(
        l["last_error"],
        "the client answered 500 Internal Server Error"
    );
    // Failed: no more attempts, however long one waits.
    clock.advance(3_600 * SECOND);
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(receiver.tokens().len(), 3);

    // The console shows it, and sends it again.
    let staff = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let (page, row) = console_row(&staff, a, email).await;
    assert!(row.contains("failed"), "{row}");
    assert!(row.contains("the client answered 500"), "{row}");
    assert!(row.contains("Send again"), "{row}");
    let action = format!("/console/oidc-logouts/{}/send-again", l["id"]);
    assert!(page.contains(&action), "{page}");
    // Without the form's token: refused, nothing queued.
    let refused = staff.post(&action, &[("csrf", "forged")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(latest(&api, a).await["status"], "failed");
    receiver.answer(204);
    let sent = staff
        .post(&action, &[("csrf", &hidden(&page, "csrf"))])
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let tokens = receiver.wait_for(&app, "sid-1", 4).await;
    check_token(&app, &tokens[3], pid, &a_id, account, "sid-1", "ES256");
    assert!(
        eventually(10, || async { latest(&api, a).await["status"] == "sent" }).await,
        "{}",
        latest(&api, a).await
    );
    let l = latest(&api, a).await;
    assert_eq!(l["attempts"], 1, "a fresh count: {l}");
    assert!(l["last_error"].is_null(), "{l}");
    // A delivered one is not sent again.
    let again = staff
        .post(&action, &[("csrf", &hidden(&page, "csrf"))])
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM audit_events WHERE action = $1",
            "oidc_logout.requeued"
        )
        .await,
        1
    );

    // A switched-off client is sent nothing.
    let (status, off) = api
        .put(
            &format!("/api/v1/oidc-clients/{a}"),
            &json!({"name": "Invoices", "redirect_uris": ["https://app.example.com/cb"],
                    "backchannel_logout_uri": receiver.url, "active": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{off}");
    let _browser = logged_in(&app, pid, email, PASSWORD).await;
    grants(&app, account, &[a], "sid-2").await;
    let (status, _) = api
        .delete(&format!("/api/v1/accounts/{account}/sessions"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        eventually(10, || async { latest(&api, a).await["status"] == "failed" }).await,
        "{}",
        latest(&api, a).await
    );
    let l = latest(&api, a).await;
    assert_eq!(l["sid"], "sid-2");
    assert_eq!(l["last_error"], "not sent: the client is switched off");
    assert_eq!(receiver.tokens().len(), 4);
}
on_both!(
    a_client_that_fails_is_retried_then_failed_and_can_be_sent_again,
    a_client_that_fails_is_retried_then_failed_and_can_be_sent_again
);

async fn a_logout_whose_worker_died_is_taken_over(engine: Engine) {
    let clock = ManualClock::new(START);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |_| {}).await;
    let receiver = Receiver::start().await;
    let api = app.api(&app.api_key().await);
    let email = "erika@nordlicht.example";
    let (pid, account) = registered(&app, email).await;
    let (a, a_id) = client(&api, pid, "Invoices", Some(&receiver.url), "ES256").await;

    // Another process claimed it, and died before it could post: its lease holds for 2 minutes.
    exec(
        &app,
        &format!(
            "INSERT INTO oidc_logouts (client_id, account_id, sid, reason, status, attempts, \
             next_attempt_at, lease_owner, lease_until, created_at, updated_at) VALUES \
             ({a}, {account}, 'sid-dead', 'session_ended', 'sending', 1, {START}, 'gone-1-x', \
             {}, {START}, {START})",
            START + 120 * SECOND
        ),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert!(receiver.tokens().is_empty(), "a held logout is left alone");
    assert_eq!(latest(&api, a).await["status"], "sending");

    clock.advance(121 * SECOND);
    let tokens = receiver.wait_for(&app, "sid-dead", 1).await;
    check_token(&app, &tokens[0], pid, &a_id, account, "sid-dead", "ES256");
    assert!(eventually(10, || async { latest(&api, a).await["status"] == "sent" }).await);
    let l = latest(&api, a).await;
    assert_eq!(l["attempts"], 2, "{l}");
    let owner: Option<String> = match &app.cx.db {
        Db::Sqlite(p) => sqlx::query_scalar("SELECT lease_owner FROM oidc_logouts")
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar("SELECT lease_owner FROM oidc_logouts")
            .fetch_one(p)
            .await
            .unwrap(),
    };
    assert_eq!(owner, None);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(receiver.tokens().len(), 1, "sent once");
}
on_both!(
    a_logout_whose_worker_died_is_taken_over,
    a_logout_whose_worker_died_is_taken_over
);

async fn an_application_that_logged_a_person_in_is_told_when_they_log_out(app: TestApp) {
    use crate::oidc::{AFTER_LOGOUT, REDIRECT, Rp, exchange, jwt, log_in};
    let receiver = Receiver::start().await;
    let api = app.api(&app.api_key().await);
    let email = "erika@nordlicht.example";
    let (pid, account) = registered(&app, email).await;
    let (status, created) = api
        .post(
            &format!("/api/v1/portals/{pid}/clients"),
            &json!({"name": "Invoices", "kind": "confidential", "redirect_uris": [REDIRECT],
                    "post_logout_redirect_uris": [AFTER_LOGOUT],
                    "backchannel_logout_uri": receiver.url, "signing_alg": "RS256",
                    "scopes": ["openid", "email", "profile"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let rp = Rp {
        pid,
        client_id: created["client"]["client_id"].as_str().unwrap().into(),
        secret: created["client_secret"].as_str().map(str::to_string),
    };

    // The code flow through the portal's login page.
    let b = app.browser();
    let code = log_in(&app, &b, &rp, email).await;
    let (status, t) = exchange(&app, &rp, &code).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let id_token = t["id_token"].as_str().unwrap();
    let sid = jwt(id_token).1["sid"].as_str().unwrap().to_string();

    // The application sends the person to the end-session endpoint.
    let q: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("id_token_hint", id_token),
            ("post_logout_redirect_uri", AFTER_LOGOUT),
        ])
        .finish();
    let out = b.get(&format!("/portal/{pid}/oidc/logout?{q}")).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);

    // Its back-channel is told, with the ID token's sid.
    let tokens = receiver.wait_for(&app, &sid, 1).await;
    check_token(&app, &tokens[0], pid, &rp.client_id, account, &sid, "RS256");
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(receiver.tokens().len(), 1, "one logout token");
}
both!(
    code_flow_logout,
    an_application_that_logged_a_person_in_is_told_when_they_log_out
);
