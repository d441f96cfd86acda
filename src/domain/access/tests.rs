//! Property tests of the scope and decision rules against a small reference model.

use super::*;
use crate::domain::account::{AccountState, Approval, Assignment, Lifecycle, Registration};
use proptest::prelude::*;

/// A small world: a partner with up to three partnerships over customers 1..=6 (a customer
/// may be in several), or a customer 1 with sub-accounts; modules; one account.
#[derive(Debug, Clone)]
struct World {
    reach: Reach,
    assigned: BTreeSet<(Grouping, i64)>,
    role: Role,
    may_log_in: bool,
    granted: BTreeSet<String>,
    modules: Vec<Module>,
}

const MODULE_NAMES: [&str; 4] = ["Schedule", "Invoices", "Pricing", "Partner kit"];

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![
        Just(Role::Admin),
        Just(Role::User),
        Just(Role::Marketing),
        Just(Role::Notifications)
    ]
}

fn world() -> impl Strategy<Value = World> {
    let groupings = prop_oneof![
        // A partner: partnerships 10, 11, 12 with customers among 1..=6.
        prop::collection::vec(prop::collection::btree_set(1i64..=6, 0..5), 0..=3).prop_map(|ps| {
            ps.into_iter()
                .enumerate()
                .map(|(i, cs)| (Grouping::Partnership(10 + i as i64), cs))
                .collect::<Reach>()
        }),
        // A customer 1 with some of 2..=6 as sub-accounts.
        prop::collection::btree_set(2i64..=6, 0..5).prop_map(|subs| {
            let mut members = subs;
            members.insert(1);
            Reach::from([(Grouping::SubAccounts, members)])
        }),
    ];
    (
        groupings,
        // Assignments anywhere, also outside the groupings (a customer that left one).
        prop::collection::btree_set(
            (
                prop_oneof![
                    (10i64..=12).prop_map(Grouping::Partnership),
                    Just(Grouping::SubAccounts)
                ],
                1i64..=7,
            ),
            0..6,
        ),
        role(),
        any::<bool>(),
        prop::collection::btree_set(prop::sample::select(MODULE_NAMES.to_vec()), 0..4),
        prop::collection::vec((any::<bool>(), any::<bool>()), 4),
    )
        .prop_map(
            |(reach, assigned, role, may_log_in, granted, flags)| World {
                reach,
                assigned,
                role,
                may_log_in,
                granted: granted.into_iter().map(String::from).collect(),
                modules: MODULE_NAMES
                    .iter()
                    .zip(flags)
                    .map(|(n, (admin_only, marketing))| Module {
                        name: n.to_string(),
                        admin_only,
                        marketing,
                    })
                    .collect(),
            },
        )
}

/// The reference model: the rules as DESIGN.md words them, customer by customer.
fn model_sees_customer(w: &World, c: i64) -> bool {
    if !w.may_log_in {
        return false;
    }
    match w.role {
        Role::Notifications | Role::Marketing => false,
        Role::Admin => w.reach.values().any(|m| m.contains(&c)),
        Role::User => w.reach.iter().any(|(g, members)| {
            let mine: Vec<i64> = w
                .assigned
                .iter()
                .filter(|(a, _)| a == g)
                .map(|(_, c)| *c)
                .collect();
            members.contains(&c) && (mine.is_empty() || mine.contains(&c))
        }),
    }
}

fn model_sees_module(w: &World, m: &Module) -> bool {
    let granted = w.granted.contains(&m.name);
    w.may_log_in
        && match w.role {
            Role::Admin => true,
            Role::User => granted && !m.admin_only,
            Role::Marketing => granted && m.marketing && !m.admin_only,
            Role::Notifications => false,
        }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100_000))]

    /// The scope, and every single decision, agree with the model.
    #[test]
    fn scope_and_decisions_agree_with_the_model(w in world()) {
        let facts = Facts {
            role: w.role,
            may_log_in: w.may_log_in,
            reach: &w.reach,
            assigned: &w.assigned,
            granted: &w.granted,
            modules: &w.modules,
        };
        let s = scope(&facts);
        for c in 1..=7 {
            let expected = model_sees_customer(&w, c);
            prop_assert_eq!(s.customers.contains(&c), expected, "customer {}", c);
            let cf = CustomerFacts::of(&w.reach, &w.assigned, c);
            let v = decide_customer(w.role, w.may_log_in, &cf);
            prop_assert_eq!(v.allow, expected, "customer {}: {:?}", c, v);
        }
        for m in &w.modules {
            let expected = model_sees_module(&w, m);
            prop_assert_eq!(s.modules.contains(&m.name), expected, "module {}", m.name);
            let v = decide_module(w.role, w.may_log_in, Some(m), w.granted.contains(&m.name));
            prop_assert_eq!(v.allow, expected, "module {}: {:?}", m.name, v);
        }
        prop_assert!(!decide_module(w.role, w.may_log_in, None, true).allow);
    }

    /// An admin gives only what it has; whatever it gives, the receiver's scope (as a
    /// user) lies within the giver's.
    #[test]
    fn an_admin_never_gives_more_than_it_has(w in world()) {
        let giver_facts = Facts {
            role: Role::Admin,
            may_log_in: true,
            reach: &w.reach,
            assigned: &BTreeSet::new(),
            granted: &BTreeSet::new(),
            modules: &w.modules,
        };
        let giver = scope(&giver_facts);
        let ok = check_grant(Some(&giver), &w.reach, &w.granted, &w.assigned).is_ok();
        let within = w.assigned.iter().all(|(g, c)| {
            w.reach.get(g).is_some_and(|m| m.contains(c))
        }) && w.granted.iter().all(|m| giver.modules.contains(m));
        prop_assert_eq!(ok, within);
        if ok {
            let receiver = scope(&Facts {
                role: Role::User,
                assigned: &w.assigned,
                granted: &w.granted,
                ..giver_facts.clone()
            });
            prop_assert!(receiver.customers.is_subset(&giver.customers));
            prop_assert!(receiver.modules.is_subset(&giver.modules));
        }
    }

    /// No sequence of changes leaves an organization that had an active admin without one.
    #[test]
    fn an_organization_keeps_an_active_admin(
        changes in prop::collection::vec((0usize..3, 0u8..6), 1..20)
    ) {
        let admin = AccountState {
            registration: Registration::Registered,
            approval: Approval::Approved,
            assignment: Assignment::Assigned,
            access_granted: true,
            valid_until: None,
            lifecycle: Lifecycle::Active,
            role: Role::Admin,
        };
        let mut accounts: Vec<Option<AccountState>> = vec![Some(admin); 3];
        for (who, what) in changes {
            let Some(before) = accounts[who] else { continue };
            let after = match what {
                0 => Some(AccountState { role: Role::User, ..before }),
                1 => Some(AccountState { lifecycle: Lifecycle::Deactivated, ..before }),
                2 => Some(AccountState { access_granted: false, ..before }),
                3 => Some(AccountState { valid_until: Some(20_000), ..before }),
                4 => None,
                _ => Some(admin),
            };
            let admins: Vec<i64> = accounts
                .iter()
                .enumerate()
                .filter(|(_, a)| a.as_ref().is_some_and(is_active_admin))
                .map(|(i, _)| i as i64)
                .collect();
            if check_admin_remains(who as i64, after.as_ref(), &admins).is_ok() {
                accounts[who] = after;
            }
            let left = accounts.iter().flatten().filter(|a| is_active_admin(a)).count();
            prop_assert!(left >= 1);
        }
    }
}

