//! What a portal account may see (its scope, and the decision a portal application asks for
//! on each page), changing its role, modules and customers, and keeping each organization an
//! active admin. The rules are `domain::access`; this reads their facts.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Actor, Ctx, Error, Result, Target, record};
use crate::catalog::Message;
use crate::clock::today;
use crate::domain::FieldErrors;
use crate::domain::access::{self as rules, AccessScope, Grouping, Module, Rule, Verdict};
use crate::domain::account::{AccountState, Role};
use crate::domain::directory::OrganizationKind;
use crate::storage::Tx;
use crate::storage::access as store;
use crate::storage::accounts::{self as accounts_store, PortalAccount};
use crate::storage::directory;

pub mod scope_cache;

/// An account's whole scope, with a version that changes whenever the scope does.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScopeView {
    pub account_id: i64,
    pub portal_id: i64,
    pub role: Role,
    /// Whether the account may log in today; when not, it sees nothing.
    pub may_log_in: bool,
    /// The customers (organization ids) it may see.
    pub customers: Vec<i64>,
    /// The modules (names) it may see.
    pub modules: Vec<String>,
    /// Changes when anything above does: an application may keep the scope until then
    /// (it is also the `ETag`).
    pub version: String,
}

fn version_of(account: i64, role: Role, may_log_in: bool, s: &AccessScope) -> String {
    let mut h = Sha256::new();
    h.update(
        serde_json::json!([account, role.as_str(), may_log_in, s.customers, s.modules])
            .to_string()
            .as_bytes(),
    );
    h.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn modules_of(portal: &directory::Portal) -> Vec<Module> {
    portal
        .modules
        .iter()
        .map(|m| Module {
            name: m.name.clone(),
            admin_only: m.admin_only,
            marketing: m.marketing,
        })
        .collect()
}

/// The scope of an account, read in the caller's transaction.
pub(super) async fn scope_in(tx: &mut Tx, a: &PortalAccount, now: i64) -> Result<ScopeView> {
    let portal = directory::get_portal(tx, a.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let reach = match a.organization_id {
        Some(o) => store::reach(tx, o).await?,
        None => Default::default(),
    };
    let assigned = store::assignments(tx, a.id).await?;
    let granted: BTreeSet<String> = a.modules.iter().cloned().collect();
    let modules = modules_of(&portal);
    let role = a.role;
    let may = a.may_log_in(today(now));
    let s = rules::scope(&rules::Facts {
        role,
        may_log_in: may,
        reach: &reach,
        assigned: &assigned,
        granted: &granted,
        modules: &modules,
    });
    Ok(ScopeView {
        account_id: a.id,
        portal_id: a.portal_id,
        role: a.role,
        may_log_in: may,
        version: version_of(a.id, a.role, may, &s),
        customers: s.customers.into_iter().collect(),
        modules: s.modules.into_iter().collect(),
    })
}

/// An account's whole scope.
pub async fn scope_of(cx: &Ctx, actor: &Actor, id: i64) -> Result<ScopeView> {
    let mut tx = cx.db.read().await?;
    let a = actor.account(&mut tx, id).await?;
    scope_in(&mut tx, &a, cx.now()).await
}

/// What a portal application asks: may this account see this customer and/or this module?
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams, utoipa::ToSchema)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DecisionQuery {
    pub account_id: i64,
    /// The customer (an organization id) the page shows.
    pub customer_id: Option<i64>,
    /// The module (its name) the page belongs to.
    pub module: Option<String>,
    /// The portal the application serves: an account of another portal is unknown there.
    pub portal_id: Option<i64>,
}

/// One answer of a decision.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Part {
    pub allow: bool,
    pub rule: Rule,
}

impl From<Verdict> for Part {
    fn from(v: Verdict) -> Self {
        Part {
            allow: v.allow,
            rule: v.rule,
        }
    }
}

/// Allow or deny, and the rule that decided (the first that denied, else the last asked).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Decision {
    pub allow: bool,
    pub rule: Rule,
    pub customer: Option<Part>,
    pub module: Option<Part>,
}

/// The answer for an account the caller does not know.
pub fn unknown_account() -> Decision {
    deny(Rule::UnknownAccount)
}

fn deny(rule: Rule) -> Decision {
    Decision {
        allow: false,
        rule,
        customer: None,
        module: None,
    }
}

