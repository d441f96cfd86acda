//! The outbox across real `admit serve` processes: a crash (SIGKILL) during delivery loses no
//! message, and two processes drain one queue without losing or doubling any.

use crate::common;

use std::collections::{BTreeSet, HashMap};
use std::process::Command;

use admit::domain::EmailAddress;
use admit::domain::directory::Language;
use admit::storage::{Db, migrate};
use admit::usecases::mail::{self, Outgoing};
use common::{Engine, Server, SmtpSink, TestDb, closed_port, eventually, header, terminate};
use serde_json::json;

async fn serve(db_url: &str, sink: &SmtpSink, log: &std::path::Path) -> Server {
    common::serve(db_url, sink, log, &[("ADMIT_MAIL_LEASE_SECONDS", "5")]).await
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
    ids_in(db, status).await.len() as i64
}

/// The Message-IDs of the messages in `status`.
async fn ids_in(db: &Db, status: &str) -> Vec<String> {
    let sql = "SELECT message_id FROM outbox_messages WHERE status = $1 ORDER BY id";
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql)
            .bind(status)
            .fetch_all(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql)
            .bind(status)
            .fetch_all(p)
            .await
            .unwrap(),
    }
}

/// The outbox ids of the messages a process logged as sent (`e-mail sent id=...`).
fn sent_in_log(log: &str) -> BTreeSet<i64> {
    log.lines()
        .filter(|l| l.contains("e-mail sent"))
        .filter_map(|l| {
            let start = l.find(" id=")? + " id=".len();
            l[start..].split_whitespace().next()?.parse().ok()
        })
        .collect()
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

    let first = serve(&t.url, &sink, &logs.path().join("first.log")).await;
    let started = sink.wait_for(5, 30).await;
    assert!(started.len() >= 5, "the first process delivered some mail");
    let mut first = first;
    first.child.kill().unwrap(); // SIGKILL: no chance to clean up
    first.child.wait().unwrap();
    // The dead process's claims: the only messages that may arrive twice.
    let in_flight = ids_in(&db, "sending").await;
    assert!(
        !in_flight.is_empty(),
        "the crash came while messages were being sent"
    );
    let before_restart = sink.messages().len();
    assert!(before_restart < 40, "the crash came during delivery");

    let second = serve(&t.url, &sink, &logs.path().join("second.log")).await;
    let all_sent = eventually(90, || async { count_status(&db, "sent").await == 40 }).await;
    assert!(
        all_sent,
        "every message is sent after the restart; log:\n{}",
        second.log()
    );
    terminate(second);

    let seen = arrivals(&sink);
    for id in &ids {
        assert!(
            seen.contains_key(id),
            "message {id} reached the SMTP server"
        );
    }
    for (id, n) in &seen {
        assert!(
            *n == 1 || (*n == 2 && in_flight.contains(id)),
            "message {id} arrived {n} times; only one in flight at the crash may arrive twice"
        );
    }
    let duplicates: usize = seen.values().map(|n| n - 1).sum();
    assert!(
        duplicates <= in_flight.len(),
        "duplicates ({duplicates}) only for messages in flight at the crash ({})",
        in_flight.len()
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
    migrate::run(&db).await.unwrap();
    // 50 ms a message at the server: one process alone (4 connections) needs 2.5 s for all
    // 200, longer than the other takes to look at the queue (every second).
    let sink = SmtpSink::start_with_delay(50);
    let logs = tempfile::tempdir().unwrap();
    let a = serve(&t.url, &sink, &logs.path().join("a.log")).await;
    let b = serve(&t.url, &sink, &logs.path().join("b.log")).await;
    // Queued once both are up, so that neither has a head start.
    let ids = queue(&db, 200).await;
    let done = eventually(120, || async { count_status(&db, "sent").await == 200 }).await;
    let (sent_by_a, sent_by_b) = (sent_in_log(&a.log()), sent_in_log(&b.log()));
    terminate(a);
    terminate(b);
    assert!(done, "all 200 messages are sent");
    let seen = arrivals(&sink);
    for id in &ids {
        assert_eq!(seen.get(id), Some(&1), "message {id} arrived exactly once");
    }
    // Each process sent a part, and between them all: each logs the messages it sent.
    assert!(
        !sent_by_a.is_empty() && !sent_by_b.is_empty(),
        "both processes sent mail: {} and {}",
        sent_by_a.len(),
        sent_by_b.len()
    );
    assert!(
        sent_by_a.is_disjoint(&sent_by_b),
        "no message was sent by both"
    );
    assert_eq!(sent_by_a.len() + sent_by_b.len(), 200);
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
    let (_closed, port) = closed_port();
    let unreachable = run("erika@example.test", port);
    assert!(!unreachable.status.success());
    let none = Command::new(env!("CARGO_BIN_EXE_admit"))
        .args(["mail", "test", "--to", "x@example.test"])
        .env_remove("ADMIT_SMTP_HOST")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&none.stderr).contains("built-in mailbox"));
}
