//! Reading the database of `admit-bench access` into what the rules and the questions need:
//! accounts by organization, granted modules, customer assignments, reach and portal modules.

use std::collections::{BTreeSet, HashMap};

use admit::domain::account::{AccountState, Approval, Assignment, Lifecycle, Registration, Role};
use admit::storage::{Db, Tx};

/// An account as the rules see it.
pub struct Account {
    pub id: i64,
    pub portal: i64,
    pub org: Option<i64>,
    pub role: Role,
    pub may_log_in: bool,
}

/// Everything read from the database.
pub struct Data {
    pub accounts: Vec<Account>,
    /// Accounts (indexes) by organization.
    pub by_org: HashMap<i64, Vec<usize>>,
    /// Granted modules (indexes into `names`) by account.
    pub granted: HashMap<i64, Vec<usize>>,
    /// Assignments (grouping key, customer) by account.
    pub assigned: HashMap<i64, Vec<(i64, i64)>>,
    /// The groupings an organization reaches: (key, customers).
    pub reach: HashMap<i64, Vec<(i64, Vec<i64>)>>,
    /// A portal's modules: (index into `names`, admin-only, marketing).
    pub modules: HashMap<i64, Vec<(usize, bool, bool)>>,
    pub names: Vec<String>,
    pub orgs: Vec<i64>,
    pub org_range: (i64, i64),
}

pub type Row3 = (i64, i64, i64);

pub async fn read(db: &Db, today: i64) -> anyhow::Result<Data> {
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
                registration: Registration::parse(&registration).ok()?,
                approval: Approval::parse(&approval).ok()?,
                assignment: if contact.is_some() {
                    Assignment::Assigned
                } else {
                    Assignment::Pending
                },
                access_granted: granted,
                valid_until,
                lifecycle: Lifecycle::parse(&lifecycle).ok()?,
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
