//! `admit-bench digests`: the time to compute and enqueue one Monday's weekly digests.
//!
//! Generates the directory of `admit-bench access` (scaled to the number of people), makes
//! every account one that receives digests, gives each portal five task categories, posts the
//! open tasks across the portals' customers, and subscribes every account weekly to all the
//! categories it may choose, in a mix of time zones. Then, on a clock set to Monday evening
//! (UTC) when every zone's 08:00 has passed, runs the scheduler until no digest is due, and
//! prints the time, the rate, and what the digests held.

use std::sync::Arc;
use std::time::Instant;

use admit::clock::ManualClock;
use admit::config::Config;
use admit::domain::tasks::{BUILTINS, CategoryInput};
use admit::storage::{Db, Engine};
use admit::usecases::{Actor, Ctx};

use crate::access::{AccessSize, generate_access};
use crate::bulk::{self, BulkTask};
use crate::{Rng, cores, percentiles};

/// How much `admit-bench digests` makes.
#[derive(Debug, Clone, Copy)]
pub struct DigestSize {
    pub people: usize,
    pub tasks: usize,
}

/// The zones people live in, and how many in a hundred.
const ZONES: &[(&str, u32)] = &[
    ("Europe/Berlin", 55),
    ("Europe/Vienna", 10),
    ("Europe/Zurich", 8),
    ("Europe/London", 7),
    ("America/New_York", 8),
    ("America/Los_Angeles", 4),
    ("Asia/Kolkata", 5),
    ("Australia/Sydney", 3),
];

const CATEGORIES: &[(&str, &str, &str)] = &[
    ("service_due", "Service due", "Wartung fällig"),
    ("invoices", "Unpaid invoices", "Offene Rechnungen"),
    ("quotes", "Quotes to answer", "Offene Angebote"),
    (
        "documents",
        "Documents to sign",
        "Zu unterschreibende Dokumente",
    ),
    ("tickets", "Open tickets", "Offene Tickets"),
];

/// The Monday of the measured digests, and the moment the scheduler runs: 20:00 UTC, after
/// 08:00 in every zone above.
const MONDAY: &str = "2026-12-07";
const RUN_AT: &str = "2026-12-07T20:00:00Z";

fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.timestamp_millis())
        .unwrap_or_default()
}

async fn count(db: &Db, sql: &str) -> anyhow::Result<i64> {
    Ok(match db {
        Db::Sqlite(p) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await?
        }
        Db::Postgres(p) => {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .fetch_one(p)
                .await?
        }
    })
}

async fn exec(db: &Db, sql: &str) -> anyhow::Result<u64> {
    Ok(match db {
        Db::Sqlite(p) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(p)
            .await?
            .rows_affected(),
        Db::Postgres(p) => sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(p)
            .await?
            .rows_affected(),
    })
}

