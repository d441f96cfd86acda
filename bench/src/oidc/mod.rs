//! `admit-bench oidc`: Admit's OpenID Connect provider beside oidc-provider (npm, Node 22, its
//! in-memory store; `bench/oidc`) in one run, over HTTP/1.1 on loopback, both with the same
//! confidential clients: complete code-flow logins per second (Admit's against the Argon2id
//! ceiling measured in alternating rounds), refresh grants with rotation at 1, 4 and 16 clients,
//! userinfo and introspection.

mod admit_side;
mod flow;
mod http;
mod load;
mod peer;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use crate::{cores, percentiles};
use flow::Issuer;
use load::{Logins, Run, Work, drive, tokens_for};

/// The one redirect URI of every client: nothing needs to listen there, the driver reads the
/// code from the redirect.
const REDIRECT_URI: &str = "http://127.0.0.1:9/cb";

/// What `admit-bench oidc` measures, and where.
pub struct OidcOptions {
    /// An empty database for Admit.
    pub database_url: String,
    /// Accounts that may log in.
    pub accounts: usize,
    /// Seconds per measurement of refresh, userinfo and introspection.
    pub seconds: f64,
    /// Seconds of logins per number of clients (and as many for Admit's Argon2id ceiling).
    pub login_seconds: f64,
    pub login_clients: Vec<usize>,
    pub refresh_clients: Vec<usize>,
    /// Workers for userinfo and introspection.
    pub read_clients: usize,
    /// `bench/oidc` (oidc-provider), or none to measure Admit alone.
    pub peer_dir: Option<PathBuf>,
    /// Measure only the peer (to check the driver against it).
    pub peer_only: bool,
}

/// One server under test.
struct Side {
    name: &'static str,
    issuer: Issuer,
    addr: std::net::SocketAddr,
    logins: Arc<Logins>,
    /// The server's own process, when it is not this one.
    pid: Option<u32>,
}

/// Processor use during a run: the server's process (when separate) and this one.
struct Cpu {
    server: f64,
    this: f64,
}

impl Cpu {
    fn now(side: &Side) -> Self {
        Cpu {
            server: side.pid.map(peer::cpu_seconds).unwrap_or(0.0),
            this: peer::cpu_seconds(std::process::id()),
        }
    }

    fn since(&self, side: &Side, secs: f64) -> String {
        let now = Cpu::now(side);
        let this = (now.this - self.this) / secs;
        match side.pid {
            Some(_) => format!(
                "cpu: server {:.2} cores, driver {this:.2}",
                (now.server - self.server) / secs
            ),
            None => format!("cpu: server and driver {this:.2} cores"),
        }
    }
}

async fn measured(
    side: &Side,
    works: Vec<Work>,
    seconds: f64,
) -> anyhow::Result<(Run, Vec<Work>, String)> {
    let cpu = Cpu::now(side);
    let (run, works) = drive(&side.issuer, works, seconds).await?;
    let used = cpu.since(side, run.secs);
    Ok((run, works, used))
}

fn login_works(side: &Side, n: usize) -> anyhow::Result<Vec<Work>> {
    (0..n)
        .map(|_| {
            Ok(Work::Login {
                browser: http::Browser::new(http::Conn::new(side.addr)?),
                logins: side.logins.clone(),
                clients: n,
            })
        })
        .collect()
}

