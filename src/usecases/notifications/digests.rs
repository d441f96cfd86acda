//! Making the digests that fall due: the scheduler claims due subscriptions, makes each
//! period's digest once (its row, its outbox message and the next due time in one
//! transaction), counting and listing the open tasks in the person's scope.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::super::mail::{Outgoing, enqueue_with_unsubscribe};
use super::super::{Ctx, Result};
use super::preferences::{Person, next_due_of, person_of, zone};
use super::*;
use crate::domain::EmailAddress;
use crate::domain::access::Reach;
use crate::domain::account::{Approval, Lifecycle, Registration, Role};
use crate::domain::digest::{self, Frequency};
use crate::domain::directory::Language;
use crate::domain::tasks::{self as rules, Group, LISTED_PER_CATEGORY, Line};
use crate::storage::accounts::PortalAccount;
use crate::storage::tasks::{self as store, Category, OwnScope, Owner, Subscription, TaskScope};
use crate::storage::{Tx, access as access_store, directory};

/// What one run of the scheduler did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Made {
    /// Subscriptions that were due.
    pub due: usize,
    /// Digests queued for sending.
    pub sent: usize,
    /// Periods with nothing to say (no message).
    pub empty: usize,
    /// Periods another run had made already.
    pub taken: usize,
}

impl std::ops::AddAssign for Made {
    fn add_assign(&mut self, o: Made) {
        self.due += o.due;
        self.sent += o.sent;
        self.empty += o.empty;
        self.taken += o.taken;
    }
}

/// Makes the digests due now, `batch` subscriptions per transaction, until none is due.
pub async fn run_due(cx: &Ctx, batch: i64) -> Result<Made> {
    let mut made = Made::default();
    loop {
        let m = run_batch(cx, batch).await?;
        made += m;
        if m.sent > 0 {
            cx.mail_wakeup.notify_one();
        }
        if (m.due as i64) < batch {
            return Ok(made);
        }
    }
}

/// One transaction: claims up to `batch` due subscriptions and makes their digests.
pub async fn run_batch(cx: &Ctx, batch: i64) -> Result<Made> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let due = store::claim_due(&mut tx, now, batch).await?;
    let mut made = Made {
        due: due.len(),
        ..Made::default()
    };
    let mut seen = Seen::default();
    for sub in &due {
        make_digest(&mut tx, cx, sub, now, &mut made, &mut seen).await?;
    }
    tx.commit().await?;
    Ok(made)
}

/// What one batch of digests has read already: the portals, their categories, the
/// organizations' reach (many people of a batch share them).
#[derive(Default)]
struct Seen {
    portals: BTreeMap<i64, Option<directory::Portal>>,
    categories: BTreeMap<i64, Vec<Category>>,
    reach: BTreeMap<i64, Reach>,
}

