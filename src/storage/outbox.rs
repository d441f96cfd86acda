//! Queries for the outbox, the mail templates and the built-in mailbox.
//!
//! Claiming due messages is the one engine-specific query: PostgreSQL skips rows another worker
//! holds (`FOR UPDATE SKIP LOCKED`); SQLite serializes writers anyway.

use serde::Serialize;
use sqlx::QueryBuilder;

use super::listing::{Column, Counted, Order, Window, order_by, push_window};
use super::{Engine, Result, Tx};
use crate::domain::outbox::OutboxStatus;
use crate::{exec_tx, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OutboxMessage {
    pub id: i64,
    /// The Message-ID header, stable across retries.
    pub message_id: String,
    pub portal_id: Option<i64>,
    /// The template's event, e.g. `invitation`.
    pub event: String,
    /// `en` or `de`.
    pub language: String,
    pub recipient: String,
    pub recipient_name: Option<String>,
    #[serde(skip)]
    pub variables_json: String,
    pub status: OutboxStatus,
    pub attempts: i64,
    pub max_attempts: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub next_attempt_at: i64,
    #[serde(skip)]
    pub lease_owner: Option<String>,
    #[serde(skip)]
    pub lease_until: Option<i64>,
    /// Why the last attempt failed.
    #[serde(serialize_with = "crate::domain::delivery::json_english")]
    pub last_error: Option<String>,
    /// What the SMTP server answered when it took the message.
    #[serde(serialize_with = "crate::domain::delivery::json_english")]
    pub smtp_answer: Option<String>,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
    #[serde(serialize_with = "crate::clock::json::time_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub sent_at: Option<i64>,
    /// The single-use link the message carries, made when it is sent:
    /// `invitation`, `activation`, `password` or `email_change`.
    pub link_purpose: Option<String>,
    /// The portal account the link is for.
    pub link_account_id: Option<i64>,
    /// A digest's subscription: the message carries a one-click unsubscribe link for it,
    /// made when it is sent.
    pub unsubscribe_subscription_id: Option<i64>,
}

const COLUMNS: &str = "id, message_id, portal_id, event, language, recipient, recipient_name, variables_json, status, \
     attempts, max_attempts, next_attempt_at, lease_owner, lease_until, last_error, smtp_answer, created_at, updated_at, sent_at, \
     link_purpose, link_account_id, unsubscribe_subscription_id";

pub struct NewMessage<'a> {
    pub message_id: &'a str,
    pub portal_id: Option<i64>,
    pub event: &'a str,
    pub language: &'a str,
    pub recipient: &'a str,
    pub recipient_name: Option<&'a str>,
    pub variables_json: &'a str,
    pub max_attempts: i64,
    pub link_purpose: Option<&'a str>,
    pub link_account_id: Option<i64>,
    pub unsubscribe_subscription_id: Option<i64>,
}

/// Most messages in one statement (13 values each).
const INSERT_ROWS: usize = 200;

