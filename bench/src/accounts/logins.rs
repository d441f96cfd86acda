//! Password logins through the use case, beside the bare Argon2id verifications this machine
//! manages: the ceiling that logins are measured against.

use std::sync::Arc;
use std::time::Instant;

use admit::usecases::Ctx;
use admit::usecases::accounts::{PortalLogin, portal_login};

use crate::seed::BENCH_PASSWORD;

/// Bare Argon2id verifications per second, `threads` at a time for `seconds`, on the runtime's
/// blocking threads as the logins' verifications run.
pub(crate) async fn ceiling(seconds: f64, threads: usize) -> anyhow::Result<f64> {
    let hash = Arc::new(admit::security::passwords::hash_blocking(BENCH_PASSWORD)?);
    let deadline = Instant::now() + std::time::Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let tasks: Vec<_> = (0..threads)
        .map(|_| {
            let hash = hash.clone();
            tokio::task::spawn_blocking(move || {
                let mut k = 0usize;
                while Instant::now() < deadline {
                    if admit::security::passwords::verify_blocking(BENCH_PASSWORD, &hash) {
                        k += 1;
                    }
                }
                k
            })
        })
        .collect();
    let mut count = 0;
    for t in tasks {
        count += t.await?;
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}

/// Full portal logins per second through the use case, `concurrency` at a time, for `seconds`.
pub(super) async fn logins(
    cx: &Ctx,
    accounts: &[(i64, String)],
    seconds: f64,
    concurrency: usize,
) -> anyhow::Result<(f64, usize)> {
    let accounts = Arc::new(accounts.to_vec());
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let deadline = Instant::now() + std::time::Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let cx = cx.clone();
        let accounts = accounts.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut other) = (0usize, 0usize);
            while Instant::now() < deadline {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % accounts.len();
                let (portal_id, email) = &accounts[i];
                match portal_login(
                    &cx,
                    3_600_000,
                    *portal_id,
                    email,
                    BENCH_PASSWORD,
                    None,
                    // Many people log in, each from their own client: one client would be
                    // held back by the per-client login limit, as a flood should be.
                    Some(format!(
                        "10.{}.{}.{}",
                        (i >> 16) & 255,
                        (i >> 8) & 255,
                        i & 255
                    )),
                    Some("admit-bench".into()),
                    None,
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                {
                    PortalLogin::LoggedIn { .. } => ok += 1,
                    _ => other += 1,
                }
            }
            anyhow::Ok((ok, other))
        }));
    }
    let (mut ok, mut other) = (0, 0);
    for t in tasks {
        let (a, b) = t.await??;
        ok += a;
        other += b;
    }
    Ok((ok as f64 / start.elapsed().as_secs_f64(), other))
}
