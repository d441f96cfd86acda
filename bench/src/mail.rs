//! `admit-bench mail`: enqueue throughput, and delivery throughput to an SMTP server on this
//! machine.

use std::sync::Arc;
use std::time::Instant;

use admit::clock::SystemClock;
use admit::config::Config;
use admit::domain::EmailAddress;
use admit::domain::directory::Language;
use admit::jobs::outbox::{OutboxWorker, WorkerSettings};
use admit::mail::Mailer;
use admit::usecases::Ctx;
use admit::usecases::mail::{self, Outgoing};
use anyhow::Context;
use serde_json::json;

use crate::cores;

async fn enqueue(cx: &Ctx, n: usize, batch: usize) -> anyhow::Result<f64> {
    let to = EmailAddress::parse("bench@example.test").map_err(anyhow::Error::msg)?;
    let start = Instant::now();
    let mut left = n;
    while left > 0 {
        let k = left.min(batch);
        let mut tx = cx.db.write().await?;
        for _ in 0..k {
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
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        tx.commit().await?;
        left -= k;
    }
    Ok(start.elapsed().as_secs_f64())
}

/// Enqueues `enqueue_count` messages (in transactions of 1,000), then delivers `send_count`
/// through the SMTP server at `smtp_port` with each number of connections in `connections`.
pub async fn run(
    database_url: &str,
    smtp_port: u16,
    enqueue_count: usize,
    send_count: usize,
    connections: &[u32],
) -> anyhow::Result<()> {
    let config = Config {
        database_url: database_url.to_string(),
        smtp_host: Some("127.0.0.1".into()),
        smtp_port,
        smtp_security: "none".into(),
        mail_from: "Admit <bench@example.test>".into(),
        ..Config::default()
    };
    let db = admit::app::open_database(&config).await?;
    let engine = format!("{:?}", db.engine());
    let cx = admit::app::context_with(db.clone(), Arc::new(SystemClock), &config);
    println!("admit-bench mail: {engine}, {} cores", cores());

    let secs = enqueue(&cx, enqueue_count, 1000).await?;
    println!(
        "enqueue: {enqueue_count} messages in {secs:.2} s ({:.0} messages/s, transactions of 1,000)",
        enqueue_count as f64 / secs
    );
    // Clear the queue before measuring delivery.
    let mut tx = cx.db.write().await?;
    admit::exec_tx!(&mut tx, |c| sqlx::query("DELETE FROM outbox_messages")
        .execute(c)
        .await)
    .context("clearing the outbox")?;
    tx.commit().await?;

    for &n in connections {
        let config = Config {
            smtp_connections: n,
            ..config.clone()
        };
        enqueue(&cx, send_count, 1000).await?;
        let mailer = Mailer::from_config(&config)?;
        let worker = Arc::new(OutboxWorker::new(
            cx.clone(),
            mailer,
            WorkerSettings::from_config(&config),
        ));
        let start = Instant::now();
        let mut sent = 0;
        while sent < send_count {
            let k = worker.clone().tick().await?;
            if k == 0 {
                break;
            }
            sent += k;
        }
        let secs = start.elapsed().as_secs_f64();
        let mut tx = cx.db.read().await?;
        let counts = admit::storage::outbox::counts(&mut tx).await?;
        drop(tx);
        println!(
            "deliver: {send_count} messages over {n} SMTP connection(s) in {secs:.2} s ({:.0} messages/s); outbox: {counts:?}",
            send_count as f64 / secs
        );
        let mut tx = cx.db.write().await?;
        admit::exec_tx!(&mut tx, |c| sqlx::query("DELETE FROM outbox_messages")
            .execute(c)
            .await)?;
        tx.commit().await?;
    }
    db.close().await;
    Ok(())
}
