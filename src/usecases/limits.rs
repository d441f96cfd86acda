//! Rate limits and lockouts, counted in the database so that every Admit process on it counts
//! together. Keys name what is counted (`login-failures:{portal}:{address}:{client}`); they are
//! stored as hashes.

use super::{Error, Result};
use crate::domain::limits::Rule;
use crate::security::tokens;
use crate::storage::Tx;
use crate::storage::limits as store;

fn hash(key: &str) -> String {
    tokens::hash_token(key)
}

fn too_many(until: i64, now: i64) -> Error {
    Error::TooMany {
        retry_after_s: ((until - now) / 1000).max(1),
    }
}

/// Counts an attempt under `key`; `TooMany` when the key is blocked.
pub async fn hit(tx: &mut Tx, key: &str, now: i64, rule: &Rule) -> Result<()> {
    let h = hash(key);
    let counter = store::get(tx, &h).await?.unwrap_or_default();
    match counter.hit(now, rule) {
        Ok(next) => {
            store::put(tx, &h, &next).await?;
            Ok(())
        }
        Err(until) => Err(too_many(until, now)),
    }
}

/// `TooMany` when `key` is blocked at `now`; counts nothing.
pub async fn check(tx: &mut Tx, key: &str, now: i64) -> Result<()> {
    match store::get(tx, &hash(key)).await? {
        Some(c) => match c.blocked(now) {
            Some(until) => Err(too_many(until, now)),
            None => Ok(()),
        },
        None => Ok(()),
    }
}

/// Forgets `key` (a successful login clears its failures).
pub async fn clear(tx: &mut Tx, key: &str) -> Result<()> {
    Ok(store::delete(tx, &hash(key)).await?)
}

/// The client a limit counts, when the address is unknown (a test, a socket without one).
pub fn client(addr: Option<&str>) -> &str {
    addr.unwrap_or("unknown")
}

/// The keys of a login attempt for `address` on `realm` (`portal:{id}` or `console`) from
/// `client`: attempts per client, failures per address and client, failures per address.
pub struct LoginKeys {
    pub client: String,
    pub failures: String,
    pub failures_anywhere: String,
}

impl LoginKeys {
    pub fn new(realm: &str, address: &str, client: &str) -> Self {
        let address = address.trim().to_lowercase();
        LoginKeys {
            client: format!("login-client:{client}"),
            failures: format!("login-failures:{realm}:{address}:{client}"),
            failures_anywhere: format!("login-failures:{realm}:{address}"),
        }
    }

    /// Before the password is checked (a read): a blocked client or a locked address is
    /// refused without hashing anything.
    /// The answer says whether the address has failures counted, for [`LoginKeys::after`].
    pub async fn before(&self, tx: &mut Tx, now: i64) -> Result<Seen> {
        let hashes = [
            hash(&self.client),
            hash(&self.failures),
            hash(&self.failures_anywhere),
        ];
        let refs: Vec<&str> = hashes.iter().map(String::as_str).collect();
        let found = store::get_many(tx, &refs).await?;
        if let Some(until) = found.iter().filter_map(|(_, c)| c.blocked(now)).max() {
            return Err(too_many(until, now));
        }
        Ok(Seen {
            failures: found.iter().any(|(k, _)| *k != hashes[0]),
        })
    }

    /// After the password was checked, in the login's write: the attempt is counted for the
    /// client; a failure (a wrong password or an unknown address alike) for the address, a
    /// success forgets the address's failures (when [`LoginKeys::before`] saw any: a failure
    /// counted meanwhile by another attempt stays until its window passes). A block starts
    /// with the next attempt.
    pub async fn after(&self, tx: &mut Tx, now: i64, succeeded: bool, seen: Seen) -> Result<()> {
        let counted = hit(tx, &self.client, now, &Rule::LOGIN_PER_CLIENT).await;
        ignore_block(counted)?;
        if succeeded {
            if seen.failures {
                clear(tx, &self.failures).await?;
                clear(tx, &self.failures_anywhere).await?;
            }
            Ok(())
        } else {
            ignore_block(hit(tx, &self.failures, now, &Rule::LOGIN_FAILURES).await)?;
            let anywhere = &Rule::LOGIN_FAILURES_ANYWHERE;
            ignore_block(hit(tx, &self.failures_anywhere, now, anywhere).await)
        }
    }
}

/// What [`LoginKeys::before`] found.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    /// The address has failures counted.
    pub failures: bool,
}

/// An attempt already under way is not refused by a block that began meanwhile.
fn ignore_block(r: Result<()>) -> Result<()> {
    match r {
        Err(Error::TooMany { .. }) => Ok(()),
        other => other,
    }
}

/// A request that sends e-mail to `address` (registration, forgot password, a new link) from
/// `client`: counted per client and per address.
pub async fn mail_request(
    tx: &mut Tx,
    what: &str,
    address: &str,
    client: &str,
    now: i64,
) -> Result<()> {
    hit(
        tx,
        &format!("{what}-client:{client}"),
        now,
        &Rule::MAIL_PER_CLIENT,
    )
    .await?;
    hit(
        tx,
        &format!("{what}-address:{}", address.trim().to_lowercase()),
        now,
        &Rule::MAIL_PER_ADDRESS,
    )
    .await
}

/// [`mail_request`] in a transaction of its own, committed whatever follows.
pub async fn count_mail_request(
    cx: &super::Ctx,
    what: &str,
    address: &str,
    client_addr: Option<&str>,
) -> Result<()> {
    let mut tx = cx.db.write().await?;
    mail_request(&mut tx, what, address, client(client_addr), cx.now()).await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets counters that have been quiet for a day.
pub async fn purge(tx: &mut Tx, now: i64) -> Result<u64> {
    Ok(store::purge(tx, now - 86_400_000, now).await?)
}
