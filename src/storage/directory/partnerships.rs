//! Partnerships: which partner works for which customers.

use serde::Serialize;
use sqlx::QueryBuilder;

use crate::domain::staff::Scope;
use crate::storage::{Result, Tx};
use crate::{exec_tx, on_tx};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Partnership {
    pub id: i64,
    pub partner_id: i64,
    pub partner_name: String,
    pub partner_area_id: Option<i64>,
    pub name: String,
    pub external_id: Option<String>,
    #[sqlx(skip)]
    pub customer_ids: Vec<i64>,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

const PARTNERSHIP_SELECT: &str = "SELECT ps.id, ps.partner_id, o.name AS partner_name, o.area_id AS partner_area_id, \
     ps.name, ps.external_id, ps.created_at, ps.updated_at \
     FROM partnerships ps JOIN organizations o ON o.id = ps.partner_id";

pub async fn list_partnerships(
    tx: &mut Tx,
    scope: &Scope,
    partner_id: Option<i64>,
) -> Result<Vec<Partnership>> {
    let mut rows: Vec<Partnership> = on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(PARTNERSHIP_SELECT);
        qb.push(" WHERE 1 = 1");
        crate::push_area_scope!(qb, scope, "o.area_id");
        if let Some(p) = partner_id {
            qb.push(" AND ps.partner_id = ").push_bind(p);
        }
        qb.push(" ORDER BY o.name, ps.name, ps.id LIMIT 1000");
        qb.build_query_as().fetch_all(c).await
    })?;
    for p in &mut rows {
        p.customer_ids = partnership_customer_ids(tx, p.id).await?;
    }
    Ok(rows)
}

pub async fn get_partnership(tx: &mut Tx, id: i64) -> Result<Option<Partnership>> {
    let row: Option<Partnership> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PARTNERSHIP_SELECT} WHERE ps.id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)?;
    match row {
        Some(mut p) => {
            p.customer_ids = partnership_customer_ids(tx, p.id).await?;
            Ok(Some(p))
        }
        None => Ok(None),
    }
}

pub async fn find_partnership_by_external_id(
    tx: &mut Tx,
    external_id: &str,
) -> Result<Option<Partnership>> {
    let id: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM partnerships WHERE external_id = $1"
    )
    .bind(external_id)
    .fetch_optional(c)
    .await)?;
    match id {
        Some(id) => get_partnership(tx, id).await,
        None => Ok(None),
    }
}

pub async fn partnership_customer_ids(tx: &mut Tx, id: i64) -> Result<Vec<i64>> {
    on_tx!(tx, |c| {
        sqlx::query_scalar(
        "SELECT customer_id FROM partnership_customers WHERE partnership_id = $1 ORDER BY customer_id"
    )
    .bind(id)
    .fetch_all(c)
    .await
    })
}

/// The partnerships (id, partner name, partnership name) that hold a customer.
pub async fn partnerships_of_customer(
    tx: &mut Tx,
    customer_id: i64,
) -> Result<Vec<(i64, String, String)>> {
    on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT ps.id, o.name, ps.name FROM partnership_customers pc \
         JOIN partnerships ps ON ps.id = pc.partnership_id JOIN organizations o ON o.id = ps.partner_id \
         WHERE pc.customer_id = $1 ORDER BY o.name, ps.name"
    )
    .bind(customer_id)
    .fetch_all(c)
    .await
    })
}

pub async fn insert_partnership(
    tx: &mut Tx,
    partner_id: i64,
    name: &str,
    external_id: Option<&str>,
    now: i64,
) -> Result<i64> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO partnerships (partner_id, name, external_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) RETURNING id"
    )
    .bind(partner_id)
    .bind(name)
    .bind(external_id)
    .bind(now)
    .fetch_one(c)
    .await)
}

pub async fn update_partnership(
    tx: &mut Tx,
    id: i64,
    partner_id: i64,
    name: &str,
    external_id: Option<&str>,
    now: i64,
) -> Result<()> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE partnerships SET partner_id = $1, name = $2, external_id = $3, updated_at = $4 WHERE id = $5"
    )
    .bind(partner_id)
    .bind(name)
    .bind(external_id)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    })?;
    Ok(())
}

pub async fn set_partnership_customers(
    tx: &mut Tx,
    id: i64,
    customer_ids: &[i64],
    now: i64,
) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM partnership_customers WHERE partnership_id = $1"
    )
    .bind(id)
    .execute(&mut *c)
    .await)?;
    for chunk in customer_ids.chunks(500) {
        exec_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "INSERT INTO partnership_customers (partnership_id, customer_id, created_at) ",
            );
            qb.push_values(chunk, |mut b, customer| {
                b.push_bind(id).push_bind(*customer).push_bind(now);
            });
            qb.build().execute(c).await
        })?;
    }
    Ok(())
}

/// Of `ids`, those that are customers, with their areas.
pub async fn customers_among(tx: &mut Tx, ids: &[i64]) -> Result<Vec<(i64, Option<i64>)>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(i64, Option<i64>)> = on_tx!(tx, |c| {
            let mut qb = QueryBuilder::new(
                "SELECT id, area_id FROM organizations WHERE kind = 'customer' AND id IN (",
            );
            let mut sep = qb.separated(", ");
            for id in chunk {
                sep.push_bind(*id);
            }
            qb.push(")");
            qb.build_query_as().fetch_all(c).await
        })?;
        found.extend(rows);
    }
    Ok(found)
}
