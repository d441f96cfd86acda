//! The scrape of `/metrics`: the figures kept in memory, and the outbox read at that moment.

use super::{Ctx, Result};
pub use crate::metrics::LoginKind;
use crate::metrics::{LoginOutcome, OutboxGauge};
use crate::storage::outbox;

/// The figures in Prometheus' text format.
pub async fn scrape(cx: &Ctx) -> Result<String> {
    let (pending, oldest) = {
        let mut tx = cx.db.read().await?;
        outbox::pending(&mut tx).await?
    };
    let gauge = OutboxGauge {
        pending,
        oldest_age_seconds: oldest.map_or(0, |t| (cx.now() - t).max(0) / 1000),
    };
    Ok(cx.metrics.render(gauge))
}

/// Counts a login attempt by its outcome: `logged_in` tells a success from a refusal; a
/// refusal for too many attempts is `throttled`; an error of Admit's own is no outcome.
pub fn count_login<T>(
    cx: &Ctx,
    kind: LoginKind,
    result: &Result<T>,
    logged_in: impl FnOnce(&T) -> bool,
) {
    let outcome = match result {
        Ok(r) if logged_in(r) => LoginOutcome::Success,
        Ok(_) => LoginOutcome::Failure,
        Err(super::Error::TooMany { .. }) => LoginOutcome::Throttled,
        Err(_) => return,
    };
    cx.metrics.login(kind, outcome);
}
