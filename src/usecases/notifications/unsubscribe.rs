//! The one-click unsubscribe link of a digest (RFC 8058): minted as the message is sent (only
//! its hash is stored), shown on a page that asks, and used by a POST without cookies.

use serde::Serialize;
use serde_json::json;

use super::super::{Actor, Ctx, Result, Target, record};
use super::preferences::{Person, person_of, target_of};
use super::*;
use crate::domain::directory::Language;
use crate::security::tokens;
use crate::storage::Tx;
use crate::storage::tasks::{self as store, Owner, Subscription};

/// Makes a digest's unsubscribe link when its message is sent; only the token's hash is
/// stored. `None` when the subscription is gone.
pub async fn mint_unsubscribe(cx: &Ctx, subscription: i64) -> Result<Option<String>> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    if store::subscription(&mut tx, subscription).await?.is_none() {
        return Ok(None);
    }
    let token = tokens::new_token();
    store::insert_unsubscribe_token(
        &mut tx,
        &tokens::hash_token(&token),
        subscription,
        now,
        now + UNSUBSCRIBE_LIFETIME_MS,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(format!(
        "{}/unsubscribe/{token}",
        cx.mail.public_url.trim_end_matches('/')
    )))
}

/// Whose digests an unsubscribe link stops, for its page.
#[derive(Debug, Clone, Serialize)]
pub struct Unsubscribing {
    pub email: String,
    pub language: Language,
    /// Off already.
    pub off: bool,
    /// Where the person chooses their digests again (after logging in).
    pub preferences_path: String,
    /// The portal whose digests these are, named in the person's language (none: a staff
    /// user's).
    pub portal_name: Option<String>,
}

async fn unsubscribing(
    tx: &mut Tx,
    token: &str,
    now: i64,
) -> Result<Option<(Subscription, Person)>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(id) = store::unsubscribe_target(tx, &tokens::hash_token(token), now).await? else {
        return Ok(None);
    };
    let Some(sub) = store::subscription(tx, id).await? else {
        return Ok(None);
    };
    let owner = match (sub.account_id, sub.staff_user_id) {
        (Some(a), _) => Owner::Account(a),
        (_, Some(s)) => Owner::Staff(s),
        _ => return Ok(None),
    };
    Ok(person_of(tx, owner).await?.map(|p| (sub, p)))
}

fn view_of(sub: &Subscription, p: &Person) -> Unsubscribing {
    let language = p.language(None);
    Unsubscribing {
        email: match p {
            Person::Account(a) => a.email.clone(),
            Person::Staff(s) => s.email.clone(),
        },
        language,
        off: sub.frequency == "off",
        preferences_path: match p {
            Person::Account(a) => format!("/portal/{}/notifications", a.portal_id),
            Person::Staff(_) => "/console/notifications".to_string(),
        },
        portal_name: match p {
            Person::Account(a) => Some(a.portal_name_in(language.as_str()).to_string()),
            Person::Staff(_) => None,
        },
    }
}

/// What an unsubscribe link is for (`None`: unknown or expired). Changes nothing.
pub async fn unsubscribe_info(cx: &Ctx, token: &str) -> Result<Option<Unsubscribing>> {
    let mut tx = cx.db.read().await?;
    Ok(unsubscribing(&mut tx, token, cx.now())
        .await?
        .map(|(s, p)| view_of(&s, &p)))
}

/// Turns the digests off, without a login: the link is the proof. Doing it twice is fine.
pub async fn unsubscribe(
    cx: &Ctx,
    token: &str,
    client_addr: Option<String>,
) -> Result<Option<Unsubscribing>> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let Some((sub, p)) = unsubscribing(&mut tx, token, now).await? else {
        return Ok(None);
    };
    if sub.frequency != "off" {
        store::save_subscription(&mut tx, p.owner(), "off", &sub.categories, None, now).await?;
        let (kind, id, label) = target_of(&p);
        let mut actor = Actor::system("unsubscribe link");
        actor.client_addr = client_addr;
        record(
            &mut tx,
            now,
            &actor,
            "notifications.unsubscribed",
            Target {
                kind,
                id: Some(id),
                label: &label,
            },
            Some(json!({ "frequency": sub.frequency })),
            Some(json!({ "frequency": "off" })),
        )
        .await?;
    }
    tx.commit().await?;
    let mut view = view_of(&sub, &p);
    view.off = true;
    Ok(Some(view))
}

/// Purges expired unsubscribe links (housekeeping).
pub async fn purge(tx: &mut Tx, now: i64) -> Result<u64> {
    Ok(store::purge_unsubscribe_tokens(tx, now).await?)
}
