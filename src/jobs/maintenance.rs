//! Housekeeping inside `admit serve`, every minute: expired and used link tokens (and expired
//! unsubscribe links, and OpenID Connect codes, requests, refresh tokens and ended grants past
//! their keeping time) are purged,
//! sessions past their end are removed, every session of an account that may no longer log in
//! (switched off, deactivated, past its valid-until day) ends, with an audit event, and quiet
//! rate-limit counters are forgotten; signing keys past their overlap retire. Every step is an
//! idempotent delete or update, so several processes on one PostgreSQL may run it at once.

use std::time::Duration;

use crate::metrics::Job;
use crate::storage::accounts as store;
use crate::usecases::staff::SessionPolicy;
use crate::usecases::{Actor, Ctx, Result, Target, record};

/// What one sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub tokens: u64,
    pub portal_sessions: u64,
    pub console_sessions: u64,
    pub accounts_ended: u64,
    pub counters: u64,
    /// Signing keys past their overlap, now out of the JWKS.
    pub keys_retired: u64,
}

pub async fn sweep(cx: &Ctx, policy: &SessionPolicy) -> Result<Swept> {
    let mut swept = Swept {
        console_sessions: crate::usecases::staff::purge_sessions(cx, policy).await?,
        ..Swept::default()
    };
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    swept.tokens = store::purge_tokens(&mut tx, now).await?;
    swept.counters = crate::usecases::limits::purge(&mut tx, now).await?;
    swept.tokens += crate::usecases::notifications::purge(&mut tx, now).await?;
    swept.tokens += crate::usecases::oidc::token::purge(&mut tx, now).await?;
    // Ended for a reason first, so that the audit log says so, then whatever has timed out.
    let today = crate::clock::today(now);
    let actor = Actor::system("expiry");
    for (id, email, portal, why) in store::sessions_to_end(&mut tx, today).await? {
        crate::storage::impersonations::set_end_reason_of_account(&mut tx, id, "account_barred")
            .await?;
        let n = crate::storage::sessions::delete_of(
            &mut tx,
            crate::storage::sessions::Kind::Portal,
            id,
            now,
        )
        .await?;
        if n == 0 {
            continue;
        }
        swept.accounts_ended += 1;
        swept.portal_sessions += n;
        record(
            &mut tx,
            now,
            &actor,
            "account.sessions_ended",
            Target {
                kind: "portal_account",
                id: Some(id),
                label: &format!("{email} on {portal}"),
            },
            None,
            Some(serde_json::json!({ "reason": why, "sessions": n })),
        )
        .await?;
    }
    swept.portal_sessions += crate::storage::sessions::purge(
        &mut tx,
        crate::storage::sessions::Kind::Portal,
        now,
        now - policy.idle_ms,
    )
    .await?;
    // The impersonations that ended with those sessions: recorded, and their people told.
    let settled = crate::usecases::impersonation::settle_in(&mut tx, &cx.mail, now).await?;
    tx.commit().await?;
    if settled > 0 {
        cx.mail_wakeup.notify_one();
        cx.logout_wakeup.notify_one();
    }
    swept.keys_retired = crate::usecases::oidc::key_rotation::retire_expired(cx)
        .await?
        .len() as u64;
    Ok(swept)
}

/// Runs [`sweep`] every `every` until the task is dropped.
pub async fn run(cx: Ctx, policy: SessionPolicy, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let swept = sweep(&cx, &policy).await;
        if swept.is_ok() {
            cx.metrics.job_succeeded(Job::Housekeeping, cx.now());
        }
        match swept {
            Ok(s) if s != Swept::default() => tracing::info!(
                tokens = s.tokens,
                portal_sessions = s.portal_sessions,
                console_sessions = s.console_sessions,
                accounts_ended = s.accounts_ended,
                counters = s.counters,
                keys_retired = s.keys_retired,
                "housekeeping"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
        }
    }
}
