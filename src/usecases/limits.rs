//! Rate limits and lockouts, counted in the database so that every Admit process on it counts
//! together. Keys name what is counted (`login-failures:{realm}:{address}:{client}`); they are
//! stored as hashes. Every attempt is checked and counted in one statement before any password
//! is hashed: attempts at once are counted one after the other, so exactly as many reach the
//! password check as the rule allows.
//!
//! A stranger's guesses must not lock the owner out: a browser that once logged in as an
//! address carries a device cookie, and for that address it is exempt from the address-wide
//! lock (and from its client's lock); it has a failure count of its own instead.

use super::{Actor, ActorKind, Ctx, Error, Result, Target, record};
use crate::domain::limits::Rule;
use crate::domain::staff::Scope;
use crate::security::tokens;
use crate::storage::Tx;
use crate::storage::limits::{self as store, Hit};

/// Days a device cookie lasts, and a browser is remembered after its last login.
pub const DEVICE_DAYS: i64 = 180;

fn hash(key: &str) -> String {
    tokens::hash_token(key)
}

fn too_many(until: i64, now: i64) -> Error {
    Error::TooMany {
        retry_after_s: ((until - now) / 1000).max(1),
    }
}

/// What a key counts, for the audit log (never the key itself: it holds addresses).
#[derive(Debug, Clone, Copy)]
struct Limit {
    name: &'static str,
    rule: &'static Rule,
}

const LOGIN_PER_CLIENT: Limit = Limit {
    name: "login attempts per client",
    rule: &Rule::LOGIN_PER_CLIENT,
};
const FAILURES: Limit = Limit {
    name: "failed logins per address and client",
    rule: &Rule::LOGIN_FAILURES,
};
const FAILURES_ON_DEVICE: Limit = Limit {
    name: "failed logins per address and device",
    rule: &Rule::LOGIN_FAILURES,
};
const FAILURES_ANYWHERE: Limit = Limit {
    name: "failed logins per address",
    rule: &Rule::LOGIN_FAILURES_ANYWHERE,
};
const MAIL_PER_CLIENT: Limit = Limit {
    name: "e-mail requests per client",
    rule: &Rule::MAIL_PER_CLIENT,
};
const MAIL_PER_ADDRESS: Limit = Limit {
    name: "e-mail requests per address",
    rule: &Rule::MAIL_PER_ADDRESS,
};

const SECRET_FAILURES: Limit = Limit {
    name: "wrong client secrets per client and address",
    rule: &Rule::LOGIN_FAILURES,
};

/// A client secret's check (the OpenID Connect token endpoint): only wrong secrets count, so
/// that an application's every request costs no write; while blocked, nothing is checked.
pub struct SecretCheck {
    key: String,
    what: String,
    client: String,
}

impl SecretCheck {
    pub fn new(client_id: &str, client_addr: Option<&str>) -> Self {
        let client = client(client_addr).to_string();
        SecretCheck {
            key: format!("secret-failures:{client_id}:{client}"),
            what: format!("the secret of client {client_id}"),
            client,
        }
    }

    /// The key whose block the caller reads (with the client, in one statement).
    pub fn key_hash(&self) -> String {
        hash(&self.key)
    }

    /// `TooMany` while wrong secrets from this address have blocked the client's checks:
    /// `blocked_until` is the block of [`SecretCheck::key_hash`] read at `now`.
    pub fn admit(&self, blocked_until: Option<i64>, now: i64) -> Result<()> {
        match blocked_until.filter(|until| *until > now) {
            Some(until) => Err(too_many(until, now)),
            None => Ok(()),
        }
    }

    /// Counts a wrong secret, in its own write; `TooMany` when it starts a block.
    pub async fn failed(&self, cx: &Ctx) -> Result<()> {
        let mut tx = cx.db.write().await?;
        let subject = Subject {
            client: &self.client,
            what: &self.what,
        };
        let counted = count(
            &mut tx,
            &[(self.key.clone(), SECRET_FAILURES)],
            cx.now(),
            &subject,
        )
        .await;
        committed(tx, counted).await
    }
}

/// Who is counted, for the audit log: the client, and what the attempt was for.
struct Subject<'a> {
    client: &'a str,
    what: &'a str,
}

