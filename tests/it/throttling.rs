//! Throttling and lockout under concurrency: every attempt is checked and counted in one write
//! before any password is hashed, so many attempts at once reach the password check exactly as
//! often as the rule allows; a stranger's guesses cannot lock the owner's browser out; the
//! client address behind a proxy cannot be forged. Clients are told apart by their loopback
//! source address (127.0.0.x).

use std::sync::Arc;

use crate::common;

use common::{Browser, Engine, PASSWORD, TestApp, hidden};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use tokio::sync::Barrier;

const WRONG: &str = "not the right password at all";

/// A browser whose connections come from `ip`.
pub fn browser_from(app: &TestApp, ip: &str) -> Browser {
    Browser {
        base: app.base.clone(),
        client: Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .local_address(ip.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap(),
    }
}

/// An account on a portal with a password; its portal id.
pub async fn registered(app: &TestApp, email: &str) -> i64 {
    let (pid, _, token) = common::invited_on_portal(app, "customer", email).await;
    admit::usecases::accounts::accept_invitation(&app.cx, pid, &token, PASSWORD, PASSWORD, None)
        .await
        .expect("accepted");
    pid
}

/// A login on portal `pid` through its form, with `forwarded` as `X-Forwarded-For` if given.
/// The form is fetched first; the POST waits at `gate` until every other attempt is ready.
async fn portal_login(
    b: &Browser,
    pid: i64,
    email: &str,
    password: &str,
    forwarded: Option<&str>,
    gate: Option<&Barrier>,
) -> StatusCode {
    let form = b.get(&format!("/portal/{pid}/login")).await;
    let csrf = hidden(&form.body, "csrf");
    if let Some(gate) = gate {
        gate.wait().await;
    }
    let mut req = b
        .client
        .post(format!("{}/portal/{pid}/login", b.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", password),
        ]);
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap().status()
}

/// A console login, the POST waiting at `gate`.
async fn console_login(
    b: &Browser,
    email: &str,
    password: &str,
    gate: Option<&Barrier>,
) -> StatusCode {
    let form = b.get("/console/login").await;
    let csrf = form.csrf();
    if let Some(gate) = gate {
        gate.wait().await;
    }
    b.post(
        "/console/login",
        &[("email", email), ("password", password), ("csrf", &csrf)],
    )
    .await
    .status
}

/// `n` portal logins at once, the i-th from `from(i)` with `forwarded(i)`: their statuses.
async fn portal_logins_at_once(
    app: &TestApp,
    pid: i64,
    n: usize,
    from: impl Fn(usize) -> String,
    email: impl Fn(usize) -> String,
    forwarded: impl Fn(usize) -> Option<String>,
) -> Vec<StatusCode> {
    let gate = Arc::new(Barrier::new(n));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let b = browser_from(app, &from(i));
        let (gate, email, forwarded) = (gate.clone(), email(i), forwarded(i));
        tasks.spawn(async move {
            portal_login(&b, pid, &email, WRONG, forwarded.as_deref(), Some(&gate)).await
        });
    }
    tasks.join_all().await
}

fn count(statuses: &[StatusCode], status: StatusCode) -> usize {
    statuses.iter().filter(|s| **s == status).count()
}

/// The audit events with `action`, newest first.
pub async fn audit(app: &TestApp, action: &str) -> Vec<Value> {
    let api = app.api(&app.api_key().await);
    let (status, events) = api
        .get(&format!("/api/v1/audit-events?action={action}&limit=500"))
        .await;
    assert_eq!(status, StatusCode::OK, "{events}");
    events.as_array().unwrap().clone()
}

fn from_client<'a>(events: &'a [Value], client: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e["client_addr"] == client)
        .collect()
}

