//! What the access rules (`domain::access`) read: the customers an organization reaches, an
//! account's customer assignments, the facts about one customer for a decision, and an
//! organization's active admins on a portal.

use std::collections::{BTreeMap, BTreeSet};

use super::{Engine, Result, Tx};
use crate::domain::access::{CustomerFacts, Grouping, Reach};
use crate::domain::directory::OrganizationKind;
use crate::{exec_tx, on_tx};

/// How deep sub-accounts are followed (a cycle in the directory would otherwise never end).
const MAX_DEPTH: i64 = 32;

/// The grouping of a stored `partnership_id` (`NULL`: the sub-accounts).
fn grouping(partnership_id: Option<i64>) -> Grouping {
    match partnership_id {
        Some(p) => Grouping::Partnership(p),
        None => Grouping::SubAccounts,
    }
}

/// The customers `organization` reaches: a partner's partnerships (each, even an empty one, a
/// grouping), or a customer with its sub-accounts at every depth.
pub async fn reach(tx: &mut Tx, organization: i64) -> Result<Reach> {
    Ok(reach_of(tx, &[organization])
        .await?
        .remove(&organization)
        .unwrap_or_default())
}

/// The reach of many organizations at once, as [`reach`] gives it for one (an unknown id is
/// left out): three queries for the lot, however many there are.
pub async fn reach_of(tx: &mut Tx, organizations: &[i64]) -> Result<BTreeMap<i64, Reach>> {
    let mut out = BTreeMap::new();
    for part in organizations.chunks(crate::storage::IN_LIST) {
        let ids = crate::storage::padded(part);
        let kinds: Vec<(i64, OrganizationKind)> = on_tx!(tx, |c| {
            let mut qb =
                sqlx::QueryBuilder::new("SELECT id, kind FROM organizations WHERE id IN (");
            let mut list = qb.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(c).await
        })?;
        let mut partners = Vec::new();
        let mut customers = Vec::new();
        for (id, kind) in kinds {
            out.insert(id, Reach::new());
            match kind {
                OrganizationKind::Partner => partners.push(id),
                OrganizationKind::Customer => customers.push(id),
            }
        }
        if !partners.is_empty() {
            let rows: Vec<(i64, i64, Option<i64>)> = on_tx!(tx, |c| {
                let mut qb = sqlx::QueryBuilder::new(
                    "SELECT p.partner_id, p.id, pc.customer_id FROM partnerships p \
                     LEFT JOIN partnership_customers pc ON pc.partnership_id = p.id \
                     WHERE p.partner_id IN (",
                );
                let mut list = qb.separated(", ");
                for id in crate::storage::padded(&partners) {
                    list.push_bind(id);
                }
                qb.push(")");
                qb.build_query_as().fetch_all(c).await
            })?;
            for (partner, p, customer) in rows {
                let reach = out.entry(partner).or_default();
                reach
                    .entry(Grouping::Partnership(p))
                    .or_default()
                    .extend(customer);
            }
        }
        if !customers.is_empty() {
            let rows: Vec<(i64, i64)> = on_tx!(tx, |c| {
                let mut qb = sqlx::QueryBuilder::new(
                    "WITH RECURSIVE tree (root, id, depth) AS ( \
                         SELECT id, id, 0 FROM organizations WHERE id IN (",
                );
                let mut list = qb.separated(", ");
                for id in crate::storage::padded(&customers) {
                    list.push_bind(id);
                }
                qb.push(
                    ") UNION \
                     SELECT t.root, o.id, t.depth + 1 FROM organizations o \
                     JOIN tree t ON o.parent_id = t.id \
                     WHERE o.kind = 'customer' AND t.depth < ",
                )
                .push_bind(MAX_DEPTH)
                .push(") SELECT DISTINCT root, id FROM tree");
                qb.build_query_as().fetch_all(c).await
            })?;
            for (root, id) in rows {
                out.entry(root)
                    .or_default()
                    .entry(Grouping::SubAccounts)
                    .or_default()
                    .insert(id);
            }
        }
    }
    Ok(out)
}

/// An account's customer assignments.
pub async fn assignments(tx: &mut Tx, account: i64) -> Result<BTreeSet<(Grouping, i64)>> {
    let rows: Vec<(Option<i64>, i64)> = on_tx!(tx, |c| sqlx::query_as(
        "SELECT partnership_id, customer_id FROM portal_account_customers WHERE account_id = $1"
    )
    .bind(account)
    .fetch_all(c)
    .await)?;
    Ok(rows
        .into_iter()
        .map(|(p, customer)| (grouping(p), customer))
        .collect())
}

