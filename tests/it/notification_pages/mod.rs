//! The notification pages: a person's own digest preferences on the portal pages, an account's
//! on its console page, a staff user's own (with their language and time zone), a portal's
//! task categories in the console, and the unsubscribe link of a digest (one-click too).

use crate::common;

use admit::storage::tasks::{Owner, subscription_of};
use admit::usecases::Actor;
use admit::usecases::notifications as notify;
use common::{Browser, PASSWORD, TestApp, eventually, exec, hidden, id_of, last_token_to, texts};
use reqwest::StatusCode;
use serde_json::json;

mod console;
mod unsubscribe;

/// The digest subscription of `account`, which every account has.
async fn subscription(app: &TestApp, account: i64) -> admit::storage::tasks::Subscription {
    let mut tx = app.cx.db.read().await.unwrap();
    subscription_of(&mut tx, Owner::Account(account))
        .await
        .unwrap()
        .expect("a subscription")
}

struct World {
    api: common::Api,
    portal: i64,
    north: i64,
    south: i64,
    /// A registered admin account of a North customer on the portal.
    account: i64,
    email: &'static str,
}

impl World {
    /// The portal's task categories, as the API lists them.
    async fn categories(&self) -> serde_json::Value {
        let path = format!("/api/v1/portals/{}/task-categories", self.portal);
        self.api.get(&path).await.1
    }
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
    b.portal_logged_in(pid, email, PASSWORD).await;
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