/// Writes messages to the outbox, queued; their ids in the order given.
pub async fn insert_all(tx: &mut Tx, ms: &[NewMessage<'_>], now: i64) -> Result<Vec<i64>> {
    let mut ids = Vec::with_capacity(ms.len());
    for part in ms.chunks(INSERT_ROWS) {
        let rows: Vec<(i64, String)> = on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO outbox_messages (message_id, portal_id, event, language, recipient, \
                 recipient_name, variables_json, status, attempts, max_attempts, next_attempt_at, \
                 created_at, updated_at, link_purpose, link_account_id, unsubscribe_subscription_id) ",
            );
            qb.push_values(part, |mut b, m| {
                b.push_bind(m.message_id)
                    .push_bind(m.portal_id)
                    .push_bind(m.event)
                    .push_bind(m.language)
                    .push_bind(m.recipient)
                    .push_bind(m.recipient_name)
                    .push_bind(m.variables_json)
                    .push("'queued'")
                    .push("0")
                    .push_bind(m.max_attempts)
                    .push_bind(now)
                    .push_bind(now)
                    .push_bind(now)
                    .push_bind(m.link_purpose)
                    .push_bind(m.link_account_id)
                    .push_bind(m.unsubscribe_subscription_id);
            });
            qb.push(" RETURNING id, message_id");
            qb.build_query_as().fetch_all(c).await
        })?;
        // The order of RETURNING rows is not promised: matched by their Message-ID.
        let by_message: std::collections::HashMap<String, i64> =
            rows.into_iter().map(|(id, m)| (m, id)).collect();
        for m in part {
            let id = by_message.get(m.message_id).copied().ok_or_else(|| {
                sqlx::Error::Protocol(format!("no id returned for message {}", m.message_id))
            })?;
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Claims up to `limit` due messages for `owner` until `lease_until`: queued or retrying ones
/// whose time has come, and sending ones whose worker's lease ran out (it died). Each claim
/// counts as an attempt.
pub async fn claim_due(
    tx: &mut Tx,
    owner: &str,
    now: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<OutboxMessage>> {
    let lock = match tx.engine() {
        Engine::Postgres => " FOR UPDATE SKIP LOCKED",
        Engine::Sqlite => "",
    };
    let sql = format!(
        "UPDATE outbox_messages SET status = 'sending', lease_owner = $1, lease_until = $2, \
         attempts = attempts + 1, updated_at = $3 \
         WHERE id IN (SELECT id FROM outbox_messages \
           WHERE (status IN ('queued', 'retrying') AND next_attempt_at <= $3) \
              OR (status = 'sending' AND lease_until <= $3) \
           ORDER BY next_attempt_at, id LIMIT $4{lock}) \
         RETURNING {COLUMNS}"
    );
    let mut rows: Vec<OutboxMessage> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(owner)
        .bind(lease_until)
        .bind(now)
        .bind(limit)
        .fetch_all(c)
        .await)?;
    rows.sort_by_key(|m| (m.next_attempt_at, m.id));
    Ok(rows)
}

/// Marks a message sent, if `owner` still holds it. Returns whether it did.
pub async fn mark_sent(tx: &mut Tx, id: i64, owner: &str, now: i64, answer: &str) -> Result<bool> {
    let n = exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE outbox_messages SET status = 'sent', sent_at = $1, updated_at = $1, smtp_answer = $2, \
         last_error = NULL, lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4"
    )
    .bind(now)
    .bind(answer)
    .bind(id)
    .bind(owner)
    .execute(c)
    .await
    })?;
    Ok(n == 1)
}

/// Records a failed attempt: `retrying` at `next_attempt_at`, or `failed` when `next_attempt_at` is `None`.
pub async fn mark_attempt_failed(
    tx: &mut Tx,
    id: i64,
    owner: &str,
    now: i64,
    error: &str,
    next_attempt_at: Option<i64>,
) -> Result<bool> {
    let (status, next) = match next_attempt_at {
        Some(t) => (OutboxStatus::Retrying, t),
        None => (OutboxStatus::Failed, now),
    };
    let n = exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE outbox_messages SET status = $1, next_attempt_at = $2, last_error = $3, updated_at = $4, \
         lease_owner = NULL, lease_until = NULL WHERE id = $5 AND lease_owner = $6"
    )
    .bind(status)
    .bind(next)
    .bind(error)
    .bind(now)
    .bind(id)
    .bind(owner)
    .execute(c)
    .await
    })?;
    Ok(n == 1)
}

/// Puts a failed message back in the queue, with a fresh count of attempts.
pub async fn requeue(tx: &mut Tx, id: i64, now: i64) -> Result<bool> {
    let n = exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE outbox_messages SET status = 'queued', attempts = 0, next_attempt_at = $1, updated_at = $1 \
         WHERE id = $2 AND status = 'failed'"
    )
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    })?;
    Ok(n == 1)
}

/// Takes a message out of the outbox while no worker holds it and it has not left: queued,
/// or waiting for a retry. Returns it, or `None` when it is sent, being sent, failed or gone.
pub async fn cancel_unsent(tx: &mut Tx, id: i64) -> Result<Option<OutboxMessage>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "DELETE FROM outbox_messages WHERE id = $1 AND status IN ('queued', 'retrying') \
         RETURNING {COLUMNS}"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)
}

pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<OutboxMessage>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM outbox_messages WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)
}

#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    pub status: Option<OutboxStatus>,
    pub event: Option<String>,
    pub portal_id: Option<i64>,
    pub recipient: Option<String>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Adds ` AND ...` for every filter of `f` but the page: one builder for a page and its count.
macro_rules! push_outbox_filters {
    ($qb:expr, $f:expr) => {
        if let Some(s) = $f.status {
            $qb.push(" AND status = ").push_bind(s);
        }
        if let Some(e) = &$f.event {
            $qb.push(" AND event = ").push_bind(e.clone());
        }
        if let Some(p) = $f.portal_id {
            $qb.push(" AND portal_id = ").push_bind(p);
        }
        if let Some(r) = $f.recipient.as_deref().filter(|r| !r.is_empty()) {
            $qb.push(" AND recipient LIKE ")
                .push_bind(super::like_pattern(&r.to_lowercase()))
                .push(" ESCAPE '\\'");
        }
    };
}

/// Newest first.
pub async fn list(tx: &mut Tx, f: &OutboxFilter) -> Result<Vec<OutboxMessage>> {
    on_tx!(tx, |c| {
        let mut qb =
            QueryBuilder::new(format!("SELECT {COLUMNS} FROM outbox_messages WHERE 1 = 1"));
        push_outbox_filters!(qb, f);
        if let Some(b) = f.before_id {
            qb.push(" AND id < ").push_bind(b);
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(f.limit);
        qb.build_query_as().fetch_all(c).await
    })
}

/// The columns the console's outbox may be sorted by (the first: when queued).
pub static OUTBOX_COLUMNS: &[Column] = &[
    Column::new("queued", "created_at"),
    Column::new("recipient", "recipient"),
    Column::new("template", "event"),
    Column::new("status", "status"),
    Column::new("attempts", "attempts"),
    Column::new("sent", "sent_at").nullable(),
];

/// A page of the messages `f` finds (its `before_id` and `limit` aside), in `order`, and how
/// many there are.
pub async fn in_order(
    tx: &mut Tx,
    f: &OutboxFilter,
    order: &Order,
    window: Window,
) -> Result<Counted<OutboxMessage>> {
    let engine = tx.engine();
    let items = on_tx!(tx, |c| {
        let mut qb =
            QueryBuilder::new(format!("SELECT {COLUMNS} FROM outbox_messages WHERE 1 = 1"));
        push_outbox_filters!(qb, f);
        qb.push(order_by(engine, order, "id"));
        push_window!(qb, window);
        qb.build_query_as().fetch_all(c).await
    })?;
    let total = on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM outbox_messages WHERE 1 = 1");
        push_outbox_filters!(qb, f);
        qb.build_query_scalar().fetch_one(c).await
    })?;
    Ok(Counted { items, total })
}

/// The messages of a portal account, newest first: those sent to its address on its portal,
/// and those carrying a link for it (which may have gone to another address).
pub async fn of_account(
    tx: &mut Tx,
    portal_id: i64,
    email: &str,
    account_id: i64,
    limit: i64,
) -> Result<Vec<OutboxMessage>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM outbox_messages WHERE (portal_id = $1 AND recipient = $2) \
         OR link_account_id = $3 ORDER BY id DESC LIMIT $4"
    )))
    .bind(portal_id)
    .bind(email)
    .bind(account_id)
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// How many messages are in each status.
pub async fn counts(tx: &mut Tx) -> Result<Vec<(String, i64)>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT status, COUNT(*) FROM outbox_messages GROUP BY status ORDER BY status"
    )
    .fetch_all(c)
    .await)
}

/// How many messages wait to be sent (queued, being sent or to be retried), and when the
/// oldest of them was made: one read on the index of due messages.
pub async fn pending(tx: &mut Tx) -> Result<(i64, Option<i64>)> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT COUNT(*), MIN(created_at) FROM outbox_messages \
         WHERE status IN ('queued', 'sending', 'retrying')"
    )
    .fetch_one(c)
    .await)
}

