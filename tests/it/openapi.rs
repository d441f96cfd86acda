//! The served OpenAPI document is the committed `openapi.json`; the Swagger UI is served.

use crate::common;

use common::{Engine, TestApp};

#[tokio::test]
async fn the_served_document_matches_the_committed_one() {
    let app = TestApp::spawn(Engine::Sqlite).await;
    let served = reqwest::get(app.url("/api/openapi.json"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json"))
        .expect("openapi.json is committed");
    assert!(
        served == committed,
        "the API changed: regenerate the document with `cargo run -- openapi > openapi.json` and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&served).unwrap();
    for path in [
        "/api/v1/organizations",
        "/api/v1/organizations/by-external-id/{external_id}",
        "/api/v1/contacts/by-external-id/{external_id}",
        "/api/v1/audit-events",
        "/api/v1/decision",
        "/api/v1/portals/{id}/tasks/{external_id}",
        "/api/v1/accounts/{id}/notifications",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    let ui = reqwest::get(app.url("/api/docs/")).await.unwrap();
    assert_eq!(ui.status(), reqwest::StatusCode::OK);
    assert!(ui.text().await.unwrap().contains("swagger"));
}
