//! Queries for areas, organizations, partnerships, contacts and portals.

use serde::Serialize;
use sqlx::QueryBuilder;

use super::{Engine, Result, Tx, like_pattern};
use crate::domain::staff::Scope;
use crate::{exec_tx, on_tx};

/// A page of a list, and the cursor of the next page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next: Option<String>,
}

/// Keyset cursor: the sort key and id of the last row of a page, hex-encoded.
pub fn encode_cursor(key: &str, id: i64) -> String {
    crate::security::tokens::hex(format!("{id}\u{0}{key}").as_bytes())
}

pub fn decode_cursor(cursor: &str) -> Option<(String, i64)> {
    if !cursor.len().is_multiple_of(2) || cursor.len() > 2048 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..cursor.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(cursor.get(i..i + 2)?, 16).ok())
        .collect();
    let text = String::from_utf8(bytes?).ok()?;
    let (id, key) = text.split_once('\u{0}')?;
    Some((key.to_string(), id.parse().ok()?))
}

fn page<T>(mut items: Vec<T>, limit: i64, key: impl Fn(&T) -> (String, i64)) -> Page<T> {
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|last| {
            let (k, id) = key(last);
            encode_cursor(&k, id)
        })
    } else {
        None
    };
    Page { items, next }
}

/// Adds "the search text contains `q`" to a query, the fast way each engine has: SQLite's
/// FTS5 trigram table `{table}_search`, PostgreSQL's trigram index (which serves LIKE). Terms
/// shorter than three characters have no trigram: they fall back to LIKE on both.
macro_rules! push_search {
    ($qb:expr, $engine:expr, $alias:literal, $table:literal, $q:expr) => {{
        let q: String = $q.trim().to_lowercase();
        if $engine == Engine::Sqlite && q.chars().count() >= 3 {
            let phrase = format!("\"{}\"", q.replace('"', "\"\""));
            $qb.push(concat!(
                " AND ",
                $alias,
                ".id IN (SELECT rowid FROM ",
                $table,
                "_search WHERE ",
                $table,
                "_search MATCH "
            ))
            .push_bind(phrase)
            .push(")");
        } else {
            $qb.push(concat!(" AND ", $alias, ".search_text LIKE "))
                .push_bind(like_pattern(&q))
                .push(" ESCAPE '\\'");
        }
    }};
}

// ---------------------------------------------------------------- areas

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Area {
    pub id: i64,
    pub name: String,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

pub async fn list_areas(tx: &mut Tx) -> Result<Vec<Area>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, name, created_at, updated_at FROM areas ORDER BY name, id"
    )
    .fetch_all(c)
    .await)
}

pub async fn get_area(tx: &mut Tx, id: i64) -> Result<Option<Area>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, name, created_at, updated_at FROM areas WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

pub async fn find_area_by_name(tx: &mut Tx, name: &str) -> Result<Option<Area>> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT id, name, created_at, updated_at FROM areas WHERE lower(name) = lower($1)"
    )
    .bind(name)
    .fetch_optional(c)
    .await)
}

pub async fn insert_area(tx: &mut Tx, name: &str, now: i64) -> Result<i64> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO areas (name, created_at, updated_at) VALUES ($1, $2, $2) RETURNING id"
    )
    .bind(name)
    .bind(now)
    .fetch_one(c)
    .await)
}

pub async fn update_area(tx: &mut Tx, id: i64, name: &str, now: i64) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "UPDATE areas SET name = $1, updated_at = $2 WHERE id = $3"
    )
    .bind(name)
    .bind(now)
    .bind(id)
    .execute(c)
    .await)?;
    Ok(())
}

// ---------------------------------------------------------------- organizations

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Organization {
    pub id: i64,
    /// `customer` or `partner`.
    pub kind: String,
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
    pub kind: Option<String>,
    pub area_id: Option<i64>,
    pub parent_id: Option<i64>,
    pub after: Option<(String, i64)>,
    pub limit: i64,
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
        crate::push_area_scope!(qb, scope, "o.area_id");
        if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
            push_search!(qb, engine, "o", "organizations", q);
        }
        if let Some(kind) = &f.kind {
            qb.push(" AND o.kind = ").push_bind(kind.clone());
        }
        if let Some(area) = f.area_id {
            qb.push(" AND o.area_id = ").push_bind(area);
        }
        if let Some(parent) = f.parent_id {
            qb.push(" AND o.parent_id = ").push_bind(parent);
        }
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

