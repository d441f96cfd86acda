//! The audit log: append-only, written in the same transaction as the change it records.

use serde::Serialize;
use sqlx::QueryBuilder;

use super::listing::{Column, Counted, Order, Window, order_by, push_window};
use super::{Result, Tx};
use crate::on_tx;

#[derive(Debug, Clone)]
pub struct NewAuditEvent<'a> {
    pub occurred_at: i64,
    pub actor_kind: &'a str,
    pub actor_id: Option<i64>,
    pub actor_label: &'a str,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: Option<i64>,
    pub target_label: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub client_addr: Option<&'a str>,
}

pub async fn insert(tx: &mut Tx, e: &NewAuditEvent<'_>) -> Result<i64> {
    let before = e.before.as_ref().map(|v| v.to_string());
    let after = e.after.as_ref().map(|v| v.to_string());
    on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO audit_events (occurred_at, actor_kind, actor_id, actor_label, action, target_kind, \
         target_id, target_label, before_json, after_json, client_addr) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
    )
    .bind(e.occurred_at)
    .bind(e.actor_kind)
    .bind(e.actor_id)
    .bind(e.actor_label)
    .bind(e.action)
    .bind(e.target_kind)
    .bind(e.target_id)
    .bind(e.target_label)
    .bind(before)
    .bind(after)
    .bind(e.client_addr)
    .fetch_one(c)
    .await
    })
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub occurred_at: i64,
    /// `staff`, `api_key`, `cli` or `system`.
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    /// What happened, e.g. `organization.created`.
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<i64>,
    pub target_label: String,
    /// The target before the change, as JSON text.
    pub before_json: Option<String>,
    /// The target after the change, as JSON text.
    pub after_json: Option<String>,
    pub client_addr: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<i64>,
    pub from: Option<i64>,
    pub until: Option<i64>,
    /// Only events with a smaller id (keyset pagination, newest first).
    pub before_id: Option<i64>,
    pub limit: i64,
}

/// Adds ` AND ...` for every filter of `f` but the page: one builder for a page and its count.
macro_rules! push_audit_filters {
    ($qb:expr, $f:expr) => {
        if let Some(a) = $f.action.as_deref().filter(|s| !s.is_empty()) {
            if let Some(prefix) = a.strip_suffix('*') {
                let mut pattern = super::like_pattern(prefix);
                pattern.remove(0);
                $qb.push(" AND action LIKE ")
                    .push_bind(pattern)
                    .push(" ESCAPE '\\'");
            } else {
                $qb.push(" AND action = ").push_bind(a.to_string());
            }
        }
        if let Some(actor) = $f.actor.as_deref().filter(|s| !s.is_empty()) {
            $qb.push(" AND lower(actor_label) LIKE ")
                .push_bind(super::like_pattern(&actor.to_lowercase()))
                .push(" ESCAPE '\\'");
        }
        if let Some(k) = $f.target_kind.as_deref().filter(|s| !s.is_empty()) {
            $qb.push(" AND target_kind = ").push_bind(k.to_string());
        }
        if let Some(id) = $f.target_id {
            $qb.push(" AND target_id = ").push_bind(id);
        }
        if let Some(from) = $f.from {
            $qb.push(" AND occurred_at >= ").push_bind(from);
        }
        if let Some(until) = $f.until {
            $qb.push(" AND occurred_at < ").push_bind(until);
        }
    };
}

/// Newest first.
pub async fn list(tx: &mut Tx, f: &AuditFilter) -> Result<Vec<AuditEvent>> {
    on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT id, occurred_at, actor_kind, actor_id, actor_label, action, target_kind, target_id, \
             target_label, before_json, after_json, client_addr FROM audit_events WHERE 1 = 1",
        );
        push_audit_filters!(qb, f);
        if let Some(before) = f.before_id {
            qb.push(" AND id < ").push_bind(before);
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(f.limit);
        qb.build_query_as().fetch_all(c).await
    })
}

const EVENT_COLUMNS: &str = "id, occurred_at, actor_kind, actor_id, actor_label, action, target_kind, target_id, \
     target_label, before_json, after_json, client_addr";

/// One event by its id.
pub async fn get(tx: &mut Tx, id: i64) -> Result<Option<AuditEvent>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {EVENT_COLUMNS} FROM audit_events WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)
}

/// The actions of the events on a target after the event `after_id`, oldest first.
pub async fn actions_since(
    tx: &mut Tx,
    target_kind: &str,
    target_id: i64,
    after_id: i64,
) -> Result<Vec<String>> {
    on_tx!(tx, |c| {
        sqlx::query_scalar(
            "SELECT action FROM audit_events WHERE target_kind = $1 AND target_id = $2 AND id > $3 \
             ORDER BY id",
        )
        .bind(target_kind)
        .bind(target_id)
        .bind(after_id)
        .fetch_all(c)
        .await
    })
}

/// The columns the console's audit log may be sorted by (the first: when).
pub static AUDIT_COLUMNS: &[Column] = &[
    Column::new("time", "id"),
    Column::new("actor", "actor_label").text(),
    Column::new("action", "action"),
    Column::new("target", "target_label").text(),
];

/// A page of the events `f` finds (its `before_id` and `limit` aside), in `order`, and how
/// many there are.
pub async fn in_order(
    tx: &mut Tx,
    f: &AuditFilter,
    order: &Order,
    window: Window,
) -> Result<Counted<AuditEvent>> {
    let engine = tx.engine();
    let items = on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT id, occurred_at, actor_kind, actor_id, actor_label, action, target_kind, target_id, \
             target_label, before_json, after_json, client_addr FROM audit_events WHERE 1 = 1",
        );
        push_audit_filters!(qb, f);
        qb.push(order_by(engine, order, "id"));
        push_window!(qb, window);
        qb.build_query_as().fetch_all(c).await
    })?;
    let total = on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM audit_events WHERE 1 = 1");
        push_audit_filters!(qb, f);
        qb.build_query_scalar().fetch_one(c).await
    })?;
    Ok(Counted { items, total })
}