/// The decision: anything unknown is denied. A few look-ups by key, whatever the size of the
/// directory.
pub async fn decide(cx: &Ctx, actor: &Actor, q: &DecisionQuery) -> Result<Decision> {
    if q.customer_id.is_none() && q.module.is_none() {
        return Err(Error::invalid(
            "customer_id",
            "ask about a customer_id, a module, or both",
        ));
    }
    // Two queries on a plain connection (no BEGIN, no ROLLBACK): the account with the
    // module, then the customer's facts. Each reads committed state.
    let mut conn = cx.db.reads().await?;
    let module_name = q.module.as_deref().map(str::trim);
    let (a, portal_module) =
        match accounts_store::get_with_module(&mut conn, q.account_id, module_name).await? {
            Some((a, m)) if actor.reaches(&a) => (a, m),
            _ => {
                conn.release();
                return Ok(deny(Rule::UnknownAccount));
            }
        };
    if q.portal_id.is_some_and(|p| p != a.portal_id) {
        conn.release();
        return Ok(deny(Rule::UnknownAccount));
    }
    let role = a.role;
    let may = a.may_log_in(today(cx.now()));
    let customer = match q.customer_id {
        None => None,
        Some(c) => {
            let facts = match (a.organization_id, may) {
                (Some(org), true) => {
                    let partner = a.organization_kind == Some(OrganizationKind::Partner);
                    store::customer_facts(&mut conn, a.id, org, partner, c).await?
                }
                _ => Default::default(),
            };
            Some(rules::decide_customer(role, may, &facts))
        }
    };
    conn.release();
    let module = q.module.as_ref().map(|_| {
        let (m, granted) = match (&portal_module, may) {
            (Some((m, granted)), true) => (Some(m), *granted),
            _ => (None, false),
        };
        rules::decide_module(role, may, m, granted)
    });
    let decided = [customer, module]
        .into_iter()
        .flatten()
        .find(|v| !v.allow)
        .or(module)
        .or(customer)
        .unwrap_or(Verdict {
            allow: false,
            rule: Rule::UnknownAccount,
        });
    Ok(Decision {
        allow: decided.allow,
        rule: decided.rule,
        customer: customer.map(Part::from),
        module: module.map(Part::from),
    })
}

/// A customer assignment as entered: a customer in a partnership, or (no partnership) among
/// the sub-accounts of the account's customer organization.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentInput {
    pub partnership_id: Option<i64>,
    pub customer_id: i64,
}

/// A new role, modules and customer assignments for an account.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessInput {
    /// `admin`, `user`, `marketing` or `notifications`; unchanged when not given.
    #[schema(value_type = Option<Role>)]
    pub role: Option<String>,
    /// Names of the portal's modules; unchanged when not given.
    pub modules: Option<Vec<String>>,
    /// The customers a user sees; none in a grouping means all of it. Unchanged when not given.
    pub customers: Option<Vec<AssignmentInput>>,
}

/// An account's role, modules and assignments as they are.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccessView {
    pub account: PortalAccount,
    pub customers: Vec<AssignmentInput>,
    pub scope: ScopeView,
}

fn grouping_of(a: &AssignmentInput) -> Grouping {
    match a.partnership_id {
        Some(p) => Grouping::Partnership(p),
        None => Grouping::SubAccounts,
    }
}

fn inputs_of(assigned: &BTreeSet<(Grouping, i64)>) -> Vec<AssignmentInput> {
    assigned
        .iter()
        .map(|(g, c)| AssignmentInput {
            partnership_id: match g {
                Grouping::Partnership(p) => Some(*p),
                Grouping::SubAccounts => None,
            },
            customer_id: *c,
        })
        .collect()
}

/// The assignments of a grant to a contact of `organization`, each checked to lie in its
/// grouping (a partnership of the organization, or its sub-accounts); a bad one is reported
/// under `customers`.
pub async fn check_customers(
    tx: &mut Tx,
    errors: &mut FieldErrors,
    organization: i64,
    customers: &[AssignmentInput],
) -> Result<BTreeSet<(Grouping, i64)>> {
    let assigned: BTreeSet<(Grouping, i64)> = customers
        .iter()
        .map(|x| (grouping_of(x), x.customer_id))
        .collect();
    if assigned.is_empty() {
        return Ok(assigned);
    }
    let reach = store::reach(tx, organization).await?;
    if let Err(e) = rules::check_grant(None, &reach, &BTreeSet::new(), &assigned) {
        errors.add("customers", e.message());
    }
    Ok(assigned)
}

/// The account's role, modules and customer assignments, and what they add up to.
pub async fn access_of(cx: &Ctx, actor: &Actor, id: i64) -> Result<AccessView> {
    let mut tx = cx.db.read().await?;
    let a = actor.account(&mut tx, id).await?;
    let assigned = store::assignments(&mut tx, id).await?;
    let scope = scope_in(&mut tx, &a, cx.now()).await?;
    Ok(AccessView {
        account: a,
        customers: inputs_of(&assigned),
        scope,
    })
}

