//! The questions asked of both sides: random customers and modules of the included accounts,
//! in Admit's form and casbin's.

use admit::usecases::access::DecisionQuery;
use admit_bench::Rng;

use crate::data::{Account, Data};
use crate::model::dom;

/// A question: Admit's form and casbin's.
pub struct Question {
    pub admit: DecisionQuery,
    pub casbin: (String, String, String),
}

/// `n` random questions about the accounts of `orgs`: a customer (assigned to the account, one
/// its organization reaches, or any organization) seven times in ten, else a module of its
/// portal (or an unknown one).
pub fn questions(d: &Data, orgs: &[i64], n: usize, rng: &mut Rng) -> Vec<Question> {
    let accounts: Vec<&Account> = orgs
        .iter()
        .flat_map(|o| d.by_org.get(o).into_iter().flatten())
        .map(|&i| &d.accounts[i])
        .collect();
    let mut out = Vec::with_capacity(n);
    if accounts.is_empty() {
        return out;
    }
    let empty = Vec::new();
    for _ in 0..n {
        let a = accounts[rng.below(accounts.len())];
        let org = a.org.unwrap_or(0);
        let domain = dom(a.portal, org);
        if rng.chance(0.7) {
            let assigned = d.assigned.get(&a.id).unwrap_or(&empty);
            let reach: Vec<i64> = d
                .reach
                .get(&org)
                .into_iter()
                .flatten()
                .flat_map(|(_, cs)| cs.iter().copied())
                .collect();
            let x = rng.below(3);
            let c = if x == 0 && !assigned.is_empty() {
                assigned[rng.below(assigned.len())].1
            } else if x <= 1 && !reach.is_empty() {
                reach[rng.below(reach.len())]
            } else {
                let (lo, hi) = d.org_range;
                lo + rng.below((hi - lo + 1).max(1) as usize) as i64
            };
            out.push(Question {
                admit: DecisionQuery {
                    account_id: a.id,
                    customer_id: Some(c),
                    ..Default::default()
                },
                casbin: (format!("a{}", a.id), domain, format!("c{c}")),
            });
        } else {
            let modules = d.modules.get(&a.portal).map(Vec::as_slice).unwrap_or(&[]);
            let name = if modules.is_empty() || rng.chance(0.15) {
                "Unknown module".to_string()
            } else {
                d.names[modules[rng.below(modules.len())].0].clone()
            };
            out.push(Question {
                admit: DecisionQuery {
                    account_id: a.id,
                    module: Some(name.clone()),
                    ..Default::default()
                },
                casbin: (format!("a{}", a.id), domain, format!("m{name}")),
            });
        }
    }
    out
}
