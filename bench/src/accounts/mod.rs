//! `admit-bench accounts`: the access list with many portal accounts. Generates them, times the
//! first page of each filter, then password logins per second against the Argon2id ceiling.

mod generate;
pub(crate) mod logins;

use std::time::Instant;

use admit::domain::account::{Approval, Assignment, Lifecycle, Registration, Role};
use admit::domain::directory::PortalKind;
use admit::domain::staff::Scope;
use admit::storage::accounts::{AccountFilter, ValidUntilFilter};
use admit::storage::directory;
use admit::usecases::Ctx;
use anyhow::Context;

use crate::{bulk, cores, percentiles};

/// What the measurements need to know of the data, read from the database.
struct Facts {
    accounts: i64,
    portals: Vec<(i64, String)>,
    areas: Vec<i64>,
    loginable: Vec<(i64, String)>,
    /// An address in the middle of the table: a rare term, and a keyset position.
    middle_email: String,
    largest_org: (i64, i64),
    median_org: (i64, i64),
}

async fn facts(cx: &Ctx) -> anyhow::Result<Facts> {
    let mut tx = cx.db.read().await?;
    let (accounts, middle) = bulk::middle_account(&mut tx).await?;
    let sizes = bulk::organization_sizes(&mut tx).await?;
    let facts = Facts {
        accounts,
        portals: directory::list_portals(&mut tx)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect(),
        areas: directory::list_areas(&mut tx)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect(),
        loginable: bulk::loginable(&mut tx, admit::clock::today(cx.now()), 2000).await?,
        middle_email: middle.context("the database has no portal accounts")?,
        largest_org: sizes.first().copied().unwrap_or((0, 0)),
        median_org: sizes.get(sizes.len() / 2).copied().unwrap_or((0, 0)),
    };
    Ok(facts)
}

