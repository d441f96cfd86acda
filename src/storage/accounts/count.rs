//! How many accounts an access-list filter finds, within the actor's areas: the counts of the
//! console's home, each equal to the list its link opens.

use super::super::{Result, Tx};
use super::search::{AccountFilter, ValidUntilFilter, push_filter_joins, push_filters};
use crate::domain::account::Assignment;
use crate::on_tx;

/// The number of accounts `f` finds (every filter but the text search and the page).
pub async fn count(
    tx: &mut Tx,
    scope: &crate::domain::staff::Scope,
    f: &AccountFilter,
) -> Result<i64> {
    let f = AccountFilter {
        after: None,
        ..f.clone()
    };
    on_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM portal_accounts a");
        push_filter_joins!(qb, scope, f);
        qb.push(" WHERE 1 = 1");
        push_filters!(qb, scope, f);
        qb.build_query_scalar::<i64>().fetch_one(c).await
    })
}