/// Counts `keys` (in this order) for one attempt, in `tx`: `TooMany` at the first that is
/// blocked (the keys before it stay counted). The start of a block and the first refusal of
/// one are audited, nothing more: a flood writes one event per block.
async fn count(
    tx: &mut Tx,
    keys: &[(String, Limit)],
    now: i64,
    subject: &Subject<'_>,
) -> Result<()> {
    for (key, limit) in keys {
        match store::hit(tx, &hash(key), now, limit.rule).await? {
            Hit::Counted { blocks: false } => {}
            Hit::Counted { blocks: true } => {
                audit(tx, now, "security.locked_out", *limit, subject).await?
            }
            Hit::Refused { until, first } => {
                if first {
                    audit(tx, now, "security.throttled", *limit, subject).await?;
                }
                return Err(too_many(until, now));
            }
        }
    }
    Ok(())
}

async fn audit(
    tx: &mut Tx,
    now: i64,
    action: &str,
    limit: Limit,
    subject: &Subject<'_>,
) -> Result<()> {
    let actor = Actor {
        kind: ActorKind::System,
        id: None,
        label: subject.client.to_string(),
        scope: Scope::Areas(vec![]),
        admin: false,
        client_addr: Some(subject.client.to_string()),
        team: None,
    };
    let target = Target {
        kind: "limit",
        id: None,
        label: subject.what,
    };
    let after = serde_json::json!({ "limit": limit.name });
    record(tx, now, &actor, action, target, None, Some(after)).await
}

/// Commits `tx` whatever `result` is (the attempt was counted), then answers `result`.
async fn committed(tx: Tx, result: Result<()>) -> Result<()> {
    tx.commit().await?;
    result
}

/// The client a limit counts, when the address is unknown (a test, a socket without one).
pub fn client(addr: Option<&str>) -> &str {
    addr.unwrap_or("unknown")
}

/// A password check for `address` on `realm` (`portal:{id}` or `console`) from `client`,
/// with the browser's device cookie if it has one: a login, or the current password asked
/// before a change. Each is counted like a login.
pub struct PasswordCheck {
    realm: String,
    address: String,
    client: String,
    device: Option<String>,
}

/// What [`PasswordCheck::admit`] decided: whether the browser is one that logged in as the
/// address before.
#[derive(Debug, Clone, Copy)]
pub struct Admitted {
    known_device: bool,
}

impl PasswordCheck {
    pub fn new(
        realm: &str,
        address: &str,
        client_addr: Option<&str>,
        device: Option<&str>,
    ) -> Self {
        PasswordCheck {
            realm: realm.to_string(),
            address: address.trim().to_lowercase(),
            client: client(client_addr).to_string(),
            device: device
                .filter(|d| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()))
                .map(str::to_string),
        }
    }

    fn login_hash(&self) -> String {
        hash(&format!("login:{}:{}", self.realm, self.address))
    }

    /// The keys an attempt counts under, in the order they are counted: the client's
    /// attempts (any address), then the failures for the address from this device, or from
    /// this client and from anywhere.
    fn keys(&self, known_device: bool) -> Vec<(String, Limit)> {
        let (realm, address, client) = (&self.realm, &self.address, &self.client);
        let mut keys = vec![(format!("login-client:{client}"), LOGIN_PER_CLIENT)];
        match (&self.device, known_device) {
            (Some(device), true) => keys.push((
                format!("login-failures:{realm}:{address}:device:{}", hash(device)),
                FAILURES_ON_DEVICE,
            )),
            _ => {
                keys.push((
                    format!("login-failures:{realm}:{address}:{client}"),
                    FAILURES,
                ));
                keys.push((
                    format!("login-failures:{realm}:{address}"),
                    FAILURES_ANYWHERE,
                ));
            }
        }
        keys
    }

    /// Before the password is checked, in a write of its own: the attempt is counted as a
    /// failure under every key, each checked and counted in one statement; `TooMany` when a
    /// key is blocked, and no password is hashed then.
    pub async fn admit(&self, cx: &Ctx) -> Result<Admitted> {
        let mut tx = cx.db.write().await?;
        let now = cx.now();
        let known_device = match &self.device {
            Some(d) => store::device_known(&mut tx, &hash(d), &self.login_hash()).await?,
            None => false,
        };
        let what = format!("{} on {}", self.address, self.realm);
        let subject = Subject {
            client: &self.client,
            what: &what,
        };
        let counted = count(&mut tx, &self.keys(known_device), now, &subject).await;
        committed(tx, counted).await?;
        Ok(Admitted { known_device })
    }

    /// After the right password, in the write that records it: the failures this device or
    /// client counted are forgotten, the address-wide count gets this attempt back (the
    /// failures of others stay), and the browser is remembered as one that logged in as the
    /// address. The device cookie to set (a new one when the browser had none).
    pub async fn succeeded(&self, tx: &mut Tx, admitted: Admitted, now: i64) -> Result<String> {
        self.forgive(tx, admitted).await?;
        let device = self.device.clone().unwrap_or_else(tokens::new_token);
        store::remember_device(tx, &hash(&device), &self.login_hash(), now).await?;
        Ok(device)
    }
}

