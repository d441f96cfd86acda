//! Admit's own tasks for staff and organization admins.

use super::*;
use admit::storage::tasks as store;

async fn admits_own_tasks(engine: Engine) {
    let now = utc("2026-11-30T06:00:00Z");
    let clock = ManualClock::new(now);
    let app = TestApp::spawn_clocked(engine, clock.clone(), quiet).await;
    let w = world(&app).await;
    let area = w
        .api
        .create("/api/v1/areas", &json!({"name": "North"}))
        .await;
    let area = area["id"].as_i64().unwrap();
    let admin = person(&app, &w, w.acme, "ada@acme.example", "admin", "UTC").await;
    // An invitation whose link ends within 48 hours, an account ending within 7 days, one
    // waiting for approval, and a failed message.
    let invited = {
        let contact = id_of(
            &w.api,
            "/api/v1/contacts",
            json!({"organization_id": w.acme, "name": "Ivo", "email": "ivo@acme.example"}),
        )
        .await;
        id_of(
            &w.api,
            "/api/v1/accounts",
            json!({"contact_id": contact, "portal_id": w.portal, "role": "user"}),
        )
        .await
    };
    exec(
        &app,
        &format!(
            "INSERT INTO account_tokens (token_hash, account_id, purpose, created_at, expires_at) \
             VALUES ('{}', {invited}, 'invitation', {now}, {})",
            "ab".repeat(32),
            now + 30 * 3_600_000
        ),
    )
    .await;
    let ending = person(&app, &w, w.acme, "eva@acme.example", "user", "UTC").await;
    let today = now / 86_400_000;
    exec(
        &app,
        &format!(
            "UPDATE portal_accounts SET valid_until = {} WHERE id = {ending}",
            today + 3
        ),
    )
    .await;
    let waiting = person(&app, &w, w.partner, "wes@partner.example", "user", "UTC").await;
    exec(
        &app,
        &format!("UPDATE portal_accounts SET approval = 'pending' WHERE id = {waiting}"),
    )
    .await;
    exec(
        &app,
        &format!(
            "UPDATE organizations SET area_id = {area} WHERE id = {}",
            w.partner
        ),
    )
    .await;
    // Once the worker is done with them (one it is sending would be marked sent after this).
    assert!(common::outbox_quiet(&app, 30).await);
    exec(
        &app,
        &format!("UPDATE outbox_messages SET status = 'failed', updated_at = {now}"),
    )
    .await;
    let failed = app.count("outbox_messages WHERE status = 'failed'").await;
    assert!(failed > 0);

    // The organization admin: its team's invitation and end date.
    subscribe(
        &w,
        admin,
        "daily",
        &["admit.invitation_expiring", "admit.access_expiring"],
    )
    .await;
    // Staff: an administrator, and a supervisor of North (Acme is in no area).
    let mut actors = Vec::new();
    for (email, role, areas) in [
        ("root@operator.example", "administrator", vec![]),
        ("sue@operator.example", "supervisor", vec![area]),
    ] {
        actors.push(subscribed_staff(&app, email, role, &areas, None).await.1);
    }
    clock.set(utc("2026-11-30T08:00:00Z"));
    run_due(&app).await;
    let messages = digest_messages(&app).await;
    let groups = |email: &str| -> Vec<(String, i64)> {
        let v = &messages.iter().find(|(r, _)| r == email).unwrap().1;
        v["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["name"].as_str().unwrap().to_string(),
                    g["count"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        groups("ada@acme.example"),
        [
            ("Invitations expiring within 48 hours".to_string(), 1),
            ("Access ending within 7 days".to_string(), 1)
        ]
    );
    let root = groups("root@operator.example");
    let names: Vec<&str> = root.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "Accounts awaiting approval",
            "Invitations expiring within 48 hours",
            "Access ending within 7 days",
            "Messages that failed to send"
        ],
        "{root:?}"
    );
    assert_eq!(root[3].1, failed);
    assert_eq!(
        groups("sue@operator.example"),
        [("Accounts awaiting approval".to_string(), 1)],
        "a supervisor: only her area, and no outbox"
    );
    let ada = &messages
        .iter()
        .find(|(r, _)| r == "ada@acme.example")
        .unwrap()
        .1;
    let link = ada["groups"][0]["lines"][0]["link"].as_str().unwrap();
    assert!(
        link.ends_with(&format!("/portal/{}/team/{invited}", w.portal)),
        "{link}"
    );
    // Read for many teams at once (as a digest run reads them) as for one alone.
    let mut tx = app.cx.db.read().await.unwrap();
    let at = utc("2026-11-30T08:00:00Z");
    let today = admit::clock::today(at);
    let teams = [
        (w.acme, w.portal),
        (w.acme, w.portal + 1000),
        (999_999, w.portal),
    ];
    for key in [
        "admit.invitation_expiring",
        "admit.access_expiring",
        "admit.approval",
    ] {
        let together = store::own_tasks_of_teams(&mut tx, key, &teams, at, today, 10)
            .await
            .unwrap();
        for (organization, portal) in teams {
            let scope = store::OwnScope::Team {
                organization,
                portal,
            };
            let alone = store::own_tasks(&mut tx, key, scope, at, today, 10)
                .await
                .unwrap();
            let read = together
                .get(&(organization, portal))
                .cloned()
                .unwrap_or_default();
            assert_eq!(read, alone, "{key} of {organization} on {portal}");
        }
    }
    assert_eq!(
        store::own_tasks_of_teams(&mut tx, "admit.access_expiring", &teams, at, today, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let _ = actors;
}
on_both!(admits_own_tasks, admits_own_tasks);

/// A German administrator's digest: an account of no organization under its portal's German
/// name, a failed message under its e-mail's German name.
async fn own_tasks_in_the_reader_s_language(engine: Engine) {
    let now = utc("2026-11-30T06:00:00Z");
    let clock = ManualClock::new(now);
    let app = TestApp::spawn_clocked(engine, clock.clone(), quiet).await;
    let w = world(&app).await;
    exec(
        &app,
        &format!(
            "UPDATE portals SET name_de = 'Kundenportal' WHERE id = {}",
            w.portal
        ),
    )
    .await;
    let nora = person(&app, &w, w.acme, "nora@acme.example", "user", "UTC").await;
    assert!(common::outbox_quiet(&app, 30).await);
    exec(
        &app,
        &format!("UPDATE portal_accounts SET contact_id = NULL WHERE id = {nora}"),
    )
    .await;
    exec(
        &app,
        &format!("UPDATE outbox_messages SET status = 'failed', updated_at = {now}"),
    )
    .await;
    let (id, _) = subscribed_staff(
        &app,
        "root@operator.example",
        "administrator",
        &[],
        Some(&["admit.assignment", "admit.mail_failed"]),
    )
    .await;
    exec(
        &app,
        &format!("UPDATE staff_users SET language = 'de' WHERE id = {id}"),
    )
    .await;
    clock.set(utc("2026-11-30T08:00:00Z"));
    run_due(&app).await;
    let messages = digest_messages(&app).await;
    let root = &messages
        .iter()
        .find(|(r, _)| r == "root@operator.example")
        .unwrap()
        .1;
    let lines: Vec<(String, String)> = root["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["lines"].as_array().unwrap().iter())
        .map(|l| {
            let text = |k: &str| l[k].as_str().unwrap().to_string();
            (text("title"), text("subject"))
        })
        .collect();
    assert!(
        lines.contains(&("nora@acme.example".into(), "Kundenportal".into())),
        "{lines:?}"
    );
    assert!(
        lines.contains(&("nora@acme.example".into(), "Einladung".into())),
        "{lines:?}"
    );
    assert!(
        !lines
            .iter()
            .any(|(_, s)| s == "Partner portal" || s == "invitation"),
        "{lines:?}"
    );
}
on_both!(own_tasks_in_language, own_tasks_in_the_reader_s_language);
