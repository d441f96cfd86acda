//! The clients a process keeps for refresh and introspection: a client changed by anyone (here
//! by a statement straight to the database, as another process would) counts at its next
//! request, and a block of wrong secrets holds the kept client back too.

use super::*;
use crate::common::exec;

/// A refresh and an introspection with `rp`'s credentials: their statuses, and the refresh's
/// answer (with the next refresh token).
async fn refresh_and_introspect(
    app: &TestApp,
    rp: &Rp,
    t: &Value,
) -> (StatusCode, StatusCode, Value) {
    let (introspected, _) = post(app, rp, "introspect", &[("token", &s(t, "access_token"))]).await;
    let (refreshed, answer) = refresh(app, rp, &s(t, "refresh_token")).await;
    (refreshed, introspected, answer)
}

/// Switches a client on or off by a statement of its own, as another process would.
async fn set_active(app: &TestApp, client_id: &str, on: bool) {
    let sql = format!("UPDATE oidc_clients SET active = {on} WHERE client_id = '{client_id}'");
    exec(app, &sql).await;
}

async fn a_changed_client_counts_at_its_next_request(app: TestApp) {
    let w = world(&app).await;
    let (_, t) = tokens(&app, &w).await;
    // Kept by both endpoints.
    let (refreshed, introspected, t) = refresh_and_introspect(&app, &w.rp, &t).await;
    assert_eq!(
        (refreshed, introspected),
        (StatusCode::OK, StatusCode::OK),
        "{t}"
    );

    // A new secret through the API: the old one is refused at once, the new one works.
    let id = app
        .count_where(
            "SELECT id FROM oidc_clients WHERE client_id = $1",
            &w.rp.client_id,
        )
        .await;
    let api = app.api(&app.api_key().await);
    let (status, renewed) = api
        .post(&format!("/api/v1/oidc-clients/{id}/secret"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let (refreshed, introspected, _) = refresh_and_introspect(&app, &w.rp, &t).await;
    assert_eq!(
        (refreshed, introspected),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    let mut renewed_rp = w.rp.clone();
    renewed_rp.secret = renewed["client_secret"].as_str().map(str::to_string);
    let (refreshed, introspected, t) = refresh_and_introspect(&app, &renewed_rp, &t).await;
    assert_eq!(
        (refreshed, introspected),
        (StatusCode::OK, StatusCode::OK),
        "{t}"
    );

    // Switched off behind this process's back: refused at the next request.
    set_active(&app, &w.rp.client_id, false).await;
    let (refreshed, introspected, _) = refresh_and_introspect(&app, &renewed_rp, &t).await;
    assert_eq!(
        (refreshed, introspected),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    set_active(&app, &w.rp.client_id, true).await;
    let (refreshed, introspected, t) = refresh_and_introspect(&app, &renewed_rp, &t).await;
    assert_eq!(
        (refreshed, introspected),
        (StatusCode::OK, StatusCode::OK),
        "{t}"
    );

    // Wrong secrets many at once block this address: the kept client waits too.
    let mut wrong = renewed_rp.clone();
    wrong.secret = Some("0".repeat(64));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (app_url, rp) = (app.url(""), wrong.clone());
        tasks.push(tokio::spawn(async move {
            reqwest::Client::new()
                .post(format!("{app_url}/portal/{}/oidc/token", rp.pid))
                .basic_auth(&rp.client_id, rp.secret.as_deref())
                .form(&[("grant_type", "client_credentials")])
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for task in tasks {
        assert_ne!(task.await.unwrap(), StatusCode::OK);
    }
    let (refreshed, introspected, _) = refresh_and_introspect(&app, &renewed_rp, &t).await;
    assert_eq!(
        (refreshed, introspected),
        (StatusCode::TOO_MANY_REQUESTS, StatusCode::TOO_MANY_REQUESTS)
    );
}
both!(changed, a_changed_client_counts_at_its_next_request);
