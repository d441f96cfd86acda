//! The access list: portal accounts by every filter (portal, source, each status,
//! organization, valid-until) and by text in the e-mail or name, a page at a time in a stable
//! order (keyset), within the actor's areas.

use super::super::{Result, Tx};
use super::{PortalAccount, SELECT};
use crate::domain::account::{Approval, Assignment, Lifecycle, Registration, Role};
use crate::domain::directory::PortalKind;
use crate::on_tx;

/// The valid-until filter of the access list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidUntilFilter {
    /// A valid-until date is set (passed or not).
    Set,
    /// No valid-until date.
    None,
    /// The date has passed: its last day is before `today` (days since 1970-01-01).
    Past { today: i64 },
    /// The last day is today or within the next [`ACCESS_WINDOW_DAYS`] days.
    ///
    /// [`ACCESS_WINDOW_DAYS`]: crate::domain::tasks::ACCESS_WINDOW_DAYS
    Ending { today: i64 },
}

#[derive(Debug, Clone, Default)]
pub struct AccountFilter {
    /// Text in the e-mail or the name.
    pub q: Option<String>,
    pub portal_id: Option<i64>,
    /// The portal's kind: the access's source.
    pub source: Option<PortalKind>,
    pub registration: Option<Registration>,
    pub approval: Option<Approval>,
    pub assignment: Option<Assignment>,
    pub access_granted: Option<bool>,
    pub lifecycle: Option<Lifecycle>,
    pub role: Option<Role>,
    /// The organization of the linked contact.
    pub organization_id: Option<i64>,
    pub valid_until: Option<ValidUntilFilter>,
    /// Invitations not accepted yet whose link stops working within 48 hours of this time (ms).
    pub invitation_expiring: Option<i64>,
    pub after: Option<(String, i64)>,
    pub limit: i64,
}

/// How many accounts, in list order, the first try of a text search looks at (see [`list`]).
const SEARCH_WINDOW: i64 = 20_000;

/// Adds the tables that the filters of `f` need to `FROM portal_accounts a`.
macro_rules! push_filter_joins {
    ($qb:expr, $scope:expr, $f:expr) => {
        if $f.source.is_some() {
            $qb.push(" JOIN portals p ON p.id = a.portal_id");
        }
        if $scope.area_filter().is_some() || $f.organization_id.is_some() {
            $qb.push(
                " LEFT JOIN contacts ct ON ct.id = a.contact_id \
                 LEFT JOIN organizations o ON o.id = ct.organization_id",
            );
        }
    };
}

/// Adds ` AND ...` for every filter of `f` but the text search, and the keyset position.
macro_rules! push_filters {
    ($qb:expr, $scope:expr, $f:expr) => {
        crate::push_area_scope!($qb, $scope, "o.area_id");
        if let Some(p) = $f.portal_id {
            $qb.push(" AND a.portal_id = ").push_bind(p);
        }
        if let Some(k) = $f.source {
            $qb.push(" AND p.kind = ").push_bind(k);
        }
        if let Some(r) = $f.registration {
            $qb.push(" AND a.registration = ").push_bind(r);
        }
        if let Some(r) = $f.approval {
            $qb.push(" AND a.approval = ").push_bind(r);
        }
        match $f.assignment {
            Some(Assignment::Assigned) => {
                $qb.push(" AND a.contact_id IS NOT NULL");
            }
            Some(Assignment::Pending) => {
                $qb.push(" AND a.contact_id IS NULL");
            }
            None => {}
        }
        if let Some(g) = $f.access_granted {
            $qb.push(" AND a.access_granted = ").push_bind(g);
        }
        if let Some(l) = $f.lifecycle {
            $qb.push(" AND a.lifecycle = ").push_bind(l);
        }
        if let Some(r) = $f.role {
            $qb.push(" AND a.role = ").push_bind(r);
        }
        if let Some(org) = $f.organization_id {
            $qb.push(" AND ct.organization_id = ").push_bind(org);
        }
        match $f.valid_until {
            Some(ValidUntilFilter::Set) => {
                $qb.push(" AND a.valid_until IS NOT NULL");
            }
            Some(ValidUntilFilter::None) => {
                $qb.push(" AND a.valid_until IS NULL");
            }
            Some(ValidUntilFilter::Past { today }) => {
                $qb.push(" AND a.valid_until IS NOT NULL AND a.valid_until < ")
                    .push_bind(today);
            }
            Some(ValidUntilFilter::Ending { today }) => {
                $qb.push(" AND a.valid_until >= ")
                    .push_bind(today)
                    .push(" AND a.valid_until <= ")
                    .push_bind(today + crate::domain::tasks::ACCESS_WINDOW_DAYS);
            }
            None => {}
        }
        if let Some(now) = $f.invitation_expiring {
            $qb.push(
                " AND a.registration = 'invited' AND EXISTS (SELECT 1 FROM account_tokens k \
                 WHERE k.account_id = a.id AND k.purpose = 'invitation' \
                 AND k.used_at IS NULL AND k.expires_at > ",
            )
            .push_bind(now)
            .push(" AND k.expires_at <= ")
            .push_bind(now + crate::domain::tasks::INVITATION_WINDOW_MS)
            .push(")");
        }
        if let Some((email, id)) = &$f.after {
            $qb.push(" AND (a.email, a.id) > (")
                .push_bind(email.clone())
                .push(", ")
                .push_bind(*id)
                .push(")");
        }
    };
}

