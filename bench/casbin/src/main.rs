//! Admit's in-process decision beside casbin-rs, in one run, on the database that `admit-bench
//! access` generated: the same accounts, organizations, modules and customer assignments as an
//! RBAC-with-domains model (casbin's own `rbac_with_domains_model.conf`), loaded into casbin at
//! increasing sizes; the same random questions asked of both at each size, their answers
//! compared.
//!
//! ```text
//! cargo run --release -p admit-bench-casbin -- sqlite:///tmp/benchdb/access.db \
//!     [--sizes 1000,10000,100000,1000000,10000000,all] [--seconds 10] [--min-samples 5]
//! ```
//!
//! The model: a domain per organization and portal (`"{portal}/{organization}"`), the request
//! `(account, domain, object, "see")` with objects `c{customer}` and `m{module}`:
//! - an admin (that may log in) has the role `admin` in its domain, which sees every customer
//!   the organization reaches and every module of the portal;
//! - a user, per grouping (a partnership; the customer organization with its sub-accounts):
//!   where it has assignments, a policy per assigned customer; where none, the role of the
//!   grouping (`grp{partnership}`, `grp0`), which sees all of its customers; a policy per
//!   granted module that is not admin-only;
//! - a marketing account, a policy per granted marketing module;
//! - anyone else (notifications, may not log in) nothing: denied.
//!
//! Sizes count casbin's rules (`p` and `g`): whole organizations, in a random order, until the
//! size is reached. Admit answers from the whole database at every size.
#![forbid(unsafe_code)]

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Instant;

use admit::domain::account::{AccountState, Approval, Assignment, Lifecycle, Registration, Role};
use admit::storage::{Db, Tx};
use admit::usecases::access::DecisionQuery;
use admit_bench::{Rng, percentiles};
use casbin::{Adapter, CoreApi, DefaultModel, Enforcer, Filter, Model};

/// casbin's RBAC with domains (`examples/rbac_with_domains_model.conf`).
const MODEL: &str = "
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
enum Sub {
    Account(i64),
    Admin,
    /// A grouping's role: the partnership, or 0 for the sub-accounts.
    Grouping(i64),
}

impl Sub {
    fn text(self) -> String {
        match self {
            Sub::Account(a) => format!("a{a}"),
            Sub::Admin => "admin".into(),
            Sub::Grouping(g) => format!("grp{g}"),
        }
    }
}

/// What a policy lets see.
#[derive(Clone, Copy)]
enum Obj {
    Customer(i64),
    /// An index into the module names.
    Module(usize),
}

/// A rule, small until casbin gets it as strings.
#[derive(Clone, Copy)]
enum Rule {
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

fn dom(portal: i64, org: i64) -> String {
    format!("{portal}/{org}")
}

/// An adapter that hands casbin the first `take` rules.
struct Rules {
    rules: Arc<Vec<Rule>>,
    names: Arc<Vec<String>>,
    take: usize,
}

#[async_trait::async_trait]
impl Adapter for Rules {
    async fn load_policy(&mut self, m: &mut dyn Model) -> casbin::Result<()> {
        for r in &self.rules[..self.take] {
            match *r {
                Rule::P {
                    sub,
                    portal,
                    org,
                    obj,
                } => {
                    let obj = match obj {
                        Obj::Customer(c) => format!("c{c}"),
                        Obj::Module(i) => format!("m{}", self.names[i]),
                    };
                    m.add_policy(
                        "p",
                        "p",
                        vec![sub.text(), dom(portal, org), obj, "see".into()],
                    );
                }
                Rule::G {
                    account,
                    role,
                    portal,
                    org,
                } => {
                    m.add_policy(
                        "g",
                        "g",
                        vec![format!("a{account}"), role.text(), dom(portal, org)],
                    );
                }
            }
        }
        Ok(())
    }
    async fn load_filtered_policy<'a>(
        &mut self,
        m: &mut dyn Model,
        _f: Filter<'a>,
    ) -> casbin::Result<()> {
        self.load_policy(m).await
    }
    async fn save_policy(&mut self, _m: &mut dyn Model) -> casbin::Result<()> {
        Ok(())
    }
    async fn clear_policy(&mut self) -> casbin::Result<()> {
        Ok(())
    }
    fn is_filtered(&self) -> bool {
        false
    }
    async fn add_policy(&mut self, _: &str, _: &str, _: Vec<String>) -> casbin::Result<bool> {
        Ok(false)
    }
    async fn add_policies(
        &mut self,
        _: &str,
        _: &str,
        _: Vec<Vec<String>>,
    ) -> casbin::Result<bool> {
        Ok(false)
    }
    async fn remove_policy(&mut self, _: &str, _: &str, _: Vec<String>) -> casbin::Result<bool> {
        Ok(false)
    }
    async fn remove_policies(
        &mut self,
        _: &str,
        _: &str,
        _: Vec<Vec<String>>,
    ) -> casbin::Result<bool> {
        Ok(false)
    }
    async fn remove_filtered_policy(
        &mut self,
        _: &str,
        _: &str,
        _: usize,
        _: Vec<String>,
    ) -> casbin::Result<bool> {
        Ok(false)
    }
}

