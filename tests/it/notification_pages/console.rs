//! The console's notification pages: an account's preferences on its page, a supervisor's
//! reach, a staff user's own (with their language and time zone), a portal's task categories.

use super::*;

async fn staff_set_an_accounts_notifications_on_its_page(app: TestApp) {
    let w = world(&app).await;
    let (b, _) = console_login(&app, "admin@example.test", "administrator", &[]).await;
    let url = format!("/console/accounts/{}", w.account);
    let page = b.get(&url).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<h2>Notifications</h2>"));
    assert!(page.body.contains("No digests yet."));
    assert!(
        page.body.contains("value=\"admit.invitation_expiring\""),
        "an org admin's own"
    );
    let csrf = page.csrf();
    let bad = b
        .post(
            &format!("{url}/notifications"),
            &[
                ("csrf", &csrf),
                ("frequency", "daily"),
                ("categories", "nope"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"categories-error\""));
    assert!(bad.body.contains("unknown category `nope`"));
    assert_eq!(account_prefs(&app, w.account).await.frequency, "off");

    let saved = b
        .post(
            &format!("{url}/notifications"),
            &[
                ("csrf", &csrf),
                ("frequency", "daily"),
                ("categories", "service_due"),
                ("categories", "admit.access_expiring"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let p = account_prefs(&app, w.account).await;
    assert_eq!(p.frequency, "daily");
    assert_eq!(p.categories, vec!["admit.access_expiring", "service_due"]);
    let page = b.get(&url).await;
    assert!(
        page.body
            .contains("Notifications saved: the next digest comes")
    );
    assert!(page.body.contains("value=\"daily\" checked"));

    // The recent digests, with their message.
    let sub = subscription(&app, w.account).await;
    let (_, outbox) = w.api.get("/api/v1/outbox").await;
    let message = outbox[0]["id"].as_i64().expect("the invitation");
    exec(
        &app,
        &format!(
            "INSERT INTO digests (subscription_id, period, due_at, made_at, tasks, outbox_id) VALUES \
             ({}, 'daily:2026-03-02', 1772438400000, 1772438401000, 3, {message}), \
             ({}, 'daily:2026-03-01', 1772352000000, 1772352001000, 0, NULL)",
            sub.id, sub.id
        ),
    )
    .await;
    let page = b.get(&url).await;
    // The period in the staff member's words (English, UTC by default).
    assert!(page.body.contains("2 Mar 2026"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("href=\"/console/outbox/{message}\""))
    );
    assert!(page.body.contains("none (nothing to say)"));
}
both!(
    console_account,
    staff_set_an_accounts_notifications_on_its_page
);

async fn a_supervisor_reaches_only_accounts_in_their_areas(app: TestApp) {
    let w = world(&app).await;
    let (b, _) = console_login(&app, "south@example.test", "supervisor", &[w.south]).await;
    let csrf = b.csrf().await;
    let url = format!("/console/accounts/{}", w.account);
    assert_eq!(b.get(&url).await.status, StatusCode::NOT_FOUND);
    let page = b
        .post(
            &format!("{url}/notifications"),
            &[
                ("csrf", &csrf),
                ("frequency", "daily"),
                ("categories", "service_due"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(account_prefs(&app, w.account).await.frequency, "off");

    // A supervisor of North does.
    let (b, _) = console_login(&app, "north@example.test", "supervisor", &[w.north]).await;
    let csrf = b.csrf().await;
    let page = b
        .post(
            &format!("{url}/notifications"),
            &[
                ("csrf", &csrf),
                ("frequency", "weekly"),
                ("categories", "invoices"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    assert_eq!(account_prefs(&app, w.account).await.frequency, "weekly");
}
both!(
    console_supervisor,
    a_supervisor_reaches_only_accounts_in_their_areas
);

async fn staff_set_their_own_locale_and_digests(app: TestApp) {
    let w = world(&app).await;
    let (b, me) = console_login(&app, "sup@example.test", "supervisor", &[w.north]).await;
    let page = b.get("/console/notifications").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains("href=\"/console/notifications\" aria-current=\"page\"")
    );
    assert!(page.body.contains("<option selected>UTC</option>"));
    assert!(page.body.contains("value=\"admit.approval\""));
    assert!(
        !page.body.contains("value=\"admit.mail_failed\""),
        "administrators' only"
    );
    assert!(
        page.body.contains("value=\"service_due\""),
        "the portals' categories"
    );
    let csrf = page.csrf();

    let bad = b
        .post(
            "/console/notifications/locale",
            &[
                ("csrf", &csrf),
                ("language", "de"),
                ("time_zone", "Mars/Olympus"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"time_zone-error\""), "{}", bad.body);
    let mine = || async {
        let mut tx = app.cx.db.read().await.unwrap();
        admit::storage::staff::get_staff(&mut tx, me)
            .await
            .unwrap()
            .unwrap()
    };
    let u = mine().await;
    assert_eq!((u.language.as_str(), u.time_zone.as_str()), ("en", "UTC"));

    let ok = b
        .post(
            "/console/notifications/locale",
            &[
                ("csrf", &csrf),
                ("language", "de"),
                ("time_zone", "Europe/Berlin"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let u = mine().await;
    assert_eq!(
        (u.language.as_str(), u.time_zone.as_str()),
        ("de", "Europe/Berlin")
    );

    let bad = b
        .post(
            "/console/notifications",
            &[
                ("csrf", &csrf),
                ("frequency", "weekly"),
                ("categories", "admit.mail_failed"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("id=\"categories-error\""));
    let ok = b
        .post(
            "/console/notifications",
            &[
                ("csrf", &csrf),
                ("frequency", "weekly"),
                ("categories", "admit.approval"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let p = notify::preferences(&app.cx, &Actor::cli(), Owner::Staff(me))
        .await
        .unwrap();
    assert_eq!(p.frequency, "weekly");
    assert_eq!(p.categories, vec!["admit.approval"]);
    assert_eq!(p.time_zone, "Europe/Berlin");
    let page = b.get("/console/notifications").await;
    // Times in the staff member's own zone and language (German, Berlin).
    assert!(
        page.body
            .contains("Benachrichtigungen gespeichert: Ihre nächste Übersicht kommt am Montag, "),
        "{}",
        page.body
    );
    assert!(page.body.contains("08:00 Uhr</strong> (Europe/Berlin)"));
    assert!(
        page.body
            .contains("<option selected>Europe/Berlin</option>")
    );
    assert!(page.body.contains("value=\"weekly\" checked"));
    assert!(page.body.contains("Noch keine Übersichten."));
}
both!(console_own, staff_set_their_own_locale_and_digests);

async fn categories_are_edited_on_the_portals_page(app: TestApp) {
    let w = world(&app).await;
    let (b, _) = console_login(&app, "admin@example.test", "administrator", &[]).await;
    let portal_page = b.get(&format!("/console/portals/{}", w.portal)).await;
    assert!(portal_page.body.contains(&format!(
        "href=\"/console/portals/{}/categories\"",
        w.portal
    )));
    let url = format!("/console/portals/{}/categories", w.portal);
    let page = b.get(&url).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("value=\"service_due\"")
            && page.body.contains("value=\"Offene Rechnungen\"")
    );
    let csrf = page.csrf();

    // Reordered, one renamed, one added (its German name left to default), blank rows ignored.
    let saved = b
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("c0_position", "2"),
                ("c0_key", "service_due"),
                ("c0_name_en", "Service due soon"),
                ("c0_name_de", "Wartung bald fällig"),
                ("c0_description_en", "Machines whose service is due."),
                ("c0_description_de", ""),
                ("c0_existing", "1"),
                ("c1_position", "1"),
                ("c1_key", "invoices"),
                ("c1_name_en", "Open invoices"),
                ("c1_name_de", "Offene Rechnungen"),
                ("c1_existing", "1"),
                ("c2_position", "3"),
                ("c2_key", "quotes"),
                ("c2_name_en", "Quotes"),
                ("c3_position", "4"),
                ("c3_key", ""),
                ("c3_name_en", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let list = w.categories().await;
    let keys: Vec<&str> = texts(&list, "key");
    assert_eq!(keys, vec!["invoices", "service_due", "quotes"]);
    assert_eq!(list[1]["name_de"], "Wartung bald fällig");
    assert_eq!(list[2]["name_de"], "Quotes");
    let page = b.get(&url).await;
    assert!(page.body.contains("Task categories saved: 3 categories."));

    // Bad input: the row's error, nothing saved.
    let bad = b
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("c0_key", "invoices"),
                ("c0_name_en", "Open invoices"),
                ("c0_existing", "1"),
                ("c1_key", "Bad Key!"),
                ("c1_name_en", "<b>bold</b>"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Key: may hold only"), "{}", bad.body);
    assert!(
        bad.body.contains("value=\"&#60;b&#62;bold&#60;/b&#62;\"")
            || bad.body.contains("value=\"&lt;b&gt;bold&lt;/b&gt;\""),
        "escaped"
    );
    let after = w.categories().await;
    assert_eq!(after, list, "nothing changed");

    // A category that holds a task is not removed, and the page says why.
    let org = id_of(
        &w.api,
        "/api/v1/organizations",
        json!({"kind": "customer", "name": "Tasked Co", "area_id": w.north}),
    )
    .await;
    let (status, v) = w
        .api
        .put(
            &format!("/api/v1/portals/{}/tasks/q-1", w.portal),
            &json!({"customer_id": org, "category": "quotes", "title": "Quote 1"}),
        )
        .await;
    assert!(status.is_success(), "{status} {v}");
    let refused = b
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("c0_key", "invoices"),
                ("c0_name_en", "Open invoices"),
                ("c0_existing", "1"),
                ("c1_key", "service_due"),
                ("c1_name_en", "Service due soon"),
                ("c1_existing", "1"),
                ("c2_key", "quotes"),
                ("c2_name_en", "Quotes"),
                ("c2_existing", "1"),
                ("c2_remove", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("`quotes` still holds 1 task; it cannot be removed"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("name=\"c2_remove\" value=\"1\" checked")
    );
    let after = w.categories().await;
    assert_eq!(after, list, "nothing removed");

    // Removing one without tasks works.
    let removed = b
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("c0_key", "invoices"),
                ("c0_name_en", "Open invoices"),
                ("c0_existing", "1"),
                ("c0_remove", "1"),
                ("c1_key", "service_due"),
                ("c1_name_en", "Service due soon"),
                ("c1_existing", "1"),
                ("c2_key", "quotes"),
                ("c2_name_en", "Quotes"),
                ("c2_existing", "1"),
            ],
        )
        .await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let after = w.categories().await;
    let keys: Vec<&str> = texts(&after, "key");
    assert_eq!(keys, vec!["service_due", "quotes"]);

    // Administrators only.
    let (sup, _) = console_login(&app, "sup@example.test", "supervisor", &[w.north]).await;
    assert_eq!(sup.get(&url).await.status, StatusCode::NOT_FOUND);
    let csrf = sup.csrf().await;
    let page = sup.post(&url, &[("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(w.categories().await.as_array().unwrap().len(), 2);
}
both!(
    console_categories,
    categories_are_edited_on_the_portals_page
);
