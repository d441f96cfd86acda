//! What a portal account may see (its customers and modules), the decision a portal
//! application asks for, who may manage whose account, and the organization's last admin.
//! Pure: the use cases read the facts, these functions decide.
//!
//! - An *admin* sees every customer its organization reaches and every module of the portal.
//! - A *user* sees the modules granted to it (never an admin-only one) and, per grouping (a
//!   partnership of a partner; the customer itself with its sub-accounts), the customers
//!   assigned to it there; where it has no assignment in a grouping, all of that grouping's.
//! - *Marketing* sees the marketing modules granted to it, never customer data.
//! - *Notifications*, and any account that may not log in, sees nothing.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::account::Role;
use super::directory::Language;
use crate::catalog::Message;

/// Where a user's customers are assigned: a partnership of its partner organization, or the
/// sub-accounts of its customer organization (the customer itself among them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum Grouping {
    Partnership(i64),
    SubAccounts,
}

/// A module of a portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Module {
    pub name: String,
    pub admin_only: bool,
    pub marketing: bool,
}

/// The customers an organization reaches, by grouping: a partner's partnerships with their
/// customers; a customer's own id with its sub-accounts (all descendants).
pub type Reach = BTreeMap<Grouping, BTreeSet<i64>>;

/// Everything [`scope`] looks at.
#[derive(Debug, Clone)]
pub struct Facts<'a> {
    pub role: Role,
    /// The account may log in today (see `AccountState::login`).
    pub may_log_in: bool,
    pub reach: &'a Reach,
    /// The account's customer assignments.
    pub assigned: &'a BTreeSet<(Grouping, i64)>,
    /// The modules granted to the account.
    pub granted: &'a BTreeSet<String>,
    /// The portal's modules.
    pub modules: &'a [Module],
}

/// What an account may see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AccessScope {
    pub customers: BTreeSet<i64>,
    pub modules: BTreeSet<String>,
}

/// A user's customers: per grouping of the reach, the ones assigned to it there, or all of
/// the grouping when it has no assignment in it.
pub fn assigned_customers(reach: &Reach, assigned: &BTreeSet<(Grouping, i64)>) -> BTreeSet<i64> {
    reach
        .iter()
        .flat_map(|(grouping, members)| {
            let restricted = assigned.iter().any(|(g, _)| g == grouping);
            members
                .iter()
                .copied()
                .filter(move |c| !restricted || assigned.contains(&(*grouping, *c)))
        })
        .collect()
}

/// The account's whole scope.
pub fn scope(f: &Facts) -> AccessScope {
    if !f.may_log_in {
        return AccessScope::default();
    }
    let customers = match f.role {
        Role::Admin => f.reach.values().flatten().copied().collect(),
        Role::User => assigned_customers(f.reach, f.assigned),
        Role::Marketing | Role::Notifications => BTreeSet::new(),
    };
    let modules = modules_seen(f.role, f.modules, f.granted)
        .into_iter()
        .collect();
    AccessScope { customers, modules }
}

/// The modules of a portal (`modules`, in its order) that an account of `role` with modules
/// `granted` sees once logged in: an admin all of them.
pub fn modules_seen(role: Role, modules: &[Module], granted: &BTreeSet<String>) -> Vec<String> {
    modules
        .iter()
        .filter(|m| module_rule(role, m, granted.contains(&m.name)).0)
        .map(|m| m.name.clone())
        .collect()
}

/// The rule that decided one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// No such account, or it is not on the application's portal.
    UnknownAccount,
    /// The account may not log in (not registered, not approved, switched off, expired,
    /// deactivated, or a notifications account).
    CannotLogIn,
    /// Marketing accounts never see customer data.
    MarketingSeesNoCustomers,
    /// The customer is not among those the account's organization reaches.
    NotReached,
    /// An admin sees every customer its organization reaches.
    AdminReachesAll,
    /// The user is assigned this customer.
    Assigned,
    /// The user has no assignment in a grouping that holds the customer: it sees all of it.
    WholeGrouping,
    /// The user has assignments in every grouping that holds the customer, not this one.
    NotAssigned,
    /// The portal has no module of that name.
    UnknownModule,
    /// An admin sees every module of the portal.
    AdminSeesAllModules,
    /// The module is granted to the account.
    Granted,
    /// The module is not granted to the account.
    NotGranted,
    /// Only admins see admin-only modules.
    AdminOnly,
    /// Marketing accounts see marketing modules only.
    NotMarketing,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::UnknownAccount => "unknown_account",
            Rule::CannotLogIn => "cannot_log_in",
            Rule::MarketingSeesNoCustomers => "marketing_sees_no_customers",
            Rule::NotReached => "not_reached",
            Rule::AdminReachesAll => "admin_reaches_all",
            Rule::Assigned => "assigned",
            Rule::WholeGrouping => "whole_grouping",
            Rule::NotAssigned => "not_assigned",
            Rule::UnknownModule => "unknown_module",
            Rule::AdminSeesAllModules => "admin_sees_all_modules",
            Rule::Granted => "granted",
            Rule::NotGranted => "not_granted",
            Rule::AdminOnly => "admin_only",
            Rule::NotMarketing => "not_marketing",
        }
    }
}

