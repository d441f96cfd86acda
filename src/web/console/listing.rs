//! What every console list shares: the page and the order in its address (`page`, `sort`,
//! `dir`), the column headings that sort it (with `aria-sort`), and the pager under it ("1–50
//! of 1,204", previous and next), all keeping the list's filters. The templates are
//! `console/_sort_heading.html` and `console/_pager.html`.

use serde::Deserialize;

use crate::storage::listing::{Column, Order, Window, column};

/// The paging and order part of a list's address.
#[derive(Deserialize, Default, Clone, Debug)]
pub struct ListParams {
    /// The page, from 1.
    #[serde(default)]
    pub page: String,
    /// A column key of the list; any other is ignored (the list's own order).
    #[serde(default)]
    pub sort: String,
    /// `desc` for descending; anything else is ascending.
    #[serde(default)]
    pub dir: String,
}

/// A list as the staff member asked for it: where it is, its filters, its order and page.
pub struct Listing {
    path: &'static str,
    /// The filters, only those set, in a fixed order.
    filters: Vec<(&'static str, String)>,
    pub order: Order,
    /// The order was chosen in the address (not the list's own).
    pub chosen: bool,
    page: i64,
    size: i64,
    german: bool,
}

/// A column heading that sorts the list.
pub struct Heading {
    pub label: String,
    pub href: String,
    /// `ascending` or `descending` on the column the list is sorted by, else empty.
    pub aria_sort: &'static str,
}

/// The line under a list.
pub struct Pager {
    /// "1–50 of 1,204"; "0 of 0" when empty.
    pub summary: String,
    pub previous: Option<String>,
    pub next: Option<String>,
}

impl Listing {
    /// The list at `path` with `filters` (empty ones dropped), paged by `p`, sorted by one of
    /// `columns` (the first when `p` names none of them; `default_descending` for its way).
    pub fn new(
        path: &'static str,
        filters: &[(&'static str, &str)],
        p: &ListParams,
        columns: &'static [Column],
        default_descending: bool,
        size: i64,
        language: &str,
    ) -> Self {
        let chosen = column(columns, p.sort.trim());
        let order = match chosen {
            Some(c) => Order {
                column: c,
                descending: p.dir == "desc",
            },
            None => Order {
                column: &columns[0],
                descending: default_descending,
            },
        };
        Listing {
            path,
            filters: filters
                .iter()
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (*k, v.to_string()))
                .collect(),
            order,
            chosen: chosen.is_some(),
            page: p
                .page
                .trim()
                .parse::<i64>()
                .unwrap_or(1)
                .clamp(1, 1_000_000),
            size,
            german: language == "de",
        }
    }

    pub fn window(&self) -> Window {
        Window {
            offset: (self.page - 1) * self.size,
            limit: self.size,
        }
    }

    /// The address of page `page` of the list in `order` (`None`: the list's own), with its
    /// filters.
    fn url(&self, path: &str, page: i64, order: Option<(&str, bool)>) -> String {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.filters {
            ser.append_pair(k, v);
        }
        if let Some((key, descending)) = order {
            ser.append_pair("sort", key);
            if descending {
                ser.append_pair("dir", "desc");
            }
        }
        if page > 1 {
            ser.append_pair("page", &page.to_string());
        }
        let q = ser.finish();
        if q.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{q}")
        }
    }

    fn current_order(&self) -> Option<(&'static str, bool)> {
        self.chosen
            .then_some((self.order.column.key, self.order.descending))
    }

    /// The order chosen in the address, for a filter form to keep (`sort`, `dir`).
    pub fn order_fields(&self) -> Vec<(&'static str, &'static str)> {
        match self.current_order() {
            Some((key, true)) => vec![("sort", key), ("dir", "desc")],
            Some((key, false)) => vec![("sort", key)],
            None => Vec::new(),
        }
    }

    /// The address of this page as it is.
    pub fn here(&self) -> String {
        self.url(self.path, self.page, self.current_order())
    }

    /// The address of another view of this list (a download), with the filters and the order.
    pub fn with_path(&self, path: &str) -> String {
        self.url(path, 1, self.current_order())
    }

