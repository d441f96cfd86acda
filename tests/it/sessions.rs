//! Ending sessions: a person ends their other sessions (giving their password again when they
//! logged in more than ten minutes ago) and never another person's; administrators end every
//! session of a staff user or a portal account; an account that may no longer log in loses its
//! sessions in the change that bars it, so that switching it back on brings none back; one person
//! holds at most ten sessions of a kind.

use crate::common;

use admit::clock::ManualClock;
use common::{Browser, Engine, PASSWORD, TestApp, hidden};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// 2026-11-23 09:00 UTC.
const START: i64 = 1_795_424_400_000;
const MINUTE: i64 = 60_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;

async fn registered(app: &TestApp, email: &str) -> (i64, i64) {
    let (pid, account, token) = common::invited_on_portal(app, "customer", email).await;
    admit::usecases::accounts::accept_invitation(&app.cx, pid, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");
    (pid, account["id"].as_i64().unwrap())
}

async fn on_portal(app: &TestApp, pid: i64, email: &str) -> Browser {
    let b = app.browser();
    b.portal_logged_in(pid, email, PASSWORD).await;
    b
}

async fn in_console(app: &TestApp, email: &str) -> Browser {
    let b = app.browser();
    let page = b.login(email, PASSWORD).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
    b
}

/// Still logged in on the portal (its home page answers, not a redirect to the login).
async fn portal_alive(b: &Browser, pid: i64) -> bool {
    let status = b.status(&format!("/portal/{pid}/")).await;
    assert!(
        matches!(status, StatusCode::OK | StatusCode::SEE_OTHER),
        "{status}"
    );
    status == StatusCode::OK
}

async fn console_alive(b: &Browser) -> bool {
    b.status("/console/account").await == StatusCode::OK
}

/// The value of the first `name="session"` button of a piece of page.
fn session_button(html: &str) -> String {
    let marker = "name=\"session\" value=\"";
    let start = html.find(marker).expect("a session button") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_string()
}

/// The id of the session a browser is on, as its own account page lists it (`path`).
async fn own_session_id(b: &Browser, path: &str) -> String {
    let page = b.get(path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let row = page
        .body
        .split("<tr")
        .find(|r| r.contains("(this session)") || r.contains("(diese Sitzung)"))
        .expect("this session is listed");
    session_button(row)
}

/// Posts the portal account page's sessions form.
async fn end_portal(b: &Browser, pid: i64, session: &str, password: &str) -> common::Page {
    let page = b.get(&format!("/portal/{pid}/account")).await;
    let csrf = hidden(&page.body, "csrf");
    b.post(
        &format!("/portal/{pid}/account/end-session"),
        &[
            ("csrf", &csrf),
            ("session", session),
            ("current_password", password),
        ],
    )
    .await
}

async fn end_console(b: &Browser, session: &str, password: &str) -> common::Page {
    let csrf = b.csrf().await;
    b.post(
        "/console/account/sessions/end",
        &[
            ("csrf", &csrf),
            ("session", session),
            ("current_password", password),
        ],
    )
    .await
}

async fn ending_other_sessions_asks_again_for_the_password(engine: Engine) {
    let clock = ManualClock::new(START);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |_| {}).await;
    let (pid, _) = registered(&app, "erika@nordlicht.example").await;
    let b = on_portal(&app, pid, "erika@nordlicht.example").await;
    let second = on_portal(&app, pid, "erika@nordlicht.example").await;
    // Just logged in: no password asked.
    let ended = end_portal(&b, pid, "others", "").await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.body);
    assert!(!portal_alive(&second, pid).await);
    assert!(portal_alive(&b, pid).await);

    let third = on_portal(&app, pid, "erika@nordlicht.example").await;
    let third_id = own_session_id(&third, &format!("/portal/{pid}/account")).await;
    clock.advance(11 * MINUTE);
    for (password, why) in [("", "no password"), ("not my password at all", "wrong")] {
        let refused = end_portal(&b, pid, "others", password).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        assert!(refused.body.contains("session_password-error"), "{why}");
        let refused = end_portal(&b, pid, &third_id, password).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        assert!(portal_alive(&third, pid).await, "{why}: nothing ended");
    }
    let ended = end_portal(&b, pid, &third_id, PASSWORD).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.body);
    assert!(!portal_alive(&third, pid).await);
    assert!(portal_alive(&b, pid).await);
    // Ending this very session is logging out: no password.
    let own = own_session_id(&b, &format!("/portal/{pid}/account")).await;
    clock.advance(11 * MINUTE);
    let out = end_portal(&b, pid, &own, "").await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.location.unwrap().contains("/login"));
    assert!(!portal_alive(&b, pid).await);

    // The console the same way.
    app.create_staff("ada@admit.example", "administrator", &[], PASSWORD)
        .await;
    let c = in_console(&app, "ada@admit.example").await;
    let c2 = in_console(&app, "ada@admit.example").await;
    clock.advance(11 * MINUTE);
    let refused = end_console(&c, "others", "").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("session_password-error"));
    assert!(console_alive(&c2).await);
    let ended = end_console(&c, "others", PASSWORD).await;
    assert_eq!(ended.status, StatusCode::SEE_OTHER, "{}", ended.body);
    assert!(!console_alive(&c2).await);
    assert!(console_alive(&c).await);
}
on_both!(
    reauthentication,
    ending_other_sessions_asks_again_for_the_password
);