/// May an account with `role` see module `m`, granted to it or not, and by which rule.
fn module_rule(role: Role, m: &Module, granted: bool) -> (bool, Rule) {
    match role {
        Role::Admin => (true, Rule::AdminSeesAllModules),
        Role::Notifications => (false, Rule::CannotLogIn),
        _ if m.admin_only => (false, Rule::AdminOnly),
        Role::Marketing if !m.marketing => (false, Rule::NotMarketing),
        _ if granted => (true, Rule::Granted),
        _ => (false, Rule::NotGranted),
    }
}

/// The facts about one customer that [`decide_customer`] needs: read for that customer alone,
/// so that a decision costs the same however many accounts and assignments there are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerFacts {
    /// The groupings of the account's organization that hold the customer.
    pub holding: BTreeSet<Grouping>,
    /// Of those, the ones in which the account has any assignment.
    pub restricted: BTreeSet<Grouping>,
    /// Of those, the ones in which the account is assigned this customer.
    pub assigned: BTreeSet<Grouping>,
}

impl CustomerFacts {
    /// The facts about `customer`, from an account's whole reach and assignments.
    pub fn of(reach: &Reach, assigned: &BTreeSet<(Grouping, i64)>, customer: i64) -> Self {
        let holding: BTreeSet<Grouping> = reach
            .iter()
            .filter(|(_, members)| members.contains(&customer))
            .map(|(g, _)| *g)
            .collect();
        let restricted = holding
            .iter()
            .copied()
            .filter(|g| assigned.iter().any(|(a, _)| a == g))
            .collect();
        let assigned = holding
            .iter()
            .copied()
            .filter(|g| assigned.contains(&(*g, customer)))
            .collect();
        CustomerFacts {
            holding,
            restricted,
            assigned,
        }
    }
}

/// One answer: allowed or not, and the rule that decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub allow: bool,
    pub rule: Rule,
}

impl Verdict {
    fn deny(rule: Rule) -> Self {
        Verdict { allow: false, rule }
    }
    fn allow(rule: Rule) -> Self {
        Verdict { allow: true, rule }
    }
}

/// May an account (that may log in or not) see a customer?
pub fn decide_customer(role: Role, may_log_in: bool, c: &CustomerFacts) -> Verdict {
    if !may_log_in || role == Role::Notifications {
        return Verdict::deny(Rule::CannotLogIn);
    }
    if role == Role::Marketing {
        return Verdict::deny(Rule::MarketingSeesNoCustomers);
    }
    if c.holding.is_empty() {
        return Verdict::deny(Rule::NotReached);
    }
    if role == Role::Admin {
        return Verdict::allow(Rule::AdminReachesAll);
    }
    if !c.assigned.is_empty() {
        return Verdict::allow(Rule::Assigned);
    }
    if c.holding.iter().any(|g| !c.restricted.contains(g)) {
        return Verdict::allow(Rule::WholeGrouping);
    }
    Verdict::deny(Rule::NotAssigned)
}

/// May an account see a module (`None`: the portal has no such module)?
pub fn decide_module(
    role: Role,
    may_log_in: bool,
    module: Option<&Module>,
    granted: bool,
) -> Verdict {
    if !may_log_in || role == Role::Notifications {
        return Verdict::deny(Rule::CannotLogIn);
    }
    let Some(m) = module else {
        return Verdict::deny(Rule::UnknownModule);
    };
    let (allow, rule) = module_rule(role, m, granted);
    Verdict { allow, rule }
}

/// Why a manager may not give or change this access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum NotAllowed {
    /// The account is not one the manager may manage.
    NotTheirs,
    /// The grant would give a module the manager does not have.
    Module(String),
    /// The grant would give a customer the manager does not reach.
    Customer(i64),
    /// A customer assigned in a grouping that does not hold it.
    NotInGrouping(i64),
    /// A module only admins see, given to an account of another role.
    AdminOnly(String),
}