/// Refuses a change that would take the organization's last active admin on the portal out
/// of the active admins (`after`: the account's state afterwards; `None`: removed). Staff may
/// remove the organization's only account on the portal (it leaves nobody to manage); an
/// admin on the portal pages never removes itself as the last one.
pub async fn keep_an_admin(
    tx: &mut Tx,
    actor: &Actor,
    account: &PortalAccount,
    after: Option<&AccountState>,
) -> Result<()> {
    let Some(org) = account.organization_id else {
        return Ok(());
    };
    let before = account.state();
    if !rules::is_active_admin(&before) || after.is_some_and(rules::is_active_admin) {
        return Ok(());
    }
    let admins = store::lock_active_admins(tx, org, account.portal_id).await?;
    let by_itself = actor.team.is_some_and(|t| t.account_id == account.id);
    if after.is_none()
        && !by_itself
        && store::other_accounts(tx, org, account.portal_id, account.id).await? == 0
    {
        return Ok(());
    }
    rules::check_admin_remains(account.id, after, &admins).map_err(|m| Error::Refused(m.into()))
}

/// What an organization admin on the portal pages may give: its own scope, read afresh (it
/// must still be an admin who may log in). `None` for staff, keys and the command line, who
/// give within their areas whatever the organization reaches.
pub(super) async fn giver_scope(
    tx: &mut Tx,
    actor: &Actor,
    now: i64,
) -> Result<Option<AccessScope>> {
    let Some(team) = actor.team else {
        return Ok(None);
    };
    let admin = accounts_store::get(tx, team.account_id)
        .await?
        .filter(|a| {
            a.role == Role::Admin
                && a.may_log_in(today(now))
                && a.organization_id == Some(team.organization_id)
                && a.portal_id == team.portal_id
        })
        .ok_or_else(|| Error::Forbidden(Message::new("error-team-admins-only").into()))?;
    let s = scope_in(tx, &admin, now).await?;
    Ok(Some(AccessScope {
        customers: s.customers.into_iter().collect(),
        modules: s.modules.into_iter().collect(),
    }))
}

/// For an organization admin on the portal pages: the modules and customers it would give
/// must be its own (reported under `modules` and `customers`). Nothing to check for staff.
pub(super) async fn check_giver(
    tx: &mut Tx,
    actor: &Actor,
    now: i64,
    errors: &mut FieldErrors,
    organization: i64,
    modules: &[String],
    assigned: &BTreeSet<(Grouping, i64)>,
) -> Result<()> {
    let Some(giver) = giver_scope(tx, actor, now).await? else {
        return Ok(());
    };
    let reach = store::reach(tx, organization).await?;
    let modules: BTreeSet<String> = modules.iter().cloned().collect();
    if let Err(e) = rules::check_grant(Some(&giver), &reach, &modules, assigned) {
        let field = match e {
            rules::NotAllowed::Module(_) => "modules",
            _ => "customers",
        };
        errors.add(field, e.message());
    }
    Ok(())
}

