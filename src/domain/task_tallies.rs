//! What a digest reads from the kept tallies of open tasks (one per portal, customer and
//! category, with the soonest due day): each category's count is the sum of its tallies in
//! scope, and its first tasks can only lie in the few pairs whose soonest due day comes first.
//! Pure: the storage reads the tallies and the tasks, these functions decide what to read.

use std::collections::BTreeMap;

/// The due day of a task without one, in the tallies and the index: after every real day.
pub const NO_DUE: i64 = 2_147_483_647;

/// The open tasks of one portal about one customer in one category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pair {
    pub portal: i64,
    pub customer: i64,
    pub category: i64,
}

/// A pair's kept tally: how many open tasks, and the soonest due day ([`NO_DUE`] if none has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub pair: Pair,
    pub open: i64,
    pub first_due: i64,
}

/// A category's part of a digest before its tasks are read: the count of all its open tasks in
/// scope, and the pairs to read with how many of each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub total: usize,
    pub read: Vec<(Pair, i64)>,
}

/// Per category, the count and which pairs can hold its first `per` tasks (in the order soonest
/// due first, then by task id). A pair whose soonest due day comes after that of the `per`-th
/// pair cannot: `per` other pairs each have a task before all of its own. Of a pair that can,
/// at most `per - m` tasks can, where `m` pairs have a soonest due day strictly before its own
/// (each puts a task before all of this pair's).
pub fn plan(tallies: &[Tally], per: usize) -> BTreeMap<i64, Plan> {
    let mut by_category: BTreeMap<i64, Vec<&Tally>> = BTreeMap::new();
    for t in tallies.iter().filter(|t| t.open > 0) {
        by_category.entry(t.pair.category).or_default().push(t);
    }
    let mut out = BTreeMap::new();
    for (category, mut list) in by_category {
        let total = list.iter().map(|t| t.open as usize).sum();
        list.sort_by_key(|t| (t.first_due, t.pair));
        let mut read = Vec::new();
        if per > 0 {
            let last_due = list[list.len().min(per) - 1].first_due;
            let mut before = 0;
            for (i, t) in list.iter().enumerate() {
                if t.first_due > last_due {
                    break;
                }
                if i > 0 && list[i - 1].first_due < t.first_due {
                    before = i;
                }
                let most = (per - before) as i64;
                read.push((t.pair, most.min(t.open)));
            }
        }
        out.insert(category, Plan { total, read });
    }
    out
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
    fn counts_add_up_and_late_pairs_are_not_read() {
        let t = |customer, open, first_due| Tally {
            pair: pair(customer, 7),
            open,
            first_due,
        };
        let p = plan(&[t(1, 5, 30), t(2, 2, 10), t(3, 9, 20), t(4, 1, NO_DUE)], 2);
        let p = &p[&7];
        assert_eq!(p.total, 17);
        // Customer 2 (day 10): up to 2; customer 3 (day 20): 1 more can come before the rest.
        assert_eq!(p.read, vec![(pair(2, 7), 2), (pair(3, 7), 1)]);
    }

    #[test]
    fn ties_at_the_last_place_are_all_read() {
        let t = |customer, first_due| Tally {
            pair: pair(customer, 1),
            open: 3,
            first_due,
        };
        let p = plan(&[t(1, 5), t(2, 9), t(3, 9), t(4, 9), t(5, 12)], 2);
        assert_eq!(
            p[&1].read,
            vec![
                (pair(1, 1), 2),
                (pair(2, 1), 1),
                (pair(3, 1), 1),
                (pair(4, 1), 1)
            ]
        );
    }

    /// A task: (customer, category, due day or none), its id its place in the list.
    fn tasks() -> impl Strategy<Value = Vec<(i64, i64, Option<i64>)>> {
        prop::collection::vec((1..6i64, 1..3i64, prop::option::of(0..8i64)), 0..60)
    }

    proptest! {
        /// Reading only what the plan says gives the same first tasks and counts as sorting
        /// every task.
        #[test]
        fn the_plan_finds_the_first_tasks(list in tasks(), per in 1..6usize) {
            let key = |id: usize, due: Option<i64>| (due.unwrap_or(NO_DUE), id as i64);
            let mut tallies: BTreeMap<Pair, Tally> = BTreeMap::new();
            for (id, (cu, cat, due)) in list.iter().enumerate() {
                let p = pair(*cu, *cat);
                let t = tallies.entry(p).or_insert(Tally { pair: p, open: 0, first_due: NO_DUE });
                t.open += 1;
                t.first_due = t.first_due.min(key(id, *due).0);
            }
            let tallies: Vec<Tally> = tallies.into_values().collect();
            for (category, p) in plan(&tallies, per) {
                let mut all: Vec<(i64, i64)> = list
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| t.1 == category)
                    .map(|(id, t)| key(id, t.2))
                    .collect();
                all.sort();
                prop_assert_eq!(p.total, all.len());
                let mut read: Vec<(i64, i64)> = Vec::new();
                for (pr, limit) in &p.read {
                    let mut own: Vec<(i64, i64)> = list
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| pair(t.0, t.1) == *pr)
                        .map(|(id, t)| key(id, t.2))
                        .collect();
                    own.sort();
                    read.extend(own.into_iter().take(*limit as usize));
                }
                read.sort();
                read.truncate(per);
                all.truncate(per);
                prop_assert_eq!(read, all);
            }
        }
    }
}
