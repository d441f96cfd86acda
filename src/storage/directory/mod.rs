//! Queries for areas, organizations, partnerships, contacts and portals.

use serde::Serialize;

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

/// The row of `select` (a query up to its joins) for which `condition`, with `$1` for
/// `value`, holds; `None` when there is none.
async fn one_where<'q, T, V>(
    tx: &mut crate::storage::Tx,
    select: &str,
    condition: &str,
    value: V,
) -> crate::storage::Result<Option<T>>
where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    V: 'q
        + Send
        + sqlx::Encode<'q, sqlx::Sqlite>
        + sqlx::Type<sqlx::Sqlite>
        + sqlx::Encode<'q, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>,
{
    let sql = format!("{select} WHERE {condition}");
    crate::on_tx!(tx, |c| sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(value)
        .fetch_optional(c)
        .await)
}

/// Adds "the search text contains `q`" to a query, the fast way each engine has: SQLite's
/// FTS5 trigram table `{table}_search`, PostgreSQL's trigram index (which serves LIKE). Terms
/// shorter than three characters have no trigram: they fall back to LIKE on both.
macro_rules! push_search {
    ($qb:expr, $engine:expr, $alias:literal, $table:literal, $q:expr) => {{
        let q: String = $q.trim().to_lowercase();
        if $engine == crate::storage::Engine::Sqlite && q.chars().count() >= 3 {
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
                .push_bind(crate::storage::like_pattern(&q))
                .push(" ESCAPE '\\'");
        }
    }};
}
/// The clause, the same on both engines, that makes an insert meeting a taken external id
/// insert nothing and return no row.
const UNLESS_EXTERNAL_ID_TAKEN: &str = " ON CONFLICT (external_id) DO NOTHING";

mod areas;
mod contacts;
mod organizations;
mod partnerships;
mod portals;

pub use areas::*;
pub use contacts::*;
pub use organizations::*;
pub use partnerships::*;
pub use portals::*;

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
