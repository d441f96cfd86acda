//! Portal and module names per language: set through the API and the console, shown in the
//! reader's language on the portal pages, in the e-mails and digests and in the console, the
//! name itself where no translation is given; bad input refused with nothing changed.

use crate::catalog::german_page;
use crate::common::{self, Engine, PASSWORD, TestApp, eventually, exec, id_of, mails, org};
use crate::notifications::subscribed_staff;
use admit::clock::ManualClock;
use admit::usecases::notifications as notify;
use reqwest::StatusCode;
use serde_json::{Value, json};

const ERIKA: &str = "erika@nordlicht.example";
const JOHN: &str = "john@nordlicht.example";
const MARIA: &str = "maria@admit.example";

fn portal_body() -> Value {
    json!({"name": "Customer portal", "name_de": "Kundenportal", "kind": "customer",
           "base_url": "https://portal.example.com", "registration_mode": "invitation_only",
           "default_language": "en",
           "modules": [{"name": "Invoices", "name_de": "Rechnungen"},
                       {"name": "Pricing", "admin_only": true}]})
}

/// A contact of `org` speaking `language`, with an admin account on `portal`, registered; the
/// account's id.
async fn registered_admin(
    app: &TestApp,
    org: i64,
    portal: i64,
    email: &str,
    language: &str,
) -> i64 {
    let api = app.api(&app.api_key().await);
    let contact = id_of(
        &api,
        "/api/v1/contacts",
        json!({"organization_id": org, "name": email, "email": email, "language": language}),
    )
    .await;
    let id = id_of(
        &api,
        "/api/v1/accounts",
        json!({"contact_id": contact, "portal_id": portal, "role": "admin"}),
    )
    .await;
    let token = common::token_sent_to(app, email).await;
    admit::usecases::accounts::accept_invitation(&app.cx, portal, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");
    id
}

async fn names_in_each_language(app: TestApp) {
    let api = app.api(&app.api_key().await);

    // Through the API: the German names are returned and read back.
    let (status, portal) = api.post("/api/v1/portals", &portal_body()).await;
    assert_eq!(status, StatusCode::CREATED, "{portal}");
    assert_eq!(portal["name_de"], "Kundenportal");
    assert_eq!(portal["modules"][0]["name_de"], "Rechnungen");
    assert!(portal["modules"][1]["name_de"].is_null(), "{portal}");
    let pid = portal["id"].as_i64().unwrap();
    let path = format!("/api/v1/portals/{pid}");
    api.assert_reads_back_at(&path, &portal).await;

    // A client that does not know the German names leaves them as they are.
    let mut plain = portal_body();
    plain.as_object_mut().unwrap().remove("name_de");
    for m in plain["modules"].as_array_mut().unwrap() {
        m.as_object_mut().unwrap().remove("name_de");
    }
    plain["modules"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "Schedule"}));
    let (status, kept) = api.put(&path, &plain).await;
    assert_eq!(status, StatusCode::OK, "{kept}");
    assert_eq!(kept["name_de"], "Kundenportal");
    assert_eq!(kept["modules"][0]["name_de"], "Rechnungen");
    assert!(kept["modules"][2]["name_de"].is_null());

    // Bad input: a clear error naming the field, and nothing changed.
    let events = app.count("audit_events").await;
    for (change, field) in [
        (json!({"name_de": "K".repeat(101)}), "name_de"),
        (json!({"name_de": "Kunden\nportal"}), "name_de"),
        (
            json!({"modules": [{"name": "Invoices", "name_de": "R".repeat(101)}]}),
            "modules[0].name_de",
        ),
        (
            json!({"modules": [{"name": " ", "name_de": "Rechnungen"}]}),
            "modules[0].name",
        ),
    ] {
        let mut body = portal_body();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, err) = api.put(&path, &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {err}");
        assert!(err.to_string().contains(field), "{field}: {err}");
    }
    assert_eq!(app.count("audit_events").await, events);
    api.assert_reads_back_at(&path, &kept).await;

    // Through the console, by a German-speaking administrator: a field beside the name, and
    // each module's German name after a bar.
    let b = app.staff_browser(MARIA, "administrator", &[]).await;
    exec(
        &app,
        &format!("UPDATE staff_users SET language = 'de' WHERE email = '{MARIA}'"),
    )
    .await;
    let page = b.get(&format!("/console/portals/{pid}")).await;
    assert!(page.body.contains("<h1>Kundenportal</h1>"), "{}", page.body);
    assert!(page.body.contains("Name auf Deutsch"), "{}", page.body);
    assert!(
        page.body.contains("value=\"Kundenportal\""),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("Invoices | Rechnungen\nPricing *\nSchedule"),
        "{}",
        page.body
    );
    let form = |name_de: &str, modules: &str| {
        vec![
            ("csrf".to_string(), page.csrf()),
            ("name".into(), "Customer portal".into()),
            ("name_de".into(), name_de.to_string()),
            ("kind".into(), "customer".into()),
            ("base_url".into(), "https://portal.example.com".into()),
            ("registration_mode".into(), "invitation_only".into()),
            ("invitation_lifetime_days".into(), "7".into()),
            ("default_language".into(), "en".into()),
            ("default_time_zone".into(), "UTC".into()),
            ("modules".into(), modules.to_string()),
        ]
    };
    let post = |f: Vec<(String, String)>| {
        let b = &b;
        async move {
            let pairs: Vec<(&str, &str)> =
                f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            b.post(&format!("/console/portals/{pid}"), &pairs).await
        }
    };
    // Too long: refused in German, nothing changed.
    let events = app.count("audit_events").await;
    let long = "K".repeat(101);
    let res = post(form(&long, "Invoices | Rechnungen\nPricing *")).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(
        res.body.contains("id=\"name_de-error\">Name auf Deutsch: "),
        "{}",
        res.body
    );
    let res = post(form(
        "Kundenportal",
        &format!("Invoices | {long}\nPricing *"),
    ))
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    assert!(res.body.contains("Zeile 1: "), "{}", res.body);
    assert_eq!(app.count("audit_events").await, events);
    api.assert_reads_back_at(&path, &kept).await;
    // Saved.
    let res = post(form(
        "Kundenportal Nord",
        "Invoices | Rechnungen\nPricing | Preise *\nSchedule | Termine",
    ))
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    let (_, saved) = api.get(&path).await;
    assert_eq!(saved["name_de"], "Kundenportal Nord");
    let german: Vec<&str> = saved["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name_de"].as_str().unwrap())
        .collect();
    assert_eq!(german, ["Rechnungen", "Preise", "Termine"]);
    let list = b.get("/console/portals").await;
    assert!(
        list.body.contains(">Kundenportal Nord</a>"),
        "{}",
        list.body
    );

    // A German reader and an English one, each an admin of their organization.
    let nordlicht = id_of(
        &api,
        "/api/v1/organizations",
        org("customer", "Nordlicht GmbH"),
    )
    .await;
    let erika = registered_admin(&app, nordlicht, pid, ERIKA, "de").await;
    let john = registered_admin(&app, nordlicht, pid, JOHN, "en").await;
    let invitations = mails(&app).await;
    let to = |who: &str| {
        invitations
            .iter()
            .find(|(r, _)| r == who)
            .map(|(_, text)| text.clone())
            .unwrap()
    };
    assert!(to(ERIKA).contains("Kundenportal Nord"), "{}", to(ERIKA));
    assert!(to(JOHN).contains("Customer portal"), "{}", to(JOHN));
    assert!(!to(JOHN).contains("Kundenportal"), "{}", to(JOHN));

    // The portal pages: the portal and its modules in the reader's language.
    let eb = app.browser();
    eb.portal_logged_in(pid, ERIKA, PASSWORD).await;
    let home = eb.get(&format!("/portal/{pid}/")).await;
    german_page(
        "Erika's portal",
        &home.body,
        "<strong>Kundenportal Nord</strong>",
    );
    assert!(
        home.body.contains("<td>Rechnungen, Preise, Termine</td>"),
        "{}",
        home.body
    );
    let access = eb.get(&format!("/portal/{pid}/access")).await;
    german_page("Erika's access", &access.body, "<li>Preise</li>");
    let jb = app.browser();
    jb.portal_logged_in(pid, JOHN, PASSWORD).await;
    let home = jb.get(&format!("/portal/{pid}/")).await;
    assert!(
        home.body.contains("<strong>Customer portal</strong>"),
        "{}",
        home.body
    );
    assert!(
        home.body.contains("<td>Invoices, Pricing, Schedule</td>"),
        "{}",
        home.body
    );
    assert!(!home.body.contains("Kundenportal"), "{}", home.body);
    let login = app
        .browser()
        .get(&format!("/portal/{pid}/login?lang=de"))
        .await;
    assert!(login.body.contains("Kundenportal Nord"), "{}", login.body);

    // The console in the staff member's language: German for Maria, English for Tom.
    let account = b.get(&format!("/console/accounts/{erika}")).await;
    german_page("Erika's account", &account.body, "Kundenportal Nord");
    assert!(
        account.body.contains("Rechnungen, Preise, Termine"),
        "{}",
        account.body
    );
    let list = b.get("/console/access").await;
    german_page("the access list", &list.body, "Kundenportal Nord");
    let tom = app
        .staff_browser("tom@admit.example", "administrator", &[])
        .await;
    let account = tom.get(&format!("/console/accounts/{john}")).await;
    assert!(account.body.contains("Customer portal"), "{}", account.body);
    assert!(
        account.body.contains("Invoices, Pricing, Schedule"),
        "{}",
        account.body
    );
    assert!(!account.body.contains("Kundenportal"), "{}", account.body);

    // Without a German name, German readers see the name itself.
    let mut cleared = saved.clone();
    cleared["name_de"] = json!("");
    cleared["modules"][1]["name_de"] = json!("");
    for key in [
        "id",
        "created_at",
        "updated_at",
        "impersonation_allowed",
        "impersonation_actions",
        "impersonation_notice",
    ] {
        cleared.as_object_mut().unwrap().remove(key);
    }
    let (status, v) = api.put(&path, &cleared).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(
        v["name_de"].is_null() && v["modules"][1]["name_de"].is_null(),
        "{v}"
    );
    let home = eb.get(&format!("/portal/{pid}/")).await;
    assert!(
        home.body.contains("<strong>Customer portal</strong>"),
        "{}",
        home.body
    );
    assert!(
        home.body.contains("<td>Rechnungen, Pricing, Termine</td>"),
        "{}",
        home.body
    );
    let page = b.get(&format!("/console/portals/{pid}")).await;
    assert!(
        page.body.contains("<h1>Customer portal</h1>"),
        "{}",
        page.body
    );
}
both!(names_in_each_language, names_in_each_language);

