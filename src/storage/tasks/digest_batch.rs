//! A digest run's writes for a whole batch of subscriptions: their next due times, the periods
//! taken, and what each digest held, each in one statement per batch (not one per person).

use std::collections::BTreeSet;

use sqlx::QueryBuilder;

use super::super::{Result, Tx};
use crate::{exec_tx, on_tx};

/// Most rows in one statement.
const ROWS: usize = 500;

/// Sets each subscription's next due time (`(subscription, next due)`; none: not due again).
pub async fn set_next_due_all(tx: &mut Tx, rows: &[(i64, Option<i64>)]) -> Result<()> {
    for part in rows.chunks(ROWS) {
        exec_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "UPDATE digest_subscriptions SET next_due_at = v.column2 FROM (VALUES ",
            );
            for (i, (id, at)) in part.iter().enumerate() {
                qb.push(if i == 0 { "(CAST(" } else { ", (CAST(" });
                qb.push_bind(*id).push(" AS BIGINT), CAST(");
                qb.push_bind(*at).push(" AS BIGINT))");
            }
            qb.push(") AS v WHERE digest_subscriptions.id = v.column1");
            qb.build().execute(c).await
        })?;
    }
    Ok(())
}

/// Takes each subscription's period (`(subscription, period, due at)`): returns the
/// subscriptions whose period this call took; the others' digests were made before.
pub async fn claim_periods(
    tx: &mut Tx,
    rows: &[(i64, String, i64)],
    now: i64,
) -> Result<BTreeSet<i64>> {
    let mut taken = BTreeSet::new();
    for part in rows.chunks(ROWS) {
        let ids: Vec<i64> = on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO digests (subscription_id, period, due_at, made_at, tasks) ",
            );
            qb.push_values(part, |mut b, (id, period, due_at)| {
                b.push_bind(*id)
                    .push_bind(period.as_str())
                    .push_bind(*due_at)
                    .push_bind(now)
                    .push("0");
            });
            qb.push(" ON CONFLICT (subscription_id, period) DO NOTHING RETURNING subscription_id");
            qb.build_query_scalar().fetch_all(c).await
        })?;
        taken.extend(ids);
    }
    Ok(taken)
}

/// Records what each period's digest held and which message carries it
/// (`(subscription, period, tasks, outbox message)`).
pub async fn record_digests(tx: &mut Tx, rows: &[(i64, String, i64, i64)]) -> Result<()> {
    for part in rows.chunks(ROWS) {
        exec_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "UPDATE digests SET tasks = v.column3, outbox_id = v.column4 FROM (VALUES ",
            );
            for (i, (id, period, tasks, outbox)) in part.iter().enumerate() {
                qb.push(if i == 0 { "(CAST(" } else { ", (CAST(" });
                qb.push_bind(*id).push(" AS BIGINT), CAST(");
                qb.push_bind(period.as_str()).push(" AS TEXT), CAST(");
                qb.push_bind(*tasks).push(" AS BIGINT), CAST(");
                qb.push_bind(*outbox).push(" AS BIGINT))");
            }
            qb.push(
                ") AS v WHERE digests.subscription_id = v.column1 AND digests.period = v.column2",
            );
            qb.build().execute(c).await
        })?;
    }
    Ok(())
}
