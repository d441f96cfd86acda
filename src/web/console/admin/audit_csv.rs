//! The audit log as CSV (`/console/audit.csv`, administrators only): every event the log's
//! filters find, newest first, read a batch at a time.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::audit::AuditQuery;
use crate::catalog;
use crate::domain::directory::Language;
use crate::storage::audit::AuditEvent;
use crate::usecases::audit_log::list_events;
use crate::web::AppState;
use crate::web::console::Admin;
use crate::web::console::history::{actor_label, target_label};
use crate::web::csv;
use crate::web::page::PageResult;
use crate::web::query::Query;

pub fn router() -> Router<AppState> {
    Router::new().route("/console/audit.csv", get(download))
}

/// Events read at a time.
const BATCH: i64 = 1000;

const HEAD: [&str; 11] = [
    "id",
    "time",
    "actor_kind",
    "actor",
    "client_address",
    "action",
    "target_kind",
    "target_id",
    "target",
    "before",
    "after",
];

/// An event's line for a reader of the language `language`: its kinds and labels in their
/// words, its ids, code, times and changes as they are.
fn line(e: &AuditEvent, language: Language) -> String {
    let code = language.as_str();
    csv::line(&[
        e.id.to_string(),
        crate::clock::format_time(e.occurred_at),
        catalog::word(code, "audit-actor-kind", &e.actor_kind),
        actor_label(&e.actor_kind, &e.actor_label, language),
        e.client_addr.clone().unwrap_or_default(),
        e.action.clone(),
        catalog::word(code, "audit-target", &e.target_kind),
        e.target_id.map(|i| i.to_string()).unwrap_or_default(),
        target_label(&e.target_kind, &e.target_label, language),
        e.before_json.clone().unwrap_or_default(),
        e.after_json.clone().unwrap_or_default(),
    ])
}

async fn download(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Query(q): Query<AuditQuery>,
) -> PageResult<Response> {
    let mut filter = q.filter(BATCH, &staff.locale());
    filter.before_id = None;
    // The first batch is read now, so that a refusal is a page rather than a cut download.
    let first = list_events(&s.cx, &staff.actor, &filter).await?;
    let language = staff.language();
    let line = move |e: &AuditEvent| line(e, language);
    let head = csv::head(language.as_str(), &HEAD) + &first.iter().map(line).collect::<String>();
    let last = (first.len() as i64 == BATCH)
        .then(|| first.last().map(|e| e.id))
        .flatten();
    Ok(csv::streamed(
        "audit.csv",
        head,
        (s, staff.actor, filter, last),
        move |(s, actor, mut filter, last)| async move {
            let Some(last) = last else { return Ok(None) };
            filter.before_id = Some(last);
            let events = list_events(&s.cx, &actor, &filter).await?;
            let text = events.iter().map(line).collect::<String>();
            let last = (events.len() as i64 == BATCH)
                .then(|| events.last().map(|e| e.id))
                .flatten();
            Ok(Some((text, (s, actor, filter, last))))
        },
    ))
}
