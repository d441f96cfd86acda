//! OpenID Connect clients registered per portal by administrators: a confidential client's
//! secret is shown once and stored only as a hash, redirect URIs are exact and checked, an
//! area key may not touch clients, a renewed secret replaces the old one, and every change is
//! audited without the secret.

use crate::common::{Api, TestApp};
use admit::security::tokens::hash_token;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn portal(api: &Api) -> i64 {
    let portal = api
        .create(
            "/api/v1/portals",
            &json!({"name": "Customers", "kind": "customer", "base_url": "https://c.example.com",
                    "registration_mode": "invitation_only"}),
        )
        .await;
    portal["id"].as_i64().unwrap()
}

fn invoices() -> Value {
    json!({
        "name": "Invoices",
        "kind": "confidential",
        "redirect_uris": ["https://invoices.example.com/callback", "http://localhost:3000/cb"],
        "post_logout_redirect_uris": ["https://invoices.example.com/"],
        "backchannel_logout_uri": "https://invoices.example.com/backchannel",
        "scopes": ["offline_access", "email", "openid"],
    })
}

/// Rows in the clients' tables and audit events about clients.
async fn client_rows(app: &TestApp) -> (i64, i64, i64) {
    (
        app.count("oidc_clients").await,
        app.count("oidc_client_uris").await,
        app.count_where(
            "SELECT COUNT(*) FROM audit_events WHERE target_kind = $1",
            "oidc_client",
        )
        .await,
    )
}

/// Where a text occurs in the clients' table or in the audit log.
async fn stored_anywhere(app: &TestApp, text: &str) -> i64 {
    app.count_where(
        "SELECT COUNT(*) FROM oidc_clients WHERE client_id = $1 OR name = $1 OR kind = $1 \
         OR secret_hash = $1 OR scopes = $1 OR backchannel_logout_uri = $1",
        text,
    )
    .await
        + app
            .count_where(
                "SELECT COUNT(*) FROM audit_events WHERE before_json LIKE '%' || $1 || '%' \
                 OR after_json LIKE '%' || $1 || '%' OR target_label = $1",
                text,
            )
            .await
}