/// An account as the rules see it.
struct Account {
    id: i64,
    portal: i64,
    org: Option<i64>,
    role: Role,
    may_log_in: bool,
}

/// Everything read from the database.
struct Data {
    accounts: Vec<Account>,
    /// Accounts (indexes) by organization.
    by_org: HashMap<i64, Vec<usize>>,
    /// Granted modules (indexes into `names`) by account.
    granted: HashMap<i64, Vec<usize>>,
    /// Assignments (grouping key, customer) by account.
    assigned: HashMap<i64, Vec<(i64, i64)>>,
    /// The groupings an organization reaches: (key, customers).
    reach: HashMap<i64, Vec<(i64, Vec<i64>)>>,
    /// A portal's modules: (index into `names`, admin-only, marketing).
    modules: HashMap<i64, Vec<(usize, bool, bool)>>,
    names: Vec<String>,
    orgs: Vec<i64>,
    org_range: (i64, i64),
}

type Row3 = (i64, i64, i64);

async fn read(db: &Db, today: i64) -> anyhow::Result<Data> {
    use admit::on_tx;
    let mut tx: Tx = db.read().await?;
    let orgs: Vec<(i64, String, Option<i64>)> = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT id, kind, parent_id FROM organizations ORDER BY id"
    )
    .fetch_all(c)
    .await)?;
    let partnerships: Vec<(i64, i64)> = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT id, partner_id FROM partnerships ORDER BY id"
    )
    .fetch_all(c)
    .await)?;
    let members: Vec<(i64, i64)> = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT partnership_id, customer_id FROM partnership_customers"
    )
    .fetch_all(c)
    .await)?;
    let portal_modules: Vec<(i64, String, bool, bool)> = on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT portal_id, name, admin_only, marketing FROM portal_modules ORDER BY portal_id, position"
    )
    .fetch_all(c)
    .await
    })?;
    type AccountRow = (
        i64,
        i64,
        Option<i64>,
        Option<i64>,
        String,
        String,
        String,
        bool,
        Option<i64>,
        String,
    );
    let rows: Vec<AccountRow> = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT a.id, a.portal_id, ct.organization_id, a.contact_id, a.role, a.registration, \
         a.approval, a.access_granted, a.valid_until, a.lifecycle FROM portal_accounts a \
         LEFT JOIN contacts ct ON ct.id = a.contact_id ORDER BY a.id"
    )
    .fetch_all(c)
    .await)?;
    let grants: Vec<(i64, String)> = on_tx!(&mut tx, |c| sqlx::query_as(
        "SELECT account_id, module FROM portal_account_modules"
    )
    .fetch_all(c)
    .await)?;
    let assignments: Vec<Row3> = on_tx!(&mut tx, |c| {
        sqlx::query_as(
        "SELECT account_id, COALESCE(partnership_id, 0), customer_id FROM portal_account_customers"
    )
    .fetch_all(c)
    .await
    })?;
    drop(tx);

    let mut names: Vec<String> = Vec::new();
    let mut name_index: HashMap<String, usize> = HashMap::new();
    let mut index = |n: &str| -> usize {
        if let Some(i) = name_index.get(n) {
            return *i;
        }
        names.push(n.to_string());
        name_index.insert(n.to_string(), names.len() - 1);
        names.len() - 1
    };
    let mut modules: HashMap<i64, Vec<(usize, bool, bool)>> = HashMap::new();
    for (portal, name, admin_only, marketing) in &portal_modules {
        let i = index(name);
        modules
            .entry(*portal)
            .or_default()
            .push((i, *admin_only, *marketing));
    }
    // The customers each organization reaches, as `storage::access::reach` reads them.
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut partner: HashMap<i64, bool> = HashMap::new();
    for (id, kind, parent) in &orgs {
        partner.insert(*id, kind == "partner");
        if kind == "customer"
            && let Some(p) = parent
        {
            children.entry(*p).or_default().push(*id);
        }
    }
    let mut of_partnership: HashMap<i64, Vec<i64>> = HashMap::new();
    for (p, c) in &members {
        of_partnership.entry(*p).or_default().push(*c);
    }
    let mut reach: HashMap<i64, Vec<(i64, Vec<i64>)>> = HashMap::new();
    for (p, partner_id) in &partnerships {
        reach
            .entry(*partner_id)
            .or_default()
            .push((*p, of_partnership.remove(p).unwrap_or_default()));
    }
    for (id, kind, _) in &orgs {
        if kind == "customer" {
            let mut tree = BTreeSet::from([*id]);
            let mut stack = vec![(*id, 0)];
            while let Some((o, depth)) = stack.pop() {
                if depth >= 32 {
                    continue;
                }
                for c in children.get(&o).into_iter().flatten() {
                    if tree.insert(*c) {
                        stack.push((*c, depth + 1));
                    }
                }
            }
            reach.insert(*id, vec![(0, tree.into_iter().collect())]);
        }
    }
    let mut accounts = Vec::with_capacity(rows.len());
    let mut by_org: HashMap<i64, Vec<usize>> = HashMap::new();
    for (id, portal, org, contact, role, registration, approval, granted, valid_until, lifecycle) in
        rows
    {
        let role = Role::parse(&role).unwrap_or(Role::Notifications);
        let state = (|| {
            Some(AccountState {
                registration: Registration::parse(&registration)?,
                approval: Approval::parse(&approval)?,
                assignment: if contact.is_some() {
                    Assignment::Assigned
                } else {
                    Assignment::Pending
                },
                access_granted: granted,
                valid_until,
                lifecycle: Lifecycle::parse(&lifecycle)?,
                role,
            })
        })();
        if let Some(o) = org {
            by_org.entry(o).or_default().push(accounts.len());
        }
        accounts.push(Account {
            id,
            portal,
            org,
            role,
            may_log_in: state.is_some_and(|s| s.login(today).is_ok()),
        });
    }
    let mut granted: HashMap<i64, Vec<usize>> = HashMap::new();
    for (a, m) in grants {
        let i = index(&m);
        granted.entry(a).or_default().push(i);
    }
    let mut assigned: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for (a, g, c) in assignments {
        assigned.entry(a).or_default().push((g, c));
    }
    let org_range = (
        orgs.first().map(|o| o.0).unwrap_or(0),
        orgs.last().map(|o| o.0).unwrap_or(0),
    );
    Ok(Data {
        accounts,
        by_org,
        granted,
        assigned,
        reach,
        modules,
        names,
        orgs: orgs.into_iter().map(|o| o.0).collect(),
        org_range,
    })
}