pub async fn get_organization(tx: &mut Tx, id: i64) -> Result<Option<Organization>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ORG_SELECT} WHERE o.id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)
}

pub async fn find_organization_by_external_id(
    tx: &mut Tx,
    external_id: &str,
) -> Result<Option<Organization>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{ORG_SELECT} WHERE o.external_id = $1"
    )))
    .bind(external_id)
    .fetch_optional(c)
    .await)
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
    pub kind: &'a str,
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

/// The clause, the same on both engines, that makes an insert meeting a taken external id
/// insert nothing and return no row.
const UNLESS_EXTERNAL_ID_TAKEN: &str = " ON CONFLICT (external_id) DO NOTHING";

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

// ---------------------------------------------------------------- partnerships

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

// ---------------------------------------------------------------- contacts

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Contact {
    pub id: i64,
    pub organization_id: i64,
    pub organization_name: String,
    /// The area of the contact's organization.
    pub area_id: Option<i64>,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `en` or `de`.
    pub language: String,
    pub external_id: Option<String>,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

const CONTACT_SELECT: &str = "SELECT ct.id, ct.organization_id, o.name AS organization_name, o.area_id, ct.name, \
     ct.email, ct.phone, ct.language, ct.external_id, ct.created_at, ct.updated_at \
     FROM contacts ct JOIN organizations o ON o.id = ct.organization_id";

#[derive(Debug, Clone, Default)]
pub struct ContactFilter {
    pub q: Option<String>,
    pub organization_id: Option<i64>,
    pub area_id: Option<i64>,
    pub language: Option<String>,
    pub after: Option<(String, i64)>,
    pub limit: i64,
}

pub async fn list_contacts(tx: &mut Tx, scope: &Scope, f: &ContactFilter) -> Result<Page<Contact>> {
    let engine = tx.engine();
    let rows: Vec<Contact> = on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(CONTACT_SELECT);
        qb.push(" WHERE 1 = 1");
        crate::push_area_scope!(qb, scope, "o.area_id");
        if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
            push_search!(qb, engine, "ct", "contacts", q);
        }
        if let Some(org) = f.organization_id {
            qb.push(" AND ct.organization_id = ").push_bind(org);
        }
        if let Some(area) = f.area_id {
            qb.push(" AND o.area_id = ").push_bind(area);
        }
        if let Some(lang) = &f.language {
            qb.push(" AND ct.language = ").push_bind(lang.clone());
        }
        if let Some((name, id)) = &f.after {
            qb.push(" AND (ct.name > ")
                .push_bind(name.clone())
                .push(" OR (ct.name = ")
                .push_bind(name.clone())
                .push(" AND ct.id > ")
                .push_bind(*id)
                .push("))");
        }
        qb.push(" ORDER BY ct.name, ct.id LIMIT ")
            .push_bind(f.limit + 1);
        qb.build_query_as().fetch_all(c).await
    })?;
    Ok(page(rows, f.limit, |ct: &Contact| (ct.name.clone(), ct.id)))
}

pub async fn get_contact(tx: &mut Tx, id: i64) -> Result<Option<Contact>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CONTACT_SELECT} WHERE ct.id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)
}

pub async fn find_contact_by_external_id(
    tx: &mut Tx,
    external_id: &str,
) -> Result<Option<Contact>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CONTACT_SELECT} WHERE ct.external_id = $1"
    )))
    .bind(external_id)
    .fetch_optional(c)
    .await)
}

