//! The JSON API as one contract: times in RFC 3339 and days as `YYYY-MM-DD` both ways, every
//! status of an account, bodies that are objects, upserts that never conflict with themselves,
//! and an OpenAPI document that puts query parameters in the query.

use crate::common::{TestApp, exec};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap_or_else(|| panic!("an id in {v}"))
}

fn is_rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok())
}

async fn account_times_and_days_are_strings(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let (_, org) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "Zeit GmbH"}),
        )
        .await;
    let (_, contact) = api
        .post(
            "/api/v1/contacts",
            &json!({"organization_id": id(&org), "name": "Tina Zeit", "email": "tina@zeit.example"}),
        )
        .await;
    let (_, portal) = api
        .post(
            "/api/v1/portals",
            &json!({"name": "Customers", "kind": "customer", "base_url": "https://c.example.com",
                    "registration_mode": "invitation_only", "modules": []}),
        )
        .await;
    let (status, account) = api
        .post(
            "/api/v1/accounts",
            &json!({"contact_id": id(&contact), "portal_id": id(&portal), "role": "user"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    assert!(is_rfc3339(&account["created_at"]), "{account}");
    assert!(is_rfc3339(&account["updated_at"]), "{account}");
    assert_eq!(account["last_login_at"], Value::Null);
    assert_eq!(account["valid_until"], Value::Null);
    assert_eq!(account["assignment"], "assigned", "{account}");
    assert_eq!(account["registration"], "invited");
    assert!(account["approval"].is_string());
    assert_eq!(account["lifecycle"], "active");

    // A day goes in and comes back as YYYY-MM-DD.
    let path = format!("/api/v1/accounts/{}", id(&account));
    let (status, changed) = api
        .post(
            &format!("{path}/status"),
            &json!({"action": "set_valid_until", "valid_until": "2030-01-31", "notify": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["valid_until"], "2030-01-31");

    // A login time is RFC 3339 like every other time.
    exec(
        &app,
        &format!(
            "UPDATE portal_accounts SET last_login_at = 1767225600123 WHERE id = {}",
            id(&account)
        ),
    )
    .await;
    let (_, read) = api.get(&path).await;
    assert_eq!(read["valid_until"], "2030-01-31");
    assert_eq!(read["last_login_at"], "2026-01-01T00:00:00.123Z");
    let (_, listed) = api
        .get(&format!("/api/v1/accounts?portal_id={}", id(&portal)))
        .await;
    assert_eq!(
        listed["items"][0]["last_login_at"],
        "2026-01-01T00:00:00.123Z"
    );
    assert_eq!(listed["items"][0]["valid_until"], "2030-01-31");

    // A self-registration awaiting its contact is pending assignment.
    exec(
        &app,
        &format!(
            "UPDATE portal_accounts SET contact_id = NULL WHERE id = {}",
            id(&account)
        ),
    )
    .await;
    let (_, read) = api.get(&path).await;
    assert_eq!(read["assignment"], "pending", "{read}");
    let (_, listed) = api.get("/api/v1/accounts?assignment=pending").await;
    assert_eq!(listed["items"][0]["id"], account["id"]);

    // Every other time of the API is RFC 3339 too.
    let (_, outbox) = api.get("/api/v1/outbox").await;
    let message = &outbox[0];
    for field in ["created_at", "updated_at", "next_attempt_at"] {
        assert!(is_rfc3339(&message[field]), "{field} in {message}");
    }
    let (_, events) = api.get("/api/v1/audit-events").await;
    assert!(is_rfc3339(&events[0]["occurred_at"]), "{}", events[0]);
}
both!(account_times, account_times_and_days_are_strings);

async fn a_body_that_is_not_an_object_is_refused(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let (_, area) = api.post("/api/v1/areas", &json!({"name": "North"})).await;
    let (_, org) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "Array Co", "area_id": id(&area)}),
        )
        .await;
    let areas_before = app.count("areas").await;
    let orgs_before = app.count("organizations").await;
    let cases = [
        (
            reqwest::Method::POST,
            "/api/v1/areas".to_string(),
            json!(["Array Area"]),
        ),
        (
            reqwest::Method::PUT,
            format!("/api/v1/areas/{}", id(&area)),
            json!(["South"]),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/organizations".to_string(),
            json!(["customer", "Array GmbH"]),
        ),
        (
            reqwest::Method::PUT,
            "/api/v1/organizations/by-external-id/ARR-1".to_string(),
            json!(["customer", "Array GmbH"]),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/contacts".to_string(),
            json!([id(&org), "Ann Array"]),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/accounts".to_string(),
            json!([1, 1]),
        ),
        (
            reqwest::Method::POST,
            "/api/v1/areas".to_string(),
            json!("Array Area"),
        ),
        (reqwest::Method::POST, "/api/v1/areas".to_string(), json!(7)),
        (
            reqwest::Method::POST,
            "/api/v1/areas".to_string(),
            Value::Null,
        ),
    ];
    for (method, path, body) in cases {
        let (status, answer) = api
            .raw(
                method.clone(),
                &path,
                "application/json",
                body.to_string().into_bytes(),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{method} {path} {body}: {answer}"
        );
        assert_eq!(answer["error"], "invalid");
        assert_eq!(answer["message"], "The body must be a JSON object.");
    }
    assert_eq!(app.count("areas").await, areas_before);
    assert_eq!(app.count("organizations").await, orgs_before);
    let (_, read) = api.get(&format!("/api/v1/areas/{}", id(&area))).await;
    assert_eq!(read["name"], "North");

    // Unreadable JSON stays a 400, and an object is still read.
    let (status, _) = api
        .raw(
            reqwest::Method::POST,
            "/api/v1/areas",
            "application/json",
            b"[\"Array".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = api
        .raw(
            reqwest::Method::POST,
            "/api/v1/areas",
            "application/json",
            b" \n{\"name\": \"Object Area\"}".to_vec(),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}
both!(not_an_object, a_body_that_is_not_an_object_is_refused);

/// A filter value the document does not allow is refused, not read as "matches nothing".
async fn filters_outside_the_document_are_refused(app: TestApp) {
    let api = app.api(&app.api_key().await);
    for path in [
        "/api/v1/contacts?language=fr",
        "/api/v1/organizations?kind=supplier",
        "/api/v1/accounts?role=owner",
        "/api/v1/tasks?status=done",
        "/api/v1/outbox?limit=0",
    ] {
        let (status, body) = api.get(path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {body}");
    }
    let (status, _) = api.get("/api/v1/contacts?language=de").await;
    assert_eq!(status, StatusCode::OK);
}
both!(filters, filters_outside_the_document_are_refused);

const CLIENTS: usize = 20;
const REPEATS: usize = 10;

/// `CLIENTS` clients each sending the same upsert `REPEATS` times at once: the statuses seen.
async fn race(app: &TestApp, path: &str, body: Value) -> Vec<StatusCode> {
    let key = app.api_key().await;
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let api = app.api(&key);
        let (path, body) = (path.to_string(), body.clone());
        clients.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for _ in 0..REPEATS {
                let (status, answer) = api.put(&path, &body).await;
                assert!(
                    status == StatusCode::OK || status == StatusCode::CREATED,
                    "{status}: {answer}"
                );
                seen.push(status);
            }
            seen
        }));
    }
    let mut statuses = Vec::new();
    for c in clients {
        statuses.extend(c.await.expect("a client"));
    }
    statuses
}

