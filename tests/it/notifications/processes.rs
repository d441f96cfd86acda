//! Two schedulers, and two real `admit serve` processes, on one database: every due digest is
//! made once and arrives once.

use super::*;

/// `n` admins of Acme with daily digests, and a task for them to read.
async fn crowd(app: &TestApp, n: usize) {
    let w = world(app).await;
    task(&w, "t-1", w.acme, "service_due", "Boiler service").await;
    for i in 0..n {
        let email = format!("p{i}@acme.example");
        let a = person(app, &w, w.acme, &email, "admin", "UTC").await;
        subscribe(&w, a, "daily", &["service_due"]).await;
    }
}

/// Two schedulers on one database (each with a pool of its own, as two processes have) make
/// each digest once.
async fn two_schedulers(engine: Engine) {
    let clock = ManualClock::new(utc("2026-11-30T06:00:00Z"));
    let app = TestApp::spawn_clocked(engine, clock.clone(), quiet).await;
    let n = 120;
    crowd(&app, n).await;
    let other_db = admit::storage::Db::connect(&app.db_url, 5).await.unwrap();
    let other = admit::app::context(other_db, std::sync::Arc::new(clock.clone()));
    clock.set(utc("2026-11-30T08:00:00Z"));
    let (a, b) = tokio::join!(uc::run_due(&app.cx, 10), uc::run_due(&other, 10));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.sent + b.sent, n, "{a:?} {b:?}");
    assert_eq!(digests(&app).await.len(), n);
    let messages = digest_messages(&app).await;
    assert_eq!(messages.len(), n);
    let mut to: Vec<&String> = messages.iter().map(|(r, _)| r).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), n, "no one twice");
}
on_both!(two_schedulers, two_schedulers);

/// How many digests a process logged as made and sent (`digests due=... sent=N ...`).
fn digests_in_log(log: &str) -> usize {
    log.lines()
        .filter(|l| l.contains("digests due="))
        .filter_map(|l| {
            let start = l.find(" sent=")? + " sent=".len();
            l[start..].split_whitespace().next()?.parse::<usize>().ok()
        })
        .sum()
}

/// Two real `admit serve` processes on one database: every due digest is made once and
/// arrives once, and each process makes a part of them.
async fn two_processes(engine: Engine) {
    // This app's outbox sends to the same server: any digest its worker picks up arrives too.
    let sink = SmtpSink::start();
    let app = TestApp::spawn_with(engine, |c| {
        quiet(c);
        sink.configure(c);
    })
    .await;
    let n = 60;
    crowd(&app, n).await;
    let logs = tempfile::tempdir().unwrap();
    // The schedulers look every 2 s and every 3 s: whatever their phases, in every 6 s each is
    // the next to look for a second or more. Made due in waves every half second for 7 s, the
    // digests fall to both.
    let serve = |name: &str, every: &'static str| {
        let log = logs.path().join(name);
        let sink = &sink;
        let url = app.db_url.clone();
        async move { common::serve(&url, sink, &log, &[("ADMIT_DIGEST_POLL_SECONDS", every)]).await }
    };
    let a = serve("a.log", "2").await;
    let b = serve("b.log", "3").await;
    let subscriptions: Vec<i64> = {
        let sql = "SELECT id FROM digest_subscriptions ORDER BY id";
        match &app.cx.db {
            admit::storage::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
            admit::storage::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        }
    };
    assert_eq!(subscriptions.len(), n);
    for wave in subscriptions.chunks(4) {
        let ids: Vec<String> = wave.iter().map(i64::to_string).collect();
        // Due now: the latest 08:00 (today's or yesterday's) is the period.
        exec(
            &app,
            &format!(
                "UPDATE digest_subscriptions SET next_due_at = 0 WHERE id IN ({})",
                ids.join(", ")
            ),
        )
        .await;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let arrived = common::eventually(60, || async { digest_mails(&sink).len() >= n }).await;
    // Then until the outbox is quiet (nothing queued, being sent or waiting for a retry), so
    // that any second copy has arrived too.
    let quiet = common::outbox_quiet(&app, 60).await;
    let (log_a, log_b) = (a.log(), b.log());
    common::terminate(a);
    common::terminate(b);
    assert!(arrived, "every digest arrived; log:\n{log_a}");
    assert!(quiet, "the outbox settles");
    let mails = digest_mails(&sink);
    assert_eq!(mails.len(), n, "and none twice");
    assert_eq!(digests(&app).await.len(), n);
    let mut to: Vec<String> = mails
        .iter()
        .map(|m| header(m, "To").unwrap().to_string())
        .collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), n);
    // Each process made a part, and between them all.
    let (made_a, made_b) = (digests_in_log(&log_a), digests_in_log(&log_b));
    assert!(
        made_a > 0 && made_b > 0,
        "both processes made digests: {made_a} and {made_b}"
    );
    assert_eq!(made_a + made_b, n);
}
on_both!(two_processes, two_processes);