    /// The heading of the column `key`: sorts by it, ascending first, or the other way when
    /// the list is already sorted by it ascending. Back to the first page.
    pub fn heading(&self, key: &str, label: impl Into<String>) -> Heading {
        let sorted = self.order.column.key == key;
        let descending = sorted && !self.order.descending;
        Heading {
            label: label.into(),
            href: self.url(self.path, 1, Some((key, descending))),
            aria_sort: match (sorted, self.order.descending) {
                (false, _) => "",
                (true, false) => "ascending",
                (true, true) => "descending",
            },
        }
    }

    /// The pager of a page that shows `shown` rows of `total`.
    pub fn pager(&self, shown: usize, total: i64) -> Pager {
        let first = self.window().offset + 1;
        let last = self.window().offset + shown as i64;
        let of = if self.german { "von" } else { "of" };
        let summary = if shown == 0 {
            format!("0 {of} {}", number(total, self.german))
        } else {
            format!(
                "{}–{} {of} {}",
                number(first, self.german),
                number(last, self.german),
                number(total, self.german)
            )
        };
        let order = self.current_order();
        Pager {
            summary,
            previous: (self.page > 1).then(|| {
                // Past the end, back to the last page there is.
                let last_page = ((total + self.size - 1) / self.size).max(1);
                self.url(self.path, (self.page - 1).min(last_page), order)
            }),
            next: (last < total && shown > 0).then(|| self.url(self.path, self.page + 1, order)),
        }
    }
}

/// A whole number with the language's thousands separator: 1,204 (English), 1.204 (German).
pub fn number(n: i64, german: bool) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = if german { '.' } else { ',' };
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    static COLUMNS: &[Column] = &[
        Column::new("name", "o.name").text(),
        Column::new("kind", "o.kind"),
    ];

    fn params(page: &str, sort: &str, dir: &str) -> ListParams {
        ListParams {
            page: page.into(),
            sort: sort.into(),
            dir: dir.into(),
        }
    }

    #[test]
    fn numbers_take_the_languages_separator() {
        assert_eq!(number(1204, false), "1,204");
        assert_eq!(number(1204, true), "1.204");
        assert_eq!(number(1_000_000, false), "1,000,000");
        assert_eq!(number(999, true), "999");
        assert_eq!(number(0, false), "0");
    }

    #[test]
    fn the_pager_counts_and_keeps_the_filters_and_the_order() {
        let l = Listing::new(
            "/console/organizations",
            &[("q", "bäck"), ("kind", "")],
            &params("2", "kind", "desc"),
            COLUMNS,
            false,
            50,
            "en",
        );
        assert_eq!(l.window().offset, 50);
        let p = l.pager(50, 1204);
        assert_eq!(p.summary, "51–100 of 1,204");
        assert_eq!(
            p.previous.as_deref(),
            Some("/console/organizations?q=b%C3%A4ck&sort=kind&dir=desc")
        );
        assert_eq!(
            p.next.as_deref(),
            Some("/console/organizations?q=b%C3%A4ck&sort=kind&dir=desc&page=3")
        );
        let h = l.heading("kind", "Kind");
        assert_eq!(h.aria_sort, "descending");
        assert_eq!(h.href, "/console/organizations?q=b%C3%A4ck&sort=kind");
        let h = l.heading("name", "Name");
        assert_eq!(h.aria_sort, "");
        assert_eq!(h.href, "/console/organizations?q=b%C3%A4ck&sort=name");
    }

    #[test]
    fn an_unknown_order_or_page_is_the_lists_own() {
        let l = Listing::new(
            "/console/x",
            &[],
            &params("-3", "name; DROP TABLE x", "sideways"),
            COLUMNS,
            false,
            50,
            "de",
        );
        assert_eq!(l.order.column.key, "name");
        assert!(!l.order.descending && !l.chosen);
        assert_eq!(l.window().offset, 0);
        let p = l.pager(3, 3);
        assert_eq!(p.summary, "1–3 von 3");
        assert_eq!((p.previous, p.next), (None, None));
        assert_eq!(l.pager(0, 0).summary, "0 von 0");
        assert_eq!(l.heading("name", "Name").aria_sort, "ascending");
    }
}