async fn concurrent_upserts_never_conflict(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let (_, org) = api
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "Race Co"}),
        )
        .await;
    let cases = [
        (
            "/api/v1/organizations/by-external-id/RACE-ORG",
            json!({"kind": "customer", "name": "Race GmbH"}),
            "organization",
        ),
        (
            "/api/v1/contacts/by-external-id/RACE-CONTACT",
            json!({"organization_id": id(&org), "name": "Rita Race", "email": "rita@race.example"}),
            "contact",
        ),
    ];
    for (path, body, kind) in cases {
        let statuses = race(&app, path, body).await;
        assert_eq!(statuses.len(), CLIENTS * REPEATS);
        let created = statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count();
        assert_eq!(created, 1, "{kind}: exactly one call creates it");
        let ext = path.rsplit('/').next().unwrap();
        // `count` reads `SELECT COUNT(*) FROM <its argument>`.
        let rows = app
            .count(&format!("{kind}s WHERE external_id = '{ext}'"))
            .await;
        assert_eq!(rows, 1, "{kind}: one row");
        let events = |action: &str| format!("audit_events WHERE action = '{kind}.{action}'");
        assert_eq!(
            app.count(&events("created")).await,
            if kind == "organization" { 2 } else { 1 },
            "{kind}: one creation audited (and Race Co's)"
        );
        assert_eq!(
            app.count(&events("updated")).await,
            0,
            "{kind}: the same call repeated changes nothing"
        );
    }
}
both!(concurrent_upserts, concurrent_upserts_never_conflict);

#[tokio::test]
async fn query_parameters_are_in_the_query() {
    let doc: Value = serde_json::from_str(&admit::web::api::openapi_document()).unwrap();
    let params = |path: &str, method: &str| -> Vec<(String, String)> {
        doc["paths"][path][method]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap().to_string(),
                    p["in"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let decision = params("/api/v1/decision", "get");
    for name in ["account_id", "customer_id", "module", "portal_id"] {
        assert!(
            decision.contains(&(name.to_string(), "query".to_string())),
            "{name} in {decision:?}"
        );
    }
    let remove = params("/api/v1/accounts/{id}", "delete");
    assert_eq!(
        remove,
        [
            ("id".into(), "path".into()),
            ("notify".into(), "query".into())
        ]
    );
    // No operation has a path parameter that its path does not name.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                if p["in"] == "path" {
                    let name = p["name"].as_str().unwrap();
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{method} {path}: {name}"
                    );
                }
            }
            for status in ["401", "403"] {
                assert!(
                    op["responses"][status].is_object(),
                    "{method} {path}: {status}"
                );
            }
            if op["requestBody"].is_object() {
                for status in ["400", "415", "422"] {
                    assert!(
                        op["responses"][status].is_object(),
                        "{method} {path}: {status}"
                    );
                }
            }
        }
    }
}