/// The customer assignments of many accounts at once (an account without any is left out).
/// One row per account (`partnership:customer,...`, no partnership: 0), not one per
/// assignment: a digest run reads them for every user.
pub async fn assignments_of(
    tx: &mut Tx,
    accounts: &[i64],
) -> Result<BTreeMap<i64, BTreeSet<(Grouping, i64)>>> {
    let listed = match tx.engine() {
        Engine::Sqlite => "group_concat(COALESCE(partnership_id, 0) || ':' || customer_id, ',')",
        Engine::Postgres => {
            "string_agg(COALESCE(partnership_id, 0)::text || ':' || customer_id::text, ',')"
        }
    };
    let mut out: BTreeMap<i64, BTreeSet<(Grouping, i64)>> = BTreeMap::new();
    for part in accounts.chunks(crate::storage::IN_LIST) {
        let rows: Vec<(i64, String)> = on_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(format!(
                "SELECT account_id, {listed} FROM portal_account_customers WHERE account_id IN ("
            ));
            let mut list = qb.separated(", ");
            for id in crate::storage::padded(part) {
                list.push_bind(id);
            }
            qb.push(") GROUP BY account_id");
            qb.build_query_as().fetch_all(c).await
        })?;
        for (account, listed) in rows {
            let set = out.entry(account).or_default();
            for pair in listed.split(',') {
                let parsed = pair
                    .split_once(':')
                    .and_then(|(p, c)| Some((p.parse::<i64>().ok()?, c.parse::<i64>().ok()?)));
                let Some((p, customer)) = parsed else {
                    return Err(sqlx::Error::Protocol(format!(
                        "an assignment of account {account} reads {pair:?}"
                    )));
                };
                set.insert((grouping((p != 0).then_some(p)), customer));
            }
        }
    }
    Ok(out)
}

/// Replaces an account's customer assignments.
pub async fn set_assignments(
    tx: &mut Tx,
    account: i64,
    assigned: &BTreeSet<(Grouping, i64)>,
    now: i64,
) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM portal_account_customers WHERE account_id = $1"
    )
    .bind(account)
    .execute(c)
    .await)?;
    for (g, customer) in assigned {
        let partnership = match g {
            Grouping::Partnership(p) => Some(*p),
            Grouping::SubAccounts => None,
        };
        exec_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO portal_account_customers (account_id, partnership_id, customer_id, created_at) \
             VALUES ($1, $2, $3, $4)"
        )
        .bind(account)
        .bind(partnership)
        .bind(*customer)
        .bind(now)
        .execute(c)
        .await
        })?;
    }
    Ok(())
}

/// How many customers each of an account's groupings has assigned, for many accounts.
pub async fn assignment_counts(tx: &mut Tx, accounts: &[i64]) -> Result<Vec<(i64, Grouping, i64)>> {
    if accounts.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(i64, Option<i64>, i64)> = on_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT account_id, partnership_id, COUNT(*) FROM portal_account_customers \
             WHERE account_id IN (",
        );
        let mut list = qb.separated(", ");
        for a in accounts {
            list.push_bind(*a);
        }
        qb.push(") GROUP BY account_id, partnership_id");
        qb.build_query_as().fetch_all(c).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(a, p, n)| (a, grouping(p), n))
        .collect())
}

/// The facts about one customer for a decision on an account of `organization`: a few
/// look-ups by key, however large the directory.
pub async fn customer_facts(
    tx: &mut Tx,
    account: i64,
    organization: i64,
    partner: bool,
    customer: i64,
) -> Result<CustomerFacts> {
    // One query either way: the groupings that hold the customer, each with whether the
    // account has assignments in it and whether this customer is one of them.
    let rows: Vec<(i64, bool, bool)> = if partner {
        on_tx!(tx, |c| sqlx::query_as(
            "SELECT pc.partnership_id, \
             EXISTS (SELECT 1 FROM portal_account_customers x \
                 WHERE x.account_id = $3 AND COALESCE(x.partnership_id, 0) = pc.partnership_id), \
             EXISTS (SELECT 1 FROM portal_account_customers x \
                 WHERE x.account_id = $3 AND COALESCE(x.partnership_id, 0) = pc.partnership_id \
                 AND x.customer_id = $1) \
             FROM partnership_customers pc JOIN partnerships p ON p.id = pc.partnership_id \
             WHERE pc.customer_id = $1 AND p.partner_id = $2"
        )
        .bind(customer)
        .bind(organization)
        .bind(account)
        .fetch_all(c)
        .await)?
    } else {
        // The customer's line of parents, up to the organization or the top; every
        // organization on the way is a customer (as in [`reach`]). Grouping key 0: the
        // sub-accounts.
        on_tx!(tx, |c| sqlx::query_as(
            "WITH RECURSIVE up (id, parent_id, depth) AS ( \
                 SELECT id, parent_id, 0 FROM organizations WHERE id = $1 AND kind = 'customer' \
                 UNION ALL \
                 SELECT o.id, o.parent_id, u.depth + 1 FROM organizations o \
                 JOIN up u ON o.id = u.parent_id \
                 WHERE o.kind = 'customer' AND u.id <> $2 AND u.depth < $3 \
             ) SELECT CAST(0 AS BIGINT), \
             EXISTS (SELECT 1 FROM portal_account_customers x \
                 WHERE x.account_id = $4 AND COALESCE(x.partnership_id, 0) = 0), \
             EXISTS (SELECT 1 FROM portal_account_customers x \
                 WHERE x.account_id = $4 AND COALESCE(x.partnership_id, 0) = 0 \
                 AND x.customer_id = $1) \
             FROM up WHERE id = $2 LIMIT 1"
        )
        .bind(customer)
        .bind(organization)
        .bind(MAX_DEPTH)
        .bind(account)
        .fetch_all(c)
        .await)?
    };
    let mut facts = CustomerFacts::default();
    for (key, restricted, assigned) in rows {
        // The key in the assignments' index: the partnership, or 0 for the sub-accounts.
        let g = grouping((key != 0).then_some(key));
        facts.holding.insert(g);
        if restricted {
            facts.restricted.insert(g);
        }
        if assigned {
            facts.assigned.insert(g);
        }
    }
    Ok(facts)
}