async fn the_password_to_end_sessions_is_counted_like_a_login(engine: Engine) {
    let clock = ManualClock::new(START);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |_| {}).await;
    let (pid, _) = registered(&app, "erika@nordlicht.example").await;
    let b = on_portal(&app, pid, "erika@nordlicht.example").await;
    let other = on_portal(&app, pid, "erika@nordlicht.example").await;
    clock.advance(11 * MINUTE);
    let page = b.get(&format!("/portal/{pid}/account")).await;
    let csrf = hidden(&page.body, "csrf");
    // Fifty wrong passwords at once: five are checked, the rest refused unchecked.
    let tries: Vec<_> = (0..50)
        .map(|_| {
            let b = Browser {
                base: b.base.clone(),
                client: b.client.clone(),
            };
            let csrf = csrf.clone();
            tokio::spawn(async move {
                let form = [
                    ("csrf", csrf.as_str()),
                    ("session", "others"),
                    ("current_password", "not my password at all"),
                ];
                b.post(&format!("/portal/{pid}/account/end-session"), &form)
                    .await
                    .status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((checked, refused), (5, 45), "{statuses:?}");
    // Locked now: the right password is refused too, and nothing ends.
    let locked = end_portal(&b, pid, "others", PASSWORD).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(portal_alive(&other, pid).await);
}
on_both!(
    counted,
    the_password_to_end_sessions_is_counted_like_a_login
);

async fn another_persons_session_cannot_be_ended(app: TestApp) {
    let (pid, _) = registered(&app, "erika@nordlicht.example").await;
    registered(&app, "max@nordlicht.example").await;
    let erika = on_portal(&app, pid, "erika@nordlicht.example").await;
    let max = on_portal(&app, pid, "max@nordlicht.example").await;
    // Erika's real session id, as her own page shows it.
    let erikas = own_session_id(&erika, &format!("/portal/{pid}/account")).await;
    let tried = end_portal(&max, pid, &erikas, PASSWORD).await;
    assert_eq!(tried.status, StatusCode::NOT_FOUND);
    assert!(portal_alive(&erika, pid).await, "Erika is still logged in");
    assert!(portal_alive(&max, pid).await);

    app.create_staff("ada@admit.example", "administrator", &[], PASSWORD)
        .await;
    app.create_staff("bob@admit.example", "administrator", &[], PASSWORD)
        .await;
    let ada = in_console(&app, "ada@admit.example").await;
    let bob = in_console(&app, "bob@admit.example").await;
    let adas = own_session_id(&ada, "/console/account").await;
    let tried = end_console(&bob, &adas, PASSWORD).await;
    assert_eq!(tried.status, StatusCode::NOT_FOUND);
    assert!(console_alive(&ada).await, "Ada is still logged in");
    assert_eq!(app.count("staff_sessions").await, 2);
}
both!(not_anothers, another_persons_session_cannot_be_ended);

async fn administrators_end_every_session(app: TestApp) {
    let (pid, account) = registered(&app, "erika@nordlicht.example").await;
    let one = on_portal(&app, pid, "erika@nordlicht.example").await;
    let two = on_portal(&app, pid, "erika@nordlicht.example").await;
    let api = app.api(&app.api_key().await);
    // A key limited to another area does not reach the account.
    let (_, area) = api
        .post("/api/v1/areas", &json!({"name": "Elsewhere"}))
        .await;
    let other = app.api(&app.area_key(&[area["id"].as_i64().unwrap()]).await);
    let path = format!("/api/v1/accounts/{account}/sessions");
    assert_eq!(other.delete(&path).await.0, StatusCode::NOT_FOUND);
    assert!(portal_alive(&one, pid).await);
    let (status, body) = api.delete(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"ended": 2}));
    assert!(!portal_alive(&one, pid).await);
    assert!(!portal_alive(&two, pid).await);

    // In the console: an account's action, and a staff user's page.
    let again = on_portal(&app, pid, "erika@nordlicht.example").await;
    app.create_staff("ada@admit.example", "administrator", &[], PASSWORD)
        .await;
    let sam = app
        .create_staff(
            "sam@admit.example",
            "supervisor",
            &[area["id"].as_i64().unwrap()],
            PASSWORD,
        )
        .await;
    let ada = in_console(&app, "ada@admit.example").await;
    let sams = in_console(&app, "sam@admit.example").await;
    let csrf = ada.csrf().await;
    let done = ada
        .post(
            &format!("/console/accounts/{account}/status"),
            &[("csrf", &csrf), ("action", "end_sessions")],
        )
        .await;
    assert_eq!(done.status, StatusCode::OK, "asked first: {}", done.body);
    assert!(
        done.body
            .contains("End every session of erika@nordlicht.example")
    );
    assert!(
        portal_alive(&again, pid).await,
        "nothing ends before it is confirmed"
    );
    let done = ada
        .post(
            &format!("/console/accounts/{account}/status"),
            &[
                ("csrf", &csrf),
                ("action", "end_sessions"),
                ("confirmed", "1"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(!portal_alive(&again, pid).await);
    // A supervisor may not end an administrator's sessions.
    let csrf = sams.csrf().await;
    let refused = sams
        .post(
            &format!("/console/staff/{sam}/sessions/end"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert!(console_alive(&sams).await);
    let csrf = ada.csrf().await;
    let done = ada
        .post(
            &format!("/console/staff/{sam}/sessions/end"),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert!(!console_alive(&sams).await, "Sam is logged out");
    assert!(console_alive(&ada).await);
    let (_, audit) = api
        .get(&format!(
            "/api/v1/audit-events?target_kind=staff&target_id={sam}&action=staff.sessions_ended"
        ))
        .await;
    assert_eq!(audit.as_array().unwrap().len(), 1, "{audit}");
}
both!(by_administrators, administrators_end_every_session);

/// Applies a status change through the API.
async fn status(api: &common::Api, account: i64, change: Value) {
    let (s, body) = api
        .post(&format!("/api/v1/accounts/{account}/status"), &change)
        .await;
    assert_eq!(s, StatusCode::OK, "{change}: {body}");
}

async fn a_barred_account_loses_its_sessions_in_the_change(app: TestApp) {
    let (pid, account) = registered(&app, "erika@nordlicht.example").await;
    let api = app.api(&app.api_key().await);
    // Off and on again (and the like) at once, long before any housekeeping: no session
    // comes back.
    let pairs = [
        (
            json!({"action": "switch_off"}),
            json!({"action": "switch_on"}),
        ),
        (
            json!({"action": "deactivate"}),
            json!({"action": "reactivate"}),
        ),
        (json!({"action": "decline"}), json!({"action": "approve"})),
        (
            json!({"action": "set_valid_until", "valid_until": "2020-01-01"}),
            json!({"action": "set_valid_until", "valid_until": null}),
        ),
    ];
    for (off, on) in pairs {
        let b = on_portal(&app, pid, "erika@nordlicht.example").await;
        status(&api, account, json!({"notify": false}).merge(off.clone())).await;
        status(&api, account, json!({"notify": false}).merge(on)).await;
        assert!(!portal_alive(&b, pid).await, "{off}: the session ended");
        assert_eq!(app.count("portal_sessions").await, 0, "{off}");
    }
    // A role that may not log in, and back.
    let b = on_portal(&app, pid, "erika@nordlicht.example").await;
    let access = format!("/api/v1/accounts/{account}/access");
    for role in ["notifications", "user"] {
        let (s, body) = api.put(&access, &json!({ "role": role })).await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }
    assert!(
        !portal_alive(&b, pid).await,
        "role change: the session ended"
    );
    // Removal.
    on_portal(&app, pid, "erika@nordlicht.example").await;
    assert_eq!(app.count("portal_sessions").await, 1);
    assert_eq!(
        api.delete(&format!("/api/v1/accounts/{account}?notify=false"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(app.count("portal_sessions").await, 0);
    let (_, audit) = api
        .get("/api/v1/audit-events?action=account.sessions_ended")
        .await;
    assert_eq!(audit.as_array().unwrap().len(), 5, "{audit}");
}
both!(barred, a_barred_account_loses_its_sessions_in_the_change);

async fn a_passed_valid_until_day_ends_every_session(engine: Engine) {
    let clock = ManualClock::new(START);
    let app = TestApp::spawn_clocked(engine, clock.clone(), |_| {}).await;
    let (pid, account) = registered(&app, "erika@nordlicht.example").await;
    let api = app.api(&app.api_key().await);
    status(
        &api,
        account,
        json!({"action": "set_valid_until", "valid_until": "2026-11-23", "notify": false}),
    )
    .await;
    // Logged in late on the last day; the next request comes after midnight, well within the
    // idle time.
    clock.set(START - 9 * HOUR + DAY - 30 * MINUTE);
    let one = on_portal(&app, pid, "erika@nordlicht.example").await;
    let two = on_portal(&app, pid, "erika@nordlicht.example").await;
    clock.advance(HOUR);
    // The first request after the day has passed ends both sessions, not only its own.
    assert!(!portal_alive(&one, pid).await);
    assert_eq!(app.count("portal_sessions").await, 0);
    status(
        &api,
        account,
        json!({"action": "set_valid_until", "valid_until": null, "notify": false}),
    )
    .await;
    assert!(
        !portal_alive(&two, pid).await,
        "extended: nothing comes back"
    );
}
on_both!(
    valid_until_passed,
    a_passed_valid_until_day_ends_every_session
);

async fn one_person_holds_at_most_ten_sessions(app: TestApp) {
    let (pid, account) = registered(&app, "erika@nordlicht.example").await;
    let first = on_portal(&app, pid, "erika@nordlicht.example").await;
    // Fifteen logins at once, each from a client of its own (one client's logins in flight
    // at once are limited as failures until each is known to be right).
    let logins: Vec<_> = (0..15)
        .map(|i| {
            let b = crate::throttling::browser_from(&app, &format!("127.0.1.{}", i + 1));
            tokio::spawn(async move {
                b.portal_logged_in(pid, "erika@nordlicht.example", PASSWORD)
                    .await;
                b
            })
        })
        .collect();
    let mut browsers = Vec::new();
    for login in logins {
        browsers.push(login.await.unwrap());
    }
    assert_eq!(
        app.count_where(
            "SELECT COUNT(*) FROM portal_sessions WHERE CAST(account_id AS TEXT) = $1",
            &account.to_string()
        )
        .await,
        10
    );
    assert!(
        !portal_alive(&first, pid).await,
        "the least recently used ended"
    );
    let mut alive = 0;
    for b in &browsers {
        alive += usize::from(portal_alive(b, pid).await);
    }
    assert_eq!(alive, 10);

    app.create_staff("ada@admit.example", "administrator", &[], PASSWORD)
        .await;
    let logins: Vec<_> = (0..12)
        .map(|i| {
            let b = crate::throttling::browser_from(&app, &format!("127.0.2.{}", i + 1));
            tokio::spawn(async move {
                let page = b.login("ada@admit.example", PASSWORD).await;
                assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);
            })
        })
        .collect();
    for login in logins {
        login.await.unwrap();
    }
    assert_eq!(app.count("staff_sessions").await, 10);
}
both!(at_most_ten, one_person_holds_at_most_ten_sessions);

trait Merge {
    fn merge(self, other: Value) -> Value;
}

impl Merge for Value {
    fn merge(mut self, other: Value) -> Value {
        if let (Some(a), Value::Object(b)) = (self.as_object_mut(), other) {
            a.extend(b);
        }
        self
    }
}
