//! What a person's digest lists: Admit's own tasks for them, then the operator's tasks in their
//! scope, each chosen category with tasks a group.
//!
//! A run reads each scope once ([`Known`]): all admins of an organization, the users of one
//! without customer assignments, the notifications accounts with the same assignments share
//! the tasks read for the first of them; only the names (in each person's language) and the
//! links differ. The operator's tasks come from their kept tallies, so reading a scope costs
//! with its customers, not with their tasks; and a run reads each customer's tallies and each
//! listed task once, however many digests they appear in (most time went to reading rows
//! here and there in large tables, again for every person).

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::super::{Ctx, Result};
use super::FAILED_MAIL_WINDOW_MS;
use super::preferences::Person;
use crate::domain::access::{Grouping, Reach};
use crate::domain::task_tallies::{Tally, plan};
use crate::domain::tasks::{self as rules, Group, LISTED_PER_CATEGORY, Line};
use crate::storage::tasks::{self as store, Category, NextTask, OwnScope, OwnTask, TaskScope};
use crate::storage::{Tx, access as access_store, directory};

/// The most scopes a run keeps read; past it, it starts over (a scope read again costs a few
/// queries, never a wrong digest).
const KEPT_SCOPES: usize = 10_000;

/// The most customers' tallies, and listed tasks, a run keeps read (as for scopes).
const KEPT_ROWS: usize = 1_000_000;

/// The operator's tasks of a scope: per category id, the count and the first few.
type Listed = BTreeMap<i64, (usize, Vec<NextTask>)>;

/// Admit's own tasks of one kind in one scope: the count and the first few.
type Own = (usize, Vec<OwnTask>);

/// What decides the operator's tasks of a digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum ScopeKey {
    Customers {
        portal: i64,
        categories: Vec<i64>,
        customers: Vec<i64>,
    },
    Areas {
        categories: Vec<i64>,
        areas: Option<Vec<i64>>,
    },
}

/// What decides one kind of Admit's own tasks of a digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum OwnKey {
    Team {
        key: &'static str,
        organization: i64,
        portal: i64,
    },
    Areas {
        key: &'static str,
        areas: Option<Vec<i64>>,
    },
}

/// What one run of the scheduler has read already.
#[derive(Default)]
pub(super) struct Known {
    portals: BTreeMap<i64, Option<directory::Portal>>,
    categories: BTreeMap<i64, Vec<Category>>,
    all_categories: Option<Vec<Category>>,
    /// Every portal's name and German name.
    portal_names: Option<BTreeMap<i64, (String, Option<String>)>>,
    reach: BTreeMap<i64, Reach>,
    scopes: HashMap<ScopeKey, Arc<Listed>>,
    own: HashMap<OwnKey, Arc<Own>>,
    /// Per portal and customer, its tallies in every category.
    tallies: HashMap<(i64, i64), Vec<Tally>>,
    /// Listed tasks by id (none: no longer open).
    tasks: HashMap<i64, Option<NextTask>>,
}

impl Known {
    pub(super) async fn portal(
        &mut self,
        tx: &mut Tx,
        id: i64,
    ) -> Result<Option<directory::Portal>> {
        if let Entry::Vacant(e) = self.portals.entry(id) {
            e.insert(directory::get_portal(tx, id).await?);
        }
        Ok(self.portals[&id].clone())
    }

    async fn categories(&mut self, tx: &mut Tx, portal: i64) -> Result<&[Category]> {
        if let Entry::Vacant(e) = self.categories.entry(portal) {
            e.insert(store::categories(tx, portal).await?);
        }
        Ok(&self.categories[&portal])
    }

    async fn all_categories(&mut self, tx: &mut Tx) -> Result<&[Category]> {
        if self.all_categories.is_none() {
            self.all_categories = Some(store::all_categories(tx).await?);
        }
        Ok(self.all_categories.as_deref().unwrap_or_default())
    }

