//! `/metrics`: behind the bearer token `metrics_token` on the main address, or on an address of
//! its own (`metrics_listen`); off (404) unless one is set. Every figure moves when what it
//! counts happens (requests, logins of each kind and outcome, throttling, digests, deliveries,
//! the outbox, the jobs), and no label names a person, an account, a customer or a client.

use std::sync::Arc;

use admit::usecases::Actor;
use reqwest::StatusCode;
use serde_json::json;
use tokio::sync::Barrier;

use crate::common::{Engine, PASSWORD, SmtpSink, TestApp, eventually, exec, outbox_quiet};

const TOKEN: &str = "a-scrape-token-of-some-length";
const EMAIL: &str = "mia.metrics@example.test";
const WRONG: &str = "not the password at all";

async fn scrape(url: &str, token: Option<&str>) -> (StatusCode, String) {
    let mut req = reqwest::Client::new().get(url);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

/// The value of the sample `series` (name and labels, as written), 0 when absent.
fn figure(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.parse().unwrap())
}

/// How much `series` grew from `before` to `after`.
fn moved(before: &str, after: &str, series: &str) -> f64 {
    figure(after, series) - figure(before, series)
}

async fn scraped(app: &TestApp) -> String {
    let (status, text) = scrape(&app.url("/metrics"), Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    text
}

/// Every label of every sample, as (name, value).
fn labels(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| Some(&l[l.find('{')? + 1..l.rfind('}')?]))
        .flat_map(|inner| inner.split("\","))
        .map(|pair| {
            let (name, value) = pair.split_once("=\"").expect(pair);
            (name.to_string(), value.trim_end_matches('"').to_string())
        })
        .collect()
}

/// No label holds an e-mail address or any of `names` (client ids), and routes are templates:
/// no path segment is a number (an account's, a customer's, a portal's id).
fn no_person_in_labels(text: &str, names: &[&str]) {
    let allowed = ["route", "status", "kind", "outcome", "result", "job", "le"];
    for (name, value) in labels(text) {
        assert!(allowed.contains(&name.as_str()), "label {name}=\"{value}\"");
        assert!(!value.contains('@'), "label {name}=\"{value}\"");
        for n in names {
            assert!(!value.contains(n), "{n} in label {name}=\"{value}\"");
        }
        if name == "route" {
            assert!(
                value == "unmatched" || value.starts_with('/'),
                "route {value}"
            );
            assert!(
                !value
                    .split('/')
                    .any(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())),
                "a route names an id: {value}"
            );
        }
    }
}

fn logins(kind: &str, outcome: &str) -> String {
    format!("admit_logins_total{{kind=\"{kind}\",outcome=\"{outcome}\"}}")
}

fn requests(route: &str, class: &str) -> String {
    format!("admit_http_requests_total{{route=\"{route}\",status=\"{class}\"}}")
}

fn last_run(job: &str) -> String {
    format!("admit_job_last_success_timestamp_seconds{{job=\"{job}\"}}")
}

const AREA: &str = "/api/v1/areas/{id}";
const THROTTLED: &str = "admit_throttled_total";
const DIGESTS: &str = "admit_digests_total";
const PENDING: &str = "admit_outbox_pending";
const OLDEST: &str = "admit_outbox_oldest_pending_age_seconds";

fn deliveries(result: &str) -> String {
    format!("admit_deliveries_total{{result=\"{result}\"}}")
}

/// `n` wrong passwords at once on portal `pid` from one client (127.0.0.9): their statuses.
async fn wrong_passwords_at_once(
    app: &TestApp,
    pid: i64,
    email: &str,
    n: usize,
) -> Vec<StatusCode> {
    let gate = Arc::new(Barrier::new(n));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let b = crate::throttling::browser_from(app, "127.0.0.9");
        let (gate, email) = (gate.clone(), email.to_string());
        tasks.spawn(async move {
            let path = format!("/portal/{pid}/login");
            let csrf = b.get(&path).await.csrf();
            gate.wait().await;
            b.post(
                &path,
                &[
                    ("csrf", csrf.as_str()),
                    ("email", &email),
                    ("password", WRONG),
                ],
            )
            .await
            .status
        });
    }
    tasks.join_all().await
}

