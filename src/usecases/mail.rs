//! E-mail as the other actions use it: a message is written to the outbox inside the action's
//! own transaction (no change, no mail; no mail lost with a change), rendered from the portal's
//! template when it is sent (`mail_templates.rs`: which template, and editing one). Staff look
//! at the outbox and send a failed message again.

use serde_json::Value;

use super::mail_templates::text_for;
use super::{Actor, Ctx, Error, Result, Target, record};
use crate::domain::EmailAddress;
use crate::domain::directory::Language;
use crate::domain::local_time::Locale;
use crate::domain::outbox::OutboxStatus;
use crate::domain::validation::{Message, Problem};
use crate::mail::templates::{self, Rendered};
use crate::mail::variables;
use crate::storage::outbox::{
    self as store, MailboxMessage, NewMessage, OutboxFilter, OutboxMessage,
};
use crate::storage::{Tx, directory};

/// What the outbox needs to know besides the message.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub max_attempts: i64,
    /// The domain of Message-IDs.
    pub domain: String,
    /// Admit's own address, for links and for mails that belong to no portal.
    pub public_url: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            max_attempts: 8,
            domain: "localhost.localdomain".into(),
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// A message to send.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub portal_id: Option<i64>,
    pub event: &'a str,
    pub language: Language,
    /// The address it goes to: the contact's, or another one given by staff.
    pub recipient: &'a EmailAddress,
    pub recipient_name: Option<&'a str>,
    /// The event's variables besides the common ones. Never a secret: links with tokens are
    /// made when the message is sent.
    pub variables: Value,
    /// The single-use link the message carries (`link` and `expires_at`), made when it is sent.
    pub link: Option<Link>,
}

impl<'a> Outgoing<'a> {
    /// A message to a portal account about its portal, in the account's language (else the
    /// portal's), with no link.
    pub fn to_account(
        account: &'a crate::storage::accounts::PortalAccount,
        portal: &crate::storage::directory::Portal,
        event: &'a str,
        recipient: &'a EmailAddress,
        variables: Value,
    ) -> Self {
        Outgoing {
            portal_id: Some(portal.id),
            event,
            language: account_locale(account, portal).language,
            recipient,
            recipient_name: Some(&account.name),
            variables,
            link: None,
        }
    }
}

/// A single-use link for a portal account, made when the message is sent, so that no token is
/// stored anywhere but as a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// `invitation`, `activation`, `password` or `email_change`.
    pub purpose: &'static str,
    pub account_id: i64,
}

/// What a message shows where its link will be, before it is sent.
pub const LINK_PLACEHOLDER: &str = "[a single-use link, made when the message is sent]";

/// The zone and language a message to a portal account writes its times in: the account's
/// zone, and the message's language (see [`choose_language`]).
pub fn account_locale(
    account: &crate::storage::accounts::PortalAccount,
    portal: &crate::storage::directory::Portal,
) -> Locale {
    Locale::new(
        &account.time_zone,
        choose_language(Some(&account.language), Some(&portal.default_language)),
    )
}

/// A portal's default zone and language: for a recipient Admit knows nothing more of, and for
/// the template preview.
pub fn portal_locale(portal: &crate::storage::directory::Portal) -> Locale {
    Locale::new(
        &portal.default_time_zone,
        choose_language(None, Some(&portal.default_language)),
    )
}

/// The language of a message: the recipient's when Admit has texts in it, else the portal's.
pub fn choose_language(recipient: Option<&str>, portal_default: Option<&str>) -> Language {
    recipient
        .and_then(|l| Language::parse(l).ok())
        .or_else(|| portal_default.and_then(|l| Language::parse(l).ok()))
        .unwrap_or(Language::En)
}

/// Writes a message to the outbox inside `tx`. Returns its id.
pub async fn enqueue(
    tx: &mut Tx,
    now: i64,
    settings: &MailSettings,
    m: &Outgoing<'_>,
) -> Result<i64> {
    enqueue_with_unsubscribe(tx, now, settings, m, None).await
}

/// As [`enqueue`], for a message that carries a one-click unsubscribe link (`List-Unsubscribe`
/// and the `unsubscribe_url` variable) for a digest subscription, made when it is sent.
pub async fn enqueue_with_unsubscribe(
    tx: &mut Tx,
    now: i64,
    settings: &MailSettings,
    m: &Outgoing<'_>,
    unsubscribe: Option<i64>,
) -> Result<i64> {
    let ids = enqueue_all(tx, now, settings, &[(m, unsubscribe)]).await?;
    ids.first()
        .copied()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the outbox took no message")))
}