impl NotAllowed {
    /// The refusal as a catalog message (its code and arguments).
    pub fn message(&self) -> Message {
        match self {
            NotAllowed::NotTheirs => Message::new("error-not-theirs"),
            NotAllowed::Module(m) => Message::new("error-module-not-yours").text("module", m),
            NotAllowed::Customer(c) => {
                Message::new("error-customer-not-yours").text("customer", c.to_string())
            }
            NotAllowed::NotInGrouping(c) => {
                Message::new("error-customer-not-in-grouping").text("customer", c.to_string())
            }
            NotAllowed::AdminOnly(m) => Message::new("error-module-admin-only").text("module", m),
        }
    }

    /// The message in a language.
    pub fn message_in(&self, language: Language) -> String {
        self.message().render(language.as_str())
    }
}

/// Only admins see admin-only modules, so no other role is given one: the first admin-only
/// module among `chosen` (names of the portal's `modules`) refuses the grant.
pub fn check_admin_only(
    role: Role,
    modules: &[Module],
    chosen: &[String],
) -> Result<(), NotAllowed> {
    if role == Role::Admin {
        return Ok(());
    }
    match chosen
        .iter()
        .find(|c| modules.iter().any(|m| &m.name == *c && m.admin_only))
    {
        Some(m) => Err(NotAllowed::AdminOnly(m.clone())),
        None => Ok(()),
    }
}

/// Where an account is: its organization (through its contact) and portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub organization: Option<i64>,
    pub portal: i64,
}

/// Whether an organization admin at `admin` may manage an account at `target`: only the
/// accounts of its own organization on its own portal. (Staff are checked by their areas.)
pub fn admin_manages(admin: Place, target: Place) -> Result<(), NotAllowed> {
    match (admin.organization, target.organization) {
        (Some(a), Some(t)) if a == t && admin.portal == target.portal => Ok(()),
        _ => Err(NotAllowed::NotTheirs),
    }
}

/// A grant an organization admin would give: never more than it has itself. Every assigned
/// customer must lie in the grouping it is assigned in (for staff too).
pub fn check_grant(
    giver: Option<&AccessScope>,
    reach: &Reach,
    modules: &BTreeSet<String>,
    assigned: &BTreeSet<(Grouping, i64)>,
) -> Result<(), NotAllowed> {
    for (g, c) in assigned {
        if !reach.get(g).is_some_and(|members| members.contains(c)) {
            return Err(NotAllowed::NotInGrouping(*c));
        }
    }
    if let Some(giver) = giver {
        if let Some(m) = modules.iter().find(|m| !giver.modules.contains(*m)) {
            return Err(NotAllowed::Module(m.clone()));
        }
        if let Some((_, c)) = assigned.iter().find(|(_, c)| !giver.customers.contains(c)) {
            return Err(NotAllowed::Customer(*c));
        }
    }
    Ok(())
}

/// The message when a change would leave an organization without an active admin.
pub fn last_admin() -> Message {
    Message::new("error-last-organization-admin")
}

/// Does an account in this state count as one of its organization's active admins: an admin
/// that is registered, approved, linked to its contact, active, has access and no end date?
/// (An invitation still open is not: it can be cancelled whatever else there is.)
pub fn is_active_admin(s: &super::account::AccountState) -> bool {
    use super::account::{Approval, Assignment, Lifecycle, Registration};
    s.role == Role::Admin
        && s.registration == Registration::Registered
        && s.approval == Approval::Approved
        && s.assignment == Assignment::Assigned
        && s.lifecycle == Lifecycle::Active
        && s.access_granted
        && s.valid_until.is_none()
}

/// At least one active admin stays: a change that takes `target` out of its organization's
/// active admins (`after`: its state afterwards, `None` when removed) is allowed only when
/// another remains. `active_admins` are the ids of the organization's active admins on the
/// portal, read under the organization's lock.
pub fn check_admin_remains(
    target: i64,
    after: Option<&super::account::AccountState>,
    active_admins: &[i64],
) -> Result<(), Message> {
    if after.is_some_and(is_active_admin) || !active_admins.contains(&target) {
        return Ok(());
    }
    if active_admins.iter().any(|&id| id != target) {
        Ok(())
    } else {
        Err(last_admin())
    }
}

#[cfg(test)]
mod tests;