async fn concurrent_attempts_reach_the_password_check_as_often_as_allowed(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let email = "erika@nordlicht.example";
    let pid = registered(&app, email).await;

    // 50 wrong passwords at once from one client: five are checked, the rest refused.
    let statuses = portal_logins_at_once(
        &app,
        pid,
        50,
        |_| "127.0.0.2".into(),
        |_| email.into(),
        |_| None,
    )
    .await;
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        5,
        "{statuses:?}"
    );
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 45);
    // The audit log holds one failed login per password checked, and the lock and the
    // refusals once each (not 45 times).
    let failed = audit(&app, "account.login_failed").await;
    assert_eq!(from_client(&failed, "127.0.0.2").len(), 5);
    let locked = audit(&app, "security.locked_out").await;
    assert_eq!(from_client(&locked, "127.0.0.2").len(), 1, "{locked:?}");
    assert!(locked[0]["target_label"].as_str().unwrap().contains(email));
    let throttled = audit(&app, "security.throttled").await;
    assert_eq!(
        from_client(&throttled, "127.0.0.2").len(),
        1,
        "{throttled:?}"
    );

    // 29 wrong passwords at once from another client, and the right one once the limit is
    // hit: five are checked, and the right password is refused too.
    let owner_try = browser_from(&app, "127.0.0.3");
    let gate = Arc::new(Barrier::new(29));
    let limit_hit = Arc::new(tokio::sync::Notify::new());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..29 {
        let b = browser_from(&app, "127.0.0.3");
        let (gate, limit_hit) = (gate.clone(), limit_hit.clone());
        tasks.spawn(async move {
            let s = portal_login(&b, pid, email, WRONG, None, Some(&gate)).await;
            if s == StatusCode::TOO_MANY_REQUESTS {
                limit_hit.notify_one();
            }
            s
        });
    }
    limit_hit.notified().await;
    let right = portal_login(&owner_try, pid, email, PASSWORD, None, None).await;
    let statuses = tasks.join_all().await;
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        right,
        StatusCode::TOO_MANY_REQUESTS,
        "no login once the limit is hit"
    );
    assert_eq!(app.count("portal_sessions").await, 0);

    // A flood from one client over many addresses: the client's cap (60 attempts in five
    // minutes) lets exactly 60 reach the password check.
    let statuses = portal_logins_at_once(
        &app,
        pid,
        75,
        |_| "127.0.0.4".into(),
        |i| format!("nobody{i}@nordlicht.example"),
        |_| None,
    )
    .await;
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        60,
        "{statuses:?}"
    );
    assert_eq!(count(&statuses, StatusCode::TOO_MANY_REQUESTS), 15);
    app.stop().await;
}
on_both!(
    concurrent_logins,
    concurrent_attempts_reach_the_password_check_as_often_as_allowed
);