/// Generates everything into an empty database, on a clock standing before the Monday.
async fn generate(cx: &Ctx, size: DigestSize) -> anyhow::Result<()> {
    let uc = |e: admit::usecases::Error| anyhow::anyhow!("{e}");
    let start = Instant::now();
    let people = size.people.max(10);
    let g = generate_access(
        cx,
        AccessSize {
            accounts: people,
            organizations: (people / 5).max(20),
            assignments: people * 10,
        },
    )
    .await?;
    println!(
        "directory: {} accounts, {} organizations ({} partners), {} partnerships, {} customer assignments in {:.1} s",
        g.accounts,
        g.partners + g.customers,
        g.partners,
        g.partnerships,
        g.assignments,
        start.elapsed().as_secs_f64()
    );
    // Everyone receives digests: registered, approved, active, with access, no end date.
    let t = Instant::now();
    exec(
        &cx.db,
        "UPDATE portal_accounts SET registration = 'registered', approval = 'approved', \
         access_granted = TRUE, valid_until = NULL, lifecycle = 'active' \
         WHERE contact_id IS NOT NULL",
    )
    .await?;
    // A mix of zones, by account id.
    let mut rng = Rng(0x00D1_6E57);
    let mut cases = String::from("CASE");
    let mut from = 0u32;
    for (zone, share) in ZONES {
        from += share;
        cases.push_str(&format!(" WHEN id % 100 < {from} THEN '{zone}'"));
    }
    cases.push_str(" ELSE 'UTC' END");
    exec(
        &cx.db,
        &format!("UPDATE portal_accounts SET time_zone = {cases}"),
    )
    .await?;

    // Five categories on each portal, and the open tasks across the customers.
    let actor = Actor::cli();
    let portals = admit::usecases::directory::list_portals(cx)
        .await
        .map_err(uc)?;
    let mut category_ids: Vec<(i64, Vec<i64>)> = Vec::new();
    for p in &portals {
        let list: Vec<CategoryInput> = CATEGORIES
            .iter()
            .map(|(key, en, de)| CategoryInput {
                key: key.to_string(),
                name_en: en.to_string(),
                name_de: de.to_string(),
                ..Default::default()
            })
            .collect();
        let made = admit::usecases::notifications::set_categories(cx, &actor, p.id, &list)
            .await
            .map_err(uc)?;
        category_ids.push((p.id, made.iter().map(|c| c.id).collect()));
    }
    let customers: Vec<i64> = {
        let sql = "SELECT id FROM organizations WHERE kind = 'customer' ORDER BY id";
        match &cx.db {
            Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await?,
            Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await?,
        }
    };
    anyhow::ensure!(!customers.is_empty(), "the directory has customers");
    let now = cx.now();
    let today = admit::clock::today(now);
    let mut tx = cx.db.write().await?;
    bulk::prepare_connection(&mut tx).await?;
    let mut rows = Vec::with_capacity(100_000);
    for i in 0..size.tasks {
        let (portal, cats) = &category_ids[rng.below(category_ids.len())];
        rows.push(BulkTask {
            portal_id: *portal,
            external_id: format!("T-{i:08}"),
            customer_id: customers[rng.below(customers.len())],
            category_id: cats[rng.below(cats.len())],
            title: format!("Task {i}"),
            due_date: (!rng.chance(0.2)).then(|| today + rng.below(60) as i64 - 15),
        });
        if rows.len() == rows.capacity() {
            bulk::insert_tasks(&mut tx, &rows, now).await?;
            rows.clear();
        }
    }
    bulk::insert_tasks(&mut tx, &rows, now).await?;
    // Loaded around the tasks API: their tallies are made once from them.
    admit::storage::tasks::tallies::rebuild(&mut tx).await?;
    tx.commit().await?;

    // Every account subscribes weekly to all it may choose; due this Monday at 08:00 local.
    let accounts: Vec<(i64, String, String)> = {
        let sql = "SELECT id, role, time_zone FROM portal_accounts ORDER BY id";
        match &cx.db {
            Db::Sqlite(p) => sqlx::query_as(sql).fetch_all(p).await?,
            Db::Postgres(p) => sqlx::query_as(sql).fetch_all(p).await?,
        }
    };
    let monday = chrono::NaiveDate::parse_from_str(MONDAY, "%Y-%m-%d")?;
    let period = admit::domain::digest::Period {
        weekly: true,
        start: monday,
    };
    let keys: Vec<&str> = CATEGORIES.iter().map(|c| c.0).collect();
    let own: Vec<&str> = BUILTINS
        .iter()
        .filter(|b| b.for_org_admins)
        .map(|b| b.key)
        .collect();
    let mut subs = Vec::with_capacity(accounts.len());
    for (id, role, zone) in &accounts {
        let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Tz::UTC);
        let mut chosen: Vec<&str> = if role == "marketing" {
            Vec::new()
        } else {
            keys.clone()
        };
        if role == "admin" {
            chosen.extend(own.iter().copied());
        }
        chosen.sort_unstable();
        subs.push((*id, "weekly", chosen.join(","), period.due_at(tz)));
    }
    let mut tx = cx.db.write().await?;
    bulk::insert_subscriptions(&mut tx, &subs, now).await?;
    tx.commit().await?;
    println!(
        "tasks: {} open across {} portals and {} customers; {} people with weekly digests; made in {:.1} s",
        size.tasks,
        portals.len(),
        customers.len(),
        subs.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Task upserts through the tasks' use case while the digests are made, one at a time at a
/// steady rate: what an API write waits during a Monday.
struct Writes {
    stop: tokio::sync::watch::Sender<bool>,
    /// Per upsert: when it began (seconds into the run) and how long it took (ms).
    task: tokio::task::JoinHandle<anyhow::Result<Vec<(f64, f64)>>>,
}

impl Writes {
    async fn start(cx: &Ctx, per_second: u32) -> anyhow::Result<Writes> {
        let portals: Vec<i64> = admit::usecases::directory::list_portals(cx)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .into_iter()
            .map(|p| p.id)
            .collect();
        let sql = "SELECT id FROM organizations WHERE kind = 'customer' ORDER BY id LIMIT 1000";
        let customers: Vec<i64> = match &cx.db {
            Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await?,
            Db::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await?,
        };
        let tasks = count(&cx.db, "SELECT COUNT(*) FROM tasks").await?.max(1) as usize;
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let cx = cx.clone();
        let task = tokio::spawn(async move {
            let mut rng = Rng(0x7A5C);
            let mut ms = Vec::new();
            let began = Instant::now();
            let actor = Actor::cli();
            if per_second == 0 {
                return Ok(ms);
            }
            let mut tick = tokio::time::interval(std::time::Duration::from_secs(1) / per_second);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !*stopped.borrow() {
                let input = admit::domain::tasks::TaskInput {
                    customer_id: customers[rng.below(customers.len())],
                    category: CATEGORIES[rng.below(CATEGORIES.len())].0.to_string(),
                    title: format!("Task changed {}", rng.below(1000)),
                    due_date: Some(format!("2026-12-{:02}", 1 + rng.below(28))),
                    status: Some(if rng.chance(0.5) { "open" } else { "closed" }.to_string()),
                    ..Default::default()
                };
                let portal = portals[rng.below(portals.len())];
                let id = format!("T-{:08}", rng.below(tasks));
                let t = Instant::now();
                admit::usecases::notifications::put_task(&cx, &actor, portal, &id, &input)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                ms.push((
                    t.duration_since(began).as_secs_f64(),
                    t.elapsed().as_secs_f64() * 1000.0,
                ));
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = stopped.changed() => {}
                }
            }
            Ok(ms)
        });
        Ok(Writes { stop, task })
    }

    async fn stop(self) -> anyhow::Result<Vec<(f64, f64)>> {
        let _ = self.stop.send(true);
        self.task.await?
    }
}

