//! `/metrics`: behind the bearer token `metrics_token` on the main address, or on an address of
//! its own (`metrics_listen`); off (404) unless one is set. The figures move with logins, API
//! calls and e-mail, and name no person.

use admit::usecases::Actor;
use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Engine, PASSWORD, TestApp, eventually, outbox_quiet};

const TOKEN: &str = "a-scrape-token-of-some-length";
const EMAIL: &str = "mia.metrics@example.test";

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

async fn scraped(app: &TestApp) -> String {
    let (status, text) = scrape(&app.url("/metrics"), Some(TOKEN)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    text
}

const CONSOLE_FAILED: &str = "admit_logins_total{kind=\"console\",outcome=\"failure\"}";
const CONSOLE_OK: &str = "admit_logins_total{kind=\"console\",outcome=\"success\"}";
const AREA_OK: &str = "admit_http_requests_total{route=\"/api/v1/areas/{id}\",status=\"2xx\"}";
const AREA_TIMES: &str = "admit_http_request_duration_seconds_count{route=\"/api/v1/areas/{id}\"}";
const SENT: &str = "admit_deliveries_total{result=\"sent\"}";

async fn metrics_behind_a_token(engine: Engine) {
    let app = TestApp::spawn_with(engine, |c| c.metrics_token = Some(TOKEN.into())).await;
    let (status, _) = scrape(&app.url("/metrics"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = scrape(&app.url("/metrics"), Some("a-scrape-token-of-other-length")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let before = scraped(&app).await;
    assert!(before.contains("# TYPE admit_http_request_duration_seconds histogram"));

    // A console login that fails, then one that succeeds.
    app.create_staff(EMAIL, "administrator", &[], PASSWORD)
        .await;
    let page = app.browser().login(EMAIL, "not the password").await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    let page = app.browser().login(EMAIL, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);

    // An API call, on a route with an id.
    let api = app.api(&app.api_key().await);
    let (status, area) = api.post("/api/v1/areas", &json!({"name": "Metrics"})).await;
    assert_eq!(status, StatusCode::CREATED, "{area}");
    let id = area["id"].as_i64().unwrap();
    let (status, _) = api.get(&format!("/api/v1/areas/{id}")).await;
    assert_eq!(status, StatusCode::OK);

    // An e-mail through the outbox.
    admit::usecases::mail::send_test(&app.cx, &Actor::cli(), EMAIL, None)
        .await
        .unwrap();
    assert!(outbox_quiet(&app, 10).await);
    assert!(
        eventually(5, || async {
            figure(&scraped(&app).await, SENT) > figure(&before, SENT)
        })
        .await
    );

    let after = scraped(&app).await;
    assert_eq!(
        figure(&after, CONSOLE_FAILED),
        figure(&before, CONSOLE_FAILED) + 1.0
    );
    assert_eq!(
        figure(&after, CONSOLE_OK),
        figure(&before, CONSOLE_OK) + 1.0
    );
    assert_eq!(figure(&after, AREA_OK), 1.0, "{after}");
    assert_eq!(figure(&after, AREA_TIMES), 1.0, "{after}");
    assert!(
        figure(
            &after,
            "admit_http_requests_total{route=\"/console/login\",status=\"4xx\"}"
        ) >= 1.0
    );
    assert_eq!(figure(&after, "admit_outbox_pending"), 0.0);
    assert!(after.contains("admit_outbox_oldest_pending_age_seconds 0"));
    assert!(
        figure(
            &after,
            "admit_job_last_success_timestamp_seconds{job=\"outbox\"}"
        ) > 1.6e9
    );
    // Route templates, never the path sent; no person in any label.
    assert!(!after.contains(&format!("/api/v1/areas/{id}\"")), "{after}");
    assert!(
        !after.contains("example.test") && !after.contains('@'),
        "{after}"
    );
    app.stop().await;

    // Off unless set.
    let app = TestApp::spawn(engine).await;
    let (status, _) = scrape(&app.url("/metrics"), Some(TOKEN)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(app.metrics_base.is_none());
    app.stop().await;
}
on_both!(metrics_token, metrics_behind_a_token);

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
    assert!(
        figure(
            &text,
            "admit_http_requests_total{route=\"/metrics\",status=\"4xx\"}"
        ) >= 1.0
    );
    assert!(text.contains("admit_outbox_pending 0"));
    let (status, _) = scrape(&format!("{own}/healthz"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}
on_both!(metrics_listen, metrics_on_their_own_address);
