//! Queries for the back-channel logouts owed to clients: written in the transaction that ends a
//! portal session, then delivered like the outbox's e-mails.

use super::oidc_grants::EndedGrant;
use super::{Result, Tx};
use crate::exec_tx;

/// Queues a back-channel logout for each ended grant whose client has a back-channel logout URI.
pub async fn enqueue(tx: &mut Tx, ended: &[EndedGrant], now: i64) -> Result<u64> {
    let mut n = 0;
    for g in ended {
        n += exec_tx!(tx, |c| sqlx::query(
            "INSERT INTO oidc_logouts (client_id, account_id, sid, reason, status, attempts, \
             next_attempt_at, created_at, updated_at) \
             SELECT id, $1, $2, 'session_ended', 'queued', 0, $3, $3, $3 FROM oidc_clients \
             WHERE id = $4 AND backchannel_logout_uri IS NOT NULL"
        )
        .bind(g.account_id)
        .bind(&g.sid)
        .bind(now)
        .bind(g.client_id)
        .execute(c)
        .await)?;
    }
    Ok(n)
}