    async fn portal_names(
        &mut self,
        tx: &mut Tx,
    ) -> Result<&BTreeMap<i64, (String, Option<String>)>> {
        if self.portal_names.is_none() {
            let names = directory::list_portals(tx)
                .await?
                .into_iter()
                .map(|p| (p.id, (p.name, p.name_de)))
                .collect();
            self.portal_names = Some(names);
        }
        Ok(self.portal_names.get_or_insert_default())
    }

    /// Reads the reach of the organizations not read yet, all in a few queries (a batch's
    /// people belong to many organizations).
    pub(super) async fn read_reach(&mut self, tx: &mut Tx, organizations: &[i64]) -> Result<()> {
        let missing: Vec<i64> = organizations
            .iter()
            .copied()
            .filter(|o| !self.reach.contains_key(o))
            .collect::<BTreeSet<i64>>()
            .into_iter()
            .collect();
        if !missing.is_empty() {
            self.reach
                .extend(access_store::reach_of(tx, &missing).await?);
        }
        Ok(())
    }

    async fn reach(&mut self, tx: &mut Tx, organization: i64) -> Result<&Reach> {
        if let Entry::Vacant(e) = self.reach.entry(organization) {
            e.insert(access_store::reach(tx, organization).await?);
        }
        Ok(&self.reach[&organization])
    }

    async fn listed(&mut self, tx: &mut Tx, key: ScopeKey) -> Result<Arc<Listed>> {
        if let Some(l) = self.scopes.get(&key) {
            return Ok(l.clone());
        }
        let scope = match &key {
            ScopeKey::Customers {
                portal, customers, ..
            } => TaskScope::Customers {
                portal: *portal,
                customers,
            },
            ScopeKey::Areas { areas, .. } => TaskScope::Areas(areas.as_deref()),
        };
        let categories = match &key {
            ScopeKey::Customers { categories, .. } | ScopeKey::Areas { categories, .. } => {
                categories
            }
        };
        let listed = Arc::new(match scope {
            TaskScope::Customers { portal, customers } => {
                self.customer_tasks(tx, portal, categories, customers)
                    .await?
            }
            scope => store::open_tasks(tx, categories, scope, LISTED_PER_CATEGORY).await?,
        });
        if self.scopes.len() >= KEPT_SCOPES {
            self.scopes.clear();
        }
        self.scopes.insert(key, listed.clone());
        Ok(listed)
    }

    /// A portal's tasks about these customers in these categories, from the tallies and tasks
    /// this run has read (reading those it has not).
    async fn customer_tasks(
        &mut self,
        tx: &mut Tx,
        portal: i64,
        categories: &[i64],
        customers: &[i64],
    ) -> Result<Listed> {
        let mut missing: Vec<i64> = customers
            .iter()
            .filter(|c| !self.tallies.contains_key(&(portal, **c)))
            .copied()
            .collect();
        if !missing.is_empty() {
            if self.tallies.len() + missing.len() > KEPT_ROWS {
                // Starting over: this scope's customers are all read again.
                self.tallies.clear();
                missing = customers.to_vec();
            }
            for c in &missing {
                self.tallies.insert((portal, *c), Vec::new());
            }
            for t in store::of_customers(tx, portal, &missing).await? {
                if let Some(list) = self.tallies.get_mut(&(portal, t.pair.customer)) {
                    list.push(t);
                }
            }
        }
        let chosen: BTreeSet<i64> = categories.iter().copied().collect();
        let plans = plan(
            customers
                .iter()
                .filter_map(|c| self.tallies.get(&(portal, *c)))
                .flatten()
                .filter(|t| chosen.contains(&t.pair.category)),
            LISTED_PER_CATEGORY,
        );
        let listed: Vec<i64> = plans
            .values()
            .flat_map(|p| p.first.iter())
            .copied()
            .collect();
        let mut missing: Vec<i64> = listed
            .iter()
            .filter(|id| !self.tasks.contains_key(id))
            .copied()
            .collect();
        if !missing.is_empty() {
            if self.tasks.len() + missing.len() > KEPT_ROWS {
                self.tasks.clear();
                missing = listed;
            }
            for id in &missing {
                self.tasks.insert(*id, None);
            }
            for t in store::open_by_id(tx, &missing).await? {
                self.tasks.insert(t.id, Some(t));
            }
        }
        Ok(plans
            .into_iter()
            .map(|(category, p)| {
                let tasks = p
                    .first
                    .iter()
                    .filter_map(|id| self.tasks.get(id).cloned().flatten())
                    .collect();
                (category, (p.total, tasks))
            })
            .collect())
    }

