//! The console's home counts what needs staff now within their areas, each count taken with
//! the filter of the access list its link opens.

use crate::common::{TestApp, exec, id_of};
use reqwest::StatusCode;
use serde_json::json;

/// The count the home shows on the line that says `what`.
fn count_of(body: &str, what: &str) -> i64 {
    let end = body
        .find(&format!("</strong> {what}</a>"))
        .unwrap_or_else(|| panic!("no line {what}: {body}"));
    let start = body[..end].rfind('>').unwrap() + 1;
    body[start..end].parse().unwrap()
}

async fn the_home_counts_within_the_staff_members_areas(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let north = id_of(&api, "/api/v1/areas", json!({"name": "North"})).await;
    let south = id_of(&api, "/api/v1/areas", json!({"name": "South"})).await;
    let org = id_of(
        &api,
        "/api/v1/organizations",
        json!({"kind": "customer", "name": "Nordlicht GmbH", "area_id": north}),
    )
    .await;
    let portal = id_of(
        &api,
        "/api/v1/portals",
        json!({"name": "Customer portal", "kind": "customer", "base_url": "https://portal.example.com",
               "registration_mode": "invitation_only"}),
    )
    .await;
    let mut ids = Vec::new();
    for name in ["erika", "max", "lena"] {
        let contact = id_of(
            &api,
            "/api/v1/contacts",
            json!({"organization_id": org, "name": name, "email": format!("{name}@nordlicht.example")}),
        )
        .await;
        let account = id_of(
            &api,
            "/api/v1/accounts",
            json!({"contact_id": contact, "portal_id": portal}),
        )
        .await;
        ids.push(account);
    }
    // Erika and Max registered and wait for approval; Lena's access ends tomorrow.
    exec(
        &app,
        &format!(
            "UPDATE portal_accounts SET registration = 'registered', approval = 'pending' \
             WHERE id IN ({}, {})",
            ids[0], ids[1]
        ),
    )
    .await;
    let tomorrow = admit::clock::format_day(admit::clock::today(app.cx.now()) + 1);
    let (status, _) = api
        .post(
            &format!("/api/v1/accounts/{}/status", ids[2]),
            &json!({"action": "set_valid_until", "valid_until": tomorrow, "notify": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let admin = app
        .staff_browser("ada@admit.example", "administrator", &[])
        .await;
    let home = admin.get("/console").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert_eq!(count_of(&home.body, "Accounts awaiting approval"), 2);
    assert_eq!(count_of(&home.body, "Access ending within 7 days"), 1);
    assert_eq!(count_of(&home.body, "Registrations awaiting a contact"), 0);
    assert_eq!(count_of(&home.body, "E-mails that failed to send"), 0);
    // Each link opens the list of exactly those.
    let list = admin
        .get("/console/access?registration=registered&approval=pending")
        .await;
    assert!(list.body.contains("erika@nordlicht.example") && list.body.contains("max@"));
    assert!(!list.body.contains("lena@nordlicht.example"));
    let list = admin.get("/console/access?valid_until=ending").await;
    assert!(list.body.contains("lena@nordlicht.example") && !list.body.contains("max@"));

    // A supervisor of North sees the same; one of South sees none of it, and no outbox line.
    let sam = app
        .staff_browser("sam@admit.example", "supervisor", &[north])
        .await;
    let home = sam.get("/console").await;
    assert_eq!(count_of(&home.body, "Accounts awaiting approval"), 2);
    assert!(!home.body.contains("E-mails that failed to send"));
    let sue = app
        .staff_browser("sue@admit.example", "supervisor", &[south])
        .await;
    let home = sue.get("/console").await;
    assert_eq!(count_of(&home.body, "Accounts awaiting approval"), 0);
    assert_eq!(count_of(&home.body, "Access ending within 7 days"), 0);
    // The organization list stays in the menu.
    assert!(home.body.contains(r#"<a href="/console/organizations""#));
}
both!(console_home, the_home_counts_within_the_staff_members_areas);