pub(super) use {push_filter_joins, push_filters};

/// Adds ` AND (e-mail or name LIKE pattern)` on the accounts aliased `$alias`. E-mail
/// addresses are stored in lower case. SQLite's LIKE ignores the case of ASCII letters (and
/// its `lower` changes no other), PostgreSQL's LIKE heeds it: there the name is lowered.
macro_rules! push_like {
    ($qb:expr, $engine:expr, $alias:literal, $pattern:expr) => {
        $qb.push(concat!(" AND (", $alias, ".email LIKE "))
            .push_bind($pattern.to_string())
            .push(match $engine {
                super::super::Engine::Sqlite => concat!(" ESCAPE '\\' OR ", $alias, ".name LIKE "),
                super::super::Engine::Postgres => {
                    concat!(" ESCAPE '\\' OR lower(", $alias, ".name) LIKE ")
                }
            })
            .push_bind($pattern.to_string())
            .push(" ESCAPE '\\')");
    };
}

pub(super) use push_like;

/// Adds the part of a text search that `$bounds` asks for: ` AND` the e-mail begins with the
/// term (a range of the e-mail index: `[term, end)`), or does not.
macro_rules! push_bounds {
    ($qb:expr, $alias:literal, $bounds:expr) => {
        match $bounds {
            Bounds::All => {}
            Bounds::Prefix(lo, hi) => {
                $qb.push(concat!(" AND ", $alias, ".email >= "))
                    .push_bind(lo.to_string())
                    .push(concat!(" AND ", $alias, ".email < "))
                    .push_bind(hi.to_string());
            }
            Bounds::NotPrefix(lo, hi) => {
                $qb.push(concat!(" AND (", $alias, ".email < "))
                    .push_bind(lo.to_string())
                    .push(concat!(" OR ", $alias, ".email >= "))
                    .push_bind(hi.to_string())
                    .push(")");
            }
        }
    };
}

/// The ids query of [`Find::Walk`], the same on both engines.
macro_rules! push_walk {
    ($qb:expr, $engine:expr, $scope:expr, $f:expr, $pattern:expr, $bounds:expr, $limit:expr) => {{
        $qb.push("SELECT a.id FROM portal_accounts a");
        push_filter_joins!($qb, $scope, $f);
        $qb.push(" WHERE 1 = 1");
        if let Some(p) = $pattern {
            push_like!($qb, $engine, "a", p);
        }
        push_bounds!($qb, "a", $bounds);
        push_filters!($qb, $scope, $f);
        $qb.push(" ORDER BY a.email, a.id LIMIT ").push_bind($limit);
    }};
}