    /// Reads Admit's own tasks for the teams (organization and portal) of a batch's admins
    /// not read yet: one query per kind for the lot. `keys`: the kinds their admins chose.
    pub(super) async fn read_own_teams(
        &mut self,
        tx: &mut Tx,
        keys: &BTreeSet<&'static str>,
        teams: &BTreeSet<(i64, i64)>,
        now: i64,
    ) -> Result<()> {
        let per = LISTED_PER_CATEGORY as i64;
        let today = crate::clock::today(now);
        for key in keys {
            let team_key = |&(organization, portal): &(i64, i64)| OwnKey::Team {
                key,
                organization,
                portal,
            };
            let missing: Vec<(i64, i64)> = teams
                .iter()
                .filter(|t| !self.own.contains_key(&team_key(t)))
                .copied()
                .collect();
            if missing.is_empty() {
                continue;
            }
            if self.own.len() + missing.len() > KEPT_SCOPES {
                self.own.clear();
            }
            let mut read = store::own_tasks_of_teams(tx, key, &missing, now, today, per).await?;
            for team in &missing {
                let rows = read.remove(team).unwrap_or_default();
                let own = Arc::new((rows.first().map_or(0, |t| t.total as usize), rows));
                self.own.insert(team_key(team), own);
            }
        }
        Ok(())
    }

    async fn own(&mut self, tx: &mut Tx, key: OwnKey, now: i64) -> Result<Arc<Own>> {
        if let Some(o) = self.own.get(&key) {
            return Ok(o.clone());
        }
        let per = LISTED_PER_CATEGORY as i64;
        let today = crate::clock::today(now);
        let rows = match &key {
            OwnKey::Areas { key, .. } if *key == rules::MAIL_FAILED => {
                store::failed_messages(tx, now - FAILED_MAIL_WINDOW_MS, per).await?
            }
            OwnKey::Areas { key, areas } => {
                let scope = OwnScope::Areas(areas.as_deref());
                store::own_tasks(tx, key, scope, now, today, per).await?
            }
            OwnKey::Team {
                key,
                organization,
                portal,
            } => {
                let scope = OwnScope::Team {
                    organization: *organization,
                    portal: *portal,
                };
                store::own_tasks(tx, key, scope, now, today, per).await?
            }
        };
        let own = Arc::new((rows.first().map_or(0, |t| t.total as usize), rows));
        if self.own.len() >= KEPT_SCOPES {
            self.own.clear();
        }
        self.own.insert(key, own.clone());
        Ok(own)
    }
}

