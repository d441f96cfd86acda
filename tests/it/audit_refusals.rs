//! Refused requests are in the audit log with the real client address: authorization
//! refusals (API and console), CSRF refusals (console and portal), unknown and revoked API
//! keys, and portal logouts. A flood of refusals from one client writes one event per kind in
//! ten minutes, never one per request.

use std::sync::Arc;

use crate::common;
use crate::throttling::{audit, browser_from, registered};

use admit::usecases::{self, Actor};
use common::{Api, PASSWORD, TestApp, hidden};
use reqwest::{Client, StatusCode};
use serde_json::json;
use tokio::sync::Barrier;

/// The API as `key`, from `ip`.
fn api_from(app: &TestApp, key: &str, ip: &str) -> Api {
    Api {
        base: app.base.clone(),
        key: key.to_string(),
        client: Client::builder()
            .local_address(ip.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap(),
    }
}

/// `n` GETs of `path` at once with `api`: their statuses.
async fn gets_at_once(api: Api, path: &'static str, n: usize) -> Vec<StatusCode> {
    let api = Arc::new(api);
    let gate = Arc::new(Barrier::new(n));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (api, gate) = (api.clone(), gate.clone());
        tasks.spawn(async move {
            gate.wait().await;
            api.get(path).await.0
        });
    }
    tasks.join_all().await
}

async fn refusals_are_audited_once_per_window(app: TestApp) {
    let admin_api = app.api(&app.api_key().await);
    let north = admin_api
        .create("/api/v1/areas", &json!({"name": "North"}))
        .await["id"]
        .as_i64()
        .unwrap();

    // 50 authorization refusals at once from one client: one event, with its address and
    // the key's prefix.
    let area_key = app.area_key(&[north]).await;
    let statuses = gets_at_once(
        api_from(&app, &area_key, "127.0.0.2"),
        "/api/v1/audit-events",
        50,
    )
    .await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::FORBIDDEN),
        "{statuses:?}"
    );
    let forbidden = audit(&app, "security.forbidden").await;
    assert_eq!(forbidden.len(), 1, "{forbidden:?}");
    assert_eq!(forbidden[0]["client_addr"], "127.0.0.2");
    assert_eq!(forbidden[0]["actor_label"], area_key[..12]);
    assert_eq!(forbidden[0]["target_label"], "GET /api/v1/audit-events");

    // 50 made-up keys at once: one event.
    let made_up = format!("admit_{}", "0".repeat(40));
    let statuses = gets_at_once(api_from(&app, &made_up, "127.0.0.3"), "/api/v1/areas", 50).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    let unknown = audit(&app, "security.unknown_api_key").await;
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert_eq!(unknown[0]["client_addr"], "127.0.0.3");
    // A revoked key, from another client: its own event, naming the key's prefix.
    let created = usecases::apikeys::create(&app.cx, &Actor::cli(), "old", &[])
        .await
        .unwrap();
    usecases::apikeys::revoke(&app.cx, &Actor::cli(), created.key.id)
        .await
        .unwrap();
    let revoked = api_from(&app, &created.secret, "127.0.0.4");
    assert_eq!(
        revoked.get("/api/v1/areas").await.0,
        StatusCode::UNAUTHORIZED
    );
    let unknown = audit(&app, "security.unknown_api_key").await;
    assert_eq!(unknown.len(), 2);
    assert_eq!(unknown[0]["client_addr"], "127.0.0.4");
    assert_eq!(unknown[0]["actor_label"], created.secret[..12]);
    assert!(
        !unknown
            .iter()
            .any(|e| e.to_string().contains(&created.secret))
    );

    // The console: a supervisor on an administrator's page, and a form with a wrong token.
    app.create_staff("sup@example.test", "supervisor", &[north], PASSWORD)
        .await;
    let sup = browser_from(&app, "127.0.0.5");
    sup.login("sup@example.test", PASSWORD).await;
    let token = sup.csrf().await;
    let page = sup
        .post("/console/partnerships/new", &[("csrf", &token)])
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "{}", page.body);
    let page = sup
        .post(
            "/console/account/password",
            &[
                ("csrf", "forged"),
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let forbidden = audit(&app, "security.forbidden").await;
    assert_eq!(forbidden.len(), 2);
    assert_eq!(forbidden[0]["client_addr"], "127.0.0.5");
    assert_eq!(
        forbidden[0]["target_label"],
        "POST /console/partnerships/new"
    );
    let csrf = audit(&app, "security.csrf_refused").await;
    assert_eq!(csrf.len(), 1, "{csrf:?}");
    assert_eq!(csrf[0]["client_addr"], "127.0.0.5");
    assert_eq!(csrf[0]["target_label"], "POST /console/account/password");

    // The portal: a form with a wrong token, and a logout.
    let pid = registered(&app, "erika@nordlicht.example").await;
    let erika = browser_from(&app, "127.0.0.6");
    erika
        .portal_logged_in(pid, "erika@nordlicht.example", PASSWORD)
        .await;
    let page = erika
        .post(
            &format!("/portal/{pid}/account/profile"),
            &[
                ("csrf", "forged"),
                ("name", "Mallory"),
                ("language", "en"),
                ("time_zone", "UTC"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    let csrf = audit(&app, "security.csrf_refused").await;
    assert_eq!(csrf.len(), 2);
    assert_eq!(csrf[0]["client_addr"], "127.0.0.6");
    let home = erika.get(&format!("/portal/{pid}/")).await;
    let token = hidden(&home.body, "csrf");
    let out = erika
        .post(&format!("/portal/{pid}/logout"), &[("csrf", &token)])
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let logouts = audit(&app, "account.logged_out").await;
    assert_eq!(logouts.len(), 1);
    assert_eq!(logouts[0]["client_addr"], "127.0.0.6");
    assert_eq!(logouts[0]["actor_label"], "erika@nordlicht.example");
    assert_eq!(app.count("portal_sessions").await, 0);
}
both!(refusals, refusals_are_audited_once_per_window);
