//! The demo's data: 20 organizations and accounts in every state the console shows, so that
//! each filter has something to show; and `admit demo` prints each portal's login address.

use std::collections::BTreeSet;
use std::io::BufRead;
use std::sync::Arc;
use std::time::{Duration, Instant};

use admit::clock::SystemClock;
use admit::config::Config;
use admit::storage::Db;

use crate::common::{Engine, TestDb};

async fn count(db: &Db, sql: &str) -> i64 {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    }
}

/// Seeds the demo's data as `admit demo` does (before it serves), then looks at every account
/// as the console's account page describes it.
async fn the_demo_has_accounts_in_every_state(engine: Engine) {
    let test_db = TestDb::new(engine).await;
    let config = Config {
        database_url: test_db.url.clone(),
        ..Config::default()
    };
    let db = admit::app::open_database(&config).await.unwrap();
    let cx = admit::app::context(db.clone(), Arc::new(SystemClock));
    admit::demo::seed(&cx).await.expect("the demo's data");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM organizations").await, 20);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM contacts").await, 60);

    let today = admit::clock::today(cx.now());
    let mut states = BTreeSet::new();
    let mut tx = db.read().await.unwrap();
    let ids: Vec<i64> = match &db {
        Db::Sqlite(p) => sqlx::query_scalar("SELECT id FROM portal_accounts")
            .fetch_all(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar("SELECT id FROM portal_accounts")
            .fetch_all(p)
            .await
            .unwrap(),
    };
    for id in ids {
        let a = admit::storage::accounts::get(&mut tx, id)
            .await
            .unwrap()
            .unwrap();
        let key = admit::web::console::accounts::state_line(&a, today);
        states.insert(admit::catalog::tr("en", key));
    }
    drop(tx);
    for state in [
        "Active: can log in",
        "Awaiting approval",
        "Declined",
        "Awaiting a contact",
        "Invited: the invitation is not accepted yet",
        "Access switched off",
        "Past its valid-until date",
        "Deactivated",
        "Notifications only: receives e-mail, cannot log in",
    ] {
        assert!(
            states.contains(state),
            "no account is “{state}”: {states:?}"
        );
    }
    // An invitation whose link ran out: its e-mail was sent, and no link of it works any more.
    let now = cx.now();
    let expired = format!(
        "SELECT COUNT(*) FROM portal_accounts a WHERE a.registration = 'invited' \
         AND EXISTS (SELECT 1 FROM account_tokens k WHERE k.account_id = a.id AND k.purpose = 'invitation' AND k.expires_at < {now}) \
         AND NOT EXISTS (SELECT 1 FROM account_tokens k WHERE k.account_id = a.id AND k.purpose = 'invitation' AND k.expires_at >= {now})"
    );
    assert!(count(&db, &expired).await >= 1, "an invitation has expired");
}
on_both!(demo_states, the_demo_has_accounts_in_every_state);

/// `admit demo` prints the console, the Mail page and each portal's login address, and each
/// answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_prints_each_portal_s_login_address() {
    let data = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_admit"))
        .args(["demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(data.path())
        .env_remove("ADMIT_DATABASE_URL")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("admit demo starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut printed = Vec::new();
    while let Ok(line) = rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        let done = line.starts_with("Stop with Ctrl-C");
        printed.push(line);
        if done {
            break;
        }
    }
    let text = printed.join("\n");
    let logins: Vec<&str> = printed
        .iter()
        .filter_map(|l| l.trim().split_once(": "))
        .filter(|(name, _)| name.ends_with("portal"))
        .map(|(_, url)| url.trim())
        .collect();
    let client = reqwest::Client::new();
    let mut answered = Vec::new();
    for url in &logins {
        answered.push(
            client
                .get(*url)
                .send()
                .await
                .map(|r| r.status().as_u16())
                .ok(),
        );
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(text.contains("portal logins:"), "{text}");
    assert_eq!(logins.len(), 3, "three portals' login addresses: {text}");
    for url in &logins {
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with("/login"),
            "{url}"
        );
    }
    assert_eq!(answered, vec![Some(200); 3], "{logins:?}");
}