/// What a person's digest lists, and their portal (a portal account's). `assigned`: a portal
/// user's customer assignments (read for a whole batch at once).
pub(super) async fn content(
    tx: &mut Tx,
    cx: &Ctx,
    p: &Person,
    chosen: &BTreeSet<String>,
    assigned: &BTreeSet<(Grouping, i64)>,
    now: i64,
    known: &mut Known,
) -> Result<(Vec<Group>, Option<directory::Portal>)> {
    let r = p.recipient();
    let portal = match p {
        Person::Account(a) => known.portal(tx, a.portal_id).await?,
        Person::Staff(_) => None,
    };
    let language = p.language(portal.as_ref().map(|p| p.default_language.as_str()));
    let public = cx.mail.public_url.trim_end_matches('/').to_string();
    let mut order: Vec<(String, String)> = Vec::new();
    let mut found: BTreeMap<String, (usize, Vec<Line>)> = BTreeMap::new();

    // Admit's own.
    for b in rules::builtins_for(r).filter(|b| chosen.contains(b.key)) {
        // Where a line leads: the team page of the portal, the console's account page, or the
        // message in the outbox.
        let (key, link_base) = match p {
            Person::Account(a) => {
                let Some(organization) = a.organization_id else {
                    continue;
                };
                (
                    OwnKey::Team {
                        key: b.key,
                        organization,
                        portal: a.portal_id,
                    },
                    format!("{public}/portal/{}/team", a.portal_id),
                )
            }
            Person::Staff(s) => (
                OwnKey::Areas {
                    key: b.key,
                    areas: (!s.is_admin()).then(|| s.area_ids.clone()),
                },
                if b.key == rules::MAIL_FAILED {
                    format!("{public}/console/outbox")
                } else {
                    format!("{public}/console/accounts")
                },
            ),
        };
        let own = known.own(tx, key, now).await?;
        let lines = own
            .1
            .iter()
            .map(|t| Line {
                title: t.title.clone(),
                // A failed message by its e-mail's name, an account by its organization's,
                // else its portal's, in the reader's language.
                subject: if b.key == rules::MAIL_FAILED {
                    crate::catalog::word(language.as_str(), "mail-event", &t.subject)
                } else {
                    t.subject_in(language.as_str()).to_string()
                },
                due: t.due_date,
                link: Some(format!("{link_base}/{}", t.id)),
            })
            .collect();
        order.push((b.key.to_string(), b.name(language).to_string()));
        found.insert(b.key.to_string(), (own.0, lines));
    }

    // The operator's, in the person's scope.
    if rules::gets_customer_tasks(r) {
        let (categories, key): (Vec<Category>, Option<ScopeKey>) = match p {
            Person::Account(a) => {
                let cats: Vec<Category> = known
                    .categories(tx, a.portal_id)
                    .await?
                    .iter()
                    .filter(|c| chosen.contains(&c.key))
                    .cloned()
                    .collect();
                let key = match a.organization_id {
                    Some(org) if !cats.is_empty() => {
                        let reach = known.reach(tx, org).await?;
                        let customers: Vec<i64> = rules::digest_customers(a.role, reach, assigned)
                            .into_iter()
                            .collect();
                        Some(ScopeKey::Customers {
                            portal: a.portal_id,
                            categories: cats.iter().map(|c| c.id).collect(),
                            customers,
                        })
                    }
                    _ => None,
                };
                (cats, key)
            }
            Person::Staff(s) => {
                let cats: Vec<Category> = known
                    .all_categories(tx)
                    .await?
                    .iter()
                    .filter(|c| chosen.contains(&c.key))
                    .cloned()
                    .collect();
                let key = ScopeKey::Areas {
                    categories: cats.iter().map(|c| c.id).collect(),
                    areas: (!s.is_admin()).then(|| s.area_ids.clone()),
                };
                (cats, Some(key))
            }
        };
        // A staff digest names the portal beside categories that several portals share.
        let portal_names = match p {
            Person::Staff(_) => known.portal_names(tx).await?.clone(),
            Person::Account(_) => BTreeMap::new(),
        };
        for c in &categories {
            let name = match p {
                Person::Staff(_) => format!(
                    "{} ({})",
                    c.name(language),
                    portal_names
                        .get(&c.portal_id)
                        .map(|(name, de)| {
                            crate::domain::directory::name_in(
                                name,
                                de.as_deref(),
                                language.as_str(),
                            )
                        })
                        .unwrap_or_default()
                ),
                Person::Account(_) => c.name(language).to_string(),
            };
            order.push((c.id.to_string(), name));
        }
        if let Some(key) = key {
            let listed = known.listed(tx, key).await?;
            for (id, (count, tasks)) in listed.iter() {
                let lines = tasks
                    .iter()
                    .map(|t| Line {
                        title: t.title.clone(),
                        subject: t.customer_name.clone(),
                        due: t.due_date,
                        link: t.link.clone(),
                    })
                    .collect();
                found.insert(id.to_string(), (*count, lines));
            }
        }
    }
    Ok((rules::compose(&order, found), portal))
}