async fn digests_in_each_language(engine: Engine) {
    let monday = chrono::DateTime::parse_from_rfc3339("2026-11-30T06:00:00Z")
        .unwrap()
        .timestamp_millis();
    let clock = ManualClock::new(monday);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |c| c.digest_poll_seconds = 3600).await;
    let api = app.api(&app.api_key().await);
    let pid = id_of(&api, "/api/v1/portals", portal_body()).await;
    let (status, v) = api
        .put(
            &format!("/api/v1/portals/{pid}/task-categories"),
            &json!({"categories": [
                {"key": "service_due", "name_en": "Service due", "name_de": "Wartung fällig",
                 "description_en": "Maintenance that is due", "description_de": "Fällige Wartungen"},
                {"key": "quotes", "name_en": "Quotes", "name_de": "Angebote",
                 "description_en": "Quotes to answer", "description_de": " "}
            ]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // Without a German description, none is stored: German readers see the English one.
    assert_eq!(v[1]["description_de"], "", "{v}");
    let nordlicht = id_of(
        &api,
        "/api/v1/organizations",
        org("customer", "Nordlicht GmbH"),
    )
    .await;
    let mut people = Vec::new();
    for (email, language) in [(ERIKA, "de"), (JOHN, "en")] {
        let id = registered_admin(&app, nordlicht, pid, email, language).await;
        let (status, v) = api
            .put(
                &format!("/api/v1/accounts/{id}/notifications"),
                &json!({"frequency": "daily", "categories": ["service_due"]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        people.push(id);
    }
    let (status, v) = api
        .put(
            &format!("/api/v1/portals/{pid}/tasks/t-1"),
            &json!({"customer_id": nordlicht, "category": "service_due", "title": "Boiler service"}),
        )
        .await;
    assert!(status.is_success(), "{v}");

    // The category's German description on Erika's notification settings.
    let eb = app.browser();
    eb.portal_logged_in(pid, ERIKA, PASSWORD).await;
    let page = eb.get(&format!("/portal/{pid}/notifications")).await;
    assert!(page.body.contains("Wartung fällig"), "{}", page.body);
    assert!(page.body.contains("Fällige Wartungen"), "{}", page.body);
    assert!(page.body.contains("Quotes to answer"), "{}", page.body);
    assert!(
        page.body.contains("<strong>Kundenportal</strong>"),
        "{}",
        page.body
    );

    // A German administrator's digest names the portal in German beside the category.
    let (staff, _) =
        subscribed_staff(&app, MARIA, "administrator", &[], Some(&["service_due"])).await;
    exec(
        &app,
        &format!("UPDATE staff_users SET language = 'de' WHERE id = {staff}"),
    )
    .await;

    clock.set(monday + 2 * 3_600_000);
    assert!(common::outbox_quiet(&app, 30).await);
    let made = notify::run_due(&app.cx, 50).await.unwrap();
    assert_eq!(made.sent, 3, "{made:?}");
    let digest = |who: &'static str| {
        let app = &app;
        async move {
            let arrived = |(r, t): &(String, String)| r == who && t.contains("Boiler service");
            assert!(
                eventually(20, || async { mails(app).await.iter().any(arrived) }).await,
                "a digest to {who}"
            );
            mails(app).await.into_iter().find(arrived).unwrap().1
        }
    };
    let erika = digest(ERIKA).await;
    assert!(erika.contains("Kundenportal"), "{erika}");
    assert!(erika.contains("Wartung fällig"), "{erika}");
    let john = digest(JOHN).await;
    assert!(john.contains("Customer portal"), "{john}");
    assert!(!john.contains("Kundenportal"), "{john}");
    let maria = digest(MARIA).await;
    assert!(maria.contains("Wartung fällig (Kundenportal)"), "{maria}");
}
on_both!(digests_in_each_language, digests_in_each_language);
