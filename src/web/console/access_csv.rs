//! The access list as CSV: every account its filters find within the staff member's areas
//! (`/console/access.csv`, read a batch at a time in e-mail order), or the accounts selected on
//! the list (see [`super::access_bulk`]).

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::Staff;
use super::access::AccessQuery;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::decode_cursor;
use crate::usecases::accounts as uc;
use crate::web::AppState;
use crate::web::csv;
use crate::web::page::PageResult;
use crate::web::query::Query;

pub fn router() -> Router<AppState> {
    Router::new().route("/console/access.csv", get(download_all))
}

/// Accounts read at a time.
const BATCH: i64 = 500;

const HEAD: [&str; 15] = [
    "id",
    "email",
    "name",
    "portal",
    "source",
    "organization",
    "role",
    "registration",
    "approval",
    "assignment",
    "access",
    "valid_until",
    "status",
    "last_login",
    "created",
];

fn line(a: &PortalAccount) -> String {
    csv::line(&[
        a.id.to_string(),
        a.email.clone(),
        a.name.clone(),
        a.portal_name.clone(),
        a.portal_kind.as_str().to_string(),
        a.organization_name.clone().unwrap_or_default(),
        a.role.as_str().to_string(),
        a.registration.as_str().to_string(),
        a.approval.as_str().to_string(),
        a.assignment.as_str().to_string(),
        if a.access_granted { "granted" } else { "off" }.to_string(),
        a.valid_until_text(),
        a.lifecycle.as_str().to_string(),
        a.last_login_at
            .map(crate::clock::format_time)
            .unwrap_or_default(),
        crate::clock::format_time(a.created_at),
    ])
}

/// The selected accounts, at once (a form names a few hundred at most).
pub fn download(accounts: &[PortalAccount], filename: &str) -> Response {
    let mut text = csv::line(&HEAD);
    for a in accounts {
        text.push_str(&line(a));
    }
    csv::whole(filename, text)
}

/// Every account the list's filters find, a batch at a time.
async fn download_all(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<AccessQuery>,
) -> PageResult<Response> {
    let mut filter = q.filter(s.cx.now());
    filter.limit = BATCH;
    // The first batch is read now, so that a refusal is a page rather than a cut download.
    let first = uc::list_accounts(&s.cx, &staff.actor, &filter).await?;
    let head = csv::line(&HEAD) + &first.items.iter().map(line).collect::<String>();
    let state = (s, staff.actor, filter, first.next);
    Ok(csv::streamed(
        "accounts.csv",
        head,
        state,
        |(s, actor, mut filter, next)| async move {
            let Some(next) = next else { return Ok(None) };
            filter.after = decode_cursor(&next);
            let page = uc::list_accounts(&s.cx, &actor, &filter).await?;
            let text = page.items.iter().map(line).collect::<String>();
            Ok(Some((text, (s, actor, filter, page.next))))
        },
    ))
}
