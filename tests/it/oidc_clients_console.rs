//! OpenID Connect clients on the console: an administrator registers one (its secret on that
//! page only, stored as a hash), sees a wrong redirect URI named by its line with nothing
//! written, changes and switches it off, renews the secret and deletes the client; a
//! supervisor is refused.

use crate::common::{Page, TestApp};
use admit::security::tokens::hash_token;
use reqwest::StatusCode;
use serde_json::json;

fn shown_secret(page: &Page) -> String {
    let marker = "id=\"new-client-secret\">";
    let start = page.body.find(marker).expect("the secret is shown") + marker.len();
    page.body[start..start + 64].to_string()
}

async fn administrators_register_clients_in_the_console(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let portal = api
        .create(
            "/api/v1/portals",
            &json!({"name": "Customers", "kind": "customer", "base_url": "https://c.example.com",
                    "registration_mode": "invitation_only"}),
        )
        .await;
    let pid = portal["id"].as_i64().unwrap();
    let path = format!("/console/portals/{pid}/clients");
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let csrf = b.csrf().await;
    let portal_page = b.get(&format!("/console/portals/{pid}")).await;
    assert!(
        portal_page.body.contains(&path),
        "the portal links its clients"
    );
    let empty = b.get(&path).await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.body.contains("No clients yet."));

    // A wrong redirect URI: named by its line, nothing written.
    let page = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("name", "Invoices"),
                ("kind", "confidential"),
                (
                    "redirect_uris",
                    "https://invoices.example.com/cb\r\nhttps://invoices.example.com/cb#x",
                ),
                ("scopes", "openid"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("Redirect URIs, line 2: must not have a fragment"),
        "{}",
        page.body
    );
    assert_eq!(app.count("oidc_clients").await, 0);

    let page = b
        .post(
            &path,
            &[
                ("csrf", &csrf),
                ("name", "Invoices"),
                ("kind", "confidential"),
                ("redirect_uris", "https://invoices.example.com/cb\r\n"),
                ("scopes", "openid"),
                ("scopes", "email"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let secret = shown_secret(&page);
    let by_hash = "SELECT COUNT(*) FROM oidc_clients WHERE secret_hash = $1";
    assert_eq!(app.count_where(by_hash, &hash_token(&secret)).await, 1);
    assert_eq!(app.count_where(by_hash, &secret).await, 0);
    let list = b.get(&path).await;
    assert!(list.body.contains("Invoices") && list.body.contains("openid email"));
    assert!(!list.body.contains(&secret), "shown once");
    let (_, clients) = api.get(&format!("/api/v1/portals/{pid}/clients")).await;
    let id = clients[0]["id"].as_i64().unwrap();

    // A supervisor may not see or change clients: the pages are not there for them.
    let area = api.create("/api/v1/areas", &json!({"name": "North"})).await;
    let sup = app
        .staff_browser(
            "sup@example.test",
            "supervisor",
            &[area["id"].as_i64().unwrap()],
        )
        .await;
    let sup_csrf = sup.csrf().await;
    assert_eq!(sup.get(&path).await.status, StatusCode::NOT_FOUND);
    let page = sup
        .post(
            &format!("/console/oidc-clients/{id}/secret"),
            &[("csrf", &sup_csrf)],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(app.count_where(by_hash, &hash_token(&secret)).await, 1);

    // Changed and switched off on its own page; a wrong URI changes nothing.
    let edit = format!("/console/oidc-clients/{id}");
    let page = b.get(&edit).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("https://invoices.example.com/cb"));
    assert!(!page.body.contains(&secret));
    let page = b
        .post(
            &edit,
            &[
                ("csrf", &csrf),
                ("name", "Invoices v2"),
                ("redirect_uris", "http://invoices.example.com/cb"),
                ("scopes", "openid"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body
            .contains("Redirect URIs, line 1: must use https://")
    );
    let (_, unchanged) = api.get(&format!("/api/v1/oidc-clients/{id}")).await;
    assert_eq!(unchanged, clients[0]);
    let page = b
        .post(
            &edit,
            &[
                ("csrf", &csrf),
                ("name", "Invoices v2"),
                ("redirect_uris", "https://invoices.example.com/v2/cb"),
                ("scopes", "openid"),
                ("scopes", "profile"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let (_, changed) = api.get(&format!("/api/v1/oidc-clients/{id}")).await;
    assert_eq!(changed["name"], "Invoices v2");
    assert_eq!(changed["active"], false);
    assert_eq!(changed["kind"], "confidential");
    assert_eq!(changed["scopes"], json!(["openid", "profile"]));
    assert_eq!(
        changed["redirect_uris"],
        json!(["https://invoices.example.com/v2/cb"])
    );
    assert_eq!(app.count_where(by_hash, &hash_token(&secret)).await, 1);
    assert_eq!(sup.get(&edit).await.status, StatusCode::NOT_FOUND);

    // A new secret replaces the old one.
    let page = b
        .post(
            &format!("/console/oidc-clients/{id}/secret"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let renewed = shown_secret(&page);
    assert_ne!(renewed, secret);
    assert_eq!(app.count_where(by_hash, &hash_token(&secret)).await, 0);
    assert_eq!(app.count_where(by_hash, &hash_token(&renewed)).await, 1);

    let page = b
        .post(
            &format!("/console/oidc-clients/{id}/delete"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some(path.as_str()));
    assert_eq!(app.count("oidc_clients").await, 0);
    let audit = b.get("/console/audit?target_kind=oidc_client").await;
    for action in [
        "oidc_client.created",
        "oidc_client.updated",
        "oidc_client.secret_renewed",
        "oidc_client.deleted",
    ] {
        assert!(audit.body.contains(action), "{action} in the audit page");
    }
}
both!(
    oidc_clients_console,
    administrators_register_clients_in_the_console
);
