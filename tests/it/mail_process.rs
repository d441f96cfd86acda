//! The outbox across real `admit serve` processes: a crash (SIGKILL) during delivery loses no
//! message, and two processes drain one queue without losing or doubling any.

use crate::common;

use std::collections::HashMap;
use std::process::{Child, Command};

use admit::domain::EmailAddress;
use admit::domain::directory::Language;
use admit::storage::{Db, migrate};
use admit::usecases::mail::{self, Outgoing};
use common::{Engine, SmtpSink, TestDb, eventually, free_port, header, terminate};
use serde_json::json;

fn serve(db_url: &str, sink: &SmtpSink, log: &std::path::Path) -> Child {
    common::serve(db_url, sink, log, &[("ADMIT_MAIL_LEASE_SECONDS", "5")])
}

/// Queues `n` messages and returns their Message-IDs.
async fn queue(db: &Db, n: usize) -> Vec<String> {
    migrate::run(db).await.unwrap();
    let cx = admit::app::context(db.clone(), common::system_clock());
    let mut tx = db.write().await.unwrap();
    for i in 0..n {
        let to = EmailAddress::parse(&format!("person{i}@example.test")).unwrap();
        mail::enqueue(
            &mut tx,
            cx.now(),
            &cx.mail,
            &Outgoing {
                portal_id: None,
                event: "test",
                language: Language::En,
                recipient: &to,
                recipient_name: None,
                variables: json!({"sent_at": "now"}),
                link: None,
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let sql = "SELECT message_id FROM outbox_messages ORDER BY id";
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await.unwrap(),
    }
}

async fn count_status(db: &Db, status: &str) -> i64 {
    let sql = "SELECT COUNT(*) FROM outbox_messages WHERE status = $1";
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql)
            .bind(status)
            .fetch_one(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql)
            .bind(status)
            .fetch_one(p)
            .await
            .unwrap(),
    }
}

/// How often each Message-ID arrived.
fn arrivals(sink: &SmtpSink) -> HashMap<String, usize> {
    let mut seen = HashMap::new();
    for raw in sink.messages() {
        let id = header(&raw, "Message-ID")
            .unwrap()
            .trim_matches(['<', '>'])
            .to_string();
        *seen.entry(id).or_insert(0) += 1;
    }
    seen
}

async fn a_crash_during_delivery_loses_nothing(engine: Engine) {
    let t = TestDb::new(engine).await;
    let db = Db::connect(&t.url, 3).await.unwrap();
    let ids = queue(&db, 40).await;
    let sink = SmtpSink::start_with_delay(150);
    let logs = tempfile::tempdir().unwrap();

    let first = serve(&t.url, &sink, &logs.path().join("first.log"));
    let started = sink.wait_for(5, 30).await;
    assert!(started.len() >= 5, "the first process delivered some mail");
    let mut first = first;
    first.kill().unwrap(); // SIGKILL: no chance to clean up
    first.wait().unwrap();
    let in_flight = count_status(&db, "sending").await;
    let before_restart = sink.messages().len();
    assert!(before_restart < 40, "the crash came during delivery");

    let second = serve(&t.url, &sink, &logs.path().join("second.log"));
    let all_sent = eventually(90, || async { count_status(&db, "sent").await == 40 }).await;
    let log = std::fs::read_to_string(logs.path().join("second.log")).unwrap_or_default();
    assert!(
        all_sent,
        "every message is sent after the restart; log:\n{log}"
    );
    terminate(second);

    let seen = arrivals(&sink);
    for id in &ids {
        assert!(
            seen.contains_key(id),
            "message {id} reached the SMTP server"
        );
    }
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    assert!(
        duplicates as i64 <= in_flight + 4,
        "duplicates ({duplicates}) only for messages in flight at the crash ({in_flight})"
    );
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_sqlite() {
    a_crash_during_delivery_loses_nothing(Engine::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_postgres() {
    a_crash_during_delivery_loses_nothing(Engine::Postgres).await;
}

async fn two_processes_drain_one_queue(engine: Engine) {
    let t = TestDb::new(engine).await;
    let db = Db::connect(&t.url, 3).await.unwrap();
    let ids = queue(&db, 200).await;
    let sink = SmtpSink::start_with_delay(10);
    let logs = tempfile::tempdir().unwrap();
    let a = serve(&t.url, &sink, &logs.path().join("a.log"));
    let b = serve(&t.url, &sink, &logs.path().join("b.log"));
    let done = eventually(120, || async { count_status(&db, "sent").await == 200 }).await;
    terminate(a);
    terminate(b);
    assert!(done, "all 200 messages are sent");
    let seen = arrivals(&sink);
    for id in &ids {
        assert_eq!(seen.get(id), Some(&1), "message {id} arrived exactly once");
    }
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_sqlite() {
    two_processes_drain_one_queue(Engine::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_postgres() {
    two_processes_drain_one_queue(Engine::Postgres).await;
}

#[test]
fn mail_test_reports_the_servers_answer() {
    let sink = SmtpSink::start();
    let run = |to: &str, port: u16| {
        Command::new(env!("CARGO_BIN_EXE_admit"))
            .args(["mail", "test", "--to", to])
            .env("ADMIT_SMTP_HOST", "127.0.0.1")
            .env("ADMIT_SMTP_PORT", port.to_string())
            .env("ADMIT_SMTP_SECURITY", "none")
            .output()
            .unwrap()
    };
    let ok = run("erika@example.test", sink.port);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("250"));
    let refused = run("reject@example.test", sink.port);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(
        err.contains("permanent") && err.contains("no such user"),
        "{err}"
    );
    let unreachable = run("erika@example.test", free_port());
    assert!(!unreachable.status.success());
    let none = Command::new(env!("CARGO_BIN_EXE_admit"))
        .args(["mail", "test", "--to", "x@example.test"])
        .env_remove("ADMIT_SMTP_HOST")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&none.stderr).contains("built-in mailbox"));
}