// ---------------------------------------------------------------- templates

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredTemplate {
    pub portal_id: i64,
    pub event: String,
    pub language: String,
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
    /// The parts it is written as (JSON), or none when its HTML is written as such.
    pub parts: Option<String>,
    pub updated_at: i64,
}

pub async fn get_template(
    tx: &mut Tx,
    portal_id: i64,
    event: &str,
    language: &str,
) -> Result<Option<StoredTemplate>> {
    on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT portal_id, event, language, subject, html_body, text_body, parts, updated_at FROM mail_templates \
         WHERE portal_id = $1 AND event = $2 AND language = $3"
    )
    .bind(portal_id)
    .bind(event)
    .bind(language)
    .fetch_optional(c)
    .await
    })
}

pub async fn list_templates(tx: &mut Tx, portal_id: i64) -> Result<Vec<StoredTemplate>> {
    on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT portal_id, event, language, subject, html_body, text_body, parts, updated_at FROM mail_templates \
         WHERE portal_id = $1 ORDER BY event, language"
    )
    .bind(portal_id)
    .fetch_all(c)
    .await
    })
}

pub async fn put_template(tx: &mut Tx, t: &StoredTemplate) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM mail_templates WHERE portal_id = $1 AND event = $2 AND language = $3"
    )
    .bind(t.portal_id)
    .bind(&t.event)
    .bind(&t.language)
    .execute(c)
    .await)?;
    exec_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO mail_templates (portal_id, event, language, subject, html_body, text_body, parts, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(t.portal_id)
    .bind(&t.event)
    .bind(&t.language)
    .bind(&t.subject)
    .bind(&t.html_body)
    .bind(&t.text_body)
    .bind(&t.parts)
    .bind(t.updated_at)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn delete_template(
    tx: &mut Tx,
    portal_id: i64,
    event: &str,
    language: &str,
) -> Result<bool> {
    let n = exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM mail_templates WHERE portal_id = $1 AND event = $2 AND language = $3"
    )
    .bind(portal_id)
    .bind(event)
    .bind(language)
    .execute(c)
    .await)?;
    Ok(n > 0)
}

// ---------------------------------------------------------------- built-in mailbox

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MailboxMessage {
    pub id: i64,
    pub outbox_id: i64,
    pub message_id: String,
    pub sender: String,
    pub recipient: String,
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
    pub received_at: i64,
}

pub struct NewMailboxMessage<'a> {
    pub outbox_id: i64,
    pub message_id: &'a str,
    pub sender: &'a str,
    pub recipient: &'a str,
    pub subject: &'a str,
    pub html_body: &'a str,
    pub text_body: &'a str,
}

pub async fn deliver_to_mailbox(tx: &mut Tx, m: &NewMailboxMessage<'_>, now: i64) -> Result<i64> {
    on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO mailbox_messages (outbox_id, message_id, sender, recipient, subject, html_body, text_body, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"
    )
    .bind(m.outbox_id)
    .bind(m.message_id)
    .bind(m.sender)
    .bind(m.recipient)
    .bind(m.subject)
    .bind(m.html_body)
    .bind(m.text_body)
    .bind(now)
    .fetch_one(c)
    .await
    })
}

pub async fn list_mailbox(
    tx: &mut Tx,
    recipient: Option<&str>,
    limit: i64,
) -> Result<Vec<MailboxMessage>> {
    on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT id, outbox_id, message_id, sender, recipient, subject, html_body, text_body, received_at \
             FROM mailbox_messages WHERE 1 = 1",
        );
        if let Some(r) = recipient.filter(|r| !r.is_empty()) {
            qb.push(" AND recipient LIKE ")
                .push_bind(super::like_pattern(&r.to_lowercase()))
                .push(" ESCAPE '\\'");
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
        qb.build_query_as().fetch_all(c).await
    })
}

pub async fn get_mailbox_message(tx: &mut Tx, id: i64) -> Result<Option<MailboxMessage>> {
    on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT id, outbox_id, message_id, sender, recipient, subject, html_body, text_body, received_at \
         FROM mailbox_messages WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await
    })
}
