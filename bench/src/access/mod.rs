//! `admit-bench access`: the access decision with many accounts, organizations and customer
//! assignments. Generates them, then times decisions in process and over HTTP on loopback.

mod decide;
mod generate;
mod http;

use std::sync::Arc;
use std::time::Instant;

use admit::clock::SystemClock;
use admit::config::Config;
use admit::usecases::{Actor, Ctx};

use crate::{bulk, cores, percentiles};
use decide::{AccessQuery, DecisionRun, access_queries, decide_for, decision_steps};
pub(crate) use generate::generate_access;
pub use generate::{AccessGenerated, AccessSize};
use http::{decide_over_http, decision_path};

/// The decision latency of one task by a property of the queries, in buckets.
fn breakdown(
    label: &str,
    run: &DecisionRun,
    queries: &[AccessQuery],
    of: impl Fn(&AccessQuery) -> i64,
    bounds: &[(i64, i64)],
) {
    let mut parts = Vec::new();
    for (lo, hi) in bounds {
        let times: Vec<f64> = run
            .times
            .iter()
            .filter(|(i, _)| (*lo..=*hi).contains(&of(&queries[*i])))
            .map(|(_, ms)| *ms)
            .collect();
        if times.is_empty() {
            continue;
        }
        let n = times.len();
        let t = percentiles(times);
        let range = if *hi == i64::MAX {
            format!("{lo}+")
        } else if lo == hi {
            format!("{lo}")
        } else {
            format!("{lo}-{hi}")
        };
        parts.push(format!(
            "{range}: p50 {:.3} p99 {:.3} ms ({n})",
            t.p50, t.p99
        ));
    }
    println!("  by {label}: {}", parts.join("; "));
}

fn print_generated(g: &AccessGenerated, secs: f64, stats_secs: f64) {
    println!(
        "generate: {} organizations ({} partners, {} customers of which {} sub-accounts), {} partnerships with {} customers, {} accounts ({} users, {} module grants), {} customer assignments in {} restricted groupings (they hold {} customers) in {secs:.1} s; statistics {stats_secs:.1} s",
        g.partners + g.customers,
        g.partners,
        g.customers,
        g.sub_accounts,
        g.partnerships,
        g.partnership_customers,
        g.accounts,
        g.users,
        g.modules,
        g.assignments,
        g.restricted,
        g.capacity,
    );
}

/// What the database of `admit-bench access` holds.
async fn print_access_data(cx: &Ctx) -> anyhow::Result<i64> {
    let mut tx = cx.db.read().await?;
    let counts = bulk::access_counts(&mut tx).await?;
    let sizes = bulk::organization_sizes(&mut tx).await?;
    drop(tx);
    let accounts = counts
        .iter()
        .find(|(t, _)| *t == "portal_accounts")
        .map(|c| c.1)
        .unwrap_or(0);
    println!(
        "data: {}; largest organization {} accounts, median {}",
        counts
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        sizes.first().map(|s| s.1).unwrap_or(0),
        sizes.get(sizes.len() / 2).map(|s| s.1).unwrap_or(0)
    );
    Ok(accounts)
}

