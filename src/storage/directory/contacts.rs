//! Contacts of organizations: rows, search and the writes of their fields.

use serde::Serialize;
use sqlx::QueryBuilder;

use super::{Page, UNLESS_EXTERNAL_ID_TAKEN, one_where, page};
use crate::domain::staff::Scope;
use crate::storage::listing::{Column, Counted, Order, Window, order_by, push_window};
use crate::storage::{Result, Tx};
use crate::{exec_tx, on_tx};

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

/// Adds ` AND ...` for every filter of `f` (but the page), within `scope`: one builder for a
/// page and its count.
macro_rules! push_contact_filters {
    ($qb:expr, $engine:expr, $scope:expr, $f:expr) => {
        crate::push_area_scope!($qb, $scope, "o.area_id");
        if let Some(q) = $f.q.as_deref().filter(|q| !q.trim().is_empty()) {
            push_search!($qb, $engine, "ct", "contacts", q);
        }
        if let Some(org) = $f.organization_id {
            $qb.push(" AND ct.organization_id = ").push_bind(org);
        }
        if let Some(area) = $f.area_id {
            $qb.push(" AND o.area_id = ").push_bind(area);
        }
        if let Some(lang) = &$f.language {
            $qb.push(" AND ct.language = ").push_bind(lang.clone());
        }
    };
}

pub async fn list_contacts(tx: &mut Tx, scope: &Scope, f: &ContactFilter) -> Result<Page<Contact>> {
    let engine = tx.engine();
    let rows: Vec<Contact> = on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(CONTACT_SELECT);
        qb.push(" WHERE 1 = 1");
        push_contact_filters!(qb, engine, scope, f);
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

/// The columns the console's contact list may be sorted by.
pub static CONTACT_COLUMNS: &[Column] = &[
    Column::new("name", "ct.name").text(),
    Column::new("email", "ct.email").nullable(),
    Column::new("organization", "o.name").text(),
    Column::new("language", "ct.language"),
];

/// A contact in the console's list, with whether they have portal access.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedContact {
    #[sqlx(flatten)]
    pub contact: Contact,
    /// How many portal accounts they have.
    pub accounts: i64,
    /// How many of them may log in today (registered, approved, switched on, active, within
    /// their valid-until, a role that logs in).
    pub with_access: i64,
}

/// A page of the contacts `f` finds (its `after` and `limit` aside), in `order`, with their
/// portal access (`today` as a day number), and how many there are.
pub async fn contacts_in_order(
    tx: &mut Tx,
    scope: &Scope,
    f: &ContactFilter,
    order: &Order,
    window: Window,
    today: i64,
) -> Result<Counted<ListedContact>> {
    let engine = tx.engine();
    let items: Vec<ListedContact> = on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT ct.id, ct.organization_id, o.name AS organization_name, o.area_id, ct.name, \
             ct.email, ct.phone, ct.language, ct.external_id, ct.created_at, ct.updated_at, \
             (SELECT COUNT(*) FROM portal_accounts a WHERE a.contact_id = ct.id) AS accounts, \
             (SELECT COUNT(*) FROM portal_accounts a WHERE a.contact_id = ct.id \
               AND a.registration = 'registered' AND a.approval = 'approved' \
               AND a.access_granted = TRUE AND a.lifecycle = 'active' AND a.role <> 'notifications' \
               AND (a.valid_until IS NULL OR a.valid_until >= ",
        );
        qb.push_bind(today)
            .push(")) AS with_access FROM contacts ct JOIN organizations o ON o.id = ct.organization_id WHERE 1 = 1");
        push_contact_filters!(qb, engine, scope, f);
        qb.push(order_by(engine, order, "ct.id"));
        push_window!(qb, window);
        qb.build_query_as().fetch_all(c).await
    })?;
    let total: i64 = on_tx!(tx, |c| {
        let mut qb = QueryBuilder::new(
            "SELECT COUNT(*) FROM contacts ct JOIN organizations o ON o.id = ct.organization_id WHERE 1 = 1",
        );
        push_contact_filters!(qb, engine, scope, f);
        qb.build_query_scalar().fetch_one(c).await
    })?;
    Ok(Counted { items, total })
}

pub async fn get_contact(tx: &mut Tx, id: i64) -> Result<Option<Contact>> {
    one_where(tx, CONTACT_SELECT, "ct.id = $1", id).await
}

pub async fn find_contact_by_external_id(
    tx: &mut Tx,
    external_id: &str,
) -> Result<Option<Contact>> {
    one_where(tx, CONTACT_SELECT, "ct.external_id = $1", external_id).await
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
/// [`super::insert_organization_unless_taken`].
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
