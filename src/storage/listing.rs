//! The console's lists a page at a time, in the order of a column the staff member chose: the
//! columns each list may be sorted by (fixed here, never SQL from an address), the `ORDER BY`
//! they make on either engine (names by the language's rules, see [`super::collation`], ties
//! broken by id), and the window of rows a page shows.

use super::Engine;

/// A column a list may be sorted by.
#[derive(Debug, PartialEq, Eq)]
pub struct Column {
    /// Its name in the page's address (`sort=`).
    pub key: &'static str,
    /// The SQL expression sorted by.
    pub sql: &'static str,
    /// A name or other text people read: sorted by the language's rules.
    pub text: bool,
    /// May be empty: empty values go last (first when descending), on both engines.
    pub nullable: bool,
}

impl Column {
    pub const fn new(key: &'static str, sql: &'static str) -> Self {
        Column {
            key,
            sql,
            text: false,
            nullable: false,
        }
    }

    /// A column of names, sorted by the language's rules.
    pub const fn text(mut self) -> Self {
        self.text = true;
        self
    }

    pub const fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }
}

/// The column of `columns` whose key is `key`.
pub fn column(columns: &'static [Column], key: &str) -> Option<&'static Column> {
    columns.iter().find(|c| c.key == key)
}

/// A list's order: a column, which way, and the id last so that every order is total.
#[derive(Debug, Clone, Copy)]
pub struct Order {
    pub column: &'static Column,
    pub descending: bool,
}

/// The rows of one page: skip `offset`, show `limit`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub offset: i64,
    pub limit: i64,
}

/// A page of a list and how many rows the whole list has.
pub struct Counted<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// ` ORDER BY` [`order_terms`].
pub fn order_by(engine: Engine, order: &Order, id: &str) -> String {
    format!(" ORDER BY {}", order_terms(engine, order, id))
}

/// The terms of the `ORDER BY` of `order`, ending with `id` (the table's id expression) in the
/// same direction.
pub fn order_terms(engine: Engine, order: &Order, id: &str) -> String {
    let dir = if order.descending { " DESC" } else { "" };
    let c = order.column;
    let mut s = String::new();
    if c.nullable {
        s.push_str(&format!("({} IS NULL){dir}, ", c.sql));
    }
    s.push_str(c.sql);
    if c.text {
        s.push_str(super::collation::collate(engine));
    }
    s.push_str(dir);
    s.push_str(&format!(", {id}{dir}"));
    s
}

/// Adds ` LIMIT ... OFFSET ...` for `w`.
macro_rules! push_window {
    ($qb:expr, $w:expr) => {
        $qb.push(" LIMIT ")
            .push_bind($w.limit)
            .push(" OFFSET ")
            .push_bind($w.offset.max(0));
    };
}
pub(crate) use push_window;

#[cfg(test)]
mod tests {
    use super::*;

    static NAME: Column = Column::new("name", "o.name").text();
    static ENDS: Column = Column::new("valid_until", "a.valid_until").nullable();

    #[test]
    fn every_order_ends_with_the_id_and_names_follow_the_language() {
        let o = Order {
            column: &NAME,
            descending: false,
        };
        assert_eq!(
            order_by(Engine::Sqlite, &o, "o.id"),
            " ORDER BY o.name COLLATE unicode, o.id"
        );
        let o = Order {
            column: &ENDS,
            descending: true,
        };
        assert_eq!(
            order_by(Engine::Postgres, &o, "a.id"),
            " ORDER BY (a.valid_until IS NULL) DESC, a.valid_until DESC, a.id DESC"
        );
    }
}