async fn a_strangers_guesses_do_not_lock_the_owner_out(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    let email = "erika@nordlicht.example";
    let pid = registered(&app, email).await;
    app.create_staff("admin@example.test", "administrator", &[], PASSWORD)
        .await;
    // The owners logged in before, from their own browsers: these carry a device cookie.
    let owner = browser_from(&app, "127.0.0.3");
    assert_eq!(
        portal_login(&owner, pid, email, PASSWORD, None, None).await,
        StatusCode::SEE_OTHER
    );
    let admin = browser_from(&app, "127.0.0.3");
    assert_eq!(
        console_login(&admin, "admin@example.test", PASSWORD, None).await,
        StatusCode::SEE_OTHER
    );

    // A stranger guesses from five clients, 30 at once on each page: the address-wide limit
    // (20 failures) locks the address for strangers.
    let strangers = [
        "127.0.0.2",
        "127.0.0.4",
        "127.0.0.5",
        "127.0.0.6",
        "127.0.0.7",
    ];
    let statuses = portal_logins_at_once(
        &app,
        pid,
        30,
        |i| strangers[i % 5].into(),
        |_| email.into(),
        |_| None,
    )
    .await;
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        20,
        "{statuses:?}"
    );
    let gate = Arc::new(Barrier::new(30));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..30 {
        let b = browser_from(&app, strangers[i % 5]);
        let gate = gate.clone();
        tasks.spawn(
            async move { console_login(&b, "admin@example.test", WRONG, Some(&gate)).await },
        );
    }
    let statuses = tasks.join_all().await;
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        20,
        "{statuses:?}"
    );
    // A new browser, even from the owner's own address, waits (at most five minutes).
    let new_browser = browser_from(&app, "127.0.0.3");
    assert_eq!(
        portal_login(&new_browser, pid, email, PASSWORD, None, None).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        console_login(&new_browser, "admin@example.test", PASSWORD, None).await,
        StatusCode::TOO_MANY_REQUESTS
    );

    // The owners' browsers log in.
    assert_eq!(
        portal_login(&owner, pid, email, PASSWORD, None, None).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        console_login(&admin, "admin@example.test", PASSWORD, None).await,
        StatusCode::SEE_OTHER
    );
    // A device has a failure count of its own: five wrong passwords lock it like a client.
    for _ in 0..5 {
        assert_eq!(
            portal_login(&owner, pid, email, WRONG, None, None).await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        portal_login(&owner, pid, email, PASSWORD, None, None).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // A device cookie counts only for the address it logged in as, and a made-up one for none.
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let made_up = format!("admit_device={}; Path=/", "ab".repeat(32));
    jar.add_cookie_str(&made_up, &app.base.parse().unwrap());
    let stranger = Browser {
        base: app.base.clone(),
        client: Client::builder()
            .cookie_provider(jar)
            .redirect(reqwest::redirect::Policy::none())
            .local_address("127.0.0.9".parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap(),
    };
    assert_eq!(
        console_login(&stranger, "admin@example.test", PASSWORD, None).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        console_login(&owner, "admin@example.test", PASSWORD, None).await,
        StatusCode::TOO_MANY_REQUESTS,
        "the portal's device cookie does not count on the console"
    );
    app.stop().await;
}
on_both!(
    owner_not_locked_out,
    a_strangers_guesses_do_not_lock_the_owner_out
);

async fn a_forged_forwarded_for_does_not_escape_the_limit(engine: Engine) {
    let app = TestApp::spawn_with(engine, |c| c.trusted_proxies = vec!["127.0.0.1".into()]).await;
    let email = "erika@nordlicht.example";
    let pid = registered(&app, email).await;

    // A client that is not a proxy: whatever it writes in X-Forwarded-For, it is itself.
    let statuses = portal_logins_at_once(
        &app,
        pid,
        50,
        |_| "127.0.0.2".into(),
        |_| email.into(),
        |i| Some(format!("198.51.100.{i}")),
    )
    .await;
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        5,
        "{statuses:?}"
    );
    let failed = audit(&app, "account.login_failed").await;
    assert_eq!(failed.len(), 5);
    assert_eq!(from_client(&failed, "127.0.0.2").len(), 5, "{failed:?}");

    // Through the trusted proxy: the entry it appended is the client, the one the client
    // wrote (rotated on every attempt) is not.
    let statuses = portal_logins_at_once(
        &app,
        pid,
        50,
        |_| "127.0.0.1".into(),
        |_| email.into(),
        |i| Some(format!("10.9.9.{i}, 203.0.113.7")),
    )
    .await;
    assert_eq!(
        count(&statuses, StatusCode::UNAUTHORIZED),
        5,
        "{statuses:?}"
    );
    let failed = audit(&app, "account.login_failed").await;
    assert_eq!(from_client(&failed, "203.0.113.7").len(), 5, "{failed:?}");
    assert_eq!(failed.len(), 10);
    app.stop().await;
}
on_both!(
    forwarded_for,
    a_forged_forwarded_for_does_not_escape_the_limit
);

/// The counting statement agrees with the arithmetic of `Counter::hit` (windows, blocks that
/// double, strikes forgiven after a quiet spell), attempt by attempt, on both engines.
async fn the_counting_statement_follows_the_rules(engine: Engine) {
    use admit::domain::limits::{Counter, Rule};
    use admit::storage::limits::{self as store, Hit};
    let app = TestApp::spawn(engine).await;
    let mut seed: u64 = 0x5eed;
    for (k, rule) in [
        Rule::LOGIN_FAILURES,
        Rule::LOGIN_FAILURES_ANYWHERE,
        Rule::LOGIN_PER_CLIENT,
        Rule::MAIL_PER_ADDRESS,
    ]
    .iter()
    .enumerate()
    {
        let key = format!("model-{k}");
        let mut model = Counter::default();
        let mut now: i64 = 1_800_000_000_000;
        for step in 0..400 {
            // Mostly quick attempts, now and then a pause of up to five windows.
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let r = (seed >> 33) as i64;
            now += if r % 10 == 0 {
                r % (5 * rule.window_ms)
            } else {
                r % 20_000
            };
            let mut tx = app.cx.db.write().await.unwrap();
            let got = store::hit(&mut tx, &key, now, rule).await.unwrap();
            tx.commit().await.unwrap();
            let expected = match model.hit(now, rule) {
                Ok(next) => {
                    let blocks = next.blocked(now).is_some();
                    model = next;
                    Hit::Counted { blocks }
                }
                Err(until) => match got {
                    Hit::Refused { first, .. } => Hit::Refused { until, first },
                    _ => Hit::Refused { until, first: true },
                },
            };
            assert_eq!(got, expected, "rule {k}, attempt {step} at {now}");
        }
    }
    app.stop().await;
}
on_both!(counting_statement, the_counting_statement_follows_the_rules);

/// `admit` run with one more environment variable: whether it succeeded, and its stderr.
fn admit_with(var: &str, value: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("admit.db").display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_admit"))
        .arg("migrate")
        .env_remove("ADMIT_LISTEN")
        .env("ADMIT_DATABASE_URL", url)
        .env(var, value)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn trusted_proxies_come_from_the_environment_and_the_old_setting_stops_the_start() {
    let (ok, err) = admit_with("ADMIT_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8");
    assert!(ok, "{err}");
    let (ok, err) = admit_with("ADMIT_TRUSTED_PROXIES", "10.0.0.0/40");
    assert!(!ok);
    assert!(err.contains("10.0.0.0/40"), "{err}");
    let (ok, err) = admit_with("ADMIT_TRUST_FORWARDED_FOR", "true");
    assert!(!ok);
    assert!(err.contains("trusted_proxies"), "{err}");
}