/// The organization's active admins on a portal (see `domain::access::is_active_admin`),
/// with the organization locked on PostgreSQL so that two changes to its admins run one
/// after the other (SQLite's writer lock does that already).
pub async fn lock_active_admins(tx: &mut Tx, organization: i64, portal: i64) -> Result<Vec<i64>> {
    if let Tx::Postgres(t) = tx {
        sqlx::query("SELECT id FROM organizations WHERE id = $1 FOR UPDATE")
            .bind(organization)
            .execute(&mut **t)
            .await?;
    }
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT a.id FROM portal_accounts a JOIN contacts ct ON ct.id = a.contact_id \
         WHERE ct.organization_id = $1 AND a.portal_id = $2 AND a.role = 'admin' \
         AND a.registration = 'registered' AND a.approval = 'approved' \
         AND a.lifecycle = 'active' AND a.access_granted = TRUE AND a.valid_until IS NULL \
         ORDER BY a.id"
    )
    .bind(organization)
    .bind(portal)
    .fetch_all(c)
    .await)
}

/// How many accounts the organization has on the portal besides `except`.
pub async fn other_accounts(
    tx: &mut Tx,
    organization: i64,
    portal: i64,
    except: i64,
) -> Result<i64> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM portal_accounts a JOIN contacts ct ON ct.id = a.contact_id \
         WHERE ct.organization_id = $1 AND a.portal_id = $2 AND a.id <> $3"
    )
    .bind(organization)
    .bind(portal)
    .bind(except)
    .fetch_one(c)
    .await)
}

/// A grouping with the names of its customers, for a picker.
#[derive(Debug, Clone)]
pub struct GroupingListing {
    pub grouping: Grouping,
    /// The partnership's name, or the customer organization's for its sub-accounts.
    pub label: String,
    pub customers: Vec<(i64, String)>,
}

/// The groupings of `organization` with their customers' names, in name order.
pub async fn groupings(tx: &mut Tx, organization: i64) -> Result<Vec<GroupingListing>> {
    let reach = reach(tx, organization).await?;
    let mut out = Vec::new();
    for (g, members) in reach {
        let label: Option<String> = match g {
            Grouping::Partnership(p) => on_tx!(tx, |c| sqlx::query_scalar(
                "SELECT name FROM partnerships WHERE id = $1"
            )
            .bind(p)
            .fetch_optional(c)
            .await)?,
            Grouping::SubAccounts => on_tx!(tx, |c| sqlx::query_scalar(
                "SELECT name FROM organizations WHERE id = $1"
            )
            .bind(organization)
            .fetch_optional(c)
            .await)?,
        };
        let mut customers = Vec::new();
        for id in members {
            let name: Option<String> = on_tx!(tx, |c| sqlx::query_scalar(
                "SELECT name FROM organizations WHERE id = $1"
            )
            .bind(id)
            .fetch_optional(c)
            .await)?;
            customers.push((id, name.unwrap_or_default()));
        }
        customers.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        out.push(GroupingListing {
            grouping: g,
            label: label.unwrap_or_default(),
            customers,
        });
    }
    out.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(out)
}

/// The names of partnerships, by id.
pub async fn partnership_names(tx: &mut Tx, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    on_tx!(tx, |c| {
        let mut qb = sqlx::QueryBuilder::new("SELECT id, name FROM partnerships WHERE id IN (");
        let mut list = qb.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        qb.push(")");
        qb.build_query_as().fetch_all(c).await
    })
}
