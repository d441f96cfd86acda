//! `admit-bench`: Admit's benchmarks on this machine.
//!
//! ```text
//! cargo run --release -p admit-bench -- <accounts|access|digests|mail|oidc> [OPTIONS]
//! ```
#![forbid(unsafe_code)]

use std::path::PathBuf;

use admit_bench::access::AccessSize;
use admit_bench::digests::DigestSize;
use clap::{Parser, Subcommand};

/// The allocator of the `admit` binary, so that Admit runs here as it is shipped.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "admit-bench", about = "Measurements of Admit on this machine")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Enqueue throughput, and delivery throughput to an SMTP server on this machine.
    Mail {
        /// The SMTP server's port on 127.0.0.1 (plain SMTP).
        #[arg(long)]
        smtp_port: u16,
        /// The database (default: a new SQLite file in a temporary folder).
        #[arg(long)]
        database_url: Option<String>,
        #[arg(long, default_value_t = 100_000)]
        enqueue: usize,
        #[arg(long, default_value_t = 2_000)]
        send: usize,
        /// Numbers of SMTP connections to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,4,8")]
        connections: Vec<u32>,
    },
    /// The access list with many portal accounts: generates them, times the first page of
    /// each filter, then password logins per second against the Argon2id ceiling.
    Accounts {
        /// An empty database (default: a new SQLite file in a temporary folder).
        #[arg(long)]
        database_url: Option<String>,
        /// How many portal accounts to generate.
        #[arg(long, default_value_t = 1_000_000)]
        accounts: usize,
        /// Measure the accounts already in the database (made by an earlier run) instead.
        #[arg(long, requires = "database_url")]
        existing: bool,
        /// How many times to read each filter's first page.
        #[arg(long, default_value_t = 100)]
        runs: usize,
        /// Seconds to measure logins, and as many for the ceiling (in alternating rounds of
        /// about two seconds).
        #[arg(long, default_value_t = 60.0)]
        login_seconds: f64,
        /// How many people log in at once, each from a client of their own. Fewer than a few
        /// per core leave the hashing idle while logins wait for the database.
        #[arg(long, default_value_t = 32)]
        login_clients: usize,
    },
    /// The access decision with many accounts, organizations and customer assignments:
    /// generates them, then times decisions in process and over HTTP on loopback.
    Access {
        /// An empty database (default: a new SQLite file in a temporary folder).
        #[arg(long)]
        database_url: Option<String>,
        /// How many portal accounts to generate.
        #[arg(long, default_value_t = 1_000_000)]
        accounts: usize,
        /// How many organizations (a tenth of them partners).
        #[arg(long, default_value_t = 50_000)]
        organizations: usize,
        /// How many customer assignments of users.
        #[arg(long, default_value_t = 10_000_000)]
        assignments: usize,
        /// Measure the data already in the database (made by an earlier run) instead.
        #[arg(long, requires = "database_url")]
        existing: bool,
        /// Seconds per measurement.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// In-process decisions at once, besides one.
        #[arg(long, default_value_t = 8)]
        tasks: usize,
        /// Numbers of HTTP connections to measure, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,4,16")]
        connections: Vec<usize>,
        /// Accounts of a small database, generated in the same way and measured beside the
        /// large one (0: none). On PostgreSQL only with --small-database-url.
        #[arg(long, default_value_t = 10_000)]
        small_accounts: usize,
        /// An empty database for the small one (default on SQLite: a temporary file).
        #[arg(long)]
        small_database_url: Option<String>,
    },
    /// One Monday's weekly digests: generates people, their directory and open tasks, then
    /// times computing and enqueueing every digest that is due.
    Digests {
        /// An empty database (default: a new SQLite file in a temporary folder).
        #[arg(long)]
        database_url: Option<String>,
        /// How many people with weekly digests (one portal account each).
        #[arg(long, default_value_t = 100_000)]
        people: usize,
        /// How many open tasks.
        #[arg(long, default_value_t = 1_000_000)]
        tasks: usize,
        /// Measure the data already in the database (made by an earlier run) again.
        #[arg(long, requires = "database_url")]
        existing: bool,
        /// Subscriptions per transaction.
        #[arg(long, default_value_t = admit::jobs::digests::BATCH)]
        batch: i64,
        /// Task upserts per second through the tasks' use case during the run, one at a time
        /// (their times are printed); 0: none.
        #[arg(long, default_value_t = 20)]
        upserts_per_second: u32,
    },
    /// The OpenID Connect provider beside oidc-provider (bench/oidc, `npm ci` there first) in
    /// one run: code-flow logins against the Argon2id ceiling, refresh grants, userinfo and
    /// introspection, over HTTP on loopback.
    Oidc {
        /// An empty database for Admit (default: a new SQLite file in a temporary folder).
        #[arg(long)]
        database_url: Option<String>,
        /// Portal accounts that may log in.
        #[arg(long, default_value_t = 2_000)]
        accounts: usize,
        /// Seconds per measurement of refresh grants, userinfo and introspection.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Seconds of logins per number of clients (Admit: as many again for the Argon2id
        /// ceiling, in alternating rounds of about two seconds).
        #[arg(long, default_value_t = 20.0)]
        login_seconds: f64,
        /// Logins at once (each from a browser of its own), comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "4,16")]
        login_clients: Vec<usize>,
        /// Clients refreshing at once, each along its own chain, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,4,16")]
        refresh_clients: Vec<usize>,
        /// Clients asking userinfo and introspection at once.
        #[arg(long, default_value_t = 4)]
        read_clients: usize,
        /// The oidc-provider project (bench/oidc).
        #[arg(long, default_value = "bench/oidc")]
        peer_dir: PathBuf,
        /// Measure Admit alone.
        #[arg(long, conflicts_with = "peer_only")]
        no_peer: bool,
        /// Measure oidc-provider alone (checks the driver).
        #[arg(long)]
        peer_only: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    run(Cli::parse().command).await
}