/// Changes an account's role, modules and customer assignments. Staff within their areas; an
/// organization admin (`actor.team`) only on accounts of its organization on its portal, and
/// never more than it has itself.
pub async fn set_access(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    input: &AccessInput,
) -> Result<AccessView> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let a = actor.account(&mut tx, id).await?;
    let portal = directory::get_portal(&mut tx, a.portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let giver_scope = giver_scope(&mut tx, actor, now).await?;
    let mut errors = FieldErrors::new();
    let (role, modules) = check_grant(
        &mut errors,
        &portal,
        input.role.as_deref().or(Some(a.role.as_str())),
        input.modules.as_deref().unwrap_or(a.modules.as_slice()),
    );
    let before_assigned = store::assignments(&mut tx, id).await?;
    let assigned: BTreeSet<(Grouping, i64)> = match &input.customers {
        Some(list) => list
            .iter()
            .map(|x| (grouping_of(x), x.customer_id))
            .collect(),
        None => before_assigned.clone(),
    };
    let reach = match a.organization_id {
        Some(o) => store::reach(&mut tx, o).await?,
        None => Default::default(),
    };
    let module_set: BTreeSet<String> = modules.iter().cloned().collect();
    let new_modules: BTreeSet<String> = module_set
        .iter()
        .filter(|m| !a.modules.contains(m))
        .cloned()
        .collect();
    // An admin may keep what the account had; what it adds must be its own.
    if let Err(e) = rules::check_grant(
        giver_scope.as_ref(),
        &reach,
        &new_modules,
        &assigned
            .difference(&before_assigned)
            .copied()
            .collect::<BTreeSet<_>>(),
    ) {
        let field = match e {
            rules::NotAllowed::Module(_) => "modules",
            _ => "customers",
        };
        errors.add(field, e.message());
    }
    if let Err(e) = rules::check_grant(None, &reach, &BTreeSet::new(), &assigned) {
        errors.add("customers", e.message());
    }
    errors.into_result()?;
    let role = role.ok_or_else(|| Error::invalid("role", Message::new("error-not-a-role")))?;
    if role == Role::Marketing
        && let Some(m) = modules.iter().find(|m| {
            !portal
                .modules
                .iter()
                .any(|pm| &pm.name == *m && pm.marketing)
        })
    {
        return Err(Error::invalid(
            "modules",
            Message::new("error-not-marketing-module").text("module", m),
        ));
    }
    let before_state = a.state();
    let after_state = AccountState {
        role,
        ..before_state
    };
    keep_an_admin(&mut tx, actor, &a, Some(&after_state)).await?;
    let before = serde_json::json!({
        "role": a.role, "modules": a.modules, "customers": inputs_of(&before_assigned),
    });
    let after = serde_json::json!({
        "role": role.as_str(), "modules": modules, "customers": inputs_of(&assigned),
    });
    if before == after {
        drop(tx);
        return access_of(cx, actor, id).await;
    }
    accounts_store::set_state(&mut tx, id, &after_state, now).await?;
    super::sessions::end_when_barred(&mut tx, now, actor, &a, &after_state, &cx.mail).await?;
    accounts_store::set_modules(&mut tx, id, &modules).await?;
    store::set_assignments(&mut tx, id, &assigned, now).await?;
    record(
        &mut tx,
        now,
        actor,
        "account.access_changed",
        Target {
            kind: "portal_account",
            id: Some(id),
            label: &format!("{} on {}", a.email, a.portal_name),
        },
        Some(before),
        Some(after),
    )
    .await?;
    tx.commit().await?;
    access_of(cx, actor, id).await
}

/// How many customers an account is assigned in one grouping, for lists.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct AssignedCount {
    /// The partnership's name; `None` for the sub-accounts of the account's organization.
    pub partnership: Option<String>,
    pub customers: i64,
}

/// For each of `accounts` that has assignments, how many customers per grouping (by name).
/// An account not in the map has none: it sees all of each grouping (if its role sees any).
pub async fn assigned_counts(
    cx: &Ctx,
    accounts: &[i64],
) -> Result<std::collections::BTreeMap<i64, Vec<AssignedCount>>> {
    let mut tx = cx.db.read().await?;
    let counts = store::assignment_counts(&mut tx, accounts).await?;
    let mut ids: Vec<i64> = counts
        .iter()
        .filter_map(|(_, g, _)| match g {
            Grouping::Partnership(p) => Some(*p),
            Grouping::SubAccounts => None,
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let names: std::collections::BTreeMap<i64, String> = store::partnership_names(&mut tx, &ids)
        .await?
        .into_iter()
        .collect();
    let mut out: std::collections::BTreeMap<i64, Vec<AssignedCount>> = Default::default();
    for (account, g, n) in counts {
        let partnership = match g {
            Grouping::Partnership(p) => Some(names.get(&p).cloned().unwrap_or_default()),
            Grouping::SubAccounts => None,
        };
        out.entry(account).or_default().push(AssignedCount {
            partnership,
            customers: n,
        });
    }
    for list in out.values_mut() {
        list.sort();
    }
    Ok(out)
}

/// The role and modules of a grant, checked against the portal: its modules only, and an
/// admin-only one for an admin only.
pub(crate) fn check_grant(
    errors: &mut FieldErrors,
    portal: &crate::storage::directory::Portal,
    role: Option<&str>,
    modules: &[String],
) -> (Option<Role>, Vec<String>) {
    let role = match role.map(str::trim) {
        None | Some("") => Some(Role::User),
        Some(r) => {
            let parsed = Role::parse(r).ok();
            if parsed.is_none() {
                errors.add("role", Message::new("error-role-choice"));
            }
            parsed
        }
    };
    let mut chosen: Vec<String> = Vec::new();
    for m in modules {
        match portal
            .modules
            .iter()
            .find(|pm| pm.name.eq_ignore_ascii_case(m.trim()))
        {
            Some(pm) if !chosen.contains(&pm.name) => chosen.push(pm.name.clone()),
            Some(_) => {}
            None => errors.add(
                "modules",
                Message::new("error-no-such-module")
                    .text("portal", &portal.name)
                    .text("module", m),
            ),
        }
    }
    if let Some(r) = role
        && let Err(e) = rules::check_admin_only(r, &modules_of(portal), &chosen)
    {
        errors.add("modules", e.message());
    }
    (role, chosen)
}
