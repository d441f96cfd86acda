//! The administrators' console pages: areas, staff, API keys, audit, own account.

use crate::common;

use common::{Browser, PASSWORD, Page, TestApp};
use reqwest::StatusCode;

/// Posts the new-staff form for the supervisor Sue of area `area_id` with `password`.
async fn new_supervisor(b: &Browser, csrf: &str, area_id: &str, password: &str) -> Page {
    b.post(
        "/console/staff/new",
        &[
            ("csrf", csrf),
            ("email", "sup@example.test"),
            ("name", "Sue"),
            ("role", "supervisor"),
            ("area_ids", area_id),
            ("password", password),
        ],
    )
    .await
}

async fn administrators_manage_staff_keys_and_see_the_audit(app: TestApp) {
    let me = app
        .create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    let b = app.browser();
    b.login("admin@example.test", PASSWORD).await;
    let csrf = b.csrf().await;

    // An area, then a supervisor in it.
    let page = b
        .post("/console/areas", &[("csrf", &csrf), ("name", "North")])
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let area_id = admit::usecases::directory::list_areas(&app.cx, &admit::usecases::Actor::cli())
        .await
        .unwrap()[0]
        .id
        .to_string();
    let page = new_supervisor(&b, &csrf, &area_id, "short").await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"password-error\""), "{}", page.body);
    let page = new_supervisor(&b, &csrf, &area_id, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert!(
        b.get("/console/staff")
            .await
            .body
            .contains("sup@example.test")
    );

    // The last active administrator cannot deactivate themself: the form says why.
    let page = b
        .post(
            &format!("/console/staff/{me}"),
            &[("csrf", &csrf), ("name", "Me"), ("role", "administrator")],
        )
        .await;
    assert_eq!(page.status, StatusCode::CONFLICT);
    assert!(
        page.body.contains("last active administrator"),
        "{}",
        page.body
    );

    // An API key is shown once, works, and can be revoked.
    let page = b
        .post("/console/api-keys", &[("csrf", &csrf), ("name", "CRM")])
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let start = page
        .body
        .find("id=\"new-api-key\">")
        .expect("the key is shown")
        + "id=\"new-api-key\">".len();
    let key = &page.body[start..start + 46];
    assert!(key.starts_with("admit_"));
    let api = app.api(key);
    assert_eq!(api.get("/api/v1/areas").await.0, StatusCode::OK);
    let list = b.get("/console/api-keys").await;
    assert!(list.body.contains("CRM") && !list.body.contains(key));
    let keys = admit::usecases::apikeys::list(&app.cx, &admit::usecases::Actor::cli())
        .await
        .unwrap();
    let page = b
        .post(
            &format!("/console/api-keys/{}/revoke", keys[0].id),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(api.get("/api/v1/areas").await.0, StatusCode::UNAUTHORIZED);

    // The audit page shows who did what, and filters.
    let audit = b.get("/console/audit").await;
    assert_eq!(audit.status, StatusCode::OK);
    for action in [
        "area.created",
        "staff.created",
        "api_key.created",
        "api_key.revoked",
        "staff.logged_in",
    ] {
        assert!(audit.body.contains(action), "{action} in the audit page");
    }
    let filtered = b.get("/console/audit?action=api_key.*").await;
    assert!(filtered.body.contains("api_key.revoked") && !filtered.body.contains("area.created"));

    // A supervisor sees none of it.
    let s = app.browser();
    s.login("sup@example.test", PASSWORD).await;
    for path in [
        "/console/staff",
        "/console/api-keys",
        "/console/audit",
        "/console/areas",
        "/console/portals",
    ] {
        assert_eq!(s.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}
both!(
    admin_pages,
    administrators_manage_staff_keys_and_see_the_audit
);

async fn staff_change_their_password_and_end_sessions(app: TestApp) {
    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    let laptop = app.browser();
    let phone = app.browser();
    laptop.login("admin@example.test", PASSWORD).await;
    phone.login("admin@example.test", PASSWORD).await;
    let csrf = laptop.csrf().await;
    let account = laptop.get("/console/account").await;
    assert_eq!(account.status, StatusCode::OK);
    // One button per session, and one for all the others.
    assert_eq!(account.body.matches("name=\"session\"").count(), 3);

    let page = laptop
        .post(
            "/console/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", "wrong wrong wrong"),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = laptop
        .post(
            "/console/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    // This session goes on; the other one ended.
    assert_eq!(
        laptop.get("/console/organizations").await.status,
        StatusCode::OK
    );
    assert_eq!(
        phone.get("/console/organizations").await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.browser()
            .login("admin@example.test", PASSWORD)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.browser()
            .login("admin@example.test", "a brand new passphrase")
            .await
            .status,
        StatusCode::SEE_OTHER
    );
}
both!(account, staff_change_their_password_and_end_sessions);