/// Generates (or, with `existing`, reuses and resets) the data, then times one Monday.
pub async fn run(
    database_url: &str,
    size: DigestSize,
    existing: bool,
    batch: i64,
    upserts_per_second: u32,
) -> anyhow::Result<()> {
    let config = Config {
        database_url: database_url.to_string(),
        ..Config::default()
    };
    let db = admit::app::open_database(&config).await?;
    let engine = db.engine();
    // The data is made on the Friday before; the digests run on Monday evening.
    let clock = ManualClock::new(ms("2026-12-04T12:00:00Z"));
    let cx = admit::app::context_with(db.clone(), Arc::new(clock.clone()), &config);
    println!(
        "admit-bench digests: {engine:?}, {} cores, batches of {batch}; {}",
        cores(),
        if existing {
            "the data already there".to_string()
        } else {
            format!(
                "{} people with weekly digests, {} open tasks",
                size.people, size.tasks
            )
        }
    );
    let subscriptions = count(&db, "SELECT COUNT(*) FROM digest_subscriptions").await?;
    if existing {
        anyhow::ensure!(
            subscriptions > 0,
            "--existing: the database has no subscriptions"
        );
        // The Monday again: its digests, their messages and links go, the due times come back.
        exec(&db, "DELETE FROM digests").await?;
        exec(&db, "DELETE FROM unsubscribe_tokens").await?;
        exec(&db, "DELETE FROM outbox_messages WHERE event = 'digest'").await?;
        let monday = chrono::NaiveDate::parse_from_str(MONDAY, "%Y-%m-%d")?;
        let period = admit::domain::digest::Period {
            weekly: true,
            start: monday,
        };
        for (zone, _) in ZONES.iter().chain(&[("UTC", 100)]) {
            let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::Tz::UTC);
            exec(
                &db,
                &format!(
                    "UPDATE digest_subscriptions SET next_due_at = {} WHERE account_id IN \
                     (SELECT id FROM portal_accounts WHERE time_zone = '{zone}')",
                    period.due_at(tz)
                ),
            )
            .await?;
        }
    } else {
        anyhow::ensure!(
            subscriptions == 0 && count(&db, "SELECT COUNT(*) FROM portal_accounts").await? == 0,
            "the database is not empty: give an empty one (or --existing)"
        );
        generate(&cx, size).await?;
    }
    // As autovacuum leaves them a minute after a load.
    bulk::refresh_statistics(&db).await?;
    let open = count(&db, "SELECT COUNT(*) FROM tasks WHERE status = 'open'").await?;
    let people = count(
        &db,
        "SELECT COUNT(*) FROM digest_subscriptions WHERE frequency = 'weekly'",
    )
    .await?;
    clock.set(ms(RUN_AT));
    let before = count(&db, "SELECT COUNT(*) FROM outbox_messages").await?;
    let writes = Writes::start(&cx, upserts_per_second).await?;
    let start = Instant::now();
    let made = admit::usecases::notifications::run_due(&cx, batch)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let secs = start.elapsed().as_secs_f64();
    let upserts = writes.stop().await?;
    let queued = count(&db, "SELECT COUNT(*) FROM outbox_messages").await? - before;
    let listed = count(
        &db,
        "SELECT CAST(COALESCE(SUM(tasks), 0) AS BIGINT) FROM digests",
    )
    .await?;
    println!(
        "one Monday: {} people due, {} digests queued, {} with nothing to say, in {secs:.1} s: {:.0} people/s, {:.2} ms each",
        made.due,
        made.sent,
        made.empty,
        made.due as f64 / secs.max(1e-9),
        1000.0 * secs / (made.due.max(1) as f64)
    );
    println!(
        "the digests count {listed} open tasks in all ({:.0} per digest); the outbox got {queued} messages; {people} weekly subscribers, {open} open tasks in the database",
        listed as f64 / made.sent.max(1) as f64
    );
    let t = percentiles(upserts.iter().map(|u| u.1).collect());
    println!(
        "task upserts through the tasks' use case during the run, {upserts_per_second}/s one at a time: {} (p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms)",
        upserts.len(),
        t.p50,
        t.p99,
        t.max
    );
    let mut slowest = upserts.clone();
    slowest.sort_by(|a, b| b.1.total_cmp(&a.1));
    let slowest: Vec<String> = slowest
        .iter()
        .take(6)
        .map(|(at, ms)| format!("{ms:.0} ms at {at:.1} s"))
        .collect();
    println!("the slowest upserts: {}", slowest.join(", "));
    let (kept, counted) = {
        let mut tx = db.read().await?;
        let kept = admit::storage::tasks::tallies::all(&mut tx).await?;
        (
            kept,
            admit::storage::tasks::tallies::recount(&mut tx).await?,
        )
    };
    anyhow::ensure!(
        kept == counted,
        "the kept tallies differ from a count of the tasks"
    );
    println!(
        "the kept tallies equal a count of the tasks: {} pairs of portal, customer and category",
        kept.len()
    );
    let again = admit::usecases::notifications::run_due(&cx, batch)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(again.due == 0, "a second run found digests due: {again:?}");
    if engine == Engine::Sqlite {
        println!("(SQLite: one writer; every batch of {batch} is one transaction)");
    }
    Ok(())
}