/// The ids query of [`Find::Window`], the same on both engines.
macro_rules! push_window {
    ($qb:expr, $engine:expr, $scope:expr, $f:expr, $pattern:expr, $bounds:expr, $limit:expr) => {{
        $qb.push("SELECT w.id FROM (SELECT a.id, a.email, a.name FROM portal_accounts a");
        push_filter_joins!($qb, $scope, $f);
        $qb.push(" WHERE 1 = 1");
        push_bounds!($qb, "a", $bounds);
        push_filters!($qb, $scope, $f);
        $qb.push(" ORDER BY a.email, a.id LIMIT ")
            .push_bind(SEARCH_WINDOW)
            .push(") w WHERE 1 = 1");
        push_like!($qb, $engine, "w", $pattern);
        $qb.push(" ORDER BY w.email, w.id LIMIT ").push_bind($limit);
    }};
}

/// The ways to find the ids of a page: see [`list`].
enum Find<'a> {
    /// Read in list order, with a `LIKE` pattern on e-mail and name when given.
    Walk(Option<&'a str>),
    /// Read the first [`SEARCH_WINDOW`] accounts in list order, keep those that match.
    Window(&'a str),
    /// Every match from the trigram index, sorted.
    Gather(&'a Lookup),
}

/// How the trigram index is asked for a term: the whole term, or (a long ASCII term) a few of
/// its trigrams spread over it, in order, the candidates then checked against the whole term.
/// An index reads one list per trigram, and the lists of the commonest (`.de`, `com`) are
/// long: a whole e-mail address of thirty trigrams took SQLite and PostgreSQL 20 to 45 ms
/// with a million accounts, four of them a few.
struct Lookup {
    /// SQLite's FTS5 query.
    fts: String,
    /// PostgreSQL's `LIKE` pattern for the trigram indexes.
    pattern: String,
    /// The whole term's `LIKE` pattern, when the index was asked for less.
    recheck: Option<String>,
}

/// Trigrams looked up for a long term.
const SPARSE_TRIGRAMS: usize = 4;

impl Lookup {
    fn new(term: &str) -> Lookup {
        let chars: Vec<char> = term.chars().collect();
        let whole = super::super::like_pattern(term);
        let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
        // The likely rarest (digits, then the rarer letters; not the punctuation that every
        // address has), non-overlapping and in order: every text with the term has them so.
        if term.is_ascii() && chars.len() >= 3 * SPARSE_TRIGRAMS {
            let weight = |c: char| match c {
                '0'..='9' => 3,
                'b' | 'f' | 'g' | 'j' | 'k' | 'm' | 'p' | 'q' | 'v' | 'w' | 'x' | 'y' | 'z' => 2,
                'a'..='z' => 1,
                _ => 0,
            };
            let mut starts: Vec<usize> = (0..chars.len() - 2).collect();
            starts.sort_by_key(|&i| {
                std::cmp::Reverse(chars[i..i + 3].iter().map(|&c| weight(c)).sum::<u32>())
            });
            let mut picked: Vec<usize> = Vec::new();
            for i in starts {
                if picked.iter().all(|&p| i + 3 <= p || p + 3 <= i) {
                    picked.push(i);
                    if picked.len() == SPARSE_TRIGRAMS {
                        break;
                    }
                }
            }
            picked.sort_unstable();
            let trigrams: Vec<String> = picked
                .iter()
                .map(|&at| chars[at..at + 3].iter().collect())
                .collect();
            let mut pattern = String::from("%");
            for t in &trigrams {
                let escaped = super::super::like_pattern(t);
                pattern.push_str(&escaped[1..]);
            }
            return Lookup {
                fts: trigrams
                    .iter()
                    .map(|t| quote(t))
                    .collect::<Vec<_>>()
                    .join(" AND "),
                pattern,
                recheck: Some(whole),
            };
        }
        Lookup {
            fts: quote(term),
            pattern: whole,
            recheck: None,
        }
    }
}

/// The ids of a page of the access list, in list order (at most `f.limit + 1`).
async fn page_ids(
    tx: &mut Tx,
    scope: &crate::domain::staff::Scope,
    f: &AccountFilter,
    find: Find<'_>,
    bounds: &Bounds,
) -> Result<Vec<i64>> {
    let limit = f.limit + 1;
    match tx {
        Tx::Sqlite(t) => {
            let engine = super::super::Engine::Sqlite;
            let mut qb = sqlx::QueryBuilder::new("");
            match find {
                Find::Walk(pattern) => push_walk!(qb, engine, scope, f, pattern, bounds, limit),
                Find::Window(pattern) => push_window!(qb, engine, scope, f, pattern, bounds, limit),
                Find::Gather(lookup) => {
                    // The matches stream out of the FTS5 trigram table (CROSS JOIN keeps it
                    // the outer loop), each is looked up by rowid, and the page sorted out.
                    qb.push(
                        "SELECT a.id FROM portal_accounts_search s \
                         CROSS JOIN portal_accounts a",
                    );
                    push_filter_joins!(qb, scope, f);
                    qb.push(" WHERE s.portal_accounts_search MATCH ")
                        .push_bind(lookup.fts.clone())
                        .push(" AND a.id = s.rowid");
                    if let Some(whole) = &lookup.recheck {
                        push_like!(qb, engine, "a", whole);
                    }
                    push_bounds!(qb, "a", bounds);
                    push_filters!(qb, scope, f);
                    qb.push(" ORDER BY a.email, a.id LIMIT ").push_bind(limit);
                }
            }
            qb.build_query_scalar().fetch_all(&mut **t).await
        }
        Tx::Postgres(t) => {
            let engine = super::super::Engine::Postgres;
            let mut qb = sqlx::QueryBuilder::new("");
            match find {
                Find::Walk(pattern) if f.organization_id.is_some() => {
                    // PostgreSQL would read in e-mail order and check each account's contact,
                    // expecting an organization's accounts spread evenly: gather them from its
                    // contacts instead (OFFSET 0 keeps the planner to it), and sort.
                    qb.push("SELECT m.id FROM (SELECT a.id, a.email FROM portal_accounts a");
                    push_filter_joins!(qb, scope, f);
                    qb.push(" WHERE 1 = 1");
                    if let Some(p) = pattern {
                        push_like!(qb, engine, "a", p);
                    }
                    push_bounds!(qb, "a", bounds);
                    push_filters!(qb, scope, f);
                    qb.push(" OFFSET 0) m ORDER BY m.email, m.id LIMIT ")
                        .push_bind(limit);
                }
                Find::Walk(pattern) => push_walk!(qb, engine, scope, f, pattern, bounds, limit),
                Find::Window(pattern) => push_window!(qb, engine, scope, f, pattern, bounds, limit),
                Find::Gather(lookup) => {
                    // The trigram indexes find every match (OFFSET 0 keeps the planner from
                    // reading in e-mail order instead), and the page is sorted out. The whole
                    // term is checked out of the indexes' reach (`|| ''`), else the planner
                    // would ask them for it too.
                    qb.push("SELECT m.id FROM (SELECT a.id, a.email FROM portal_accounts a");
                    push_filter_joins!(qb, scope, f);
                    qb.push(" WHERE 1 = 1");
                    push_like!(qb, engine, "a", lookup.pattern);
                    if let Some(whole) = &lookup.recheck {
                        qb.push(" AND ((a.email || '') LIKE ")
                            .push_bind(whole.clone())
                            .push(" ESCAPE '\\' OR lower(a.name || '') LIKE ")
                            .push_bind(whole.clone())
                            .push(" ESCAPE '\\')");
                    }
                    push_bounds!(qb, "a", bounds);
                    push_filters!(qb, scope, f);
                    qb.push(" OFFSET 0) m ORDER BY m.email, m.id LIMIT ")
                        .push_bind(limit);
                }
            }
            qb.build_query_scalar().fetch_all(&mut **t).await
        }
    }
}

/// Which accounts a query of a text search reads: all, those whose e-mail begins with the term
/// (`Prefix(term, end)`: the range `[term, end)` of the e-mail order), or the others.
enum Bounds {
    All,
    Prefix(String, String),
    NotPrefix(String, String),
}

/// The end of the range of texts that begin with `term`, in the order of code points (which is
/// the byte order of UTF-8, SQLite's and PostgreSQL's `C` collation): the term with its last
/// character raised by one. `None` when no text lies beyond (only U+10FFFF characters).
pub(super) fn prefix_end(term: &str) -> Option<String> {
    let mut chars: Vec<char> = term.chars().collect();
    while let Some(last) = chars.pop() {
        let next = (last as u32 + 1..=0x10FFFF).find_map(char::from_u32);
        if let Some(next) = next {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// Marks a cursor of a text search that lies among the accounts whose e-mail does not begin
/// with the term (an e-mail address has no control characters).
const REST_MARK: char = '\u{1}';

/// The access list: accounts sorted by e-mail, a page at a time. Supervisors see the accounts
/// of contacts in their areas.
///
/// First the ids of the page, then their rows. Each filter has an index in e-mail order
/// (migration 0006): the ids are read in order and the query stops after one page, however
/// many accounts match.
///
/// A text search lists the best matches first: the accounts whose e-mail begins with the term,
/// read straight from the e-mail index; then the others that have it in the e-mail or the name.
/// Each part is in e-mail order. (In pure e-mail order the page could not stop early: the
/// addresses that begin with a common first name lie together deep in the list, and every
/// match before them would have to be found and sorted.) The others are found, for a term of
/// three characters or more (a trigram), in two tries: the first [`SEARCH_WINDOW`] accounts in
/// list order, which fills the page when the term is frequent; else every match from the
/// trigram index (SQLite FTS5, PostgreSQL pg_trgm), sorted, which is quick when it is not. A
/// shorter term is read in order.
pub async fn list(
    tx: &mut Tx,
    scope: &crate::domain::staff::Scope,
    f: &AccountFilter,
) -> Result<super::super::directory::Page<PortalAccount>> {
    let term =
        f.q.as_deref()
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty());
    let Some(term) = term else {
        let ids = page_ids(tx, scope, f, Find::Walk(None), &Bounds::All).await?;
        return page_of(tx, ids, f.limit, false).await;
    };
    let pattern = super::super::like_pattern(&term);
    let end = prefix_end(&term).unwrap_or_else(|| format!("{term}\u{10FFFF}"));
    // Where the page starts: among the prefix matches (no cursor, or one of theirs), or among
    // the others.
    let in_rest = f
        .after
        .as_ref()
        .is_some_and(|(key, _)| key.starts_with(REST_MARK));
    let mut ids = Vec::new();
    if !in_rest {
        let prefix = Bounds::Prefix(term.clone(), end.clone());
        ids = page_ids(tx, scope, f, Find::Walk(None), &prefix).await?;
    }
    let prefix_count = ids.len();
    if (ids.len() as i64) <= f.limit {
        let mut rest_filter = f.clone();
        rest_filter.limit = f.limit - ids.len() as i64;
        rest_filter.after = f
            .after
            .as_ref()
            .filter(|_| in_rest)
            .map(|(key, id)| (key.trim_start_matches(REST_MARK).to_string(), *id));
        let rest = Bounds::NotPrefix(term.clone(), end);
        let found = if term.chars().count() >= 3 {
            // SQLite's LIKE folds the case of ASCII letters only, its trigram index of every
            // letter: the window's answer is the index's only for an ASCII term.
            let mut found = Vec::new();
            if tx.engine() == super::super::Engine::Postgres || term.is_ascii() {
                found = page_ids(tx, scope, &rest_filter, Find::Window(&pattern), &rest).await?;
            }
            if found.len() as i64 <= rest_filter.limit {
                let lookup = Lookup::new(&term);
                found = page_ids(tx, scope, &rest_filter, Find::Gather(&lookup), &rest).await?;
            }
            found
        } else {
            page_ids(tx, scope, &rest_filter, Find::Walk(Some(&pattern)), &rest).await?
        };
        ids.extend(found);
    }
    let mut page = page_of(tx, ids[..prefix_count].to_vec(), f.limit, false).await?;
    if page.next.is_none() && ids.len() > prefix_count {
        let left = f.limit - page.items.len() as i64;
        if left == 0 {
            // The prefix matches fill the page exactly: the next starts after the last of them.
            page.next = page
                .items
                .last()
                .map(|a| super::super::directory::encode_cursor(&a.email, a.id));
        } else {
            let rest = page_of(tx, ids[prefix_count..].to_vec(), left, true).await?;
            page.items.extend(rest.items);
            page.next = rest.next;
        }
    }
    Ok(page)
}

/// The rows of `ids` in list order, at most `limit` of them, and the cursor after the last
/// when there are more (marked as one of the second part of a text search when `rest`).
async fn page_of(
    tx: &mut Tx,
    ids: Vec<i64>,
    limit: i64,
    rest: bool,
) -> Result<super::super::directory::Page<PortalAccount>> {
    let mut items: Vec<PortalAccount> = if ids.is_empty() {
        Vec::new()
    } else {
        on_tx!(tx, |c| {
            let mut qb = sqlx::QueryBuilder::new(SELECT);
            qb.push(" WHERE a.id IN (");
            let mut list = qb.separated(", ");
            for id in &ids {
                list.push_bind(*id);
            }
            qb.push(") ORDER BY a.email, a.id");
            qb.build_query_as().fetch_all(c).await
        })?
    };
    let next = if items.len() as i64 > limit {
        items.truncate(limit.max(0) as usize);
        items.last().map(|a| {
            let key = if rest {
                format!("{REST_MARK}{}", a.email)
            } else {
                a.email.clone()
            };
            super::super::directory::encode_cursor(&key, a.id)
        })
    } else {
        None
    };
    Ok(super::super::directory::Page { items, next })
}

#[cfg(test)]
mod tests {
    use super::Lookup;

    /// `LIKE` for patterns of `%`-separated literals (no escapes), as the tests use.
    fn like(text: &str, pattern: &str) -> bool {
        let mut rest = text;
        for part in pattern.split('%').filter(|p| !p.is_empty()) {
            match rest.find(part) {
                Some(i) => rest = &rest[i + part.len()..],
                None => return false,
            }
        }
        true
    }

    #[test]
    fn a_long_term_is_looked_up_by_four_of_its_trigrams_then_checked_whole() {
        let term = "claudia.schulz@primeland-30720.de";
        let l = Lookup::new(term);
        assert_eq!(
            l.recheck.as_deref(),
            Some("%claudia.schulz@primeland-30720.de%")
        );
        let trigrams: Vec<&str> = l.fts.split(" AND ").map(|t| t.trim_matches('"')).collect();
        assert_eq!(trigrams.len(), 4, "{}", l.fts);
        assert!(trigrams.iter().all(|t| t.len() == 3 && term.contains(t)));
        // Digits first; not the ending that half the addresses have.
        assert!(trigrams.contains(&"307"), "{trigrams:?}");
        assert!(!trigrams.contains(&".de"), "{trigrams:?}");
        // In order: the pattern holds for the term, and for any text around it.
        assert_eq!(l.pattern, format!("%{}%", trigrams.join("%")));
        assert!(like(term, &l.pattern));
        assert!(like(&format!("x{term}y"), &l.pattern));
    }

    #[test]
    fn the_texts_that_begin_with_a_term_end_before_its_last_character_raised() {
        use super::prefix_end;
        assert_eq!(prefix_end("thomas").as_deref(), Some("thomat"));
        assert_eq!(prefix_end("ab@").as_deref(), Some("abA"));
        assert_eq!(prefix_end("s\u{d7ff}").as_deref(), Some("s\u{e000}"));
        assert_eq!(prefix_end("a\u{10ffff}").as_deref(), Some("b"));
        assert_eq!(prefix_end("\u{10ffff}"), None);
        for text in ["thomas", "thomas.mueller@x.de", "thomas\u{10fffe}"] {
            assert!(("thomas".."thomat").contains(&text), "{text}");
        }
        assert!("thomat" >= prefix_end("thomas").unwrap().as_str());
    }

    #[test]
    fn short_and_non_ascii_terms_are_looked_up_whole() {
        for term in ["schmidt", "ab\"c", "süderberg-straße-12345"] {
            let l = Lookup::new(term);
            assert_eq!(l.recheck, None, "{term}");
            assert_eq!(l.pattern, crate::storage::like_pattern(term));
        }
        assert_eq!(Lookup::new("ab\"c").fts, "\"ab\"\"c\"");
    }
}