/// The rules of one organization's accounts.
fn rules_of(d: &Data, org: i64, out: &mut Vec<Rule>) {
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

/// A question: Admit's form and casbin's.
struct Question {
    admit: DecisionQuery,
    casbin: (String, String, String),
}

/// `n` random questions about the accounts of `orgs`: a customer (assigned to the account, one
/// its organization reaches, or any organization) seven times in ten, else a module of its
/// portal (or an unknown one).
fn questions(d: &Data, orgs: &[i64], n: usize, rng: &mut Rng) -> Vec<Question> {
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

/// This process's resident memory, in MiB.
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map(|pages| pages * 4096.0 / 1048576.0)
        .unwrap_or(0.0)
}

struct Args {
    url: String,
    sizes: Vec<Option<usize>>,
    seconds: f64,
    min_samples: usize,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        url: String::new(),
        sizes: vec![
            Some(1_000),
            Some(10_000),
            Some(100_000),
            Some(1_000_000),
            Some(10_000_000),
            None,
        ],
        seconds: 10.0,
        min_samples: 5,
    };
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--sizes" => {
                a.sizes = it
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(|s| match s.trim() {
                        "all" => Ok(None),
                        n => n.replace('_', "").parse().map(Some),
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--seconds" => a.seconds = it.next().unwrap_or_default().parse()?,
            "--min-samples" => a.min_samples = it.next().unwrap_or_default().parse()?,
            "-h" | "--help" => {
                println!(
                    "admit-bench-casbin DATABASE_URL [--sizes 1000,10000,...,all] [--seconds S] [--min-samples N]"
                );
                std::process::exit(0);
            }
            url if a.url.is_empty() && !url.starts_with('-') => a.url = url.into(),
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    anyhow::ensure!(
        !a.url.is_empty(),
        "give the database of `admit-bench access` (sqlite://... or postgres://...)"
    );
    Ok(a)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let config = admit::config::Config {
        database_url: args.url.clone(),
        ..Default::default()
    };
    let db = admit::app::open_database(&config).await?;
    let cx = admit::app::context(db.clone(), Arc::new(admit::clock::SystemClock));
    let today = admit::clock::today(cx.now());
    let actor = admit::usecases::Actor::cli();

    let start = Instant::now();
    let data = read(&db, today).await?;
    println!(
        "admit vs casbin: {:?}, {} cores; read {} accounts, {} organizations, {} accounts with customer assignments in {:.1} s",
        db.engine(),
        admit_bench::cores(),
        data.accounts.len(),
        data.orgs.len(),
        data.assigned.len(),
        start.elapsed().as_secs_f64()
    );

    // Every organization's rules, the organizations in a random order.
    let mut rng = Rng(0x00CA_5B1A);
    let mut orgs = data.orgs.clone();
    for i in (1..orgs.len()).rev() {
        let j = rng.below(i + 1);
        orgs.swap(i, j);
    }
    let start = Instant::now();
    let mut rules: Vec<Rule> = Vec::new();
    // The number of rules after each organization.
    let mut ends: Vec<usize> = Vec::with_capacity(orgs.len());
    for &o in &orgs {
        rules_of(&data, o, &mut rules);
        ends.push(rules.len());
    }
    let total = rules.len();
    println!(
        "model: {total} casbin rules ({} p, {} g) for all {} organizations, made in {:.1} s",
        rules.iter().filter(|r| matches!(r, Rule::P { .. })).count(),
        rules.iter().filter(|r| matches!(r, Rule::G { .. })).count(),
        orgs.len(),
        start.elapsed().as_secs_f64()
    );
    let rules = Arc::new(rules);
    let names = Arc::new(data.names.clone());

    println!(
        "{:>10} {:>7} {:>8} | {:>10} {:>10} {:>7} {:>7} | {:>9} {:>9} {:>6} | {:>9} {:>9}",
        "rules",
        "orgs",
        "accounts",
        "casbin p50",
        "casbin p99",
        "samples",
        "load s",
        "admit p50",
        "admit p99",
        "asked",
        "mismatch",
        "RSS MiB"
    );
    for size in &args.sizes {
        let want = size.unwrap_or(total).min(total);
        // Whole organizations until the size is reached.
        let k = ends.partition_point(|&e| e < want) + 1;
        let k = k.min(orgs.len());
        let take = ends.get(k.wrapping_sub(1)).copied().unwrap_or(0);
        let included = &orgs[..k];
        let accounts: usize = included
            .iter()
            .map(|o| data.by_org.get(o).map_or(0, Vec::len))
            .sum();
        let qs = questions(&data, included, 2000, &mut rng);
        if qs.is_empty() {
            continue;
        }

        let start = Instant::now();
        let model = DefaultModel::from_str(MODEL).await?;
        let enforcer = Enforcer::new(
            model,
            Rules {
                rules: rules.clone(),
                names: names.clone(),
                take,
            },
        )
        .await?;
        let load = start.elapsed().as_secs_f64();

        // Admit: every question once, one after the other (the database is the whole one).
        let mut admit_ms = Vec::with_capacity(qs.len());
        let mut admit_allow = Vec::with_capacity(qs.len());
        for q in &qs {
            let t = Instant::now();
            let d = admit::usecases::access::decide(&cx, &actor, &q.admit)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            admit_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            admit_allow.push(d.allow);
        }
        // casbin: the same questions, for `seconds` (at least `min_samples` of them).
        let mut casbin_ms = Vec::new();
        let mut mismatches = 0usize;
        let mut shown = 0;
        let deadline = Instant::now() + std::time::Duration::from_secs_f64(args.seconds);
        for (q, admit) in qs.iter().zip(&admit_allow) {
            if casbin_ms.len() >= args.min_samples && Instant::now() >= deadline {
                break;
            }
            let (sub, dom, obj) = &q.casbin;
            let t = Instant::now();
            let allow = enforcer.enforce((sub.as_str(), dom.as_str(), obj.as_str(), "see"))?;
            casbin_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            if allow != *admit {
                mismatches += 1;
                if shown < 5 {
                    shown += 1;
                    eprintln!(
                        "mismatch: {:?}: Admit {admit}, casbin {allow} ({sub}, {dom}, {obj})",
                        q.admit
                    );
                }
            }
        }
        let asked = casbin_ms.len();
        let rss = rss_mib();
        drop(enforcer);
        let c = percentiles(casbin_ms);
        let a = percentiles(admit_ms);
        println!(
            "{:>10} {:>7} {:>8} | {:>8.3}ms {:>8.3}ms {:>7} {:>7.1} | {:>7.3}ms {:>7.3}ms {:>6} | {:>9} {:>9.0}",
            take,
            k,
            accounts,
            c.p50,
            c.p99,
            asked,
            load,
            a.p50,
            a.p99,
            qs.len(),
            mismatches,
            rss
        );
        if take >= total {
            break;
        }
    }
    db.close().await;
    Ok(())
}
