//! The casbin side of the comparison: the RBAC-with-domains model, the rules (`p` and `g`) that
//! stand for one organization's accounts, and the domain names they use.

use std::collections::BTreeSet;

use admit::domain::account::Role;

use crate::data::{Account, Data};

/// casbin's RBAC with domains (`examples/rbac_with_domains_model.conf`).
pub const MODEL: &str = "
[request_definition]
r = sub, dom, obj, act

[policy_definition]
p = sub, dom, obj, act

[role_definition]
g = _, _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub, r.dom) && r.dom == p.dom && r.obj == p.obj && r.act == p.act
";

/// Who a policy is for.
#[derive(Clone, Copy)]
pub enum Sub {
    Account(i64),
    Admin,
    /// A grouping's role: the partnership, or 0 for the sub-accounts.
    Grouping(i64),
}

impl Sub {
    pub fn text(self) -> String {
        match self {
            Sub::Account(a) => format!("a{a}"),
            Sub::Admin => "admin".into(),
            Sub::Grouping(g) => format!("grp{g}"),
        }
    }
}

/// What a policy lets see.
#[derive(Clone, Copy)]
pub enum Obj {
    Customer(i64),
    /// An index into the module names.
    Module(usize),
}

/// A rule, small until casbin gets it as strings.
#[derive(Clone, Copy)]
pub enum Rule {
    /// `p = sub, dom, obj, see`.
    P {
        sub: Sub,
        portal: i64,
        org: i64,
        obj: Obj,
    },
    /// `g = account, role, dom`.
    G {
        account: i64,
        role: Sub,
        portal: i64,
        org: i64,
    },
}

pub fn dom(portal: i64, org: i64) -> String {
    format!("{portal}/{org}")
}

/// The rules of one organization's accounts.
pub fn rules_of(d: &Data, org: i64, out: &mut Vec<Rule>) {
    let Some(accounts) = d.by_org.get(&org) else {
        return;
    };
    let empty = Vec::new();
    let reach = d.reach.get(&org).unwrap_or(&empty);
    let portals: BTreeSet<i64> = accounts.iter().map(|&i| d.accounts[i].portal).collect();
    for portal in portals {
        let modules = d.modules.get(&portal).map(Vec::as_slice).unwrap_or(&[]);
        let here: Vec<&Account> = accounts
            .iter()
            .map(|&i| &d.accounts[i])
            .filter(|a| a.portal == portal && a.may_log_in)
            .collect();
        let p = |sub, obj| Rule::P {
            sub,
            portal,
            org,
            obj,
        };
        if here.iter().any(|a| a.role == Role::Admin) {
            let all: BTreeSet<i64> = reach
                .iter()
                .flat_map(|(_, cs)| cs.iter().copied())
                .collect();
            out.extend(all.into_iter().map(|c| p(Sub::Admin, Obj::Customer(c))));
            out.extend(modules.iter().map(|m| p(Sub::Admin, Obj::Module(m.0))));
        }
        let mut used: BTreeSet<i64> = BTreeSet::new();
        for a in &here {
            let granted = d.granted.get(&a.id).map(Vec::as_slice).unwrap_or(&[]);
            let module = |i: usize| modules.iter().find(|m| m.0 == i);
            match a.role {
                Role::Admin => out.push(Rule::G {
                    account: a.id,
                    role: Sub::Admin,
                    portal,
                    org,
                }),
                Role::User => {
                    let assigned = d.assigned.get(&a.id).map(Vec::as_slice).unwrap_or(&[]);
                    for (key, members) in reach {
                        let mine: Vec<i64> = assigned
                            .iter()
                            .filter(|(g, c)| g == key && members.contains(c))
                            .map(|(_, c)| *c)
                            .collect();
                        if assigned.iter().any(|(g, _)| g == key) {
                            out.extend(
                                mine.into_iter()
                                    .map(|c| p(Sub::Account(a.id), Obj::Customer(c))),
                            );
                        } else {
                            used.insert(*key);
                            out.push(Rule::G {
                                account: a.id,
                                role: Sub::Grouping(*key),
                                portal,
                                org,
                            });
                        }
                    }
                    for &m in granted {
                        if module(m).is_some_and(|m| !m.1) {
                            out.push(p(Sub::Account(a.id), Obj::Module(m)));
                        }
                    }
                }
                Role::Marketing => {
                    for &m in granted {
                        if module(m).is_some_and(|m| m.2) {
                            out.push(p(Sub::Account(a.id), Obj::Module(m)));
                        }
                    }
                }
                Role::Notifications => {}
            }
        }
        for (key, members) in reach {
            if used.contains(key) {
                out.extend(
                    members
                        .iter()
                        .map(|c| p(Sub::Grouping(*key), Obj::Customer(*c))),
                );
            }
        }
    }
}
