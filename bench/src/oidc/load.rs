//! The load: workers, each on a keep-alive connection of its own, doing one kind of work one
//! request (or one login) after the other until the time is up; their latencies and rate.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::flow::{self, Client, Issuer, Person, Tokens};
use super::http::{Browser, Conn};
use crate::percentiles;

/// The people who log in, the password they all have, the clients they log in to.
pub(super) struct Logins {
    pub emails: Vec<String>,
    pub password: String,
    pub clients: Vec<Client>,
    pub redirect_uri: String,
    pub next: AtomicUsize,
}

impl Logins {
    /// The next login: a person, one of the first `clients` clients, and a client address of
    /// its own (10.x.y.z: the login limits per address stay out of the way, as with people
    /// at their own computers).
    fn next(&self, clients: usize) -> (usize, &Client, Person<'_>) {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let client = &self.clients[i % clients.clamp(1, self.clients.len())];
        let person = Person {
            email: &self.emails[i % self.emails.len()],
            password: &self.password,
            forwarded_for: Some(format!(
                "10.{}.{}.{}",
                (i >> 16) & 255,
                (i >> 8) & 255,
                i & 255
            )),
        };
        (i, client, person)
    }
}

/// One worker's work.
pub(super) enum Work {
    /// Complete logins with the first `clients` clients.
    Login {
        browser: Browser,
        logins: Arc<Logins>,
        clients: usize,
    },
    /// Refresh grants along one chain of refresh tokens.
    Refresh {
        conn: Conn,
        client: Client,
        refresh: String,
        access: String,
    },
    Userinfo {
        conn: Conn,
        access: String,
    },
    Introspect {
        conn: Conn,
        client: Client,
        access: String,
    },
}

impl Work {
    async fn step(&mut self, issuer: &Issuer) -> anyhow::Result<()> {
        match self {
            Work::Login {
                browser,
                logins,
                clients,
            } => {
                let (_, client, person) = logins.next(*clients);
                flow::code_flow(browser, issuer, client, &logins.redirect_uri, &person).await?;
            }
            Work::Refresh {
                conn,
                client,
                refresh,
                access,
            } => {
                let t = flow::refresh(conn, issuer, client, refresh).await?;
                *access = t.access;
                *refresh = t.refresh.unwrap_or_default();
            }
            Work::Userinfo { conn, access } => flow::userinfo(conn, issuer, access).await?,
            Work::Introspect {
                conn,
                client,
                access,
            } => flow::introspect(conn, issuer, client, access).await?,
        }
        Ok(())
    }
}

/// What a run measured.
pub(super) struct Run {
    /// Milliseconds per request (per login).
    pub times: Vec<f64>,
    pub secs: f64,
    pub failed: usize,
    pub first_error: Option<String>,
}

impl Run {
    pub fn rate(&self) -> f64 {
        self.times.len() as f64 / self.secs.max(1e-9)
    }

    /// `label: rate/s, p50, p99, max`, and the failures if any.
    pub fn line(&self, label: &str, unit: &str) -> String {
        let t = percentiles(self.times.clone());
        let mut s = format!(
            "{label}: {:.0} {unit}/s, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms ({} in {:.1} s)",
            self.rate(),
            t.p50,
            t.p99,
            t.max,
            self.times.len(),
            self.secs
        );
        if self.failed > 0 {
            s.push_str(&format!(
                "; {} FAILED, the first: {}",
                self.failed,
                self.first_error.as_deref().unwrap_or("?")
            ));
        }
        s
    }
}

/// Runs `works` at once for `seconds`; gives the measurements and the works back (a refresh
/// chain goes on from where it stopped). A worker stops at its first failure.
pub(super) async fn drive(
    issuer: &Issuer,
    works: Vec<Work>,
    seconds: f64,
) -> anyhow::Result<(Run, Vec<Work>)> {
    let issuer = Arc::new(issuer.clone());
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let handles: Vec<_> = works
        .into_iter()
        .map(|mut work| {
            let issuer = issuer.clone();
            tokio::spawn(async move {
                let mut times = Vec::new();
                let mut error = None;
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match work.step(&issuer).await {
                        Ok(()) => times.push(t.elapsed().as_secs_f64() * 1000.0),
                        Err(e) => {
                            error = Some(format!("{e:#}"));
                            break;
                        }
                    }
                }
                (times, error, work)
            })
        })
        .collect();
    let mut run = Run {
        times: Vec::new(),
        secs: 0.0,
        failed: 0,
        first_error: None,
    };
    let mut works = Vec::new();
    for h in handles {
        let (times, error, work) = h.await?;
        run.times.extend(times);
        if let Some(e) = error {
            run.failed += 1;
            run.first_error.get_or_insert(e);
        }
        works.push(work);
    }
    run.secs = start.elapsed().as_secs_f64();
    Ok((run, works))
}

/// `n` logins one after the other, each with client `k % clients`: their tokens.
pub(super) async fn tokens_for(
    issuer: &Issuer,
    addr: std::net::SocketAddr,
    logins: &Logins,
    n: usize,
) -> anyhow::Result<Vec<(Client, Tokens)>> {
    let mut browser = Browser::new(Conn::new(addr)?);
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let (_, _, person) = logins.next(logins.clients.len());
        let client = logins.clients[k % logins.clients.len()].clone();
        let t =
            flow::code_flow(&mut browser, issuer, &client, &logins.redirect_uri, &person).await?;
        anyhow::ensure!(t.refresh.is_some(), "a code exchange gave no refresh token");
        out.push((client, t));
    }
    Ok(out)
}