/// Generates `n` portal accounts (with their organizations and contacts) into an empty
/// database, then times the first page of the access list for each filter `runs` times, then
/// password logins per second against the Argon2id ceiling of this machine.
pub async fn run(
    database_url: &str,
    n: usize,
    existing: bool,
    runs: usize,
    login_seconds: f64,
    login_clients: usize,
) -> anyhow::Result<()> {
    let crate::Opened {
        db,
        cx,
        engine,
        empty,
        ..
    } = crate::open(database_url).await?;
    let cores = cores();
    if existing {
        anyhow::ensure!(!empty, "--existing: the database has no portal accounts");
        println!("admit-bench accounts: {engine}, {cores} cores, the accounts already there");
    } else {
        anyhow::ensure!(
            empty,
            "the database already has portal accounts: give an empty one (or --existing)"
        );
        println!("admit-bench accounts: {engine}, {cores} cores, {n} accounts");
        let start = Instant::now();
        let g = generate::generate(&cx, n).await?;
        let generate_secs = start.elapsed().as_secs_f64();
        let start = Instant::now();
        bulk::refresh_statistics(&cx.db).await?;
        let stats_secs = start.elapsed().as_secs_f64();
        println!(
            "generate: {} accounts, {} contacts, {} organizations in {generate_secs:.1} s ({:.0} accounts/s, transactions of 50,000); statistics {stats_secs:.1} s",
            g.accounts,
            g.contacts,
            g.organizations,
            g.accounts as f64 / generate_secs
        );
        let share = |k: &str| {
            let v = g.mix.get(k).copied().unwrap_or(0);
            format!("{k} {:.1}%", 100.0 * v as f64 / g.accounts.max(1) as f64)
        };
        println!(
            "mix: {}",
            g.mix
                .keys()
                .map(|k| share(k))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let g = facts(&cx).await?;
    println!(
        "data: {} accounts; largest organization {} accounts, median {}; {} accounts that may log in sampled",
        g.accounts,
        g.largest_org.1,
        g.median_org.1,
        g.loginable.len()
    );

    // The filters of the access list, one at a time.
    let today = admit::clock::today(cx.now());
    let mut cases: Vec<(String, Scope, AccountFilter)> = Vec::new();
    let mut case = |label: String, change: &dyn Fn(&mut AccountFilter)| {
        let mut f = AccountFilter {
            limit: 50,
            ..Default::default()
        };
        change(&mut f);
        cases.push((label, Scope::All, f));
    };
    case("none".into(), &|_| {});
    for (id, name) in &g.portals {
        case(format!("portal={name}"), &|f| f.portal_id = Some(*id));
    }
    for &s in PortalKind::ALL {
        case(format!("source={s}"), &|f| f.source = Some(s));
    }
    for &r in Registration::ALL {
        case(format!("registration={r}"), &|f| f.registration = Some(r));
    }
    for &a in Approval::ALL {
        case(format!("approval={a}"), &|f| f.approval = Some(a));
    }
    for &a in Assignment::ALL {
        case(format!("assignment={a}"), &|f| f.assignment = Some(a));
    }
    for (label, v) in [("granted", true), ("off", false)] {
        case(format!("access={label}"), &|f| f.access_granted = Some(v));
    }
    for &l in Lifecycle::ALL {
        case(format!("lifecycle={l}"), &|f| f.lifecycle = Some(l));
    }
    for &r in Role::ALL {
        case(format!("role={r}"), &|f| f.role = Some(r));
    }
    for (label, (id, size)) in [("largest", g.largest_org), ("median", g.median_org)] {
        case(format!("organization={label} ({size} accounts)"), &|f| {
            f.organization_id = Some(id)
        });
    }
    for (label, v) in [
        ("set", ValidUntilFilter::Set),
        ("none", ValidUntilFilter::None),
        ("past", ValidUntilFilter::Past { today }),
    ] {
        case(format!("valid_until={label}"), &|f| f.valid_until = Some(v));
    }
    for (label, term) in [
        ("rare: an address", g.middle_email.as_str()),
        ("common: a surname", "schmidt"),
        ("common: a first name", "thomas"),
        ("very common", ".de"),
        ("two letters", "ro"),
    ] {
        case(format!("q={term} ({label})"), &|f| f.q = Some(term.into()));
    }
    case("next page from the middle (keyset)".into(), &|f| {
        f.after = Some((g.middle_email.clone(), 0))
    });
    cases.push((
        "supervisor of one area".into(),
        Scope::Areas(g.areas.first().copied().into_iter().collect()),
        AccountFilter {
            limit: 50,
            ..Default::default()
        },
    ));

    let mut worst: (f64, String) = (0.0, String::new());
    for (label, scope, filter) in &cases {
        let mut times = Vec::with_capacity(runs);
        let mut rows = 0;
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            let mut tx = cx.db.read().await?;
            let page = admit::storage::accounts::list(&mut tx, scope, filter).await?;
            drop(tx);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            rows = page.items.len();
        }
        let t = percentiles(times);
        if t.p95 > worst.0 {
            worst = (t.p95, label.clone());
        }
        println!(
            "list {label}: {rows} rows, p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({runs} runs)",
            t.p50, t.p95, t.max
        );
    }
    println!("list: slowest p95 {:.2} ms ({})", worst.0, worst.1);

    // Password logins against the Argon2id ceiling, in alternating rounds so that whatever
    // else runs on the machine weighs on both alike.
    anyhow::ensure!(!g.loginable.is_empty(), "no generated account may log in");
    // Rounds of about two seconds: this machine's speed drifts (other machines share its
    // cores), and short alternating rounds see the same drift on both sides.
    let rounds = ((login_seconds / 2.0).round() as usize).max(1);
    let slice = login_seconds / rounds as f64;
    let (mut verified, mut logged_in, mut refused, mut secs) = (0.0, 0.0, 0, 0.0);
    let mut per_round: Vec<f64> = Vec::new();
    for _ in 0..rounds {
        let c = logins::ceiling(slice, cores).await?;
        let (l, r) = logins::logins(&cx, &g.loginable, slice, login_clients.max(1)).await?;
        verified += c * slice;
        logged_in += l * slice;
        refused += r;
        secs += slice;
        per_round.push(100.0 * l / c);
    }
    let ceiling = verified / secs;
    let login_rate = logged_in / secs;
    println!(
        "argon2id ceiling: {ceiling:.1} verifications/s ({cores} threads, m=19456 KiB t=2 p=1)"
    );
    let shown: Vec<String> = per_round.iter().map(|r| format!("{r:.0}%")).collect();
    let median = percentiles(per_round).p50;
    println!(
        "portal logins: {login_rate:.1} logins/s ({} at once, {refused} not logged in): {:.1}% of the ceiling; median of the rounds {median:.1}% ({rounds} rounds of {slice:.1} s each: {})",
        login_clients.max(1),
        100.0 * login_rate / ceiling,
        shown.join(", ")
    );
    db.close().await;
    Ok(())
}
