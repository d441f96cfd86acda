//! The staff console through HTTP: login, sessions, CSRF, forms, supervisor scope.

use crate::common;

use common::{PASSWORD, TestApp};
use reqwest::StatusCode;
use serde_json::json;

async fn login_logout_and_sessions(app: TestApp) {
    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    let b = app.browser();
    // Not logged in: to the login page, remembering where to go.
    let page = b.get("/console/contacts").await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(
        page.location.as_deref(),
        Some("/console/login?next=%2Fconsole%2Fcontacts")
    );

    // A wrong password and an unknown address get the same answer.
    let wrong = b
        .login("admin@example.test", "not the password at all")
        .await;
    let unknown = b
        .login("nobody@example.test", "not the password at all")
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Wrong e-mail or password"));
    let strip = |s: &str| {
        s.replace("admin@example.test", "")
            .replace("nobody@example.test", "")
    };
    let no_csrf = |s: String| {
        let marker = "name=\"csrf\" value=\"";
        match s.find(marker) {
            Some(i) => format!("{}{}", &s[..i], &s[i + marker.len() + 64..]),
            None => s,
        }
    };
    assert_eq!(no_csrf(strip(&wrong.body)), no_csrf(strip(&unknown.body)));

    // The login form needs its token.
    let page = b
        .post(
            "/console/login",
            &[("email", "admin@example.test"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/console/login?expired=1"));

    let ok = b.login("admin@example.test", PASSWORD).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location.as_deref(), Some("/console/organizations"));
    let page = b.get("/console/organizations").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<h1>Organizations</h1>"));

    // The session is stored only as a hash, and rotates at each login.
    let first: Vec<String> = session_hashes(&app).await;
    assert_eq!(first.len(), 1);
    let again = b.login("admin@example.test", PASSWORD).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let second = session_hashes(&app).await;
    assert_eq!(second.len(), 1, "the old session ended at the new login");
    assert_ne!(first, second);

    // A form without its CSRF token changes nothing.
    let page = b
        .post(
            "/console/organizations/new",
            &[("name", "Forged"), ("kind", "customer")],
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // Nor from another site.
    let csrf = b.csrf().await;
    let res = b
        .client
        .post(format!("{}/console/organizations/new", b.base))
        .header("origin", "https://evil.example")
        .form(&[("name", "Forged"), ("kind", "customer"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("organizations").await, 0);

    // Log out: the session is gone from the database; the cookie no longer works.
    let page = b.post("/console/logout", &[("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert_eq!(page.location.as_deref(), Some("/console/login?out=1"));
    assert!(session_hashes(&app).await.is_empty());
    assert_eq!(
        b.get("/console/organizations").await.status,
        StatusCode::SEE_OTHER
    );
}
both!(login, login_logout_and_sessions);

async fn session_hashes(app: &TestApp) -> Vec<String> {
    match &app.cx.db {
        admit::storage::Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT token_hash FROM staff_sessions")
                .fetch_all(p)
                .await
                .unwrap()
        }
        admit::storage::Db::Postgres(p) => {
            sqlx::query_scalar("SELECT token_hash FROM staff_sessions")
                .fetch_all(p)
                .await
                .unwrap()
        }
    }
}

async fn forms_create_and_show_errors_next_to_fields(app: TestApp) {
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let csrf = b.csrf().await;
    let page = b
        .post(
            "/console/organizations/new",
            &[("csrf", &csrf), ("name", " "), ("kind", "customer")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"name-error\""), "{}", page.body);

    let page = b
        .post(
            "/console/organizations/new",
            &[
                ("csrf", &csrf),
                ("name", "Browserless GmbH"),
                ("kind", "customer"),
                ("external_id", "X-1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let org_url = page.location.unwrap();
    let org_id = org_url.rsplit('/').next().unwrap().to_string();
    let page = b.get(&org_url).await;
    assert!(page.body.contains("Organization created."));
    assert!(page.body.contains("<h1>Browserless GmbH</h1>"));
    // The flash is shown once.
    assert!(!b.get(&org_url).await.body.contains("Organization created."));

    let page = b
        .post(
            "/console/contacts/new",
            &[
                ("csrf", &csrf),
                ("organization_id", &org_id),
                ("name", "Erika <b>Muster</b>"),
                ("email", "not-an-email"),
                ("language", "de"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"email-error\""));
    assert!(page.body.contains("valid e-mail address"));
    // The entered values stay, escaped.
    assert!(
        page.body.contains("Erika &#60;b&#62;Muster&#60;/b&#62;")
            || page.body.contains("Erika &lt;b&gt;Muster&lt;/b&gt;"),
        "{}",
        page.body
    );
    assert_eq!(app.count("contacts").await, 0);

    let page = b
        .post(
            "/console/contacts/new",
            &[
                ("csrf", &csrf),
                ("organization_id", &org_id),
                ("name", "Erika Muster"),
                ("email", "erika@example.test"),
                ("language", "de"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = b.get("/console/contacts?q=erika").await;
    assert!(page.body.contains("Erika Muster") && page.body.contains("erika@example.test"));
    assert_eq!(app.count("contacts").await, 1);
}
both!(forms, forms_create_and_show_errors_next_to_fields);

async fn supervisors_reach_only_their_areas(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let north = api.create("/api/v1/areas", &json!({"name": "North"})).await;
    let south = api.create("/api/v1/areas", &json!({"name": "South"})).await;
    let s_org = api
        .create(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "South Co", "area_id": south["id"]}),
        )
        .await;
    let s_contact = api
        .create(
            "/api/v1/contacts",
            &json!({"organization_id": s_org["id"], "name": "Sven Süd"}),
        )
        .await;
    let n_org = api
        .create(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "North Co", "area_id": north["id"]}),
        )
        .await;
    let b = app
        .staff_browser(
            "sup@example.test",
            "supervisor",
            &[north["id"].as_i64().unwrap()],
        )
        .await;
    let csrf = b.csrf().await;
    let list = b.get("/console/organizations").await;
    assert!(list.body.contains("North Co") && !list.body.contains("South Co"));
    assert!(!b.get("/console/contacts").await.body.contains("Sven"));
    let page = b
        .get(&format!("/console/contacts/{}", s_contact["id"]))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = b
        .get(&format!("/console/organizations/{}", s_org["id"]))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = b
        .post(
            &format!("/console/contacts/{}", s_contact["id"]),
            &[
                ("csrf", &csrf),
                ("organization_id", &n_org["id"].to_string()),
                ("name", "Taken over"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let (_, still) = api
        .get(&format!("/api/v1/contacts/{}", s_contact["id"]))
        .await;
    assert_eq!(still["name"], "Sven Süd");
    assert_eq!(still["organization_id"], s_org["id"]);
    // Administrator pages are not theirs.
    assert!(!list.body.contains("/console/staff"));
}
both!(supervisor_scope, supervisors_reach_only_their_areas);

async fn staff_grant_access_from_the_contacts_page(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let north = api.create("/api/v1/areas", &json!({"name": "North"})).await;
    let org = api
        .create(
            "/api/v1/organizations",
            &json!({"kind": "customer", "name": "North Co", "area_id": north["id"]}),
        )
        .await;
    let contact = api.create("/api/v1/contacts", &json!({"organization_id": org["id"], "name": "Nora Nord", "email": "nora@north.example"})).await;
    let portal = api.create("/api/v1/portals",
            &json!({"name": "Customer portal", "kind": "customer", "base_url": "https://p.example.com", "registration_mode": "invitation_only", "modules": [{"name": "Invoices"}]}),
        )
        .await;
    let b = app
        .staff_browser(
            "sup@example.test",
            "supervisor",
            &[north["id"].as_i64().unwrap()],
        )
        .await;
    let csrf = b.csrf().await;
    let url = format!("/console/contacts/{}", contact["id"]);
    assert!(b.get(&url).await.body.contains("No portal access yet."));
    let pid = portal["id"].to_string();
    let page = b
        .post(
            &format!("{url}/grant"),
            &[
                ("csrf", &csrf),
                ("portal_id", &pid),
                ("role", "user"),
                ("modules", "Cake"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"modules-error\""));
    let page = b
        .post(
            &format!("{url}/grant"),
            &[
                ("csrf", &csrf),
                ("portal_id", &pid),
                ("role", "admin"),
                ("modules", "Invoices"),
                ("send_to", ""),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = b.get(&url).await;
    assert!(
        page.body
            .contains("invitation to Customer portal is on its way"),
        "{}",
        page.body
    );
    assert!(page.body.contains("nora@north.example") && page.body.contains("invited"));
    assert_eq!(app.count("outbox_messages").await, 1);

    // The status actions, from the same page.
    let marker = "/console/accounts/";
    let start = page.body.find(marker).unwrap() + marker.len();
    let account_id: String = page.body[start..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let status_url = format!("/console/accounts/{account_id}/status");
    // Switching access off asks first, saying what happens and that no e-mail goes to an
    // invitation still open; nothing changes until it is confirmed.
    let page = b
        .post(
            &status_url,
            &[("csrf", &csrf), ("action", "switch_off"), ("notify", "1")],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("Switch access off for nora@north.example on Customer portal?")
            && page
                .body
                .contains("No e-mail is sent: the invitation is still open."),
        "{}",
        page.body
    );
    assert!(!b.get(&url).await.body.contains("switched off"));
    let page = b
        .post(
            &status_url,
            &[
                ("csrf", &csrf),
                ("action", "switch_off"),
                ("confirmed", "1"),
                ("notify", "1"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    let page = b.get(&url).await;
    assert!(page.body.contains("switched off"));
    assert!(
        page.body.contains(
            "Access switched off: nora@north.example on Customer portal. No e-mail is sent."
        ),
        "the message says what was done: {}",
        page.body
    );
    let page = b
        .post(
            &status_url,
            &[
                ("csrf", &csrf),
                ("action", "set_valid_until"),
                ("valid_until", "2030-01-31"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = b
        .post(
            &status_url,
            &[
                ("csrf", &csrf),
                ("action", "switch_off"),
                ("confirmed", "1"),
            ],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::CONFLICT,
        "switching off twice is refused"
    );
    let page = b
        .post(&status_url, &[("csrf", &csrf), ("action", "switch_off")])
        .await;
    assert_eq!(
        page.status,
        StatusCode::CONFLICT,
        "and is not offered for confirmation"
    );
    // Nothing is e-mailed for an invitation still open.
    assert_eq!(app.count("outbox_messages").await, 1);

    // The access list shows it, with its statuses; filters narrow it down.
    let list = b.get("/console/access").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(
        list.body.contains("nora@north.example")
            && list.body.contains("Invited")
            && list.body.contains("switched off")
    );
    assert!(
        !b.get("/console/access?registration=registered")
            .await
            .body
            .contains("nora@north.example")
    );
    assert!(
        b.get("/console/access?access=off&source=customer&q=NORA")
            .await
            .body
            .contains("nora@north.example")
    );
    // A supervisor of another area does not see it.
    let south = api.create("/api/v1/areas", &json!({"name": "South"})).await;
    let other = app
        .staff_browser(
            "south@example.test",
            "supervisor",
            &[south["id"].as_i64().unwrap()],
        )
        .await;
    assert!(
        !other
            .get("/console/access")
            .await
            .body
            .contains("nora@north.example")
    );
}
both!(grant_in_console, staff_grant_access_from_the_contacts_page);
