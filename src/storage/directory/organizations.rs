//! Organizations (customers and partners): rows, search and the writes of their fields.

use serde::Serialize;
use sqlx::QueryBuilder;

use super::{Page, UNLESS_EXTERNAL_ID_TAKEN, one_where, page};
use crate::domain::directory::OrganizationKind;
use crate::domain::staff::Scope;
use crate::storage::listing::{Column, Counted, Order, Window, order_by, push_window};
use crate::storage::{Result, Tx};
use crate::{exec_tx, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Organization {
    pub id: i64,
    pub kind: OrganizationKind,
    pub name: String,
    pub parent_id: Option<i64>,
    pub parent_name: Option<String>,
    pub area_id: Option<i64>,
    pub area_name: Option<String>,
    pub external_id: Option<String>,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

const ORG_SELECT: &str = "SELECT o.id, o.kind, o.name, o.parent_id, p.name AS parent_name, o.area_id, \
     a.name AS area_name, o.external_id, o.created_at, o.updated_at \
     FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id \
     LEFT JOIN areas a ON a.id = o.area_id";

#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    pub q: Option<String>,
    pub kind: Option<OrganizationKind>,
    pub area_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub after: Option<(String, i64)>,
    pub limit: i64,
}

/// Adds ` AND ...` for every filter of `f` (but the page), within `scope`: one builder for a
/// page and its count.
macro_rules! push_org_filters {
    ($qb:expr, $engine:expr, $scope:expr, $f:expr) => {
        crate::push_area_scope!($qb, $scope, "o.area_id");
        if let Some(q) = $f.q.as_deref().filter(|q| !q.trim().is_empty()) {
            push_search!($qb, $engine, "o", "organizations", q);
        }
        if let Some(kind) = $f.kind {
            $qb.push(" AND o.kind = ").push_bind(kind);
        }
        if let Some(area) = $f.area_id {
            $qb.push(" AND o.area_id = ").push_bind(area);
        }
        if let Some(parent) = $f.parent_id {
            $qb.push(" AND o.parent_id = ").push_bind(parent);
        }
    };
}

pub async fn list_organizations(
    tx: &mut Tx,
    scope: &Scope,
    f: &OrganizationFilter,
) -> Result<Page<Organization>> {
    let engine = tx.engine();
    let rows: Vec<Organization> = on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(ORG_SELECT);
        qb.push(" WHERE 1 = 1");
        push_org_filters!(qb, engine, scope, f);
        if let Some((name, id)) = &f.after {
            qb.push(" AND (o.name > ")
                .push_bind(name.clone())
                .push(" OR (o.name = ")
                .push_bind(name.clone())
                .push(" AND o.id > ")
                .push_bind(*id)
                .push("))");
        }
        qb.push(" ORDER BY o.name, o.id LIMIT ")
            .push_bind(f.limit + 1);
        qb.build_query_as().fetch_all(c).await
    })?;
    Ok(page(rows, f.limit, |o: &Organization| {
        (o.name.clone(), o.id)
    }))
}

/// The columns the console's organization list may be sorted by.
pub static ORGANIZATION_COLUMNS: &[Column] = &[
    Column::new("name", "o.name").text(),
    Column::new("kind", "o.kind"),
    Column::new("parent", "p.name").text().nullable(),
    Column::new("area", "a.name").text().nullable(),
    Column::new("external_id", "o.external_id").nullable(),
];

/// A page of the organizations `f` finds (its `after` and `limit` aside), in `order`, and how
/// many there are.
pub async fn organizations_in_order(
    tx: &mut Tx,
    scope: &Scope,
    f: &OrganizationFilter,
    order: &Order,
    window: Window,
) -> Result<Counted<Organization>> {
    let engine = tx.engine();
    let items: Vec<Organization> = on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(ORG_SELECT);
        qb.push(" WHERE 1 = 1");
        push_org_filters!(qb, engine, scope, f);
        qb.push(order_by(engine, order, "o.id"));
        push_window!(qb, window);
        qb.build_query_as().fetch_all(c).await
    })?;
    let total: i64 = on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new("SELECT COUNT(*) FROM organizations o WHERE 1 = 1");
        push_org_filters!(qb, engine, scope, f);
        qb.build_query_scalar().fetch_one(c).await
    })?;
    Ok(Counted { items, total })
}