/// As [`enqueue_with_unsubscribe`], for many messages in one statement. Returns their ids in
/// the order given; none is written if one is wrong.
pub async fn enqueue_all(
    tx: &mut Tx,
    now: i64,
    settings: &MailSettings,
    ms: &[(&Outgoing<'_>, Option<i64>)],
) -> Result<Vec<i64>> {
    let ready = ms
        .iter()
        .map(|(m, unsubscribe)| Ready::of(settings, m, *unsubscribe))
        .collect::<Result<Vec<_>>>()?;
    enqueue_ready(tx, now, settings, &ready).await
}

/// A message checked and written out, before any transaction: a batch of digests is made
/// ready while the database serves others, and its transaction only writes.
#[derive(Debug, Clone)]
pub struct Ready {
    message_id: String,
    portal_id: Option<i64>,
    event: String,
    language: Language,
    recipient: String,
    recipient_name: Option<String>,
    variables_json: String,
    link: Option<(&'static str, i64)>,
    unsubscribe: Option<i64>,
}

impl Ready {
    /// Checks a message and writes out its variables. `unsubscribe`: the digest subscription
    /// whose one-click unsubscribe link it carries.
    pub fn of(
        settings: &MailSettings,
        m: &Outgoing<'_>,
        unsubscribe: Option<i64>,
    ) -> Result<Ready> {
        check(m)?;
        Ok(Ready {
            message_id: crate::mail::new_message_id(&settings.domain),
            portal_id: m.portal_id,
            event: m.event.to_string(),
            language: m.language,
            recipient: m.recipient.as_str().to_string(),
            recipient_name: m.recipient_name.map(str::to_string),
            variables_json: m.variables.to_string(),
            link: m.link.as_ref().map(|l| (l.purpose, l.account_id)),
            unsubscribe,
        })
    }
}

/// Writes messages made ready before to the outbox inside `tx`, in one statement per few
/// hundred. Returns their ids in the order given.
pub async fn enqueue_ready(
    tx: &mut Tx,
    now: i64,
    settings: &MailSettings,
    ready: &[Ready],
) -> Result<Vec<i64>> {
    let rows: Vec<NewMessage> = ready
        .iter()
        .map(|r| NewMessage {
            message_id: &r.message_id,
            portal_id: r.portal_id,
            event: &r.event,
            language: r.language.as_str(),
            recipient: &r.recipient,
            recipient_name: r.recipient_name.as_deref(),
            variables_json: &r.variables_json,
            max_attempts: settings.max_attempts,
            link_purpose: r.link.map(|l| l.0),
            link_account_id: r.link.map(|l| l.1),
            unsubscribe_subscription_id: r.unsubscribe,
        })
        .collect();
    Ok(store::insert_all(tx, &rows, now).await?)
}

/// Refuses a message whose event is unknown, or whose variables or link the event has not.
fn check(m: &Outgoing<'_>) -> Result<()> {
    let event =
        templates::event(m.event).ok_or_else(|| anyhow::anyhow!("no e-mail event {}", m.event))?;
    if let Value::Object(map) = &m.variables {
        let allowed = event.allowed();
        if let Some(bad) = map.keys().find(|k| !allowed.contains(k.as_str())) {
            return Err(Error::Internal(anyhow::anyhow!(
                "the {} e-mail has no variable {bad}",
                m.event
            )));
        }
    }
    if m.link.is_some() && !event.variables.contains(&"link") {
        return Err(Error::Internal(anyhow::anyhow!(
            "the {} e-mail carries no link",
            m.event
        )));
    }
    Ok(())
}

/// Renders an outbox message as it will be sent, with its link (url, expiry) when it has one;
/// also returns the sender's display name. Without the link, a placeholder shows where it goes.
pub async fn render_message(
    tx: &mut Tx,
    settings: &MailSettings,
    m: &OutboxMessage,
    link: Option<(&str, &str)>,
    unsubscribe: Option<&str>,
) -> Result<(Rendered, String)> {
    let language = Language::parse(&m.language).unwrap_or(Language::En);
    let portal = match m.portal_id {
        Some(id) => directory::get_portal(tx, id).await?,
        None => None,
    };
    let template = text_for(tx, portal.as_ref().map(|p| p.id), &m.event, language).await?;
    let mut vars: Value =
        serde_json::from_str(&m.variables_json).unwrap_or_else(|_| serde_json::json!({}));
    if !vars.is_object() {
        vars = serde_json::json!({});
    }
    vars["recipient_name"] = Value::String(m.recipient_name.clone().unwrap_or_default());
    let (portal_name, portal_url) = match &portal {
        Some(p) => (p.name_in(language.as_str()).to_string(), p.base_url.clone()),
        None => ("Admit".to_string(), settings.public_url.clone()),
    };
    if m.link_purpose.is_some() {
        let (url, expires) = link.unwrap_or((LINK_PLACEHOLDER, "-"));
        vars["link"] = Value::String(url.to_string());
        vars["expires_at"] = Value::String(expires.to_string());
    }
    if m.unsubscribe_subscription_id.is_some() {
        let url = unsubscribe.unwrap_or(LINK_PLACEHOLDER);
        vars["unsubscribe_url"] = Value::String(url.to_string());
    }
    vars["portal_name"] = Value::String(portal_name.clone());
    vars["portal_url"] = Value::String(portal_url);
    // A template that does not render on this message's data is a refusal that names the
    // part, the line and the reason.
    let rendered = templates::render(&template, &vars).map_err(|m| Error::Refused(m.into()))?;
    Ok((rendered, portal_name))
}

/// Sends a test message through the outbox.
pub async fn send_test(cx: &Ctx, actor: &Actor, to: &str, portal_id: Option<i64>) -> Result<i64> {
    actor.require_admin()?;
    let to = EmailAddress::parse(to).map_err(|m| Error::invalid("to", m))?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    // The recipient is known by address only: the portal's zone and language.
    let locale = match portal_id {
        Some(p) => {
            let portal = directory::get_portal(&mut tx, p)
                .await?
                .ok_or_else(|| Error::invalid("portal_id", "no such portal"))?;
            portal_locale(&portal)
        }
        None => Locale::utc(Language::En),
    };
    let id = enqueue(
        &mut tx,
        now,
        &cx.mail,
        &Outgoing {
            portal_id,
            event: "test",
            language: locale.language,
            recipient: &to,
            recipient_name: None,
            variables: serde_json::json!({ "sent_at": variables::sent_at(&locale, now) }),
            link: None,
        },
    )
    .await?;
    record(
        &mut tx,
        now,
        actor,
        "mail.test_queued",
        Target {
            kind: "outbox_message",
            id: Some(id),
            label: to.as_str(),
        },
        None,
        None,
    )
    .await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok(id)
}

pub async fn list(cx: &Ctx, actor: &Actor, filter: &OutboxFilter) -> Result<Vec<OutboxMessage>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    Ok(store::list(&mut tx, filter).await?)
}

/// A page of the outbox in the chosen order, and how many messages the filter finds.
pub async fn in_order(
    cx: &Ctx,
    actor: &Actor,
    filter: &OutboxFilter,
    order: &crate::storage::listing::Order,
    window: crate::storage::listing::Window,
) -> Result<crate::storage::listing::Counted<OutboxMessage>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    Ok(store::in_order(&mut tx, filter, order, window).await?)
}

pub async fn get(cx: &Ctx, actor: &Actor, id: i64) -> Result<OutboxMessage> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("message"))
}