async fn every_figure_moves(engine: Engine) {
    let started = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as f64;
    // The digest scheduler looks every second (the first look one second after start).
    let app = TestApp::spawn_with(engine, |c| {
        c.metrics_token = Some(TOKEN.into());
        c.digest_poll_seconds = 1;
    })
    .await;
    let (status, _) = scrape(&app.url("/metrics"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = scrape(&app.url("/metrics"), Some("a-scrape-token-of-other-length")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let before = scraped(&app).await;
    assert!(before.contains("# TYPE admit_http_request_duration_seconds histogram"));

    // A console login that fails, then one that succeeds.
    app.create_staff(EMAIL, "administrator", &[], PASSWORD)
        .await;
    let page = app.browser().login(EMAIL, WRONG).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    let page = app.browser().login(EMAIL, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);

    // A portal login that fails; one that succeeds for an application, whose code is
    // exchanged (an OpenID Connect code login), and the same code exchanged again (refused).
    let w = crate::oidc::world(&app).await;
    let page = app.browser().portal_login(w.pid, w.email, WRONG).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    let b = app.browser();
    let code = crate::oidc::log_in(&app, &b, &w.rp, w.email).await;
    let (status, tokens) = crate::oidc::exchange(&app, &w.rp, &code).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let (status, refused) = crate::oidc::exchange(&app, &w.rp, &code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");

    // An API call, on a route with an id.
    let api = app.api(&app.api_key().await);
    let (status, area) = api.post("/api/v1/areas", &json!({"name": "Metrics"})).await;
    assert_eq!(status, StatusCode::CREATED, "{area}");
    let id = area["id"].as_i64().unwrap();
    let (status, _) = api.get(&format!("/api/v1/areas/{id}")).await;
    assert_eq!(status, StatusCode::OK);

    // A digest: an admin of Acme with a daily digest and a task to read, made due now; the
    // app's own scheduler makes it, and the outbox delivers it (to the built-in mailbox).
    let n = crate::notifications::world(&app).await;
    crate::notifications::task(&n, "t-1", n.acme, "service_due", "Boiler service").await;
    let reader = "digest.reader@acme.example";
    let account = crate::notifications::person(&app, &n, n.acme, reader, "admin", "UTC").await;
    crate::notifications::subscribe(&n, account, "daily", &["service_due"]).await;
    exec(&app, "UPDATE digest_subscriptions SET next_due_at = 0").await;
    assert!(
        eventually(30, || async {
            moved(&before, &scraped(&app).await, DIGESTS) >= 1.0
        })
        .await,
        "the scheduler made the digest"
    );

    // An e-mail through the outbox; every message so far is delivered.
    admit::usecases::mail::send_test(&app.cx, &Actor::cli(), EMAIL, None)
        .await
        .unwrap();
    assert!(outbox_quiet(&app, 30).await);
    let sent = app.count("outbox_messages WHERE status = 'sent'").await;
    assert!(
        sent >= 3,
        "the invitations, the digest and the test message: {sent}"
    );
    assert!(
        eventually(10, || async {
            moved(&before, &scraped(&app).await, &deliveries("sent")) == sent as f64
        })
        .await
    );

    // Many wrong passwords at once from one client, until the portal throttles it.
    let statuses = wrong_passwords_at_once(&app, w.pid, w.email, 12).await;
    let throttled = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count() as f64;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count() as f64;
    assert!(throttled >= 1.0, "{statuses:?}");
    assert_eq!(throttled + checked, 12.0, "{statuses:?}");

    let after = scraped(&app).await;
    for (series, by) in [
        (logins("console", "failure"), 1.0),
        (logins("console", "success"), 1.0),
        (logins("portal", "failure"), 1.0 + checked),
        (logins("portal", "success"), 1.0),
        (logins("portal", "throttled"), throttled),
        (logins("oidc_code", "success"), 1.0),
        (logins("oidc_code", "failure"), 1.0),
        (THROTTLED.to_string(), throttled),
        (
            requests("/portal/{id}/login", "4xx"),
            1.0 + checked + throttled,
        ),
        (requests("/portal/{id}/oidc/token", "2xx"), 1.0),
        (requests("/portal/{id}/oidc/token", "4xx"), 1.0),
        (requests(AREA, "2xx"), 1.0),
        (requests("/console/login", "4xx"), 1.0),
        (
            format!("admit_http_request_duration_seconds_count{{route=\"{AREA}\"}}"),
            1.0,
        ),
        (
            format!("admit_http_request_duration_seconds_bucket{{route=\"{AREA}\",le=\"+Inf\"}}"),
            1.0,
        ),
    ] {
        assert_eq!(moved(&before, &after, &series), by, "{series} in {after}");
    }
    let digests = app.count("outbox_messages WHERE event = 'digest'").await;
    assert!(digests >= 1);
    assert_eq!(moved(&before, &after, DIGESTS), digests as f64, "{after}");
    assert_eq!(figure(&after, PENDING), 0.0);
    assert_eq!(figure(&after, OLDEST), 0.0);
    // Each job has run since the test began.
    for job in ["outbox", "digests", "housekeeping", "backchannel"] {
        assert!(figure(&after, &last_run(job)) >= started, "{job}: {after}");
    }
    no_person_in_labels(&after, &[&w.rp.client_id, reader, w.email, EMAIL]);
    app.stop().await;

    // Off unless set.
    let app = TestApp::spawn(engine).await;
    let (status, _) = scrape(&app.url("/metrics"), Some(TOKEN)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(app.metrics_base.is_none());
    app.stop().await;
}
on_both!(metrics_move, every_figure_moves);

/// The outbox as an SMTP server answers: a message refused for now waits (the depth and the
/// age of the oldest pending message grow, a retry is counted), one refused for good fails.
async fn the_outbox_figures(engine: Engine) {
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(engine, |c| {
        c.metrics_token = Some(TOKEN.into());
        sink.configure(c);
    })
    .await;
    let before = scraped(&app).await;
    for to in ["tempfail@example.test", "reject@example.test", EMAIL] {
        admit::usecases::mail::send_test(&app.cx, &Actor::cli(), to, None)
            .await
            .unwrap();
    }
    // The refusal for now is tried again in 30 s: it stays pending meanwhile, and ages.
    let settled = eventually(30, || async {
        let now = scraped(&app).await;
        moved(&before, &now, &deliveries("retry")) == 1.0
            && moved(&before, &now, &deliveries("failed")) == 1.0
            && moved(&before, &now, &deliveries("sent")) == 1.0
            && figure(&now, PENDING) == 1.0
            && figure(&now, OLDEST) >= 2.0
    })
    .await;
    let after = scraped(&app).await;
    assert!(settled, "{after}");
    assert_eq!(sink.messages().len(), 1);
    no_person_in_labels(&after, &[]);
    app.stop().await;
}
on_both!(outbox_figures, the_outbox_figures);

async fn metrics_on_their_own_address(engine: Engine) {
    let app = TestApp::spawn_with(engine, |c| {
        c.metrics_listen = Some("127.0.0.1:0".into());
    })
    .await;
    let own = app.metrics_base.clone().expect("metrics_listen is bound");
    assert_ne!(own, app.base);
    // The main address keeps /metrics to itself without a token setting.
    let (status, _) = scrape(&app.url("/metrics"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, text) = scrape(&format!("{own}/metrics"), None).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    // That 404 was counted; the address of its own serves nothing else.
    assert!(figure(&text, &requests("/metrics", "4xx")) >= 1.0);
    assert!(text.contains("admit_outbox_pending 0"));
    let (status, _) = scrape(&format!("{own}/healthz"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}
on_both!(metrics_listen, metrics_on_their_own_address);
