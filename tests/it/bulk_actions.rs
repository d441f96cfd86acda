//! Actions on the accounts ticked in the access list: each account goes through its own
//! action's rules (refusals said per account), switching off and deactivating only after a
//! confirmation page that lists everyone affected, and a form sent untouched changes nothing.

use crate::common;

use common::{TestApp, exec};
use reqwest::StatusCode;
use serde_json::json;

struct World {
    /// Ten user accounts of "Nordlicht GmbH", registered: their ids and addresses.
    users: Vec<(i64, String)>,
    /// Two admin accounts of "Zwei Admins AG", registered and approved.
    admins: [i64; 2],
    north: i64,
}

async fn world(app: &TestApp) -> World {
    let api = app.api(&app.api_key().await);
    let north = api.create("/api/v1/areas", &json!({"name": "North"})).await["id"]
        .as_i64()
        .unwrap();
    let org = |name: &str| json!({"kind": "customer", "name": name, "area_id": north});
    let nord = api
        .create("/api/v1/organizations", &org("Nordlicht GmbH"))
        .await;
    let zwei = api
        .create("/api/v1/organizations", &org("Zwei Admins AG"))
        .await;
    let portal = api
        .create(
            "/api/v1/portals",
            &json!({"name": "Customer portal", "kind": "customer", "base_url": "https://p.example.com", "registration_mode": "invitation_only"}),
        )
        .await;
    let account = |org: &serde_json::Value, i: usize, role: &str| {
        let email = format!("person{i:02}@{}.example", org["id"]);
        (
            json!({"organization_id": org["id"], "name": format!("Person {i:02}"), "email": email}),
            role.to_string(),
            email,
        )
    };
    let mut made = Vec::new();
    for (contact, role, email) in (0..10)
        .map(|i| account(&nord, i, "user"))
        .chain((0..2).map(|i| account(&zwei, i, "admin")))
    {
        let c = api.create("/api/v1/contacts", &contact).await;
        let (status, a) = api
            .post(
                "/api/v1/accounts",
                &json!({"contact_id": c["id"], "portal_id": portal["id"], "role": role}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{a}");
        made.push((a["id"].as_i64().unwrap(), email));
    }
    exec(
        app,
        "UPDATE portal_accounts SET registration = 'registered', approval = 'approved'",
    )
    .await;
    World {
        admins: [made[10].0, made[11].0],
        users: made[..10].to_vec(),
        north,
    }
}

/// Posts the bulk form with `action` (when given), the ticked `ids` and `extra` fields.
async fn bulk(
    b: &common::Browser,
    action: Option<&str>,
    ids: &[i64],
    extra: &[(&str, &str)],
) -> common::Page {
    let csrf = b.get("/console/access").await.csrf();
    let ids: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("back", "/console/access")];
    if let Some(a) = action {
        form.push(("action", a));
    }
    form.extend(ids.iter().map(|i| ("id", i.as_str())));
    form.extend_from_slice(extra);
    b.post("/console/access/bulk", &form).await
}

async fn granted(app: &TestApp) -> i64 {
    app.count_where(
        "SELECT COUNT(*) FROM portal_accounts WHERE access_granted = TRUE AND email LIKE $1",
        "person%",
    )
    .await
}

async fn ticked_rows_are_switched_off_after_confirmation(app: TestApp) {
    let w = world(&app).await;
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let list = b.get("/console/access").await;
    assert!(list.body.contains("form=\"bulk\""));
    assert!(
        !list.body.contains(" checked"),
        "nothing is ticked by default"
    );
    let audit = app.count("audit_events").await;
    let mails = app.count("outbox_messages").await;

    // Sent untouched, or with an action and nothing ticked, or ticked without an action:
    // nothing changes.
    for (action, ids) in [
        (None, vec![]),
        (Some("switch_off"), vec![]),
        (Some("approve"), vec![]),
        (None, vec![w.users[0].0]),
    ] {
        let page = bulk(&b, action, &ids, &[]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
        assert_eq!(page.location.as_deref(), Some("/console/access"));
    }
    assert_eq!(granted(&app).await, 12);
    assert_eq!(app.count("audit_events").await, audit);

    // One was switched off already.
    let api = app.api(&app.api_key().await);
    let (status, _) = api
        .post(
            &format!("/api/v1/accounts/{}/status", w.users[9].0),
            &json!({"action": "switch_off", "notify": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let audit = app.count("audit_events").await;

    // Asked first: every account and its e-mail listed, the one already off left out.
    let all: Vec<i64> = w.users.iter().map(|u| u.0).collect();
    let page = bulk(&b, Some("switch_off"), &all, &[]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Switch access off for these accounts?"));
    for (_, email) in &w.users {
        assert!(page.body.contains(email.as_str()), "{email}");
    }
    assert_eq!(page.body.matches("left as it is").count(), 1);
    assert_eq!(page.body.matches("name=\"id\"").count(), 9);
    assert!(page.body.contains("Switch access off (9)"));
    assert_eq!(granted(&app).await, 11);
    assert_eq!(app.count("audit_events").await, audit);
    assert_eq!(app.count("outbox_messages").await, mails);

    // Confirmed (with the one already off still named): nine done, one refused and why.
    let page = bulk(
        &b,
        Some("switch_off"),
        &all,
        &[("confirmed", "1"), ("notify", "1")],
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("Access switched off: 9 of 10"),
        "{}",
        page.body
    );
    assert_eq!(page.body.matches(">done<").count(), 9);
    assert_eq!(page.body.matches(">refused<").count(), 1);
    assert!(
        page.body.contains(&format!("{} — Refused: ", w.users[9].1)),
        "{}",
        page.body
    );
    assert_eq!(granted(&app).await, 2);
    assert_eq!(app.count("audit_events").await, audit + 9);
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM outbox_messages WHERE event = $1",
            "access_off"
        )
        .await,
        9
    );

    // Approving is done at once, per account: the approved ones are refused.
    exec(
        &app,
        &format!(
            "UPDATE portal_accounts SET approval = 'pending' WHERE id IN ({}, {})",
            all[0], all[1]
        ),
    )
    .await;
    let page = bulk(&b, Some("approve"), &all[..3], &[]).await;
    assert!(page.body.contains("Approved: 2 of 3"), "{}", page.body);

    // Deactivating unconfirmed changes nothing.
    let page = bulk(&b, Some("deactivate"), &all[..3], &[]).await;
    assert!(page.body.contains("Deactivate these accounts?"));
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM portal_accounts WHERE lifecycle = $1",
            "deactivated"
        )
        .await,
        0
    );

    // The ticked rows as CSV.
    let page = bulk(&b, Some("export"), &all[3..5], &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body.trim_start_matches('\u{feff}').lines().count(), 3);
    assert!(page.body.contains(&w.users[3].1) && page.body.contains(&w.users[4].1));
    assert!(!page.body.contains(&w.users[5].1));

    // Bad input: a clear error, nothing changed.
    let csrf = b.get("/console/access").await.csrf();
    let page = b
        .post(
            "/console/access/bulk",
            &[("csrf", &csrf), ("action", "approve"), ("id", "x1")],
        )
        .await;
    assert_eq!(
        page.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        page.body
    );
}
both!(
    switch_off_many,
    ticked_rows_are_switched_off_after_confirmation
);

/// Two staff members deactivate the two admins of one organization at the same moment, each
/// ticking one: the organization keeps an active admin, and the refusal says so.
async fn the_last_admin_stays_under_concurrent_bulk_actions(app: TestApp) {
    let w = world(&app).await;
    let one = app
        .staff_browser("one@example.test", "administrator", &[])
        .await;
    let two = app
        .staff_browser("two@example.test", "supervisor", &[w.north])
        .await;
    let confirmed = [("confirmed", "1"), ("notify", "1")];
    let (first, second) = ([w.admins[0]], [w.admins[1]]);
    let (a, b) = tokio::join!(
        bulk(&one, Some("deactivate"), &first, &confirmed),
        bulk(&two, Some("deactivate"), &second, &confirmed),
    );
    let done = [&a, &b]
        .iter()
        .filter(|p| p.body.contains("Deactivated: 1 of 1"))
        .count();
    assert_eq!(done, 1, "{}\n{}", a.body, b.body);
    let refused = if a.body.contains("Deactivated: 0 of 1") {
        &a
    } else {
        &b
    };
    assert!(
        refused.body.contains("last active admin"),
        "{}",
        refused.body
    );
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM portal_accounts WHERE lifecycle = $1",
            "deactivated"
        )
        .await,
        1
    );

    // A supervisor of another area: the accounts are not theirs.
    let api = app.api(&app.api_key().await);
    let area = api.create("/api/v1/areas", &json!({"name": "South"})).await["id"]
        .as_i64()
        .unwrap();
    let south = app
        .staff_browser("south@example.test", "supervisor", &[area])
        .await;
    let page = bulk(&south, Some("approve"), &[w.users[0].0], &[]).await;
    assert!(page.body.contains("Approved: 0 of 1"), "{}", page.body);
    assert!(page.body.contains("not found, or outside your areas"));
}
both!(
    last_admin,
    the_last_admin_stays_under_concurrent_bulk_actions
);