pub async fn get_organization(tx: &mut Tx, id: i64) -> Result<Option<Organization>> {
    one_where(tx, ORG_SELECT, "o.id = $1", id).await
}

pub async fn find_organization_by_external_id(
    tx: &mut Tx,
    external_id: &str,
) -> Result<Option<Organization>> {
    one_where(tx, ORG_SELECT, "o.external_id = $1", external_id).await
}

pub async fn parent_of(tx: &mut Tx, id: i64) -> Result<Option<i64>> {
    let row: Option<Option<i64>> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT parent_id FROM organizations WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(row.flatten())
}

pub async fn count_children(tx: &mut Tx, id: i64) -> Result<i64> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT COUNT(*) FROM organizations WHERE parent_id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)
}

pub struct OrganizationRow<'a> {
    pub kind: OrganizationKind,
    pub name: &'a str,
    pub parent_id: Option<i64>,
    pub area_id: Option<i64>,
    pub external_id: Option<&'a str>,
}

impl OrganizationRow<'_> {
    fn search_text(&self) -> String {
        crate::domain::validation::search_text(&[Some(self.name), self.external_id])
    }
}

pub async fn insert_organization(tx: &mut Tx, o: &OrganizationRow<'_>, now: i64) -> Result<i64> {
    insert_organization_with(tx, o, now, "")
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// Inserts an organization unless its external id is taken (`None`), also by a transaction
/// that commits while this one waits: an upsert then updates the one that is there.
pub async fn insert_organization_unless_taken(
    tx: &mut Tx,
    o: &OrganizationRow<'_>,
    now: i64,
) -> Result<Option<i64>> {
    insert_organization_with(tx, o, now, UNLESS_EXTERNAL_ID_TAKEN).await
}

async fn insert_organization_with(
    tx: &mut Tx,
    o: &OrganizationRow<'_>,
    now: i64,
    on_conflict: &str,
) -> Result<Option<i64>> {
    let search = o.search_text();
    on_tx!(tx, |c| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO organizations (kind, name, parent_id, area_id, external_id, search_text, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7){on_conflict} RETURNING id"
        )))
        .bind(o.kind)
        .bind(o.name)
        .bind(o.parent_id)
        .bind(o.area_id)
        .bind(o.external_id)
        .bind(&search)
        .bind(now)
        .fetch_optional(c)
        .await
    })
}

pub async fn update_organization(
    tx: &mut Tx,
    id: i64,
    o: &OrganizationRow<'_>,
    now: i64,
) -> Result<()> {
    let search = o.search_text();
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE organizations SET kind = $1, name = $2, parent_id = $3, area_id = $4, external_id = $5, \
         search_text = $6, updated_at = $7 WHERE id = $8"
    )
    .bind(o.kind)
    .bind(o.name)
    .bind(o.parent_id)
    .bind(o.area_id)
    .bind(o.external_id)
    .bind(&search)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    })?;
    Ok(())
}

/// How many partnerships an organization holds (as partner) or is held by (as customer).
pub async fn count_partnership_links(tx: &mut Tx, id: i64) -> Result<i64> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM partnerships WHERE partner_id = $1) \
         + (SELECT COUNT(*) FROM partnership_customers WHERE customer_id = $1)"
    )
    .bind(id)
    .fetch_one(c)
    .await)
}

/// Organizations of `kind` whose name is `name`, ignoring case, at most `limit`.
pub async fn organizations_named(
    tx: &mut Tx,
    kind: OrganizationKind,
    name: &str,
    limit: i64,
) -> Result<Vec<Organization>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ORG_SELECT} WHERE o.kind = $1 AND lower(o.name) = $2 ORDER BY o.id LIMIT $3"
    )))
    .bind(kind)
    .bind(name.to_lowercase())
    .bind(limit)
    .fetch_all(c)
    .await)
}
