//! The organization and contact lists as CSV (`/console/organizations.csv`,
//! `/console/contacts.csv`): everything the list's filters find within the staff member's
//! areas, in the list's order, read a batch at a time.

use axum::extract::State;
use axum::response::Response;

use super::contacts::ContactListQuery;
use super::organizations::OrgListQuery;
use crate::catalog;
use crate::storage::listing::Window;
use crate::usecases::directory as uc;
use crate::web::AppState;
use crate::web::console::Staff;
use crate::web::csv;
use crate::web::page::PageResult;
use crate::web::query::Query;

/// Rows read at a time.
const BATCH: i64 = 1000;

pub(super) async fn organizations(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<OrgListQuery>,
) -> PageResult<Response> {
    let filter = q.filter();
    let order = q.listing(&staff.user.language).order;
    let code = staff.language().as_str();
    let line = move |o: &crate::storage::directory::Organization| {
        csv::line(&[
            o.id.to_string(),
            o.name.clone(),
            catalog::word(code, "organization-kind", o.kind.as_str()),
            o.parent_name.clone().unwrap_or_default(),
            o.area_name.clone().unwrap_or_default(),
            o.external_id.clone().unwrap_or_default(),
        ])
    };
    let window = |offset| Window {
        offset,
        limit: BATCH,
    };
    let first = uc::organizations_in_order(&s.cx, &staff.actor, &filter, &order, window(0)).await?;
    let head = csv::head(
        code,
        &["id", "name", "kind", "parent", "area", "external_id"],
    ) + &first.items.iter().map(line).collect::<String>();
    let more = first.total > BATCH;
    Ok(csv::streamed(
        "organizations.csv",
        head,
        (s, staff.actor, filter, order, BATCH, more),
        move |(s, actor, filter, order, offset, more)| async move {
            if !more {
                return Ok(None);
            }
            let page =
                uc::organizations_in_order(&s.cx, &actor, &filter, &order, window(offset)).await?;
            let text = page.items.iter().map(line).collect::<String>();
            let more = offset + BATCH < page.total && !page.items.is_empty();
            Ok(Some((
                text,
                (s, actor, filter, order, offset + BATCH, more),
            )))
        },
    ))
}

pub(super) async fn contacts(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<ContactListQuery>,
) -> PageResult<Response> {
    let filter = q.filter();
    let order = q.listing(&staff.user.language).order;
    let code = staff.language().as_str();
    let line = move |r: &crate::storage::directory::ListedContact| {
        let c = &r.contact;
        csv::line(&[
            c.id.to_string(),
            c.name.clone(),
            c.email.clone().unwrap_or_default(),
            c.organization_name.clone(),
            c.phone.clone().unwrap_or_default(),
            catalog::word(code, "language", &c.language),
            c.external_id.clone().unwrap_or_default(),
            r.accounts.to_string(),
            r.with_access.to_string(),
        ])
    };
    let window = |offset| Window {
        offset,
        limit: BATCH,
    };
    let first = uc::contacts_in_order(&s.cx, &staff.actor, &filter, &order, window(0)).await?;
    let head = csv::head(
        code,
        &[
            "id",
            "name",
            "email",
            "organization",
            "phone",
            "language",
            "external_id",
            "portal_accounts",
            "with_access",
        ],
    ) + &first.items.iter().map(line).collect::<String>();
    let more = first.total > BATCH;
    Ok(csv::streamed(
        "contacts.csv",
        head,
        (s, staff.actor, filter, order, BATCH, more),
        move |(s, actor, filter, order, offset, more)| async move {
            if !more {
                return Ok(None);
            }
            let page =
                uc::contacts_in_order(&s.cx, &actor, &filter, &order, window(offset)).await?;
            let text = page.items.iter().map(line).collect::<String>();
            let more = offset + BATCH < page.total && !page.items.is_empty();
            Ok(Some((
                text,
                (s, actor, filter, order, offset + BATCH, more),
            )))
        },
    ))
}