impl PasswordCheck {
    /// After the right password: the failures this device or client counted are forgotten,
    /// and the address-wide count gets this attempt back (the failures of others stay).
    pub async fn forgive(&self, tx: &mut Tx, admitted: Admitted) -> Result<()> {
        for (key, limit) in &self.keys(admitted.known_device)[1..] {
            if limit.name == FAILURES_ANYWHERE.name {
                store::refund(tx, &hash(key)).await?;
            } else {
                store::delete(tx, &hash(key)).await?;
            }
        }
        Ok(())
    }

    /// A check of the current password of a signed-in person before a change: counted like a
    /// login, before `verify` hashes anything; a wrong password is audited as `action` by
    /// `actor`. True when it was right.
    pub async fn current_password<F>(
        &self,
        cx: &Ctx,
        actor: &Actor,
        target: Target<'_>,
        action: &str,
        verify: F,
    ) -> Result<bool>
    where
        F: std::future::Future<Output = bool>,
    {
        let admitted = self.admit(cx).await?;
        let right = verify.await;
        let mut tx = cx.db.write().await?;
        if right {
            self.forgive(&mut tx, admitted).await?;
        } else {
            record(&mut tx, cx.now(), actor, action, target, None, None).await?;
        }
        tx.commit().await?;
        Ok(right)
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
    let address = address.trim().to_lowercase();
    let keys = [
        (format!("{what}-client:{client}"), MAIL_PER_CLIENT),
        (format!("{what}-address:{address}"), MAIL_PER_ADDRESS),
    ];
    let label = format!("{what}: {address}");
    let subject = Subject {
        client,
        what: &label,
    };
    count(tx, &keys, now, &subject).await
}

/// [`mail_request`] in a transaction of its own, committed whatever follows.
pub async fn count_mail_request(
    cx: &super::Ctx,
    what: &str,
    address: &str,
    client_addr: Option<&str>,
) -> Result<()> {
    let mut tx = cx.db.write().await?;
    let now = cx.now();
    let counted = mail_request(&mut tx, what, address, client(client_addr), now).await;
    committed(tx, counted).await
}

/// Forgets counters that have been quiet for a day, and browsers that have not logged in for
/// [`DEVICE_DAYS`].
pub async fn purge(tx: &mut Tx, now: i64) -> Result<u64> {
    let counters = store::purge(tx, now - 86_400_000, now).await?;
    let devices = store::purge_devices(tx, now - DEVICE_DAYS * 86_400_000).await?;
    Ok(counters + devices)
}

/// How long a refused request of one kind from one client is audited once.
pub const REFUSAL_WINDOW_MS: i64 = 10 * 60_000;

/// A request refused as `action` (`security.forbidden`, `security.csrf_refused`,
/// `security.unknown_api_key`) from `client`, for `what` (the method and path), by `who` if
/// known (an API key's prefix): audited with the client's address, the first of each kind
/// from a client in [`REFUSAL_WINDOW_MS`] only, so that a flood cannot fill the audit log.
pub async fn refused(
    cx: &Ctx,
    action: &str,
    client_addr: Option<&str>,
    what: &str,
    who: Option<&str>,
) -> Result<()> {
    let client = client(client_addr);
    let mut tx = cx.db.write().await?;
    let now = cx.now();
    let n = store::tally(
        &mut tx,
        &hash(&format!("refused:{action}:{client}")),
        now,
        REFUSAL_WINDOW_MS,
    )
    .await?;
    if n == 1 {
        let actor = Actor {
            kind: ActorKind::System,
            id: None,
            label: who.unwrap_or(client).to_string(),
            scope: Scope::Areas(vec![]),
            admin: false,
            client_addr: Some(client.to_string()),
            team: None,
        };
        let target = Target {
            kind: "request",
            id: None,
            label: what,
        };
        record(&mut tx, now, &actor, action, target, None, None).await?;
    }
    tx.commit().await?;
    Ok(())
}
