//! The console's access list in the order of a column the staff member chose, a page at a
//! time, and how many accounts its filters (the text search too) find. The keyset list in
//! [`super::search`] stays the API's and the downloads' way through the accounts.

use super::super::listing::{Column, Counted, Order, Window, order_terms, push_window};
use super::super::{Result, Tx};
use super::search::{AccountFilter, ValidUntilFilter, push_filter_joins, push_filters, push_like};
use super::{PortalAccount, SELECT};
use crate::domain::account::Assignment;
use crate::on_tx;

/// The columns the access list may be sorted by.
pub static ACCOUNT_COLUMNS: &[Column] = &[
    Column::new("email", "a.email"),
    Column::new("portal", "p.name").text(),
    Column::new("name", "a.name").text(),
    Column::new("organization", "o.name").text().nullable(),
    Column::new("role", "a.role"),
    Column::new("valid_until", "a.valid_until").nullable(),
    Column::new("last_login", "a.last_login_at").nullable(),
    Column::new("created", "a.created_at"),
];

/// A page of the accounts `f` finds (its `after` and `limit` aside), in `order`, and how many
/// there are, within the actor's areas. With a text search and the list's own order
/// (`chosen` false), the addresses that begin with the term come first, as in [`super::list`].
pub async fn in_order(
    tx: &mut Tx,
    scope: &crate::domain::staff::Scope,
    f: &AccountFilter,
    order: &Order,
    chosen: bool,
    window: Window,
) -> Result<Counted<PortalAccount>> {
    let f = AccountFilter {
        after: None,
        ..f.clone()
    };
    let engine = tx.engine();
    let term =
        f.q.as_deref()
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty());
    let pattern = term.as_deref().map(super::super::like_pattern);
    let items: Vec<PortalAccount> = on_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new(SELECT);
        qb.push(" WHERE 1 = 1");
        if let Some(p) = &pattern {
            push_like!(qb, engine, "a", p);
        }
        push_filters!(qb, scope, f);
        qb.push(" ORDER BY ");
        if let (Some(t), false) = (&term, chosen) {
            qb.push("CASE WHEN a.email >= ")
                .push_bind(t.clone())
                .push(" AND a.email < ")
                .push_bind(super::search::prefix_end(t).unwrap_or_else(|| format!("{t}\u{10FFFF}")))
                .push(" THEN 0 ELSE 1 END, ");
        }
        qb.push(order_terms(engine, order, "a.id"));
        push_window!(qb, window);
        qb.build_query_as().fetch_all(c).await
    })?;
    let total: i64 = on_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM portal_accounts a");
        push_filter_joins!(qb, scope, f);
        qb.push(" WHERE 1 = 1");
        if let Some(p) = &pattern {
            push_like!(qb, engine, "a", p);
        }
        push_filters!(qb, scope, f);
        qb.build_query_scalar().fetch_one(c).await
    })?;
    Ok(Counted { items, total })
}

/// The accounts of `ids` that the actor's areas hold, in e-mail order.
pub async fn these(
    tx: &mut Tx,
    scope: &crate::domain::staff::Scope,
    ids: &[i64],
) -> Result<Vec<PortalAccount>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let f = AccountFilter::default();
    on_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new(SELECT);
        qb.push(" WHERE a.id IN (");
        let mut list = qb.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        qb.push(")");
        push_filters!(qb, scope, f);
        qb.push(" ORDER BY a.email, a.id");
        qb.build_query_as().fetch_all(c).await
    })
}
