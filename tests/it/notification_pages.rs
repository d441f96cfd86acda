//! The notification pages: a person's own digest preferences on the portal pages, an account's
//! on its console page, a staff user's own (with their language and time zone), a portal's
//! task categories in the console, and the unsubscribe link of a digest (one-click too).

use crate::common;

use admit::storage::tasks::{Owner, subscription_of};
use admit::usecases::Actor;
use admit::usecases::notifications as notify;
use common::{Browser, PASSWORD, TestApp, eventually, exec, hidden, last_token_to};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct World {
    api: common::Api,
    portal: i64,
    north: i64,
    south: i64,
    /// A registered admin account of a North customer on the portal.
    account: i64,
    email: &'static str,
}

async fn id_of(api: &common::Api, path: &str, body: Value) -> i64 {
    let (status, v) = api.post(path, &body).await;
    assert!(status.is_success(), "{path}: {status} {v}");
    v["id"].as_i64().unwrap()
}

/// A portal with two task categories, areas North and South, and a registered admin account
/// of a customer in North.
async fn world(app: &TestApp) -> World {
    let api = app.api(&app.api_key().await);
    let north = id_of(&api, "/api/v1/areas", json!({"name": "North"})).await;
    let south = id_of(&api, "/api/v1/areas", json!({"name": "South"})).await;
    let portal = id_of(
        &api,
        "/api/v1/portals",
        json!({"name": "Customer portal", "kind": "customer", "base_url": "https://customers.example.com",
               "registration_mode": "invitation_only", "default_language": "en"}),
    )
    .await;
    let (status, v) = api
        .put(
            &format!("/api/v1/portals/{portal}/task-categories"),
            &json!({"categories": [
                {"key": "service_due", "name_en": "Service due", "name_de": "Wartung fällig",
                 "description_en": "Machines whose service is due.", "description_de": "Maschinen, deren Wartung fällig ist."},
                {"key": "invoices", "name_en": "Open invoices", "name_de": "Offene Rechnungen"}
            ]}),
        )
        .await;
    assert!(status.is_success(), "{status} {v}");
    let org = id_of(
        &api,
        "/api/v1/organizations",
        json!({"kind": "customer", "name": "Nordlicht GmbH", "area_id": north}),
    )
    .await;
    let email = "erika@nordlicht.example";
    let contact = id_of(
        &api,
        "/api/v1/contacts",
        json!({"organization_id": org, "name": "Erika Muster", "email": email}),
    )
    .await;
    let account = id_of(
        &api,
        "/api/v1/accounts",
        json!({"contact_id": contact, "portal_id": portal, "role": "admin"}),
    )
    .await;
    assert!(eventually(10, || async { last_token_to(app, email).await.is_some() }).await);
    let token = last_token_to(app, email).await.unwrap();
    admit::usecases::accounts::accept_invitation(&app.cx, portal, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");
    World {
        api,
        portal,
        north,
        south,
        account,
        email,
    }
}

async fn portal_login(app: &TestApp, pid: i64, email: &str) -> Browser {
    let b = app.browser();
    let form = b.get(&format!("/portal/{pid}/login")).await;
    let page = b
        .post(
            &format!("/portal/{pid}/login"),
            &[
                ("csrf", &hidden(&form.body, "csrf")),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    b
}

async fn console_login(app: &TestApp, email: &str, role: &str, areas: &[i64]) -> (Browser, i64) {
    let id = app.create_staff(email, role, areas, PASSWORD).await;
    let b = app.browser();
    let page = b.login(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    (b, id)
}

async fn account_prefs(app: &TestApp, account: i64) -> notify::Preferences {
    notify::preferences(&app.cx, &Actor::cli(), Owner::Account(account))
        .await
        .expect("preferences")
}

async fn portal_user_chooses_weekly_and_a_category(app: TestApp) {
    let w = world(&app).await;
    let b = portal_login(&app, w.portal, w.email).await;
    let home = b.get(&format!("/portal/{}/", w.portal)).await;
    assert!(
        home.body
            .contains(&format!("href=\"/portal/{}/notifications\"", w.portal)),
        "the home page links the page"
    );
    let url = format!("/portal/{}/notifications", w.portal);
    let page = b.get(&url).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Weekly, on Monday"));
    assert!(page.body.contains("at 08:00 in your time zone (UTC)"));
    assert!(
        page.body
            .contains(&format!("href=\"/portal/{}/account\"", w.portal))
    );
    assert!(
        page.body.contains("Service due") && page.body.contains("Machines whose service is due.")
    );
    assert!(
        page.body.contains("value=\"off\" checked"),
        "off to begin with"
    );

    let csrf = hidden(&page.body, "csrf");
    let saved = b
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("frequency", "weekly"),
                ("categories", "service_due"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = b.get(saved.location.as_deref().unwrap()).await;
    assert!(page.body.contains("id=\"saved\""), "{}", page.body);
    assert!(
        page.body
            .contains("Your next digest comes on <strong>Monday "),
        "{}",
        page.body
    );
    assert!(page.body.contains(", 08:00</strong> (UTC)"));
    assert!(page.body.contains("value=\"weekly\" checked"));
    assert!(page.body.contains("value=\"service_due\" checked"));
    assert!(
        page.body.contains("value=\"invoices\">"),
        "the other stays unticked"
    );

    let (status, v) = w
        .api
        .get(&format!("/api/v1/accounts/{}/notifications", w.account))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["frequency"], "weekly");
    assert_eq!(v["categories"], json!(["service_due"]));
    assert!(v["next_due_at"].is_string());

    // The form is protected like the other portal forms.
    let forged = b
        .post(&url, &[("csrf", "forged"), ("frequency", "off")])
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(account_prefs(&app, w.account).await.frequency, "weekly");
    let anonymous = app.browser().get(&url).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "to the login page");
}
both!(portal_weekly, portal_user_chooses_weekly_and_a_category);

async fn bad_input_shows_the_error_and_changes_nothing(app: TestApp) {
    let w = world(&app).await;
    let b = portal_login(&app, w.portal, w.email).await;
    let url = format!("/portal/{}/notifications", w.portal);
    let csrf = hidden(&b.get(&url).await.body, "csrf");
    let page = b
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("frequency", "hourly"),
                ("categories", "invoices"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("id=\"frequency-error\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("Please choose how often."));
    assert!(
        page.body.contains("value=\"invoices\" checked"),
        "the form as typed"
    );
    let page = b
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("frequency", "daily"),
                ("categories", "invoices"),
                ("categories", "<script>x</script>"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("id=\"categories-error\""));
    assert!(!page.body.contains("<script>x"));
    let p = account_prefs(&app, w.account).await;
    assert_eq!(p.frequency, "off", "nothing was saved");
    assert!(p.categories.is_empty());
    assert_eq!(app.count("digest_subscriptions").await, 0);
}
both!(
    portal_bad_input,
    bad_input_shows_the_error_and_changes_nothing
);

async fn the_page_speaks_the_persons_language(app: TestApp) {
    let w = world(&app).await;
    admit::usecases::profile::update_profile(
        &app.cx,
        w.account,
        &admit::usecases::profile::ProfileInput {
            name: "Erika Muster".into(),
            language: "de".into(),
            time_zone: "Europe/Berlin".into(),
        },
        None,
    )
    .await
    .expect("profile");
    let b = portal_login(&app, w.portal, w.email).await;
    let url = format!("/portal/{}/notifications", w.portal);
    let page = b.get(&url).await;
    assert!(page.body.contains("<html lang=\"de\">"));
    assert!(page.body.contains("E-Mail-Benachrichtigungen"));
    assert!(page.body.contains("Wöchentlich, montags"));
    assert!(
        page.body
            .contains("um 08:00 Uhr in Ihrer Zeitzone (Europe/Berlin)")
    );
    assert!(
        page.body.contains("Wartung fällig"),
        "the category's German name"
    );
    assert!(page.body.contains("Speichern"));
    let csrf = hidden(&page.body, "csrf");
    let saved = b
        .post(
            &url,
            &[
                ("csrf", &csrf),
                ("frequency", "daily"),
                ("categories", "invoices"),
            ],
        )
        .await;
    let page = b.get(saved.location.as_deref().unwrap()).await;
    assert!(page.body.contains("Gespeichert."));
    assert!(page.body.contains("Ihre nächste Zusammenfassung kommt am"));
    assert!(
        page.body.contains(", 08:00 Uhr</strong> (Europe/Berlin)"),
        "{}",
        page.body
    );
    let bad = b.post(&url, &[("csrf", &csrf), ("frequency", "")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Bitte wählen Sie, wie oft."));
    // The account page links the notifications, in German too.
    let account = b.get(&format!("/portal/{}/account", w.portal)).await;
    assert!(account.body.contains(&format!(
        "<a href=\"/portal/{}/notifications\">E-Mail-Benachrichtigungen</a>",
        w.portal
    )));
}
both!(portal_german, the_page_speaks_the_persons_language);

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
    let sub = {
        let mut tx = app.cx.db.read().await.unwrap();
        subscription_of(&mut tx, Owner::Account(w.account))
            .await
            .unwrap()
            .expect("a subscription")
    };
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
    assert!(page.body.contains("2026-03-02"));
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
    assert!(
        page.body
            .contains("Notifications saved: your next digest comes on Monday")
    );
    assert!(page.body.contains("08:00 (Europe/Berlin)"));
    assert!(
        page.body
            .contains("<option selected>Europe/Berlin</option>")
    );
    assert!(page.body.contains("value=\"weekly\" checked"));
    assert!(page.body.contains("No digests yet."));
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
    let (_, list) = w
        .api
        .get(&format!("/api/v1/portals/{}/task-categories", w.portal))
        .await;
    let keys: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
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
    let (_, after) = w
        .api
        .get(&format!("/api/v1/portals/{}/task-categories", w.portal))
        .await;
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
    let (_, after) = w
        .api
        .get(&format!("/api/v1/portals/{}/task-categories", w.portal))
        .await;
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
    let (_, after) = w
        .api
        .get(&format!("/api/v1/portals/{}/task-categories", w.portal))
        .await;
    let keys: Vec<&str> = after
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["service_due", "quotes"]);

    // Administrators only.
    let (sup, _) = console_login(&app, "sup@example.test", "supervisor", &[w.north]).await;
    assert_eq!(sup.get(&url).await.status, StatusCode::NOT_FOUND);
    let csrf = sup.csrf().await;
    let page = sup.post(&url, &[("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(
        w.api
            .get(&format!("/api/v1/portals/{}/task-categories", w.portal))
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        2
    );
}
both!(
    console_categories,
    categories_are_edited_on_the_portals_page
);

async fn unsubscribe_links_work_without_a_login(app: TestApp) {
    let w = world(&app).await;
    notify::set_preferences(
        &app.cx,
        &Actor::cli(),
        Owner::Account(w.account),
        &notify::PreferencesInput {
            frequency: "weekly".into(),
            categories: vec!["service_due".into()],
        },
    )
    .await
    .expect("saved");
    let sub = {
        let mut tx = app.cx.db.read().await.unwrap();
        subscription_of(&mut tx, Owner::Account(w.account))
            .await
            .unwrap()
            .expect("a subscription")
    };
    let link = notify::mint_unsubscribe(&app.cx, sub.id)
        .await
        .unwrap()
        .expect("a link");
    let path = &link[link.find("/unsubscribe/").expect("the path")..];
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    // GET asks, and changes nothing (link scanners fetch it).
    for _ in 0..2 {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let body = res.text().await.unwrap();
        assert!(body.contains("Stop the digests to <strong id=\"unsubscribe-email\">erika@nordlicht.example</strong>?"), "{body}");
        assert!(body.contains(&format!("action=\"{path}\"")));
    }
    assert_eq!(account_prefs(&app, w.account).await.frequency, "weekly");

    // One click, as RFC 8058 has it: no cookies, no form token.
    let res = client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("You will not get digests any more."),
        "{body}"
    );
    let p = account_prefs(&app, w.account).await;
    assert_eq!(p.frequency, "off");
    assert_eq!(p.categories, vec!["service_due"], "the choice is kept");

    // Again: fine, and the GET says it is off already.
    let res = client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body = client
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("You will not get digests any more."));
    assert!(!body.contains("<form"));

    // Unknown or garbled tokens.
    for bad in [
        format!("/unsubscribe/{}", "ab".repeat(32)),
        "/unsubscribe/not-a-token".to_string(),
    ] {
        let res = client.get(app.url(&bad)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(
            res.text()
                .await
                .unwrap()
                .contains("This link is unknown or has expired")
        );
        let res = client
            .post(app.url(&bad))
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let res = client
        .get(app.url(&format!("/unsubscribe/{}", "cd".repeat(32))))
        .header("accept-language", "de-DE,de;q=0.9")
        .send()
        .await
        .unwrap();
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("unbekannt oder abgelaufen")
    );
}
both!(unsubscribe, unsubscribe_links_work_without_a_login);

async fn the_unsubscribe_page_speaks_the_persons_language(app: TestApp) {
    let w = world(&app).await;
    exec(
        &app,
        &format!(
            "UPDATE portal_accounts SET language = 'de' WHERE id = {}",
            w.account
        ),
    )
    .await;
    notify::set_preferences(
        &app.cx,
        &Actor::cli(),
        Owner::Account(w.account),
        &notify::PreferencesInput {
            frequency: "daily".into(),
            categories: vec!["invoices".into()],
        },
    )
    .await
    .expect("saved");
    let sub = {
        let mut tx = app.cx.db.read().await.unwrap();
        subscription_of(&mut tx, Owner::Account(w.account))
            .await
            .unwrap()
            .unwrap()
    };
    let link = notify::mint_unsubscribe(&app.cx, sub.id)
        .await
        .unwrap()
        .unwrap();
    let path = &link[link.find("/unsubscribe/").unwrap()..];
    let page = app.browser().get(path).await;
    assert!(page.body.contains("<html lang=\"de\">"));
    assert!(page.body.contains("Die Zusammenfassungen an <strong id=\"unsubscribe-email\">erika@nordlicht.example</strong> abbestellen?"));
    let page = app.browser().post(path, &[]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains("Sie bekommen keine Zusammenfassungen mehr.")
    );
    assert_eq!(account_prefs(&app, w.account).await.frequency, "off");
}
both!(
    unsubscribe_german,
    the_unsubscribe_page_speaks_the_persons_language
);
