//! What each person's digest lists: the customers in their scope, nothing beyond.

use super::*;

async fn digests_keep_to_the_scope(engine: Engine) {
    let clock = ManualClock::new(utc("2026-11-30T06:00:00Z"));
    let app = TestApp::spawn_clocked(engine, clock.clone(), quiet).await;
    let w = world(&app).await;
    for (i, c) in w.c.iter().enumerate() {
        task(
            &w,
            &format!("t-{i}"),
            *c,
            "service_due",
            &format!("Task of customer {}", i + 1),
        )
        .await;
    }
    task(&w, "acme-1", w.acme, "service_due", "Task of Acme").await;
    let admin = person(&app, &w, w.partner, "ada@partner.example", "admin", "UTC").await;
    let user = person(&app, &w, w.partner, "ulf@partner.example", "user", "UTC").await;
    let notify = person(
        &app,
        &w,
        w.partner,
        "nora@partner.example",
        "notifications",
        "UTC",
    )
    .await;
    let marketing = person(
        &app,
        &w,
        w.partner,
        "mo@partner.example",
        "marketing",
        "UTC",
    )
    .await;
    // Ulf is assigned customers one and two, Nora customer three.
    let north = {
        let (_, v) = w.api.get(&format!("/api/v1/accounts/{user}/access")).await;
        v["scope"]["customers"].clone()
    };
    assert_eq!(
        north.as_array().unwrap().len(),
        3,
        "all of the partnership at first"
    );
    let partnership = w.partnership;
    for (account, customers) in [(user, vec![w.c[0], w.c[1]]), (notify, vec![w.c[2]])] {
        let list: Vec<Value> = customers
            .iter()
            .map(|c| json!({"partnership_id": partnership, "customer_id": c}))
            .collect();
        let path = format!("/api/v1/accounts/{account}/access");
        let (status, v) = w.api.put(&path, &json!({"customers": list})).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        w.api.assert_reads_back_at(&path, &v).await;
    }
    for a in [admin, user, notify, marketing] {
        let _ = w
            .api
            .put(
                &format!("/api/v1/accounts/{a}/notifications"),
                &json!({"frequency": "daily", "categories": ["service_due"]}),
            )
            .await;
    }
    clock.set(utc("2026-11-30T08:00:00Z"));
    let m = run_due(&app).await;
    assert_eq!(m.sent, 3, "marketing gets none: {m:?}");
    let messages = digest_messages(&app).await;
    let of = |email: &str| {
        messages
            .iter()
            .find(|(r, _)| r == email)
            .map(|(_, v)| v.clone())
    };
    assert_eq!(
        titles(&of("ada@partner.example").unwrap()),
        [
            "Task of customer 1",
            "Task of customer 2",
            "Task of customer 3"
        ]
    );
    let ulf = of("ulf@partner.example").unwrap();
    assert_eq!(
        titles(&ulf),
        ["Task of customer 1", "Task of customer 2"],
        "only the two customers assigned to him"
    );
    assert_eq!(ulf["total"], 2);
    assert_eq!(
        titles(&of("nora@partner.example").unwrap()),
        ["Task of customer 3"]
    );
    assert!(of("mo@partner.example").is_none());

    // A notifications account never logs in.
    let hash = app.cx.hasher.hash(common::PASSWORD).await.unwrap();
    exec(
        &app,
        &format!("UPDATE portal_accounts SET password_hash = '{hash}' WHERE id = {notify}"),
    )
    .await;
    let b = app.browser();
    let page = b.get(&format!("/portal/{}/login", w.portal)).await;
    let res = b
        .client
        .post(app.url(&format!("/portal/{}/login", w.portal)))
        .form(&[
            ("csrf", common::hidden(&page.body, "csrf").as_str()),
            ("email", "nora@partner.example"),
            ("password", common::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), StatusCode::SEE_OTHER);
    let body = res.text().await.unwrap();
    assert!(body.contains("receives e-mail only"), "{body}");
}
on_both!(digests_keep_to_the_scope, digests_keep_to_the_scope);