async fn run(command: Command) -> anyhow::Result<()> {
    let dir = ScratchDir::new()?;
    match command {
        Command::Mail {
            smtp_port,
            database_url,
            enqueue,
            send,
            connections,
        } => {
            let url = database_url.unwrap_or_else(|| dir.sqlite("bench.db"));
            admit_bench::mail::run(&url, smtp_port, enqueue, send, &connections).await
        }
        Command::Accounts {
            database_url,
            accounts,
            existing,
            runs,
            login_seconds,
            login_clients,
        } => {
            let url = database_url.unwrap_or_else(|| dir.sqlite("bench.db"));
            admit_bench::accounts::run(&url, accounts, existing, runs, login_seconds, login_clients)
                .await
        }
        Command::Access {
            database_url,
            accounts,
            organizations,
            assignments,
            existing,
            seconds,
            tasks,
            connections,
            small_accounts,
            small_database_url,
        } => {
            let url = database_url.unwrap_or_else(|| dir.sqlite("bench.db"));
            let small_url = small_database_url
                .or_else(|| url.starts_with("sqlite:").then(|| dir.sqlite("small.db")));
            admit_bench::access::run(
                &url,
                AccessSize {
                    accounts,
                    organizations,
                    assignments,
                },
                existing,
                seconds,
                tasks,
                &connections,
                small_url
                    .filter(|_| small_accounts > 0)
                    .map(|u| (u, small_accounts)),
            )
            .await
        }
        Command::Digests {
            database_url,
            people,
            tasks,
            existing,
            batch,
            upserts_per_second,
        } => {
            let url = database_url.unwrap_or_else(|| dir.sqlite("digests.db"));
            let size = DigestSize { people, tasks };
            admit_bench::digests::run(&url, size, existing, batch, upserts_per_second).await
        }
        Command::Oidc {
            database_url,
            accounts,
            seconds,
            login_seconds,
            login_clients,
            refresh_clients,
            read_clients,
            peer_dir,
            no_peer,
            peer_only,
        } => {
            admit_bench::oidc::run(admit_bench::oidc::OidcOptions {
                database_url: database_url.unwrap_or_else(|| dir.sqlite("oidc.db")),
                accounts,
                seconds,
                login_seconds,
                login_clients,
                refresh_clients,
                read_clients,
                peer_dir: (!no_peer).then_some(peer_dir),
                peer_only,
            })
            .await
        }
    }
}

/// The scratch directory of a benchmark's default SQLite databases, removed when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> std::io::Result<Self> {
        let dir = std::env::temp_dir().join(format!("admit-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(ScratchDir(dir))
    }

    /// The URL of a SQLite database `file` in the directory.
    fn sqlite(&self, file: &str) -> String {
        format!("sqlite://{}", self.0.join(file).display())
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
