//! Rate limits and lockouts, and what the clock ends: links past their lifetime, sessions of
//! accounts past their valid-until day. The clock is moved, never waited for.

use crate::common;

use admit::clock::ManualClock;
use common::{Browser, Engine, PASSWORD, TestApp, hidden};
use reqwest::StatusCode;
use serde_json::{Value, json};

const DAY: i64 = 86_400_000;
/// 2026-11-23 09:00 UTC.
const START: i64 = 1_795_424_400_000;

async fn clocked(engine: Engine) -> (TestApp, ManualClock) {
    let clock = ManualClock::new(START);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |c| {
        c.trusted_proxies = vec!["127.0.0.1".into()]
    })
    .await;
    (app, clock)
}

/// A portal and an invited account for `email`; returns (portal id, account, invitation token).
async fn invited(app: &TestApp, email: &str) -> (i64, Value, String) {
    common::invited_on_portal(app, "customer", email).await
}

async fn registered(app: &TestApp, email: &str) -> (i64, Value) {
    let (pid, account, token) = invited(app, email).await;
    admit::usecases::accounts::accept_invitation(&app.cx, pid, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");
    (pid, account)
}

/// A login on the portal page from client `from`: (status, body, Retry-After).
async fn login(
    b: &Browser,
    pid: i64,
    from: &str,
    email: &str,
    password: &str,
) -> (StatusCode, String, Option<String>) {
    let form = b.get(&format!("/portal/{pid}/login")).await;
    let res = b
        .client
        .post(format!("{}/portal/{pid}/login", b.base))
        .header("x-forwarded-for", from)
        .form(&[
            ("csrf", hidden(&form.body, "csrf").as_str()),
            ("email", email),
            ("password", password),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, res.text().await.unwrap(), retry)
}

async fn failed_logins_lock_for_a_while(engine: Engine) {
    let (app, clock) = clocked(engine).await;
    let (pid, _) = registered(&app, "erika@nordlicht.example").await;
    let b = app.browser();
    let wrong = "not the right password";
    for _ in 0..5 {
        let (status, _, _) = login(&b, pid, "203.0.113.7", "erika@nordlicht.example", wrong).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Locked for this client, even with the right password; the page says to wait.
    let (status, body, retry) =
        login(&b, pid, "203.0.113.7", "erika@nordlicht.example", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("Too many attempts"));
    assert_eq!(retry.as_deref(), Some("60"));
    // An unknown address locks the same way: the lock tells nothing about who has an account.
    for _ in 0..5 {
        login(&b, pid, "203.0.113.7", "nobody@nordlicht.example", wrong).await;
    }
    let (status, _, _) = login(&b, pid, "203.0.113.7", "nobody@nordlicht.example", wrong).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // The person, from their own client, is not locked out by a stranger's guesses.
    let owner = app.browser();
    let (status, _, _) = login(
        &owner,
        pid,
        "198.51.100.2",
        "erika@nordlicht.example",
        PASSWORD,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // A minute later the lock is over; the next five failures lock for two minutes.
    clock.advance(61_000);
    let (status, _, _) = login(&b, pid, "203.0.113.7", "erika@nordlicht.example", wrong).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for _ in 0..4 {
        login(&b, pid, "203.0.113.7", "erika@nordlicht.example", wrong).await;
    }
    let (status, _, retry) =
        login(&b, pid, "203.0.113.7", "erika@nordlicht.example", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry.as_deref(), Some("120"));
    clock.advance(121_000);
    let (status, _, _) = login(&b, pid, "203.0.113.7", "erika@nordlicht.example", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // The console's login counts the same way.
    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    let staff = app.browser();
    for _ in 0..5 {
        let page = staff.login("admin@example.test", wrong).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    let page = staff.login("admin@example.test", PASSWORD).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains("Too many attempts"));
    app.stop().await;
}
on_both!(lockout, failed_logins_lock_for_a_while);

async fn mail_requests_are_limited_per_address(engine: Engine) {
    let (app, clock) = clocked(engine).await;
    let (pid, _) = registered(&app, "erika@nordlicht.example").await;
    let b = app.browser();
    let forgot = |email: &'static str| {
        let b = &b;
        async move {
            let form = b.get(&format!("/portal/{pid}/forgot")).await;
            b.post(
                &format!("/portal/{pid}/forgot"),
                &[("csrf", &hidden(&form.body, "csrf")), ("email", email)],
            )
            .await
            .status
        }
    };
    for _ in 0..5 {
        assert_eq!(forgot("erika@nordlicht.example").await, StatusCode::OK);
    }
    assert_eq!(
        forgot("erika@nordlicht.example").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Unknown addresses count the same.
    for _ in 0..5 {
        assert_eq!(forgot("nobody@nordlicht.example").await, StatusCode::OK);
    }
    assert_eq!(
        forgot("nobody@nordlicht.example").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // The page that says so speaks the language the form was in.
    let form = b.get(&format!("/portal/{pid}/forgot?lang=de")).await;
    let page = b
        .post(
            &format!("/portal/{pid}/forgot"),
            &[
                ("csrf", hidden(&form.body, "csrf").as_str()),
                ("email", "nobody@nordlicht.example"),
                ("lang", "de"),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.body.contains("Zu viele Versuche"), "{}", page.body);
    assert!(page.body.contains("lang=\"de\""), "{}", page.body);
    clock.advance(31 * 60_000);
    assert_eq!(forgot("erika@nordlicht.example").await, StatusCode::OK);
    app.stop().await;
}
on_both!(mail_limits, mail_requests_are_limited_per_address);

async fn links_expire_and_sessions_end_by_the_clock(engine: Engine) {
    let (app, clock) = clocked(engine).await;
    let (pid, invitation, token) = invited(&app, "late@nordlicht.example").await;
    let (_, account) = registered(&app, "erika@nordlicht.example").await;
    let b = app.browser();

    // The invitation works for the portal's seven days, not a moment longer.
    clock.advance(7 * DAY - 1000);
    assert_eq!(
        b.status(&format!("/portal/{pid}/accept?token={token}"))
            .await,
        StatusCode::OK
    );
    clock.advance(2000);
    assert_eq!(
        b.status(&format!("/portal/{pid}/accept?token={token}"))
            .await,
        StatusCode::GONE
    );
    assert_eq!(invitation["registration"], "invited");

    // Erika logs in; her access is valid until today.
    let (status, _, _) = login(&b, pid, "198.51.100.2", "erika@nordlicht.example", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let today = admit::clock::format_day(admit::clock::today(clock_now(&app)));
    let api = app.api(&app.api_key().await);
    let (status, body) = api
        .post(
            &format!("/api/v1/accounts/{}/status", account["id"]),
            &json!({"action": "set_valid_until", "valid_until": today}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    api.assert_reads_back("/api/v1/accounts", &body).await;
    let policy = admit::usecases::staff::SessionPolicy {
        idle_ms: 30 * 60_000,
        absolute_ms: 12 * 3_600_000,
    };
    let swept = admit::jobs::maintenance::sweep(&app.cx, &policy)
        .await
        .unwrap();
    assert_eq!(swept.accounts_ended, 0, "still valid today");
    assert!(
        swept.tokens >= 1,
        "the expired invitation's token is purged"
    );
    assert_eq!(
        b.get(&format!("/portal/{pid}/")).await.status,
        StatusCode::OK
    );

    // The next day her sessions end, with an audit event, and login says why.
    let midnight = (clock_now(&app) / DAY + 1) * DAY;
    clock.set(midnight + 1000);
    let swept = admit::jobs::maintenance::sweep(&app.cx, &policy)
        .await
        .unwrap();
    assert_eq!(swept.accounts_ended, 1);
    assert_eq!(app.count("portal_sessions").await, 0);
    let (_, events) = api
        .get(&format!(
            "/api/v1/audit-events?action=account.sessions_ended&target_id={}",
            account["id"]
        ))
        .await;
    assert_eq!(events.as_array().unwrap().len(), 1, "{events}");
    let home = b.get(&format!("/portal/{pid}/")).await;
    assert_eq!(home.status, StatusCode::SEE_OTHER);
    let (status, body, _) =
        login(&b, pid, "198.51.100.2", "erika@nordlicht.example", PASSWORD).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("User deactivated"), "{body}");
    app.stop().await;
}
on_both!(expiry, links_expire_and_sessions_end_by_the_clock);

fn clock_now(app: &TestApp) -> i64 {
    app.cx.now()
}
