//! What a digest reads from the kept tallies of open tasks (one per portal, customer and
//! category, with its first few tasks in listing order): each category's count is the sum of
//! its tallies in scope, and its first tasks are the first of all the pairs' first few. Pure:
//! the storage keeps and reads the tallies, these functions decide.

use std::collections::BTreeMap;

/// The due day of a task without one, in the tallies and the index: after every real day.
pub const NO_DUE: i64 = 2_147_483_647;

/// How many of a pair's first tasks its tally keeps (as many as a digest lists per category;
/// also written in migration 0019).
pub const KEPT_PER_PAIR: usize = 10;

/// The open tasks of one portal about one customer in one category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pair {
    pub portal: i64,
    pub customer: i64,
    pub category: i64,
}

/// Where a task stands in a digest's list: its due day ([`NO_DUE`] if none), then its id.
pub type Place = (i64, i64);

/// A pair's kept tally: how many open tasks, and the places of the first
/// [`KEPT_PER_PAIR`], in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub pair: Pair,
    pub open: i64,
    pub first: Vec<Place>,
}

/// The first places as a tally stores them: `day:id` separated by commas.
pub fn write_first(first: &[Place]) -> String {
    let parts: Vec<String> = first.iter().map(|(d, id)| format!("{d}:{id}")).collect();
    parts.join(",")
}

/// The first places from a tally's text; a part that is not `day:id` is left out.
pub fn read_first(text: &str) -> Vec<Place> {
    text.split(',')
        .filter_map(|part| {
            let (d, id) = part.split_once(':')?;
            Some((d.parse().ok()?, id.parse().ok()?))
        })
        .collect()
}

/// A category's part of a digest before its tasks are read: the count of all its open tasks in
/// scope, and the ids of the first `per`, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub total: usize,
    pub first: Vec<i64>,
}

/// Per category, the count and the first `per` tasks (at most [`KEPT_PER_PAIR`]): each pair
/// keeps its own first ones, so the first of a category are among them.
pub fn plan<'a>(tallies: impl IntoIterator<Item = &'a Tally>, per: usize) -> BTreeMap<i64, Plan> {
    let per = per.min(KEPT_PER_PAIR);
    let mut by_category: BTreeMap<i64, (usize, Vec<Place>)> = BTreeMap::new();
    for t in tallies.into_iter().filter(|t| t.open > 0) {
        let (total, places) = by_category.entry(t.pair.category).or_default();
        *total += t.open as usize;
        places.extend_from_slice(&t.first);
    }
    by_category
        .into_iter()
        .map(|(category, (total, mut places))| {
            if places.len() > per && per > 0 {
                places.select_nth_unstable(per - 1);
            }
            places.truncate(per);
            places.sort_unstable();
            let first = places.into_iter().map(|(_, id)| id).collect();
            (category, Plan { total, first })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pair(customer: i64, category: i64) -> Pair {
        Pair {
            portal: 1,
            customer,
            category,
        }
    }

    #[test]
    fn first_places_are_written_and_read() {
        let first = vec![(20_500, 7), (NO_DUE, 9)];
        assert_eq!(write_first(&first), "20500:7,2147483647:9");
        assert_eq!(read_first(&write_first(&first)), first);
        assert_eq!(read_first(""), vec![]);
        assert_eq!(read_first("x,3:4"), vec![(3, 4)]);
    }

    #[test]
    fn counts_add_up_and_the_soonest_come_first() {
        let t = |customer, open, first: &[Place]| Tally {
            pair: pair(customer, 7),
            open,
            first: first.to_vec(),
        };
        let p = plan(
            &[
                t(1, 5, &[(30, 1), (31, 2)]),
                t(2, 2, &[(10, 3), (NO_DUE, 4)]),
                t(3, 9, &[(20, 5)]),
            ],
            3,
        );
        assert_eq!(
            p[&7],
            Plan {
                total: 16,
                first: vec![3, 5, 1]
            }
        );
    }

    /// A task: (customer, category, due day or none), its id its place in the list.
    fn tasks() -> impl Strategy<Value = Vec<(i64, i64, Option<i64>)>> {
        prop::collection::vec((1..6i64, 1..3i64, prop::option::of(0..8i64)), 0..80)
    }

    proptest! {
        /// The first tasks and counts from the tallies are those of sorting every task.
        #[test]
        fn the_tallies_give_the_first_tasks(list in tasks(), per in 1..12usize) {
            let place = |id: usize, due: Option<i64>| (due.unwrap_or(NO_DUE), id as i64);
            let mut pairs: BTreeMap<Pair, Vec<Place>> = BTreeMap::new();
            for (id, (cu, cat, due)) in list.iter().enumerate() {
                pairs.entry(pair(*cu, *cat)).or_default().push(place(id, *due));
            }
            let tallies: Vec<Tally> = pairs
                .into_iter()
                .map(|(p, mut places)| {
                    places.sort();
                    let open = places.len() as i64;
                    places.truncate(KEPT_PER_PAIR);
                    Tally { pair: p, open, first: places }
                })
                .collect();
            for (category, p) in plan(&tallies, per) {
                let mut all: Vec<Place> = list
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.1 == category)
                    .map(|(id, t)| place(id, t.2))
                    .collect();
                all.sort();
                prop_assert_eq!(p.total, all.len());
                let first: Vec<i64> =
                    all.iter().take(per.min(KEPT_PER_PAIR)).map(|(_, id)| *id).collect();
                prop_assert_eq!(p.first, first);
            }
        }
    }
}