/// Contacts whose e-mail address is `email` (already lower case), at most `limit`.
pub async fn contacts_with_email(tx: &mut Tx, email: &str, limit: i64) -> Result<Vec<Contact>> {
    on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{CONTACT_SELECT} WHERE ct.email = $1 ORDER BY ct.id LIMIT $2"
    )))
    .bind(email)
    .bind(limit)
    .fetch_all(c)
    .await)
}

/// Organizations of `kind` whose name is `name`, ignoring case, at most `limit`.
pub async fn organizations_named(
    tx: &mut Tx,
    kind: &str,
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

pub struct ContactRow<'a> {
    pub organization_id: i64,
    pub name: &'a str,
    pub email: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub language: &'a str,
    pub external_id: Option<&'a str>,
}

impl ContactRow<'_> {
    fn search_text(&self) -> String {
        crate::domain::validation::search_text(&[
            Some(self.name),
            self.email,
            self.phone,
            self.external_id,
        ])
    }
}

pub async fn insert_contact(tx: &mut Tx, ct: &ContactRow<'_>, now: i64) -> Result<i64> {
    insert_contact_with(tx, ct, now, "")
        .await?
        .ok_or(sqlx::Error::RowNotFound)
}

/// Inserts a contact unless its external id is taken (`None`), as
/// [`insert_organization_unless_taken`].
pub async fn insert_contact_unless_taken(
    tx: &mut Tx,
    ct: &ContactRow<'_>,
    now: i64,
) -> Result<Option<i64>> {
    insert_contact_with(tx, ct, now, UNLESS_EXTERNAL_ID_TAKEN).await
}

async fn insert_contact_with(
    tx: &mut Tx,
    ct: &ContactRow<'_>,
    now: i64,
    on_conflict: &str,
) -> Result<Option<i64>> {
    let search = ct.search_text();
    on_tx!(tx, |c| {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "INSERT INTO contacts (organization_id, name, email, phone, language, external_id, search_text, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8){on_conflict} RETURNING id"
        )))
        .bind(ct.organization_id)
        .bind(ct.name)
        .bind(ct.email)
        .bind(ct.phone)
        .bind(ct.language)
        .bind(ct.external_id)
        .bind(&search)
        .bind(now)
        .fetch_optional(c)
        .await
    })
}

pub async fn update_contact(tx: &mut Tx, id: i64, ct: &ContactRow<'_>, now: i64) -> Result<()> {
    let search = ct.search_text();
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE contacts SET organization_id = $1, name = $2, email = $3, phone = $4, language = $5, \
         external_id = $6, search_text = $7, updated_at = $8 WHERE id = $9"
    )
    .bind(ct.organization_id)
    .bind(ct.name)
    .bind(ct.email)
    .bind(ct.phone)
    .bind(ct.language)
    .bind(ct.external_id)
    .bind(&search)
    .bind(now)
    .bind(id)
    .execute(c)
    .await
    })?;
    Ok(())
}

// ---------------------------------------------------------------- portals

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Module {
    pub name: String,
    /// Only an organization's admins see it.
    pub admin_only: bool,
    /// Marketing material: the only modules a marketing account sees.
    pub marketing: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Portal {
    pub id: i64,
    pub name: String,
    /// `customer`, `installer` or `partner`: the access's source.
    pub kind: String,
    pub base_url: String,
    /// `invitation_only`, `self_automatic` or `self_manual`.
    pub registration_mode: String,
    pub self_registration_creates_contact: bool,
    /// When someone asks for a new link: tell staff instead of sending it again.
    pub notify_staff_on_new_link: bool,
    pub invitation_lifetime_days: i64,
    /// `en` or `de`.
    pub default_language: String,
    #[sqlx(skip)]
    pub modules: Vec<Module>,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: i64,
    #[serde(serialize_with = "crate::clock::json::time")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: i64,
}

const PORTAL_SELECT: &str = "SELECT id, name, kind, base_url, registration_mode, self_registration_creates_contact, \
     notify_staff_on_new_link, \
     invitation_lifetime_days, default_language, created_at, updated_at FROM portals";

async fn portal_modules(tx: &mut Tx, id: i64) -> Result<Vec<Module>> {
    on_tx!(tx, |c| {
        sqlx::query_as(
        "SELECT name, admin_only, marketing FROM portal_modules WHERE portal_id = $1 ORDER BY position, id"
    )
    .bind(id)
    .fetch_all(c)
    .await
    })
}

pub async fn list_portals(tx: &mut Tx) -> Result<Vec<Portal>> {
    let mut rows: Vec<Portal> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PORTAL_SELECT} ORDER BY name, id"
    )))
    .fetch_all(c)
    .await)?;
    for p in &mut rows {
        p.modules = portal_modules(tx, p.id).await?;
    }
    Ok(rows)
}

