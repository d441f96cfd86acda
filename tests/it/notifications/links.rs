//! Where a digest's links lead: its "Open" button to the person's home page among the portal's
//! pages (not the portal's base address), its preferences link to their notifications page.

use super::*;

/// The HTML of the last message to `to` in the built-in mailbox.
async fn html_to(app: &TestApp, to: &str) -> String {
    let sql = "SELECT html_body FROM mailbox_messages WHERE recipient = $1 ORDER BY id DESC";
    match &app.cx.db {
        admit::storage::Db::Sqlite(p) => sqlx::query_scalar(sql).bind(to).fetch_one(p).await,
        admit::storage::Db::Postgres(p) => sqlx::query_scalar(sql).bind(to).fetch_one(p).await,
    }
    .unwrap()
}

async fn a_digests_links(engine: Engine) {
    let clock = ManualClock::new(utc("2026-11-30T06:00:00Z"));
    let app = TestApp::spawn_clocked(engine, clock.clone(), quiet).await;
    let w = world(&app).await;
    task(&w, "t-1", w.acme, "service_due", "Boiler service").await;
    let ada = person(&app, &w, w.acme, "ada@acme.example", "admin", "UTC").await;
    subscribe(&w, ada, "daily", &["service_due"]).await;
    clock.set(utc("2026-11-30T08:00:00Z"));
    assert_eq!(run_due(&app).await.sent, 1);
    assert!(
        common::outbox_quiet(&app, 30).await,
        "the digest is delivered"
    );
    // As a browser reads it: the template escapes `/` as `&#x2f;` in HTML.
    let html = html_to(&app, "ada@acme.example")
        .await
        .replace("&#x2f;", "/");
    let public = app.cx.mail.public_url.trim_end_matches('/');
    let portal = w.portal;
    assert!(
        html.contains(&format!("href=\"{public}/portal/{portal}/\"")),
        "Open goes to the portal's home page: {html}"
    );
    assert!(
        html.contains(&format!("href=\"{public}/portal/{portal}/notifications\"")),
        "{html}"
    );
    assert!(
        !html.contains("href=\"https://partners.example.com"),
        "{html}"
    );
}
on_both!(digest_links, a_digests_links);