/// Generates `size` into an empty database (or takes the one there with `existing`), then
/// measures the decision: in process with one task and with `tasks`, by the size of the
/// account's organization, assignments and reach, against a small database, and over HTTP on
/// loopback through Admit's router with each number of `connections`.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    database_url: &str,
    size: AccessSize,
    existing: bool,
    seconds: f64,
    tasks: usize,
    connections: &[usize],
    small: Option<(String, usize)>,
) -> anyhow::Result<()> {
    let crate::Opened {
        config,
        db,
        cx,
        engine,
        empty,
    } = crate::open(database_url).await?;
    println!(
        "admit-bench access: {engine}, {} cores, {} s per measurement, {tasks} tasks, connections {connections:?}; {}",
        cores(),
        seconds,
        if existing {
            "the data already there".to_string()
        } else {
            format!(
                "{} accounts, {} organizations, {} customer assignments",
                size.accounts, size.organizations, size.assignments
            )
        }
    );
    if existing {
        anyhow::ensure!(!empty, "--existing: the database has no portal accounts");
    } else {
        anyhow::ensure!(
            empty,
            "the database already has portal accounts: give an empty one (or --existing)"
        );
        let start = Instant::now();
        let g = generate_access(&cx, size).await?;
        let secs = start.elapsed().as_secs_f64();
        let start = Instant::now();
        bulk::refresh_statistics(&cx.db).await?;
        print_generated(&g, secs, start.elapsed().as_secs_f64());
    }
    let accounts = print_access_data(&cx).await?;

    let queries = Arc::new(access_queries(&cx, accounts, 100_000).await?);
    // Warm the caches, then measure.
    decide_for(&cx, &queries, (seconds / 2.0).min(2.0), 1).await?;
    let one = decide_for(&cx, &queries, seconds, 1).await?;
    println!("{}", one.line("in process, 1 task"));
    println!(
        "  rules: {}",
        one.rules
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let many = decide_for(&cx, &queries, seconds, tasks).await?;
    println!("{}", many.line(&format!("in process, {tasks} tasks")));
    breakdown(
        "accounts of the account's organization",
        &one,
        &queries,
        |q| q.org_accounts,
        &[(0, 10), (11, 100), (101, 1000), (1001, i64::MAX)],
    );
    breakdown(
        "the account's customer assignments",
        &one,
        &queries,
        |q| q.assigned as i64,
        &[(0, 0), (1, 10), (11, 100), (101, i64::MAX)],
    );
    breakdown(
        "customers its organization reaches",
        &one,
        &queries,
        |q| q.reach as i64,
        &[(0, 1), (2, 100), (101, 500), (501, i64::MAX)],
    );

    // Where the time goes, with the API key that the requests over HTTP use.
    let key = admit::usecases::apikeys::create(&cx, &Actor::cli(), "admit-bench access", &[])
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .secret;
    decision_steps(&cx, &queries, 5000, &key).await?;

    if let Some((url, n)) = small {
        let scale = n as f64 / size.accounts.max(1) as f64;
        let small_size = AccessSize {
            accounts: n,
            organizations: ((size.organizations as f64 * scale) as usize).max(10),
            assignments: (size.assignments as f64 * scale) as usize,
        };
        let small_config = Config {
            database_url: url,
            ..Config::default()
        };
        let small_db = admit::app::open_database(&small_config).await?;
        let small_cx = admit::app::context_with(small_db.clone(), Arc::new(SystemClock), &config);
        let start = Instant::now();
        let g = generate_access(&small_cx, small_size).await?;
        bulk::refresh_statistics(&small_cx.db).await?;
        let gen_secs = start.elapsed().as_secs_f64();
        let small_queries = Arc::new(access_queries(&small_cx, g.accounts as i64, 100_000).await?);
        decide_for(&small_cx, &small_queries, (seconds / 2.0).min(2.0), 1).await?;
        let run = decide_for(&small_cx, &small_queries, seconds, 1).await?;
        println!(
            "{} (a small database: {} accounts, {} organizations, {} customer assignments, made in {gen_secs:.1} s)",
            run.line("in process, 1 task, small database"),
            g.accounts,
            g.partners + g.customers,
            g.assignments
        );
        small_db.close().await;
    }

    // Over HTTP: Admit's application (router, middleware, API key) on a free port.
    let app = admit::app::Application::build_with(
        Config {
            listen: "127.0.0.1:0".into(),
            ..config.clone()
        },
        db.clone(),
        Arc::new(SystemClock),
    )
    .await?;
    let addr = app.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let paths: Arc<Vec<String>> =
        Arc::new(queries.iter().map(|q| decision_path(&q.query)).collect());
    decide_over_http(addr, &key, &paths, (seconds / 2.0).min(2.0), 1).await?;
    let mut worst_p99: f64 = 0.0;
    for &n in connections {
        let run = decide_over_http(addr, &key, &paths, seconds, n).await?;
        println!(
            "{}",
            run.line(&format!("HTTP on loopback, {n} connection(s)"))
        );
        if n == 1 {
            worst_p99 = worst_p99.max(percentiles(run.times.iter().map(|t| t.1).collect()).p99);
        }
    }
    if connections.contains(&1) {
        println!(
            "HTTP p99 with 1 connection: {worst_p99:.3} ms ({} 1 ms)",
            if worst_p99 < 1.0 {
                "under"
            } else {
                "NOT under"
            }
        );
    }
    let _ = stop.send(());
    server.await??;
    Ok(())
}