pub async fn get_portal(tx: &mut Tx, id: i64) -> Result<Option<Portal>> {
    let row: Option<Portal> = on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{PORTAL_SELECT} WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(c)
    .await)?;
    match row {
        Some(mut p) => {
            p.modules = portal_modules(tx, id).await?;
            Ok(Some(p))
        }
        None => Ok(None),
    }
}

pub async fn find_portal_by_name(tx: &mut Tx, name: &str) -> Result<Option<i64>> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT id FROM portals WHERE lower(name) = lower($1)"
    )
    .bind(name)
    .fetch_optional(c)
    .await)
}

pub struct PortalRow<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub base_url: &'a str,
    pub registration_mode: &'a str,
    pub self_registration_creates_contact: bool,
    pub notify_staff_on_new_link: bool,
    pub invitation_lifetime_days: i64,
    pub default_language: &'a str,
}

pub async fn insert_portal(tx: &mut Tx, p: &PortalRow<'_>, now: i64) -> Result<i64> {
    on_tx!(tx, |c| {
        sqlx::query_scalar(
        "INSERT INTO portals (name, kind, base_url, registration_mode, self_registration_creates_contact, \
         invitation_lifetime_days, default_language, notify_staff_on_new_link, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $9, $8, $8) RETURNING id"
    )
    .bind(p.name)
    .bind(p.kind)
    .bind(p.base_url)
    .bind(p.registration_mode)
    .bind(p.self_registration_creates_contact)
    .bind(p.invitation_lifetime_days)
    .bind(p.default_language)
    .bind(now)
    .bind(p.notify_staff_on_new_link)
    .fetch_one(c)
    .await
    })
}

pub async fn update_portal(tx: &mut Tx, id: i64, p: &PortalRow<'_>, now: i64) -> Result<()> {
    exec_tx!(tx, |c| {
        sqlx::query(
        "UPDATE portals SET name = $1, kind = $2, base_url = $3, registration_mode = $4, \
         self_registration_creates_contact = $5, invitation_lifetime_days = $6, default_language = $7, \
         updated_at = $8, notify_staff_on_new_link = $10 WHERE id = $9"
    )
    .bind(p.name)
    .bind(p.kind)
    .bind(p.base_url)
    .bind(p.registration_mode)
    .bind(p.self_registration_creates_contact)
    .bind(p.invitation_lifetime_days)
    .bind(p.default_language)
    .bind(now)
    .bind(id)
    .bind(p.notify_staff_on_new_link)
    .execute(c)
    .await
    })?;
    Ok(())
}

/// Replaces a portal's modules, keeping their order.
pub async fn set_portal_modules(tx: &mut Tx, id: i64, modules: &[Module]) -> Result<()> {
    exec_tx!(tx, |c| sqlx::query(
        "DELETE FROM portal_modules WHERE portal_id = $1"
    )
    .bind(id)
    .execute(c)
    .await)?;
    for (position, m) in modules.iter().enumerate() {
        exec_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO portal_modules (portal_id, name, admin_only, marketing, position) \
             VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(&m.name)
            .bind(m.admin_only)
            .bind(m.marketing)
            .bind(position as i64)
            .execute(c)
            .await
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        let c = encode_cursor("Müller & Söhne", 42);
        assert_eq!(decode_cursor(&c), Some(("Müller & Söhne".into(), 42)));
        assert_eq!(decode_cursor("zz"), None);
        assert_eq!(decode_cursor("abc"), None);
    }
}
