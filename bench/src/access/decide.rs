//! The decisions that `admit-bench access` asks, and their measurement in process: through the
//! use case, and step by step.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use admit::domain::directory::OrganizationKind;
use admit::storage::{access, accounts as accounts_store, directory};
use admit::usecases::access::DecisionQuery;
use admit::usecases::{Actor, Ctx};
use anyhow::Context;

use crate::{Rng, bulk, percentiles};

/// A decision to ask, with what the account it is about looks like (for the breakdowns).
pub(super) struct AccessQuery {
    pub query: DecisionQuery,
    /// Accounts of the account's organization.
    pub org_accounts: i64,
    /// The account's customer assignments.
    pub assigned: usize,
    /// The customers its organization reaches.
    pub reach: usize,
}

/// Random decisions about accounts spread over the table: about a customer (one assigned to
/// the account, one its organization reaches, or any organization), a module of its portal
/// (or an unknown one), or both; they mix allow and deny.
pub(super) async fn access_queries(
    cx: &Ctx,
    n_accounts: i64,
    n: usize,
) -> anyhow::Result<Vec<AccessQuery>> {
    let mut rng = Rng(0x0DEC_1DE5);
    let mut tx = cx.db.read().await?;
    let sizes: HashMap<i64, i64> = bulk::organization_sizes(&mut tx)
        .await?
        .into_iter()
        .collect();
    let modules: HashMap<i64, Vec<String>> = directory::list_portals(&mut tx)
        .await?
        .into_iter()
        .map(|p| (p.id, p.modules.into_iter().map(|m| m.name).collect()))
        .collect();
    let (low, high) = bulk::organization_id_range(&mut tx).await?;
    let step = (n_accounts / 5000).max(1);
    let sample = bulk::spread_accounts(&mut tx, step, 5000).await?;
    anyhow::ensure!(!sample.is_empty(), "the database has no portal accounts");
    struct Seen {
        id: i64,
        portal: i64,
        pub org_accounts: i64,
        assigned: Vec<i64>,
        reach: Vec<i64>,
    }
    let mut seen = Vec::with_capacity(sample.len());
    let mut reaches: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, portal, org) in sample {
        let reach = match org {
            Some(o) => match reaches.get(&o) {
                Some(r) => r.clone(),
                None => {
                    let r: BTreeSet<i64> = access::reach(&mut tx, o)
                        .await?
                        .into_values()
                        .flatten()
                        .collect();
                    let r: Vec<i64> = r.into_iter().collect();
                    reaches.insert(o, r.clone());
                    r
                }
            },
            None => Vec::new(),
        };
        let assigned = access::assignments(&mut tx, id)
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        seen.push(Seen {
            id,
            portal,
            org_accounts: org.and_then(|o| sizes.get(&o).copied()).unwrap_or(0),
            assigned,
            reach,
        });
    }
    drop(tx);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let s = &seen[rng.below(seen.len())];
        let shape = rng.below(100);
        let customer = (shape < 80).then(|| {
            let x = rng.below(3);
            if x == 0 && !s.assigned.is_empty() {
                s.assigned[rng.below(s.assigned.len())]
            } else if x <= 1 && !s.reach.is_empty() {
                s.reach[rng.below(s.reach.len())]
            } else {
                low + rng.below((high - low + 1).max(1) as usize) as i64
            }
        });
        let module = (shape >= 45).then(|| {
            let names = modules.get(&s.portal).map(Vec::as_slice).unwrap_or(&[]);
            if names.is_empty() || rng.chance(0.15) {
                "Unknown module".to_string()
            } else {
                names[rng.below(names.len())].clone()
            }
        });
        out.push(AccessQuery {
            query: DecisionQuery {
                account_id: s.id,
                customer_id: customer,
                module,
                portal_id: None,
            },
            org_accounts: s.org_accounts,
            assigned: s.assigned.len(),
            reach: s.reach.len(),
        });
    }
    Ok(out)
}

/// What a measurement of decisions saw.
pub(super) struct DecisionRun {
    /// (query index, milliseconds) of each decision.
    pub times: Vec<(usize, f64)>,
    pub secs: f64,
    pub allowed: usize,
    pub rules: BTreeMap<String, usize>,
}