impl Seen {
    async fn portal(&mut self, tx: &mut Tx, id: i64) -> Result<Option<directory::Portal>> {
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

    async fn reach(&mut self, tx: &mut Tx, organization: i64) -> Result<&Reach> {
        if let Entry::Vacant(e) = self.reach.entry(organization) {
            e.insert(access_store::reach(tx, organization).await?);
        }
        Ok(&self.reach[&organization])
    }
}

/// Whether a portal account gets digests: linked to its contact, approved, active, with
/// access and within its valid-until day; registered, or a notifications account (which
/// never logs in, so never needs a password).
fn account_receives(a: &PortalAccount, today: i64) -> bool {
    a.contact_id.is_some()
        && a.approval == Approval::Approved
        && a.lifecycle == Lifecycle::Active
        && a.access_granted
        && a.valid_until.is_none_or(|d| today <= d)
        && (a.registration == Registration::Registered || a.role == Role::Notifications)
}

async fn make_digest(
    tx: &mut Tx,
    cx: &Ctx,
    sub: &Subscription,
    now: i64,
    made: &mut Made,
    seen: &mut Seen,
) -> Result<()> {
    let owner = match (sub.account_id, sub.staff_user_id) {
        (Some(a), _) => Owner::Account(a),
        (_, Some(s)) => Owner::Staff(s),
        _ => return Ok(store::set_next_due(tx, sub.id, None).await?),
    };
    let frequency = Frequency::parse(&sub.frequency).unwrap_or(Frequency::Off);
    let chosen = rules::split_keys(&sub.categories);
    let Some(person) = person_of(tx, owner).await? else {
        return Ok(store::set_next_due(tx, sub.id, None).await?);
    };
    let tz = zone(person.time_zone());
    store::set_next_due(
        tx,
        sub.id,
        next_due_of(frequency, &chosen, person.time_zone(), now),
    )
    .await?;
    // The latest period that is due: a process that was down at 08:00 makes it now, once.
    let Some((period, due_at)) = digest::latest_due(frequency, tz, now) else {
        return Ok(());
    };
    if !store::claim_period(tx, sub.id, &period.key(), due_at, now).await? {
        made.taken += 1;
        return Ok(());
    }
    let today = crate::clock::today(now);
    let receives = match &person {
        Person::Account(a) => account_receives(a, today),
        Person::Staff(s) => s.active,
    };
    let (groups, portal) = if receives {
        content(tx, cx, &person, &chosen, now, seen).await?
    } else {
        (Vec::new(), None)
    };
    let total: usize = groups.iter().map(|g| g.count).sum();
    if total == 0 {
        made.empty += 1;
        return Ok(());
    }
    let language = person.language(portal.as_ref().map(|p| p.default_language.as_str()));
    let (email, name) = match &person {
        Person::Account(a) => (a.email.clone(), a.name.clone()),
        Person::Staff(s) => (s.email.clone(), s.name.clone()),
    };
    let Ok(recipient) = EmailAddress::parse(&email) else {
        made.empty += 1;
        return Ok(());
    };
    let public = cx.mail.public_url.trim_end_matches('/');
    // "Open": the person's home page among the portal's pages (staff: the console).
    let (home_url, preferences_url) = match &person {
        Person::Account(a) => (
            format!("{public}/portal/{}/", a.portal_id),
            format!("{public}/portal/{}/notifications", a.portal_id),
        ),
        Person::Staff(_) => (
            format!("{public}/console"),
            format!("{public}/console/notifications"),
        ),
    };
    let variables = json!({
        "groups": groups.iter().map(|g| group_json(g, language)).collect::<Vec<_>>(),
        "total": total,
        "period": period_label(&period, language),
        "home_url": home_url,
        "preferences_url": preferences_url,
    });
    let outbox_id = enqueue_with_unsubscribe(
        tx,
        now,
        &cx.mail,
        &Outgoing {
            portal_id: portal.as_ref().map(|p| p.id),
            event: "digest",
            language,
            recipient: &recipient,
            recipient_name: Some(&name).filter(|n| !n.is_empty()).map(|n| n.as_str()),
            variables,
            link: None,
        },
        Some(sub.id),
    )
    .await?;
    store::record_digest(tx, sub.id, &period.key(), total as i64, Some(outbox_id)).await?;
    made.sent += 1;
    Ok(())
}

fn group_json(g: &Group, language: Language) -> serde_json::Value {
    json!({
        "name": g.name,
        "count": g.count,
        "more": g.more,
        "lines": g.lines.iter().map(|l| json!({
            "title": l.title,
            "subject": l.subject,
            "due": l.due.and_then(rules::day_date).map(|d| format_day(d, language)).unwrap_or_default(),
            "link": l.link.clone().unwrap_or_default(),
        })).collect::<Vec<_>>(),
    })
}

fn format_day(d: chrono::NaiveDate, language: Language) -> String {
    match language {
        Language::De => d.format("%d.%m.%Y").to_string(),
        _ => d.format("%-d %b %Y").to_string(),
    }
}

fn period_label(p: &digest::Period, language: Language) -> String {
    let day = format_day(p.start, language);
    match (p.weekly, language) {
        (true, Language::De) => format!("Woche ab {day}"),
        (true, _) => format!("week of {day}"),
        (false, _) => day,
    }
}

/// What a person's digest lists: Admit's own tasks for them, then the operator's tasks in
/// their scope, each chosen category with tasks a group. Also the portal (a portal account's).
async fn content(
    tx: &mut Tx,
    cx: &Ctx,
    p: &Person,
    chosen: &BTreeSet<String>,
    now: i64,
    seen: &mut Seen,
) -> Result<(Vec<Group>, Option<directory::Portal>)> {
    let r = p.recipient();
    let portal = match p {
        Person::Account(a) => seen.portal(tx, a.portal_id).await?,
        Person::Staff(_) => None,
    };
    let language = p.language(portal.as_ref().map(|p| p.default_language.as_str()));
    let public = cx.mail.public_url.trim_end_matches('/').to_string();
    let today = crate::clock::today(now);
    let per = LISTED_PER_CATEGORY as i64;
    let mut order: Vec<(String, String)> = Vec::new();
    let mut found: BTreeMap<String, (usize, Vec<Line>)> = BTreeMap::new();

    // Admit's own.
    for b in rules::builtins_for(r).filter(|b| chosen.contains(b.key)) {
        // Where a line leads: the team page of the portal, or the console's account page.
        let (scope, link_base) = match p {
            Person::Account(a) => {
                let Some(org) = a.organization_id else {
                    continue;
                };
                (
                    OwnScope::Team {
                        organization: org,
                        portal: a.portal_id,
                    },
                    format!("{public}/portal/{}/team", a.portal_id),
                )
            }
            Person::Staff(s) => {
                let areas = (!s.is_admin()).then_some(s.area_ids.as_slice());
                (OwnScope::Areas(areas), format!("{public}/console/accounts"))
            }
        };
        let rows = if b.key == rules::MAIL_FAILED {
            let rows = store::failed_messages(tx, now - FAILED_MAIL_WINDOW_MS, per).await?;
            let lines = rows
                .iter()
                .map(|t| Line {
                    title: t.title.clone(),
                    subject: t.subject.clone(),
                    due: None,
                    link: Some(format!("{public}/console/outbox/{}", t.id)),
                })
                .collect();
            (rows.first().map_or(0, |t| t.total as usize), lines)
        } else {
            let rows = store::own_tasks(tx, b.key, scope, now, today, per).await?;
            let lines = rows
                .iter()
                .map(|t| Line {
                    title: t.title.clone(),
                    subject: t.subject.clone(),
                    due: t.due_date,
                    link: Some(format!("{link_base}/{}", t.id)),
                })
                .collect();
            (rows.first().map_or(0, |t| t.total as usize), lines)
        };
        order.push((b.key.to_string(), b.name(language).to_string()));
        found.insert(b.key.to_string(), rows);
    }

    // The operator's, in the person's scope.
    if rules::gets_customer_tasks(r) {
        // The chosen categories, and their open tasks in the person's scope.
        let (categories, rows): (Vec<Category>, _) = match p {
            Person::Account(a) => {
                let cats: Vec<Category> = seen
                    .categories(tx, a.portal_id)
                    .await?
                    .iter()
                    .filter(|c| chosen.contains(&c.key))
                    .cloned()
                    .collect();
                let customers: Vec<i64> = match (a.organization_id, cats.is_empty()) {
                    (Some(org), false) => {
                        let role = a.role;
                        let assigned = if role == Role::Admin {
                            BTreeSet::new()
                        } else {
                            access_store::assignments(tx, a.id).await?
                        };
                        let reach = seen.reach(tx, org).await?;
                        rules::digest_customers(role, reach, &assigned)
                            .into_iter()
                            .collect()
                    }
                    _ => Vec::new(),
                };
                let ids: Vec<i64> = cats.iter().map(|c| c.id).collect();
                let scope = TaskScope::Customers {
                    portal: a.portal_id,
                    customers: &customers,
                };
                let rows = store::open_tasks(tx, &ids, scope, per).await?;
                (cats, rows)
            }
            Person::Staff(s) => {
                let cats: Vec<Category> = store::all_categories(tx)
                    .await?
                    .into_iter()
                    .filter(|c| chosen.contains(&c.key))
                    .collect();
                let ids: Vec<i64> = cats.iter().map(|c| c.id).collect();
                let areas = (!s.is_admin()).then_some(s.area_ids.as_slice());
                let rows = store::open_tasks(tx, &ids, TaskScope::Areas(areas), per).await?;
                (cats, rows)
            }
        };
        // A staff digest names the portal beside categories that several portals share.
        let portal_names: BTreeMap<i64, String> = match p {
            Person::Staff(_) => directory::list_portals(tx)
                .await?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect(),
            Person::Account(_) => BTreeMap::new(),
        };
        for c in &categories {
            let name = match p {
                Person::Staff(_) => format!(
                    "{} ({})",
                    c.name(language),
                    portal_names.get(&c.portal_id).cloned().unwrap_or_default()
                ),
                Person::Account(_) => c.name(language).to_string(),
            };
            order.push((c.id.to_string(), name));
        }
        for (id, (count, listed)) in rows {
            let lines = listed
                .into_iter()
                .map(|t| Line {
                    title: t.title,
                    subject: t.customer_name,
                    due: t.due_date,
                    link: t.link,
                })
                .collect();
            found.insert(id.to_string(), (count, lines));
        }
    }
    Ok((rules::compose(&order, found), portal))
}