pub async fn run(o: OidcOptions) -> anyhow::Result<()> {
    let cores = cores();
    let max_clients = o
        .refresh_clients
        .iter()
        .chain(&o.login_clients)
        .copied()
        .chain([o.read_clients, 1])
        .max()
        .unwrap_or(16);

    // Admit: its database, the portal, accounts and clients, the application.
    let opened = if o.peer_only {
        None
    } else {
        Some(crate::open(&o.database_url).await?)
    };
    let mut sides = Vec::new();
    let mut running = None;
    let mut emails: Vec<String> = (0..o.accounts.max(1))
        .map(|i| format!("person.{i}@bench.example.com"))
        .collect();
    if let Some(op) = &opened {
        anyhow::ensure!(
            op.empty,
            "the database already has portal accounts: give an empty one"
        );
        let seeded = admit_side::seed(&op.cx, o.accounts.max(1), max_clients, REDIRECT_URI).await?;
        emails = seeded.emails.clone();
        let r = admit_side::start(&op.config, op.db.clone()).await?;
        let issuer_url = format!("{}/portal/{}", r.base, seeded.portal_id);
        let addr = http::resolve(http::split_url(&r.base)?.origin).await?;
        running = Some(r);
        sides.push(Side {
            name: "Admit",
            issuer: Issuer::discover(&issuer_url).await?,
            addr,
            logins: Arc::new(Logins {
                emails: seeded.emails,
                password: crate::seed::BENCH_PASSWORD.into(),
                clients: seeded.clients,
                redirect_uri: REDIRECT_URI.into(),
                next: AtomicUsize::new(0),
            }),
            pid: None,
        });
    }
    // oidc-provider: the same clients, the same people (any address is an account there).
    let peer = match &o.peer_dir {
        Some(dir) => Some(peer::Peer::start(dir, max_clients, REDIRECT_URI)?),
        None => None,
    };
    if let Some(p) = &peer {
        let addr = http::resolve(http::split_url(&p.issuer)?.origin).await?;
        sides.push(Side {
            name: "oidc-provider",
            issuer: Issuer::discover(&p.issuer).await?,
            addr,
            logins: Arc::new(Logins {
                emails,
                password: "not checked".into(),
                clients: peer::clients(max_clients),
                redirect_uri: REDIRECT_URI.into(),
                next: AtomicUsize::new(0),
            }),
            pid: Some(p.pid()),
        });
    }
    anyhow::ensure!(!sides.is_empty(), "nothing to measure");
    println!(
        "admit-bench oidc: {}, {cores} cores; {} accounts, {max_clients} confidential clients (client_secret_basic, PKCE S256); HTTP/1.1 on loopback, a keep-alive connection per worker",
        opened
            .as_ref()
            .map(|o| o.engine.as_str())
            .unwrap_or("oidc-provider only"),
        o.accounts
    );
    for s in &sides {
        println!("{}: issuer {}", s.name, s.issuer.issuer);
    }

    // (a) Complete code-flow logins; Admit's against the Argon2id ceiling, in alternating
    // rounds of about two seconds (other work on the machine weighs on both alike).
    for &n in &o.login_clients {
        for side in &sides {
            if side.pid.is_some() {
                let (run, _, cpu) = measured(side, login_works(side, n)?, o.login_seconds).await?;
                println!(
                    "{}",
                    run.line(
                        &format!("{}: code-flow logins, {n} at once", side.name),
                        "logins"
                    ) + &format!("; {cpu}")
                );
                continue;
            }
            let rounds = ((o.login_seconds / 2.0).round() as usize).max(1);
            let slice = o.login_seconds / rounds as f64;
            let (mut verified, mut all, mut shares) = (0.0, Vec::new(), Vec::new());
            let mut failed = (0, None);
            let mut secs = 0.0;
            for _ in 0..rounds {
                let c = crate::accounts::logins::ceiling(slice, cores).await?;
                let (run, _) = drive(&side.issuer, login_works(side, n)?, slice).await?;
                verified += c * slice;
                shares.push(100.0 * run.rate() / c);
                secs += run.secs;
                failed.0 += run.failed;
                if failed.1.is_none() {
                    failed.1 = run.first_error;
                }
                all.extend(run.times);
            }
            let run = Run {
                times: all,
                secs,
                failed: failed.0,
                first_error: failed.1,
            };
            let ceiling = verified / (slice * rounds as f64);
            let median = percentiles(shares.clone()).p50;
            println!(
                "{}",
                run.line(
                    &format!("{}: code-flow logins, {n} at once", side.name),
                    "logins"
                )
            );
            println!(
                "  argon2id ceiling {ceiling:.1} verifications/s ({cores} threads): logins {:.1}% of it; median of the rounds {median:.1}% ({rounds} rounds of {slice:.1} s: {})",
                100.0 * run.rate() / ceiling,
                shares
                    .iter()
                    .map(|s| format!("{s:.0}%"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }

    // (b) Refresh grants, each worker along its own chain of refresh tokens, from logins made
    // just before (oidc-provider's in-memory store keeps its latest 1,000 entries only: older
    // chains would be gone).
    let mut rates: Vec<(&str, &str, usize, f64, f64)> = Vec::new();
    let warm = (o.seconds / 4.0).min(2.0);
    for (k, &n) in o.refresh_clients.iter().enumerate() {
        for side in &sides {
            let mut works = Vec::with_capacity(n);
            for (client, t) in tokens_for(&side.issuer, side.addr, &side.logins, n).await? {
                works.push(Work::Refresh {
                    conn: http::Conn::new(side.addr)?,
                    client,
                    refresh: t.refresh.unwrap_or_default(),
                    access: t.access,
                });
            }
            if k == 0 {
                works = drive(&side.issuer, works, warm).await?.1;
            }
            // Every rotation is durable: the disk's flush time now bounds a single writer.
            let disk = if side.pid.is_none() {
                let (p50, p99) = peer::fsync_probe(100).await?;
                format!("; a 4 KiB fdatasync just before: p50 {p50:.2} ms, p99 {p99:.2} ms")
            } else {
                String::new()
            };
            let (run, _, cpu) = measured(side, works, o.seconds).await?;
            println!(
                "{}",
                run.line(
                    &format!("{}: refresh grants, {n} clients", side.name),
                    "grants"
                ) + &format!("; {cpu}{disk}")
            );
            let t = percentiles(run.times.clone());
            rates.push((side.name, "refresh", n, run.rate(), t.p99));
        }
    }

    // (c) Userinfo and introspection, with the access tokens of new logins.
    let n = o.read_clients.max(1);
    for what in ["userinfo", "introspection"] {
        for side in &sides {
            let mut works = Vec::with_capacity(n);
            for (client, t) in tokens_for(&side.issuer, side.addr, &side.logins, n).await? {
                let conn = http::Conn::new(side.addr)?;
                works.push(if what == "userinfo" {
                    Work::Userinfo {
                        conn,
                        access: t.access,
                    }
                } else {
                    Work::Introspect {
                        conn,
                        client,
                        access: t.access,
                    }
                });
            }
            let (_, works) = drive(&side.issuer, works, warm).await?;
            let (run, _, cpu) = measured(side, works, o.seconds).await?;
            println!(
                "{}",
                run.line(&format!("{}: {what}, {n} clients", side.name), "requests")
                    + &format!("; {cpu}")
            );
            let t = percentiles(run.times.clone());
            rates.push((side.name, what, n, run.rate(), t.p99));
        }
    }

    // Admit beside oidc-provider.
    if sides.len() == 2 {
        let mut parts = Vec::new();
        for (name, what, n, rate, p99) in &rates {
            if *name != "Admit" {
                continue;
            }
            if let Some((_, _, _, peer_rate, _)) = rates
                .iter()
                .find(|r| r.0 != "Admit" && r.1 == *what && r.2 == *n)
            {
                parts.push(format!(
                    "{what} at {n}: {:.1}x (p99 {p99:.2} ms)",
                    rate / peer_rate.max(1e-9)
                ));
            }
        }
        println!("Admit / oidc-provider: {}", parts.join("; "));
    }

    if let Some(r) = running {
        r.stop().await?;
    }
    if let Some(op) = opened {
        op.db.close().await;
    }
    drop(peer);
    Ok(())
}