impl DecisionRun {
    pub fn line(&self, label: &str) -> String {
        let t = percentiles(self.times.iter().map(|(_, ms)| *ms).collect());
        format!(
            "{label}: {} decisions in {:.1} s, {:.0} decisions/s; p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms, max {:.2} ms; {:.0}% allowed",
            self.times.len(),
            self.secs,
            self.times.len() as f64 / self.secs,
            t.p50,
            t.p95,
            t.p99,
            t.max,
            100.0 * self.allowed as f64 / self.times.len().max(1) as f64
        )
    }
}

/// In-process decisions through the use case, `tasks` at a time, for `seconds`.
pub(super) async fn decide_for(
    cx: &Ctx,
    queries: &Arc<Vec<AccessQuery>>,
    seconds: f64,
    tasks: usize,
) -> anyhow::Result<DecisionRun> {
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..tasks.max(1) {
        let cx = cx.clone();
        let queries = queries.clone();
        let next = next.clone();
        handles.push(tokio::spawn(async move {
            let actor = Actor::cli();
            let mut times = Vec::new();
            let mut allowed = 0usize;
            let mut rules = BTreeMap::<String, usize>::new();
            while Instant::now() < deadline {
                let i = next.fetch_add(1, Ordering::Relaxed) % queries.len();
                let t = Instant::now();
                let d = admit::usecases::access::decide(&cx, &actor, &queries[i].query)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                times.push((i, t.elapsed().as_secs_f64() * 1000.0));
                allowed += usize::from(d.allow);
                *rules.entry(d.rule.as_str().to_string()).or_default() += 1;
            }
            anyhow::Ok((times, allowed, rules))
        }));
    }
    let mut run = DecisionRun {
        times: Vec::new(),
        secs: 0.0,
        allowed: 0,
        rules: Default::default(),
    };
    for h in handles {
        let (times, allowed, rules) = h.await??;
        run.times.extend(times);
        run.allowed += allowed;
        for (k, v) in rules {
            *run.rules.entry(k).or_default() += v;
        }
    }
    run.secs = start.elapsed().as_secs_f64();
    Ok(run)
}

/// Where a decision's time goes: its steps as the use case takes them (`decide`), each timed
/// over the first `n` queries, one after the other; and the API key's check of a request.
pub(super) async fn decision_steps(
    cx: &Ctx,
    queries: &[AccessQuery],
    n: usize,
    key: &str,
) -> anyhow::Result<()> {
    const STEPS: [&str; 4] = [
        "a pooled connection",
        "the account with the module and its grant (1 query)",
        "customer facts (1 query)",
        "back to the pool",
    ];
    let mut ms = [0.0f64; STEPS.len()];
    let mut runs = [0usize; STEPS.len()];
    let today = admit::clock::today(cx.now());
    let mut done = 0usize;
    let total = Instant::now();
    for q in queries.iter().take(n) {
        let q = &q.query;
        let mut t = Instant::now();
        let mut lap = |i: usize, t: &mut Instant| {
            ms[i] += t.elapsed().as_secs_f64() * 1000.0;
            runs[i] += 1;
            *t = Instant::now();
        };
        let mut conn = cx.db.reads().await?;
        lap(0, &mut t);
        let module = q.module.as_deref().map(str::trim);
        let Some((a, _)) = accounts_store::get_with_module(&mut conn, q.account_id, module).await?
        else {
            continue;
        };
        lap(1, &mut t);
        let may = a.may_log_in(today);
        if let (Some(c), Some(org), true) = (q.customer_id, a.organization_id, may) {
            let partner = a.organization_kind == Some(OrganizationKind::Partner);
            access::customer_facts(&mut conn, a.id, org, partner, c).await?;
            lap(2, &mut t);
        }
        drop(conn);
        lap(3, &mut t);
        done += 1;
    }
    let secs = total.elapsed().as_secs_f64();
    let parts: Vec<String> = STEPS
        .iter()
        .zip(ms.iter().zip(&runs))
        .map(|(s, (m, r))| format!("{s} {:.3} ms ({r})", m / (*r).max(1) as f64))
        .collect();
    println!(
        "steps of a decision, mean over {done} ({:.3} ms each): {}",
        1000.0 * secs / done.max(1) as f64,
        parts.join(", ")
    );
    let start = Instant::now();
    let k = n.min(2000);
    for _ in 0..k {
        admit::usecases::apikeys::authenticate(cx, key, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .context("the bench's API key")?;
    }
    println!(
        "the API key's check of each request (hash, 1 query): {:.3} ms",
        1000.0 * start.elapsed().as_secs_f64() / k.max(1) as f64
    );
    Ok(())
}
