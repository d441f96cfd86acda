//! Lists: keyset pages, filters and search that follows changes.

use super::*;

async fn lists_page_by_keyset_and_filter(app: TestApp) {
    let api = app.api(&app.api_key().await);
    for name in [
        "Delta", "Alpha", "Echo", "Bravo", "Golf", "Charlie", "Foxtrot",
    ] {
        let kind = if name == "Golf" {
            "partner"
        } else {
            "customer"
        };
        let (status, org) = api
            .post(
                "/api/v1/organizations",
                &json!({"kind": kind, "name": name}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        api.assert_reads_back("/api/v1/organizations", &org).await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/organizations?limit=3".to_string();
    loop {
        let (status, page) = api.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for o in page["items"].as_array().unwrap() {
            seen.push(o["name"].as_str().unwrap().to_string());
        }
        match page["next"].as_str() {
            Some(next) => path = format!("/api/v1/organizations?limit=3&after={next}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        vec![
            "Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf"
        ]
    );
    let (_, partners) = api.get("/api/v1/organizations?kind=partner").await;
    assert_eq!(partners["items"].as_array().unwrap().len(), 1);
    let (_, found) = api.get("/api/v1/organizations?q=HARL").await;
    assert_eq!(found["items"][0]["name"], "Charlie");
    // The search index follows changes.
    let (_, delta) = api.get("/api/v1/organizations?q=delta").await;
    let id = delta["items"][0]["id"].as_i64().unwrap();
    let (status, zulu) = api
        .put(
            &format!("/api/v1/organizations/{id}"),
            &json!({"kind": "customer", "name": "Zulu Quarz"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(zulu["name"], "Zulu Quarz");
    api.assert_reads_back("/api/v1/organizations", &zulu).await;
    assert_eq!(
        api.get("/api/v1/organizations?q=delta").await.1["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        api.get("/api/v1/organizations?q=quarz").await.1["items"][0]["id"],
        id
    );
    assert_eq!(
        api.get("/api/v1/organizations?q=ZU").await.1["items"][0]["id"],
        id,
        "two letters: LIKE"
    );
    // Quotes and FTS syntax are text.
    assert_eq!(
        api.get("/api/v1/organizations?q=%22a%20OR%20b%22").await.0,
        StatusCode::OK
    );
    assert_eq!(
        api.get("/api/v1/organizations?q=NEAR(x*").await.0,
        StatusCode::OK
    );
    // LIKE wildcards are taken literally.
    let (_, none) = api.get("/api/v1/organizations?q=%25").await;
    assert_eq!(none["items"].as_array().unwrap().len(), 0);
}
both!(keyset_pagination, lists_page_by_keyset_and_filter);
