//! The access list as CSV: every account its filters find within the staff member's areas
//! (`/console/access.csv`, read a batch at a time in e-mail order), or the accounts selected on
//! the list (see [`super::access_bulk`]).

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;

use super::Staff;
use super::access::AccessQuery;
use crate::catalog;
use crate::domain::directory::Language;
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

/// An account's line for a reader of the language `language`: its statuses in their words,
/// its id and times as they are (ISO 8601).
fn line(a: &PortalAccount, language: Language) -> String {
    let code = language.as_str();
    csv::line(&[
        a.id.to_string(),
        a.email.clone(),
        a.name.clone(),
        a.portal_name_in(code).to_string(),
        catalog::word(code, "portal-kind", a.portal_kind.as_str()),
        a.organization_name.clone().unwrap_or_default(),
        catalog::word(code, "role", a.role.as_str()),
        a.registration.label().render(code),
        a.approval.label().render(code),
        a.assignment.label().render(code),
        catalog::tr(
            code,
            if a.access_granted {
                "badge-granted"
            } else {
                "badge-switched-off"
            },
        ),
        a.valid_until_text(),
        a.lifecycle.label().render(code),
        a.last_login_at
            .map(crate::clock::format_time)
            .unwrap_or_default(),
        crate::clock::format_time(a.created_at),
    ])
}

/// The selected accounts, at once (a form names a few hundred at most).
pub fn download(accounts: &[PortalAccount], filename: &str, language: Language) -> Response {
    let mut text = csv::head(language.as_str(), &HEAD);
    for a in accounts {
        text.push_str(&line(a, language));
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
    let language = staff.language();
    let line = move |a: &PortalAccount| line(a, language);
    let head =
        csv::head(language.as_str(), &HEAD) + &first.items.iter().map(line).collect::<String>();
    let state = (s, staff.actor, filter, first.next);
    Ok(csv::streamed(
        "accounts.csv",
        head,
        state,
        move |(s, actor, mut filter, next)| async move {
            let Some(next) = next else { return Ok(None) };
            filter.after = decode_cursor(&next);
            let page = uc::list_accounts(&s.cx, &actor, &filter).await?;
            let text = page.items.iter().map(line).collect::<String>();
            Ok(Some((text, (s, actor, filter, page.next))))
        },
    ))
}
