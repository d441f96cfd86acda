//! The JSON API: directory sync from a CRM, bad input, partnerships and portals, health; keys
//! and supervisor scope, and lists, below.

use crate::common;

use common::{TestApp, texts};
use reqwest::StatusCode;
use serde_json::{Value, json};

mod keys;
mod lists;

fn field_of(body: &Value) -> Vec<String> {
    body["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn upserts_by_external_id_are_idempotent(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let (status, area) = api.post("/api/v1/areas", &json!({"name": "North"})).await;
    assert_eq!(status, StatusCode::CREATED, "{area}");
    let area_id = area["id"].as_i64().unwrap();
    api.assert_reads_back("/api/v1/areas", &area).await;

    let org = json!({"kind": "customer", "name": "Nordlicht GmbH", "area_id": area_id});
    let (status, outcome, created) = api
        .put_with_outcome("/api/v1/organizations/by-external-id/CRM-1", &org)
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(outcome, "created");
    assert_eq!(created["external_id"], "CRM-1");
    assert_eq!(created["area_name"], "North");
    api.assert_reads_back("/api/v1/organizations", &created)
        .await;

    let audit_before = app.count("audit_events").await;
    let (status, outcome, again) = api
        .put_with_outcome("/api/v1/organizations/by-external-id/CRM-1", &org)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(outcome, "unchanged");
    assert_eq!(again["id"], created["id"]);
    assert_eq!(again["updated_at"], created["updated_at"]);
    api.assert_reads_back("/api/v1/organizations", &again).await;
    assert_eq!(
        app.count("audit_events").await,
        audit_before,
        "an unchanged upsert writes nothing"
    );
    assert_eq!(app.count("organizations").await, 1);

    // A sub-account referring to its parent by the CRM's id.
    let (status, child) = api
        .put(
            "/api/v1/organizations/by-external-id/CRM-2",
            &json!({"kind": "customer", "name": "Nordlicht Kiel", "area_id": area_id, "parent_external_id": "CRM-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{child}");
    assert_eq!(child["parent_id"], created["id"]);
    api.assert_reads_back("/api/v1/organizations", &child).await;

    // A change is an update, audited with before and after.
    let (status, renamed) = api
        .put(
            "/api/v1/organizations/by-external-id/CRM-1",
            &json!({"kind": "customer", "name": "Nordlicht Facility GmbH", "area_id": area_id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(renamed["name"], "Nordlicht Facility GmbH");
    api.assert_reads_back("/api/v1/organizations", &renamed)
        .await;
    let (_, events) = api
        .get(&format!(
            "/api/v1/audit-events?target_kind=organization&target_id={}",
            created["id"]
        ))
        .await;
    let latest = &events[0];
    assert_eq!(latest["action"], "organization.updated");
    assert!(
        latest["before_json"]
            .as_str()
            .unwrap()
            .contains("Nordlicht GmbH")
    );
    assert!(
        latest["after_json"]
            .as_str()
            .unwrap()
            .contains("Nordlicht Facility GmbH")
    );
    assert!(
        latest["actor_label"]
            .as_str()
            .unwrap()
            .starts_with("API key test")
    );
    assert_eq!(latest["client_addr"], "127.0.0.1");

    // Contacts, likewise.
    let contact = json!({"organization_external_id": "CRM-1", "name": "Erika Muster", "email": "Erika@Example.com", "language": "de"});
    let (status, c1) = api
        .put("/api/v1/contacts/by-external-id/K-1", &contact)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c1}");
    assert_eq!(c1["email"], "erika@example.com");
    assert_eq!(c1["organization_id"], created["id"]);
    api.assert_reads_back("/api/v1/contacts", &c1).await;
    let (status, c2) = api
        .put("/api/v1/contacts/by-external-id/K-1", &contact)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(c2["updated_at"], c1["updated_at"]);
    api.assert_reads_back("/api/v1/contacts", &c2).await;
    assert_eq!(app.count("contacts").await, 1);
}
both!(
    upserts_are_idempotent,
    upserts_by_external_id_are_idempotent
);

async fn bad_input_is_refused_naming_the_field(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let (_, org) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "Acme", "external_id": "A-1"}),
        )
        .await;
    let org_id = org["id"].as_i64().unwrap();
    api.assert_reads_back("/api/v1/organizations", &org).await;
    let orgs_before = app.count("organizations").await;
    let contacts_before = app.count("contacts").await;
    let audit_before = app.count("audit_events").await;

    // Malformed JSON.
    let (status, body) = api
        .raw(
            reqwest::Method::POST,
            "/api/v1/organizations",
            "application/json",
            b"{\"kind\": ".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("not valid JSON"));
    // Not JSON at all.
    let (status, _) = api
        .raw(
            reqwest::Method::POST,
            "/api/v1/organizations",
            "text/plain",
            b"hello".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // An unknown field.
    let (status, body) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "X", "colour": "red"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("colour"),
        "{body}"
    );
    // A wrong type names its field.
    let (status, body) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "X", "area_id": "north"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["message"].as_str().unwrap().starts_with("area_id"),
        "{body}"
    );
    // Over-long strings, a bad kind.
    let (status, body) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "vendor", "name": "x".repeat(201)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&body), vec!["kind", "name"]);
    // An invalid e-mail address.
    let (status, body) = api
        .post(
            "/api/v1/contacts",
            &json!({"organization_id": org_id, "name": "E", "email": "not-an-email"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&body), vec!["email"]);
    // Header injection through an address.
    let (status, _) = api.post("/api/v1/contacts", &json!({"organization_id": org_id, "name": "E", "email": "a@example.com\r\nBcc: x@example.com"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A duplicate external id.
    let (status, body) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "Other", "external_id": "A-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(field_of(&body), vec!["external_id"]);
    // A missing foreign key.
    let (status, body) = api
        .post(
            "/api/v1/contacts",
            &json!({"organization_id": 999_999, "name": "E"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&body), vec!["organization_id"]);
    let (status, body) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "X", "area_id": 999}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&body), vec!["area_id"]);
    // A parent that would make a cycle: Acme -> Child -> Acme.
    let (_, child) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "Child", "parent_id": org_id}),
        )
        .await;
    api.assert_reads_back("/api/v1/organizations", &child).await;
    let orgs_with_child = app.count("organizations").await;
    let (status, body) = api
        .put(&format!("/api/v1/organizations/{org_id}"), &json!({"kind": "customer", "name": "Acme", "external_id": "A-1", "parent_id": child["id"]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_of(&body), vec!["parent_id"]);
    assert!(body["message"].as_str().unwrap().contains("cycle"));
    // Its own parent.
    let (status, _) = api
        .put(
            &format!("/api/v1/organizations/{org_id}"),
            &json!({"kind": "customer", "name": "Acme", "parent_id": org_id}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A partner with a parent; a partner as parent.
    let (status, _) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "partner", "name": "P", "parent_id": org_id}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // An external id in the body that differs from the path.
    let (status, _) = api
        .put(
            "/api/v1/organizations/by-external-id/A-9",
            &json!({"kind": "customer", "name": "Z", "external_id": "A-8"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Bad query parameters and ids.
    let (status, _) = api.get("/api/v1/organizations?limit=100000").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api.get("/api/v1/organizations?after=zz").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api.get("/api/v1/organizations?colour=red").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api.get("/api/v1/organizations/abc").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = api.get("/api/v1/nothing-here").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "not_found");
    // Body and URI size limits.
    let big = format!(
        "{{\"kind\":\"customer\",\"name\":\"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    // The server answers 413 from the Content-Length, without reading the body, and may close
    // the connection while the client is still writing it (a broken pipe on this side).
    let res = api
        .client
        .post(app.url("/api/v1/organizations"))
        .bearer_auth(&api.key)
        .header("content-type", "application/json")
        .body(big.into_bytes())
        .send()
        .await;
    match res {
        Ok(r) => assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE),
        Err(e) => assert!(e.is_request(), "refused while sending, not otherwise: {e}"),
    }
    // The server closes the connection of a body it refused: a client of its own, so that the
    // next request does not go out on that connection while it closes.
    let api = app.api(&api.key);
    let (status, _) = api
        .get(&format!("/api/v1/organizations?q={}", "x".repeat(10_000)))
        .await;
    assert_eq!(status, StatusCode::URI_TOO_LONG);

    // Nothing was written by any of it.
    assert_eq!(app.count("organizations").await, orgs_with_child);
    assert_eq!(orgs_with_child, orgs_before + 1);
    assert_eq!(app.count("contacts").await, contacts_before);
    assert_eq!(app.count("audit_events").await, audit_before + 1);
    // And the server still answers.
    let (status, _) = api.get("/api/v1/organizations").await;
    assert_eq!(status, StatusCode::OK);
}
both!(bad_input, bad_input_is_refused_naming_the_field);

async fn partnerships_and_portals(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let (_, partner) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "partner", "name": "SolarSüd"}),
        )
        .await;
    let (_, c1) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "C1"}),
        )
        .await;
    let (_, c2) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "C2"}),
        )
        .await;
    for org in [&partner, &c1, &c2] {
        api.assert_reads_back("/api/v1/organizations", org).await;
    }
    let (status, p) = api
        .post("/api/v1/partnerships", &json!({"partner_id": partner["id"], "name": "Service", "customer_ids": [c2["id"], c1["id"], c1["id"]]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(p["customer_ids"], json!([c1["id"], c2["id"]]));
    api.assert_reads_back("/api/v1/partnerships", &p).await;
    // A customer as partner, a partner as customer: refused.
    let (status, body) = api
        .post(
            "/api/v1/partnerships",
            &json!({"partner_id": c1["id"], "name": "X", "customer_ids": [partner["id"]]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&body), vec!["partner_id", "customer_ids"]);
    // A customer held by a partnership cannot become a partner.
    let (status, body) = api
        .put(
            &format!("/api/v1/organizations/{}", c1["id"]),
            &json!({"kind": "partner", "name": "C1"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&body), vec!["kind"]);

    let portal = json!({
        "name": "Customer portal", "kind": "customer", "base_url": "https://portal.example.com",
        "registration_mode": "self_manual",
        "modules": [{"name": "Invoices"}, {"name": "Pricing", "admin_only": true}]
    });
    let (status, created) = api.post("/api/v1/portals", &portal).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["invitation_lifetime_days"], 7);
    assert_eq!(created["default_language"], "en");
    assert_eq!(
        created["modules"][1],
        json!({"name": "Pricing", "name_de": null, "admin_only": true, "marketing": false})
    );
    assert!(created["name_de"].is_null(), "no German name given: none");
    api.assert_reads_back("/api/v1/portals", &created).await;
    let (status, body) = api.post("/api/v1/portals", &portal).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(field_of(&body), vec!["name"]);
    let (status, body) = api
        .post("/api/v1/portals", &json!({"name": "P2", "kind": "shop", "base_url": "ftp://x", "registration_mode": "open", "invitation_lifetime_days": 0}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_of(&body),
        vec![
            "kind",
            "base_url",
            "registration_mode",
            "invitation_lifetime_days"
        ]
    );
}
both!(partnerships_portals, partnerships_and_portals);

async fn health_checks_answer(app: TestApp) {
    let client = reqwest::Client::new();
    let res = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let res = client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ready");
}
both!(health, health_checks_answer);
