//! Admit's in-process decision beside casbin-rs, in one run, on the database that `admit-bench
//! access` generated: the same accounts, organizations, modules and customer assignments as an
//! RBAC-with-domains model (casbin's own `rbac_with_domains_model.conf`), loaded into casbin at
//! increasing sizes; the same random questions asked of both at each size, their answers
//! compared.
//!
//! ```text
//! cargo run --release -p admit-bench-casbin -- sqlite:///tmp/benchdb/access.db \
//!     [--sizes 1000,10000,100000,1000000,10000000,all] [--seconds 10] [--min-samples 5]
//! ```
//!
//! The model: a domain per organization and portal (`"{portal}/{organization}"`), the request
//! `(account, domain, object, "see")` with objects `c{customer}` and `m{module}`:
//! - an admin (that may log in) has the role `admin` in its domain, which sees every customer
//!   the organization reaches and every module of the portal;
//! - a user, per grouping (a partnership; the customer organization with its sub-accounts):
//!   where it has assignments, a policy per assigned customer; where none, the role of the
//!   grouping (`grp{partnership}`, `grp0`), which sees all of its customers; a policy per
//!   granted module that is not admin-only;
//! - a marketing account, a policy per granted marketing module;
//! - anyone else (notifications, may not log in) nothing: denied.
//!
//! Sizes count casbin's rules (`p` and `g`): whole organizations, in a random order, until the
//! size is reached. Admit answers from the whole database at every size.
#![forbid(unsafe_code)]

use std::sync::Arc;
use std::time::Instant;

use admit_bench::Rng;

use crate::compare::Run;
use crate::data::read;
use crate::model::{Rule, rules_of};
use crate::questions::questions;

mod adapter;
mod compare;
mod data;
mod model;
mod questions;

struct Args {
    url: String,
    sizes: Vec<Option<usize>>,
    seconds: f64,
    min_samples: usize,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        url: String::new(),
        sizes: vec![
            Some(1_000),
            Some(10_000),
            Some(100_000),
            Some(1_000_000),
            Some(10_000_000),
            None,
        ],
        seconds: 10.0,
        min_samples: 5,
    };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--sizes" => {
                a.sizes = it
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|s| match s.trim() {
                        "all" => Ok(None),
                        n => n.replace('_', "").parse().map(Some),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--seconds" => a.seconds = it.next().unwrap_or_default().parse()?,
            "--min-samples" => a.min_samples = it.next().unwrap_or_default().parse()?,
            "-h" | "--help" => {
                println!(
                    "admit-bench-casbin DATABASE_URL [--sizes 1000,10000,...,all] [--seconds S] [--min-samples N]"
                );
                std::process::exit(0);
            }
            url if a.url.is_empty() && !url.starts_with('-') => a.url = url.into(),
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    anyhow::ensure!(
        !a.url.is_empty(),
        "give the database of `admit-bench access` (sqlite://... or postgres://...)"
    );
    Ok(a)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let config = admit::config::Config {
        database_url: args.url.clone(),
        ..Default::default()
    };
    let db = admit::app::open_database(&config).await?;
    let cx = admit::app::context(db.clone(), Arc::new(admit::clock::SystemClock));
    let today = admit::clock::today(cx.now());
    let actor = admit::usecases::Actor::cli();

    let start = Instant::now();
    let data = read(&db, today).await?;
    println!(
        "admit vs casbin: {:?}, {} cores; read {} accounts, {} organizations, {} accounts with customer assignments in {:.1} s",
        db.engine(),
        admit_bench::cores(),
        data.accounts.len(),
        data.orgs.len(),
        data.assigned.len(),
        start.elapsed().as_secs_f64()
    );

    // Every organization's rules, the organizations in a random order.
    let mut rng = Rng(0x00CA_5B1A);
    let mut orgs = data.orgs.clone();
    for i in (1..orgs.len()).rev() {
        let j = rng.below(i + 1);
        orgs.swap(i, j);
    }
    let start = Instant::now();
    let mut rules: Vec<Rule> = Vec::new();
    // The number of rules after each organization.
    let mut ends: Vec<usize> = Vec::with_capacity(orgs.len());
    for &o in &orgs {
        rules_of(&data, o, &mut rules);
        ends.push(rules.len());
    }
    let total = rules.len();
    println!(
        "model: {total} casbin rules ({} p, {} g) for all {} organizations, made in {:.1} s",
        rules.iter().filter(|r| matches!(r, Rule::P { .. })).count(),
        rules.iter().filter(|r| matches!(r, Rule::G { .. })).count(),
        orgs.len(),
        start.elapsed().as_secs_f64()
    );
    let run = Run {
        cx: &cx,
        actor: &actor,
        rules: Arc::new(rules),
        names: Arc::new(data.names.clone()),
        seconds: args.seconds,
        min_samples: args.min_samples,
    };

    println!(
        "{:>10} {:>7} {:>8} | {:>10} {:>10} {:>7} {:>7} | {:>9} {:>9} {:>6} | {:>9} {:>9}",
        "rules",
        "orgs",
        "accounts",
        "casbin p50",
        "casbin p99",
        "samples",
        "load s",
        "admit p50",
        "admit p99",
        "asked",
        "mismatch",
        "RSS MiB"
    );
    for size in &args.sizes {
        let want = size.unwrap_or(total).min(total);
        // Whole organizations until the size is reached.
        let k = ends.partition_point(|&e| e < want) + 1;
        let k = k.min(orgs.len());
        let take = ends.get(k.wrapping_sub(1)).copied().unwrap_or(0);
        let included = &orgs[..k];
        let accounts: usize = included
            .iter()
            .map(|o| data.by_org.get(o).map_or(0, Vec::len))
            .sum();
        let qs = questions(&data, included, 2000, &mut rng);
        if qs.is_empty() {
            continue;
        }

        let f = run.size(take, &qs).await?;
        println!(
            "{:>10} {:>7} {:>8} | {:>8.3}ms {:>8.3}ms {:>7} {:>7.1} | {:>7.3}ms {:>7.3}ms {:>6} | {:>9} {:>9.0}",
            take,
            k,
            accounts,
            f.casbin.p50,
            f.casbin.p99,
            f.asked,
            f.load,
            f.admit.p50,
            f.admit.p99,
            qs.len(),
            f.mismatches,
            f.rss
        );
        if take >= total {
            break;
        }
    }
    db.close().await;
    Ok(())
}
