//! Times in the reader's zone and language: a German person in Berlin reads German times in
//! their e-mails, the template preview writes them as the message that is sent, a portal's
//! default zone goes to its new accounts, and staff set any account's zone and language.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::{self, Api, Engine, PASSWORD, TestApp, mails, outbox_quiet};
use admit::domain::directory::Language;
use admit::mail::defaults::default_text;

/// Friday 4 December 2026, 13:56 UTC: a seven-day invitation sent now ends on 11 December at
/// 14:56 in Berlin (UTC+1 in winter).
const NOW: i64 = 1_796_392_560_000;

/// A German portal in Berlin with a seven-day invitation, and an organization on it.
async fn german_portal(api: &Api) -> (i64, i64) {
    let (status, portal) = api
        .post(
            "/api/v1/portals",
            &json!({"name": "Installateurportal", "kind": "installer",
                    "base_url": "https://installateure.example.com",
                    "registration_mode": "invitation_only", "default_language": "de",
                    "default_time_zone": "Europe/Berlin", "invitation_lifetime_days": 7}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{portal}");
    assert_eq!(portal["default_time_zone"], "Europe/Berlin");
    let org = api
        .create(
            "/api/v1/organizations",
            &common::org("customer", "Nordlicht GmbH"),
        )
        .await;
    (portal["id"].as_i64().unwrap(), org["id"].as_i64().unwrap())
}

/// Grants `email` (a German contact) access to the portal: the account.
async fn german_account(api: &Api, pid: i64, org: i64, email: &str, role: &str) -> Value {
    let contact = api
        .create(
            "/api/v1/contacts",
            &json!({"organization_id": org, "name": "Erika Muster", "email": email,
                    "language": "de"}),
        )
        .await;
    let (status, account) = api
        .post(
            "/api/v1/accounts",
            &json!({"contact_id": contact["id"], "portal_id": pid, "role": role}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    account
}

/// The text of the last mail to `to`, once it has come.
async fn last_mail_to(app: &TestApp, to: &str, n: usize) -> String {
    assert!(
        common::eventually(10, || async {
            mails(app).await.iter().filter(|(r, _)| r == to).count() >= n
        })
        .await,
        "{n} mail(s) to {to}"
    );
    mails(app)
        .await
        .into_iter()
        .rev()
        .find(|(r, _)| r == to)
        .map(|(_, text)| text)
        .unwrap()
}

/// The literal sentences of the English default text of `event`: none may be in a German mail.
fn english_sentences(event: &str) -> Vec<String> {
    let t = default_text(event, Language::En).unwrap();
    t.text
        .split(['{', '}', '%', '\n'])
        .map(str::trim)
        .filter(|s| s.len() > 12)
        .map(str::to_string)
        .collect()
}

fn assert_german(text: &str, event: &str) {
    assert!(!text.contains("UTC"), "no UTC: {text}");
    for sentence in english_sentences(event) {
        assert!(!text.contains(&sentence), "English `{sentence}` in {text}");
    }
}

/// The line of `text` holding `needle`.
fn line_with<'a>(text: &'a str, needle: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle} in {text}"))
}

async fn a_german_person_in_berlin_reads_german_local_times(engine: Engine) {
    let clock = admit::clock::ManualClock::new(NOW);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |_| {}).await;
    let api = app.api(&app.api_key().await);
    let (pid, org) = german_portal(&api).await;
    let email = "erika@nordlicht.example";
    let account = german_account(&api, pid, org, email, "user").await;
    // A new account takes the portal's zone.
    assert_eq!(account["time_zone"], "Europe/Berlin", "{account}");
    let id = account["id"].as_i64().unwrap();

    // The invitation: its link's end in Berlin time, German words, no UTC.
    let invitation = last_mail_to(&app, email, 1).await;
    let expiry = line_with(&invitation, "Der Link gilt einmal und bis");
    assert!(expiry.contains("bis 11.12.2026, 14:56 Uhr."), "{expiry}");
    assert_german(&invitation, "invitation");

    // The template preview writes the expiry as the message sent at the same moment.
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let url = format!("/console/portals/{pid}/templates/invitation/de");
    let page = b.get(&url).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(expiry), "{}", page.body);
    let de = default_text("invitation", Language::De).unwrap();
    let res = b
        .client
        .post(format!("{}{url}/preview", b.base))
        .form(&[
            ("csrf", page.csrf().as_str()),
            ("advanced", "1"),
            ("subject", de.subject.as_str()),
            ("html_body", de.html.as_str()),
            ("text_body", de.text.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let preview: Value = res.json().await.unwrap();
    let text = preview["text"].as_str().unwrap();
    assert_eq!(line_with(text, "Der Link gilt einmal"), expiry);
    assert!(preview["html"].as_str().unwrap().contains(expiry));

    // Registered, then told in German until when access lasts.
    let token = common::token_sent_to(&app, email).await;
    admit::usecases::accounts::accept_invitation(&app.cx, pid, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");
    let (status, body) = api
        .post(
            &format!("/api/v1/accounts/{id}/status"),
            &json!({"action": "set_valid_until", "valid_until": "2026-12-31"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let notice = last_mail_to(&app, email, 2).await;
    assert!(
        notice.contains("Ihr Zugang zu Installateurportal gilt bis 31.12.2026."),
        "{notice}"
    );
    assert!(!notice.contains("2026-12-31"), "{notice}");
    assert_german(&notice, "valid_until_set");
    // The sessions on the person's account page are in Berlin time, in German.
    let person = app.browser();
    person.portal_logged_in(pid, email, PASSWORD).await;
    let page = person.get(&format!("/portal/{pid}/account")).await;
    assert!(page.body.contains("04.12.2026, 14:56 Uhr"), "{}", page.body);
}
on_both!(
    a_german_person_in_berlin,
    a_german_person_in_berlin_reads_german_local_times
);

async fn a_portals_default_zone_is_set_by_staff_and_kept(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let (pid, org) = german_portal(&api).await;
    let path = format!("/api/v1/portals/{pid}");
    let (_, portal) = api.get(&path).await;
    // Changed without naming the zone: it stays.
    let mut input = json!({"name": portal["name"], "kind": portal["kind"],
        "base_url": portal["base_url"], "registration_mode": portal["registration_mode"],
        "default_language": "de", "invitation_lifetime_days": 10});
    let (status, after) = api.put(&path, &input).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["default_time_zone"], "Europe/Berlin");
    // An unknown zone is refused, and nothing changes.
    input["default_time_zone"] = json!("Europe/Atlantis");
    input["invitation_lifetime_days"] = json!(20);
    let (status, body) = api.put(&path, &input).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("default_time_zone"), "{body}");
    let (_, now) = api.get(&path).await;
    assert_eq!(now["default_time_zone"], "Europe/Berlin");
    assert_eq!(now["invitation_lifetime_days"], 10);

    // In the console: the portal form shows the zone and changes it.
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let form = b.get(&format!("/console/portals/{pid}")).await;
    assert!(
        form.body
            .contains("<option selected>Europe/Berlin</option>"),
        "{}",
        form.body
    );
    let csrf = form.csrf();
    let fields = |zone: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("name", "Installateurportal".to_string()),
            ("kind", "installer".into()),
            ("base_url", "https://installateure.example.com".into()),
            ("registration_mode", "invitation_only".into()),
            ("invitation_lifetime_days", "10".into()),
            ("default_language", "de".into()),
            ("default_time_zone", zone.into()),
        ]
    };
    let post = |f: Vec<(&'static str, String)>| {
        let b = &b;
        let url = format!("/console/portals/{pid}");
        async move {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            b.post(&url, &f).await
        }
    };
    let bad = post(fields("Nowhere/Else")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(
        bad.body
            .contains("Default time zone: is not a known time zone")
    );
    assert_eq!(api.get(&path).await.1["default_time_zone"], "Europe/Berlin");
    let ok = post(fields("Europe/Vienna")).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(api.get(&path).await.1["default_time_zone"], "Europe/Vienna");
    // New accounts take the zone the portal has now.
    let account = german_account(&api, pid, org, "max@nordlicht.example", "user").await;
    assert_eq!(account["time_zone"], "Europe/Vienna");
}
both!(
    portal_default_zone,
    a_portals_default_zone_is_set_by_staff_and_kept
);

async fn staff_set_a_notifications_only_accounts_zone_and_language(app: TestApp) {
    let api = app.api(&app.api_key().await);
    let (pid, org) = german_portal(&api).await;
    let account = german_account(&api, pid, org, "info@nordlicht.example", "notifications").await;
    let id = account["id"].as_i64().unwrap();
    let path = format!("/api/v1/accounts/{id}/locale");

    // Through the API.
    let (status, after) = api
        .put(
            &path,
            &json!({"language": "en", "time_zone": "America/New_York"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["language"], "en");
    assert_eq!(after["time_zone"], "America/New_York");
    for bad in [
        json!({"language": "en", "time_zone": "Mars/Olympus_Mons"}),
        json!({"language": "fr", "time_zone": "Europe/Berlin"}),
        json!({"language": "de", "time_zone": ""}),
    ] {
        let (status, body) = api.put(&path, &bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    let (_, now) = api.get(&format!("/api/v1/accounts/{id}")).await;
    assert_eq!(
        (now["language"].as_str(), now["time_zone"].as_str()),
        (Some("en"), Some("America/New_York")),
        "nothing changed"
    );

    // In the console, on the account's page; the page's times are in the staff member's zone.
    let b = app
        .staff_browser("admin@example.test", "administrator", &[])
        .await;
    let page = b.get("/console/notifications").await;
    let saved = b
        .post(
            "/console/notifications/locale",
            &[
                ("csrf", &page.csrf()),
                ("language", "de"),
                ("time_zone", "Asia/Tokyo"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let url = format!("/console/accounts/{id}");
    let page = b.get(&url).await;
    assert!(page.body.contains("id=\"locale\""), "{}", page.body);
    assert!(
        page.body
            .contains("<option selected>America/New_York</option>")
    );
    assert!(page.body.contains(" Uhr"), "German times: {}", page.body);
    let csrf = page.csrf();
    let bad = b
        .post(
            &format!("{url}/locale"),
            &[
                ("csrf", &csrf),
                ("language", "de"),
                ("time_zone", "Europe/Atlantis"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("keine bekannte Zeitzone"), "{}", bad.body);
    assert_eq!(
        api.get(&format!("/api/v1/accounts/{id}")).await.1["time_zone"],
        "America/New_York"
    );
    let ok = b
        .post(
            &format!("{url}/locale"),
            &[
                ("csrf", &csrf),
                ("language", "de"),
                ("time_zone", "Europe/Berlin"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let (_, now) = api.get(&format!("/api/v1/accounts/{id}")).await;
    assert_eq!(now["language"], "de");
    assert_eq!(now["time_zone"], "Europe/Berlin");
    let page = b.get(&url).await;
    assert!(
        page.body
            .contains("Sprache und Zeitzone gespeichert: Deutsch, Europe/Berlin.")
    );
    // Each change is in the audit log, with what it was and what it became.
    let (_, events) = api
        .get(&format!(
            "/api/v1/audit-events?action=account.profile_changed&target_id={id}"
        ))
        .await;
    assert_eq!(events.as_array().map(Vec::len), Some(2), "{events}");
}
both!(
    staff_set_zone_and_language,
    staff_set_a_notifications_only_accounts_zone_and_language
);

async fn the_browser_zone_is_used_only_when_the_person_says_so(app: TestApp) {
    let (pid, account, token) =
        common::invited_on_portal(&app, "customer", "erika@nordlicht.example").await;
    admit::usecases::accounts::accept_invitation(&app.cx, pid, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");
    let id = account["id"].as_i64().unwrap();
    let b = app.browser();
    b.portal_logged_in(pid, "erika@nordlicht.example", PASSWORD)
        .await;
    // The home page carries the offer, hidden until the script finds another zone (so that
    // without JavaScript there is none).
    let home = b.get(&format!("/portal/{pid}/")).await;
    assert!(
        home.body.contains("id=\"zone-offer\"")
            && home.body.contains("data-current=\"UTC\" hidden>"),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains("<script src=\"/portal/zone-offer.js\" defer></script>")
    );
    assert_eq!(
        b.status("/portal/zone-offer.js").await,
        StatusCode::OK,
        "the script is served"
    );
    let csrf = common::hidden(&home.body, "csrf");
    let url = format!("/portal/{pid}/time-zone");
    let bad = b
        .post(&url, &[("csrf", &csrf), ("time_zone", "Europe/Atlantis")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let api = app.api(&app.api_key().await);
    assert_eq!(
        api.get(&format!("/api/v1/accounts/{id}")).await.1["time_zone"],
        "UTC"
    );
    let ok = b
        .post(&url, &[("csrf", &csrf), ("time_zone", "Europe/Berlin")])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(
        ok.location.as_deref(),
        Some(format!("/portal/{pid}/account?saved=1").as_str())
    );
    let (_, now) = api.get(&format!("/api/v1/accounts/{id}")).await;
    assert_eq!(now["time_zone"], "Europe/Berlin");
    assert_eq!(now["language"], "en", "the language stays");
    // Without the form's token, nothing changes.
    let forged = b
        .post(&url, &[("csrf", "x"), ("time_zone", "Asia/Tokyo")])
        .await;
    assert_ne!(forged.status, StatusCode::SEE_OTHER);
    assert!(outbox_quiet(&app, 10).await);
    assert_eq!(
        api.get(&format!("/api/v1/accounts/{id}")).await.1["time_zone"],
        "Europe/Berlin"
    );
}
both!(
    browser_zone_offer,
    the_browser_zone_is_used_only_when_the_person_says_so
);