/// Registers a client; answers the client and its secret.
async fn register(api: &Api, pid: i64, body: &Value) -> Value {
    let (status, created) = api
        .post(&format!("/api/v1/portals/{pid}/clients"), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

async fn audit(api: &Api, action: &str, client: i64) -> Vec<Value> {
    let (status, events) = api
        .get(&format!(
            "/api/v1/audit-events?action={action}&target_id={client}"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{events}");
    events.as_array().unwrap().clone()
}

async fn secret_shown_once_and_stored_as_hash(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let pid = portal(&api).await;

    let (status, created) = api
        .post(&format!("/api/v1/portals/{pid}/clients"), &invoices())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["client_secret"].as_str().unwrap().to_string();
    assert_eq!(secret.len(), 64, "256 bits, hex");
    assert!(secret.chars().all(|c| c.is_ascii_hexdigit()));
    let client = &created["client"];
    let id = client["id"].as_i64().unwrap();
    assert_eq!(client["portal_id"], pid);
    assert_eq!(client["kind"], "confidential");
    assert_eq!(client["active"], true);
    assert_eq!(
        client["scopes"],
        json!(["openid", "email", "offline_access"])
    );
    assert_eq!(client["redirect_uris"], invoices()["redirect_uris"]);
    assert_eq!(
        client["post_logout_redirect_uris"],
        invoices()["post_logout_redirect_uris"]
    );
    let client_id = client["client_id"].as_str().unwrap().to_string();
    assert_eq!(client_id.len(), 32);

    let (status, public) = api
        .post(
            &format!("/api/v1/portals/{pid}/clients"),
            &json!({"name": "Pricing app", "kind": "public",
                    "redirect_uris": ["https://pricing.example.com/cb"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{public}");
    assert_eq!(public["client_secret"], Value::Null);
    assert_eq!(public["client"]["scopes"], json!(["openid"]));
    assert_ne!(public["client"]["client_id"], client_id);

    // Read back: the settings, never the secret.
    let (status, read) = api.get(&format!("/api/v1/oidc-clients/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(&read, client);
    assert!(read.get("client_secret").is_none());
    let (status, list) = api.get(&format!("/api/v1/portals/{pid}/clients")).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Invoices", "Pricing app"]);
    assert!(!list.to_string().contains(&secret));
    assert!(!read.to_string().contains(&secret));

    // Stored only as its hash; the audit log holds neither.
    assert_eq!(stored_anywhere(&app, &secret).await, 0);
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM oidc_clients WHERE secret_hash = $1",
            &hash_token(&secret)
        )
        .await,
        1
    );
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM oidc_clients WHERE secret_hash IS NULL AND name = $1",
            "Pricing app"
        )
        .await,
        1
    );
    let events = audit(&api, "oidc_client.created", id).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["target_label"], "Invoices");
    assert!(!Value::Array(events).to_string().contains(&secret));

    // An unknown portal has no clients.
    let (status, _) = api.get("/api/v1/portals/999999/clients").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api
        .post("/api/v1/portals/999999/clients", &invoices())
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
both!(
    oidc_client_secret_shown_once,
    secret_shown_once_and_stored_as_hash
);

fn fields(body: &Value) -> Vec<String> {
    body["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("fields in {body}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect()
}

async fn bad_input_is_refused_and_nothing_written(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let pid = portal(&api).await;
    let path = format!("/api/v1/portals/{pid}/clients");
    let empty = client_rows(&app).await;

    for uri in [
        "http://invoices.example.com/cb",
        "https://invoices.example.com/cb#done",
        "https://*.example.com/cb",
        "/callback",
        "custom-app:/cb",
    ] {
        let mut body = invoices();
        body["redirect_uris"] = json!(["https://invoices.example.com/ok", uri]);
        let (status, answer) = api.post(&path, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {answer}");
        assert_eq!(fields(&answer), ["redirect_uris[1]"], "{uri}");
    }
    let mut body = invoices();
    body["redirect_uris"] = json!(
        (0..11)
            .map(|i| format!("https://invoices.example.com/{i}"))
            .collect::<Vec<_>>()
    );
    let (status, answer) = api.post(&path, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&answer), ["redirect_uris"]);
    let (status, answer) = api
        .post(&path, &json!({"name": "SPA", "kind": "public"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&answer), ["redirect_uris"]);
    let mut body = invoices();
    body["scopes"] = json!(["email"]);
    let (status, answer) = api.post(&path, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&answer), ["scopes"]);
    body["scopes"] = json!(["openid", "address"]);
    let (status, answer) = api.post(&path, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let mut body = invoices();
    body["name"] = json!("x".repeat(201));
    body["backchannel_logout_uri"] = json!("http://invoices.example.com/bc");
    let (status, answer) = api.post(&path, &body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&answer), ["name", "backchannel_logout_uri"]);
    assert_eq!(client_rows(&app).await, empty, "nothing written");

    // A change with a bad URI changes nothing; the kind is not changed.
    let created = register(&api, pid, &invoices()).await;
    let id = created["client"]["id"].as_i64().unwrap();
    let before = client_rows(&app).await;
    let mut update = invoices();
    update.as_object_mut().unwrap().remove("kind");
    update["active"] = json!(true);
    update["post_logout_redirect_uris"] = json!(["https://invoices.example.com/#top"]);
    let (status, answer) = api
        .put(&format!("/api/v1/oidc-clients/{id}"), &update)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&answer), ["post_logout_redirect_uris[0]"]);
    let mut update = invoices();
    update["active"] = json!(true);
    update["kind"] = json!("public");
    let (status, answer) = api
        .put(&format!("/api/v1/oidc-clients/{id}"), &update)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(client_rows(&app).await, before);
    let (_, read) = api.get(&format!("/api/v1/oidc-clients/{id}")).await;
    assert_eq!(read, created["client"]);
}
both!(
    oidc_client_bad_input,
    bad_input_is_refused_and_nothing_written
);

async fn area_keys_may_not_touch_clients(app: TestApp) {
    let admin = app.api(&app.api_key().await);
    let pid = portal(&admin).await;
    let created = register(&admin, pid, &invoices()).await;
    let id = created["client"]["id"].as_i64().unwrap();
    let area = admin
        .create("/api/v1/areas", &json!({"name": "North"}))
        .await;
    let supervisor = app.api(&app.area_key(&[area["id"].as_i64().unwrap()]).await);
    let before = client_rows(&app).await;

    let mut update = invoices();
    update.as_object_mut().unwrap().remove("kind");
    update["active"] = json!(false);
    let answers = [
        supervisor
            .get(&format!("/api/v1/portals/{pid}/clients"))
            .await,
        supervisor
            .post(&format!("/api/v1/portals/{pid}/clients"), &invoices())
            .await,
        supervisor.get(&format!("/api/v1/oidc-clients/{id}")).await,
        supervisor
            .put(&format!("/api/v1/oidc-clients/{id}"), &update)
            .await,
        supervisor
            .post(&format!("/api/v1/oidc-clients/{id}/secret"), &json!({}))
            .await,
        supervisor
            .delete(&format!("/api/v1/oidc-clients/{id}"))
            .await,
    ];
    for (status, body) in answers {
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(!body.to_string().contains("invoices.example.com"), "{body}");
    }
    assert_eq!(client_rows(&app).await, before, "nothing written");
    let (_, read) = admin.get(&format!("/api/v1/oidc-clients/{id}")).await;
    assert_eq!(read, created["client"]);
}
both!(oidc_client_admins_only, area_keys_may_not_touch_clients);

async fn renewed_secret_replaces_the_old_and_delete_removes(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let pid = portal(&api).await;
    let created = register(&api, pid, &invoices()).await;
    let id = created["client"]["id"].as_i64().unwrap();
    let old = created["client_secret"].as_str().unwrap().to_string();

    let (status, renewed) = api
        .post(&format!("/api/v1/oidc-clients/{id}/secret"), &json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let new = renewed["client_secret"].as_str().unwrap().to_string();
    assert_eq!(new.len(), 64);
    assert_ne!(new, old);
    assert_eq!(
        renewed["client"]["client_id"],
        created["client"]["client_id"]
    );
    let by_hash = "SELECT COUNT(*) FROM oidc_clients WHERE secret_hash = $1";
    assert_eq!(app.count_where(by_hash, &hash_token(&old)).await, 0);
    assert_eq!(app.count_where(by_hash, &hash_token(&new)).await, 1);
    assert_eq!(stored_anywhere(&app, &new).await, 0);
    let events = audit(&api, "oidc_client.secret_renewed", id).await;
    assert_eq!(events.len(), 1);
    assert!(!Value::Array(events).to_string().contains(&new));

    // A public client has no secret to renew.
    let public = register(
        &api,
        pid,
        &json!({"name": "SPA", "kind": "public", "redirect_uris": ["http://127.0.0.1:5173/cb"]}),
    )
    .await;
    let public_id = public["client"]["id"].as_i64().unwrap();
    let (status, _) = api
        .post(
            &format!("/api/v1/oidc-clients/{public_id}/secret"),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM oidc_clients WHERE secret_hash IS NULL AND kind = $1",
            "public"
        )
        .await,
        1
    );

    // A change: settings replaced, switched off, audited with before and after.
    let update = json!({"name": "Invoices (old)", "redirect_uris": ["https://invoices.example.com/v2/cb"],
                        "scopes": ["openid", "profile"], "active": false});
    let (status, changed) = api
        .put(&format!("/api/v1/oidc-clients/{id}"), &update)
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["active"], false);
    assert_eq!(changed["kind"], "confidential");
    assert_eq!(changed["post_logout_redirect_uris"], json!([]));
    assert_eq!(changed["backchannel_logout_uri"], Value::Null);
    assert_eq!(changed["scopes"], json!(["openid", "profile"]));
    assert_eq!(app.count_where(by_hash, &hash_token(&new)).await, 1);
    let events = audit(&api, "oidc_client.updated", id).await;
    assert_eq!(events.len(), 1);
    assert!(
        events[0]["before_json"]
            .as_str()
            .unwrap()
            .contains("Invoices")
    );
    assert!(events[0]["after_json"].as_str().unwrap().contains("v2/cb"));

    // Delete: gone with its URIs, audited.
    let (status, deleted) = api.delete(&format!("/api/v1/oidc-clients/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{deleted}");
    assert_eq!(deleted["name"], "Invoices (old)");
    let (status, _) = api.get(&format!("/api/v1/oidc-clients/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = api.delete(&format!("/api/v1/oidc-clients/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count_where(by_hash, &hash_token(&new)).await, 0);
    assert_eq!(app.count("oidc_clients").await, 1);
    assert_eq!(app.count("oidc_client_uris").await, 1);
    assert_eq!(audit(&api, "oidc_client.deleted", id).await.len(), 1);
}
both!(
    oidc_client_secret_renewal_and_delete,
    renewed_secret_replaces_the_old_and_delete_removes
);