/// A failed message goes back in the queue, with a fresh count of attempts.
pub async fn send_again(cx: &Ctx, actor: &Actor, id: i64) -> Result<OutboxMessage> {
    actor.require_admin()?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let m = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("message"))?;
    if m.status != OutboxStatus::Failed {
        return Err(Error::Refused(
            crate::catalog::Message::new("error-resend-only-failed")
                .text("status", m.status.as_str())
                .into(),
        ));
    }
    store::requeue(&mut tx, id, now).await?;
    record(
        &mut tx,
        now,
        actor,
        "mail.requeued",
        Target {
            kind: "outbox_message",
            id: Some(id),
            label: &m.recipient,
        },
        None,
        None,
    )
    .await?;
    let m = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("message"))?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok(m)
}

// ---------------------------------------------------------------- reads for the console

/// How many outbox messages are in each status.
pub async fn counts(cx: &Ctx, actor: &Actor) -> Result<Vec<(String, i64)>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    Ok(store::counts(&mut tx).await?)
}

/// An outbox message as the console shows it: its portal's name, and the message rendered as
/// it will be sent, or why it does not render.
pub struct ShownMessage {
    pub message: OutboxMessage,
    pub portal_name: Option<String>,
    pub rendered: std::result::Result<Rendered, Problem>,
}

pub async fn show(cx: &Ctx, actor: &Actor, id: i64) -> Result<ShownMessage> {
    let message = get(cx, actor, id).await?;
    let mut tx = cx.db.read().await?;
    let portal_name = match message.portal_id {
        Some(p) => directory::get_portal(&mut tx, p).await?.map(|p| p.name),
        None => None,
    };
    let rendered = render_message(&mut tx, &cx.mail, &message, None, None)
        .await
        .map(|(r, _)| r)
        .map_err(|e| match e {
            Error::Refused(why) => why,
            other => {
                tracing::error!(error = %other, id, "showing an outbox message failed");
                Message::new("failure-internal").into()
            }
        });
    Ok(ShownMessage {
        message,
        portal_name,
        rendered,
    })
}

/// The built-in mailbox's messages, newest first, to `recipient` when given.
pub async fn mailbox(
    cx: &Ctx,
    actor: &Actor,
    recipient: Option<&str>,
    limit: i64,
) -> Result<Vec<MailboxMessage>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    Ok(store::list_mailbox(&mut tx, recipient, limit).await?)
}

pub async fn mailbox_message(cx: &Ctx, actor: &Actor, id: i64) -> Result<MailboxMessage> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    store::get_mailbox_message(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("message"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recipients_language_comes_first_then_the_portals() {
        assert_eq!(choose_language(Some("de"), Some("en")), Language::De);
        assert_eq!(choose_language(None, Some("de")), Language::De);
        assert_eq!(
            choose_language(Some("fr"), Some("de")),
            Language::De,
            "no French texts: the portal's"
        );
        assert_eq!(choose_language(Some("fr"), None), Language::En);
        assert_eq!(choose_language(None, None), Language::En);
    }
}
