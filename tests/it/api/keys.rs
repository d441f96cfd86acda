//! API keys: required and revocable, and an area key reaches only its areas.

use super::*;

async fn keys_are_required_and_revocable(app: TestApp) {
    let client = reqwest::Client::new();
    let res = client
        .get(app.url("/api/v1/organizations"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let res = client
        .get(app.url("/api/v1/organizations"))
        .bearer_auth("admit_0000000000000000000000000000000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);

    let created =
        admit::usecases::apikeys::create(&app.cx, &admit::usecases::Actor::cli(), "sync", &[])
            .await
            .unwrap();
    // Only the hash is stored.
    let stored: i64 = match &app.cx.db {
        admit::storage::Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE key_hash = $1")
                .bind(&created.secret)
                .fetch_one(p)
                .await
                .unwrap()
        }
        admit::storage::Db::Postgres(p) => {
            sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE key_hash = $1")
                .bind(&created.secret)
                .fetch_one(p)
                .await
                .unwrap()
        }
    };
    assert_eq!(stored, 0);
    let api = app.api(&created.secret);
    assert_eq!(api.get("/api/v1/organizations").await.0, StatusCode::OK);
    admit::usecases::apikeys::revoke(&app.cx, &admit::usecases::Actor::cli(), created.key.id)
        .await
        .unwrap();
    assert_eq!(
        api.get("/api/v1/organizations").await.0,
        StatusCode::UNAUTHORIZED
    );
}
both!(api_keys, keys_are_required_and_revocable);

async fn area_keys_reach_only_their_areas(app: TestApp) {
    let admin = app.api(&app.api_key().await);
    let (_, north) = admin.post("/api/v1/areas", &json!({"name": "North"})).await;
    let (_, south) = admin.post("/api/v1/areas", &json!({"name": "South"})).await;
    admin.assert_reads_back("/api/v1/areas", &north).await;
    admin.assert_reads_back("/api/v1/areas", &south).await;
    let (north, south) = (north["id"].as_i64().unwrap(), south["id"].as_i64().unwrap());
    let (_, n_org) = admin
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "North Co", "area_id": north}),
        )
        .await;
    let (_, s_org) = admin.post("/api/v1/organizations", &json!({"kind": "customer", "name": "South Co", "area_id": south, "external_id": "S-1"})).await;
    let (_, s_contact) = admin.post("/api/v1/contacts", &json!({"organization_id": s_org["id"], "name": "Sven Süd", "email": "sven@south.example"})).await;
    let (_, n_contact) = admin
        .post(
            "/api/v1/contacts",
            &json!({"organization_id": n_org["id"], "name": "Nora Nord"}),
        )
        .await;

    for (collection, written) in [
        ("/api/v1/organizations", &n_org),
        ("/api/v1/organizations", &s_org),
        ("/api/v1/contacts", &s_contact),
        ("/api/v1/contacts", &n_contact),
    ] {
        admin.assert_reads_back(collection, written).await;
    }
    let sup = app.api(&app.area_key(&[north]).await);
    // Lists hold only the own area.
    let (_, list) = sup.get("/api/v1/contacts").await;
    let names: Vec<&str> = texts(&list["items"], "name");
    assert_eq!(names, vec!["Nora Nord"]);
    let (_, list) = sup.get("/api/v1/organizations?q=co").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // The other area's records answer 404, for reading and for changing.
    assert_eq!(
        sup.get(&format!("/api/v1/contacts/{}", s_contact["id"]))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        sup.get(&format!("/api/v1/organizations/{}", s_org["id"]))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let (status, _) = sup
        .put(
            &format!("/api/v1/contacts/{}", s_contact["id"]),
            &json!({"organization_id": s_org["id"], "name": "Hacked"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = sup
        .put(
            &format!("/api/v1/organizations/{}", s_org["id"]),
            &json!({"kind": "customer", "name": "Hacked", "area_id": north}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Creating into the other area, or moving a contact there, is refused naming the field.
    let (status, body) = sup
        .post(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "Sneaky", "area_id": south}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&body), vec!["area_id"]);
    let (status, body) = sup
        .put(
            &format!("/api/v1/contacts/{}", n_contact["id"]),
            &json!({"organization_id": s_org["id"], "name": "Nora Nord"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_of(&body), vec!["organization_id"]);
    let (status, _) = sup
        .put(
            "/api/v1/organizations/by-external-id/S-1",
            &json!({"kind": "customer", "name": "Hacked", "area_id": north}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Administration is not theirs.
    assert_eq!(
        sup.post("/api/v1/areas", &json!({"name": "West"})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        sup.get("/api/v1/audit-events").await.0,
        StatusCode::FORBIDDEN
    );
    // Their own area works.
    let (status, nora) = sup
        .put(
            &format!("/api/v1/contacts/{}", n_contact["id"]),
            &json!({"organization_id": n_org["id"], "name": "Nora Nordmann"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(nora["name"], "Nora Nordmann");
    sup.assert_reads_back("/api/v1/contacts", &nora).await;
    // Nothing of the other area changed.
    let (_, still) = admin
        .get(&format!("/api/v1/contacts/{}", s_contact["id"]))
        .await;
    assert_eq!(still["name"], "Sven Süd");
    let (_, still) = admin
        .get(&format!("/api/v1/organizations/{}", s_org["id"]))
        .await;
    assert_eq!(still["name"], "South Co");
}
both!(area_scope, area_keys_reach_only_their_areas);

/// The API key is read on a connection kept for hot reads, handed out again without a ping.
/// Many requests at once all get one; and when the server cuts every connection (as in a
/// restart), only the request under way fails: the one that meets the cut connection has
/// every other kept one checked before use.
async fn reads_survive_cut_connections(app: TestApp) {
    let api = std::sync::Arc::new(app.api(&app.api_key().await));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..32 {
        let api = api.clone();
        tasks.spawn(async move { api.get("/api/v1/organizations").await.0 });
    }
    for status in tasks.join_all().await {
        assert_eq!(status, StatusCode::OK);
    }
    if let admit::storage::Db::Postgres(_) = &app.cx.db {
        common::exec(
            &app,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .await;
    }
    let mut failed = 0;
    for _ in 0..30 {
        if api.get("/api/v1/organizations").await.0 != StatusCode::OK {
            failed += 1;
        }
    }
    assert!(failed <= 1, "{failed} requests failed");
    for _ in 0..10 {
        assert_eq!(api.get("/api/v1/organizations").await.0, StatusCode::OK);
    }
}
both!(reads_after_cut_connections, reads_survive_cut_connections);
