//! The audit log as CSV (`/console/audit.csv`, administrators only): every event the log's
//! filters find, newest first, read a batch at a time.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::audit::AuditQuery;
use crate::storage::audit::AuditEvent;
use crate::usecases::audit_log::list_events;
use crate::web::AppState;
use crate::web::console::Admin;
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

fn line(e: &AuditEvent) -> String {
    csv::line(&[
        e.id.to_string(),
        crate::clock::format_time(e.occurred_at),
        e.actor_kind.clone(),
        e.actor_label.clone(),
        e.client_addr.clone().unwrap_or_default(),
        e.action.clone(),
        e.target_kind.clone(),
        e.target_id.map(|i| i.to_string()).unwrap_or_default(),
        e.target_label.clone(),
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
    let head = csv::line(&HEAD) + &first.iter().map(line).collect::<String>();
    let last = (first.len() as i64 == BATCH)
        .then(|| first.last().map(|e| e.id))
        .flatten();
    Ok(csv::streamed(
        "audit.csv",
        head,
        (s, staff.actor, filter, last),
        |(s, actor, mut filter, last)| async move {
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