#[test]
fn decisions_name_their_rule() {
    let reach = Reach::from([
        (Grouping::Partnership(10), BTreeSet::from([1, 2])),
        (Grouping::Partnership(11), BTreeSet::from([3])),
    ]);
    let assigned = BTreeSet::from([(Grouping::Partnership(10), 1)]);
    let c = |id| CustomerFacts::of(&reach, &assigned, id);
    assert_eq!(
        decide_customer(Role::User, true, &c(1)).rule,
        Rule::Assigned
    );
    assert_eq!(
        decide_customer(Role::User, true, &c(2)).rule,
        Rule::NotAssigned
    );
    assert_eq!(
        decide_customer(Role::User, true, &c(3)).rule,
        Rule::WholeGrouping
    );
    assert_eq!(
        decide_customer(Role::User, true, &c(4)).rule,
        Rule::NotReached
    );
    assert_eq!(
        decide_customer(Role::Admin, true, &c(2)).rule,
        Rule::AdminReachesAll
    );
    assert_eq!(
        decide_customer(Role::Marketing, true, &c(1)).rule,
        Rule::MarketingSeesNoCustomers
    );
    assert_eq!(
        decide_customer(Role::Admin, false, &c(1)).rule,
        Rule::CannotLogIn
    );
    let pricing = Module {
        name: "Pricing".into(),
        admin_only: true,
        marketing: false,
    };
    assert_eq!(
        decide_module(Role::User, true, Some(&pricing), true).rule,
        Rule::AdminOnly
    );
    assert_eq!(
        decide_module(Role::User, true, None, true).rule,
        Rule::UnknownModule
    );
}

#[test]
fn only_an_admin_is_given_an_admin_only_module() {
    let modules = vec![
        Module {
            name: "Invoices".into(),
            admin_only: false,
            marketing: false,
        },
        Module {
            name: "Pricing".into(),
            admin_only: true,
            marketing: false,
        },
    ];
    let both = ["Invoices".to_string(), "Pricing".to_string()];
    assert_eq!(check_admin_only(Role::Admin, &modules, &both), Ok(()));
    for role in [Role::User, Role::Marketing, Role::Notifications] {
        assert_eq!(
            check_admin_only(role, &modules, &both),
            Err(NotAllowed::AdminOnly("Pricing".into()))
        );
        assert_eq!(check_admin_only(role, &modules, &both[..1]), Ok(()));
    }
}

#[test]
fn a_refusal_is_said_in_english_and_in_german() {
    for n in [
        NotAllowed::NotTheirs,
        NotAllowed::Module("Pricing".into()),
        NotAllowed::Customer(12),
        NotAllowed::NotInGrouping(7),
        NotAllowed::AdminOnly("User management".into()),
    ] {
        assert_eq!(n.message_in(Language::En), n.message().english());
        assert_ne!(n.message_in(Language::De), n.message().english());
    }
    assert_eq!(
        NotAllowed::AdminOnly("Pricing".into()).message_in(Language::En),
        "“Pricing” is for admins only: make the account an admin, or leave the module out."
    );
    assert_eq!(
        NotAllowed::AdminOnly("Pricing".into()).message_in(Language::De),
        "„Pricing“ ist nur für Admins: Machen Sie das Konto zum Admin, oder lassen Sie das Modul weg."
    );
    assert_eq!(
        NotAllowed::Customer(12).message_in(Language::En),
        "You cannot assign customer #12: you do not see it yourself."
    );
    assert_eq!(
        last_admin().english(),
        "This is the organization's last active admin on this portal. Make another of its accounts an active admin first."
    );
}
