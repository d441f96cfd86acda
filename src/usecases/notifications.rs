//! Notifications: a portal's task categories, the tasks the operator's systems post and close,
//! each person's digest preferences (off, daily or weekly at 08:00 in their time zone, and the
//! categories), the digests the scheduler makes when they fall due, and one-click unsubscribe.
//!
//! A digest is made once per person and period: the period's row (`digests`, unique per
//! subscription and period) is written in the same transaction as its outbox message and the
//! subscription's next due time, so a crash before the commit leaves the digest to be made
//! again, and a second process finds the period taken.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::directory::Outcome;
use super::mail::{Outgoing, choose_language, enqueue_with_unsubscribe};
use super::{Actor, Ctx, Error, Result, Target, json, record};
use crate::domain::EmailAddress;
use crate::domain::FieldErrors;
use crate::domain::access::Reach;
use crate::domain::account::Role;
use crate::domain::digest::{self, Frequency};
use crate::domain::directory::Language;
use crate::domain::tasks::{
    self as rules, CategoryInput, Group, LISTED_PER_CATEGORY, Line, Recipient, TaskInput,
};
use crate::security::tokens;
use crate::storage::accounts::{self as accounts_store, PortalAccount};
use crate::storage::tasks::{self as store, Category, OwnScope, Owner, Subscription, TaskScope};
use crate::storage::{Tx, access as access_store, directory, staff as staff_store};

/// How long a digest's unsubscribe link works.
const UNSUBSCRIBE_LIFETIME_MS: i64 = 90 * 86_400_000;
/// How far back a failed message counts as a task.
const FAILED_MAIL_WINDOW_MS: i64 = 7 * 86_400_000;

// ---------------------------------------------------------------- categories

/// A portal's task categories, in their order.
pub async fn categories(cx: &Ctx, portal_id: i64) -> Result<Vec<Category>> {
    let mut tx = cx.db.read().await?;
    directory::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    Ok(store::categories(&mut tx, portal_id).await?)
}

/// Makes a portal's categories this list (by key: kept, added, removed). A category that still
/// holds tasks is not removed.
pub async fn set_categories(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    list: &[CategoryInput],
) -> Result<Vec<Category>> {
    actor.require_admin()?;
    let list = rules::validate_categories(list)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let portal = directory::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let before = store::categories(&mut tx, portal_id).await?;
    let mut errors = FieldErrors::new();
    for old in &before {
        if !list.iter().any(|c| c.key == old.key) {
            let n = store::tasks_in_category(&mut tx, old.id).await?;
            if n > 0 {
                errors.add(
                    "categories",
                    format!(
                        "`{}` still holds {n} task{}; it cannot be removed",
                        old.key,
                        if n == 1 { "" } else { "s" }
                    ),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(Error::Conflict(errors));
    }
    store::set_categories(&mut tx, portal_id, &list, now).await?;
    let after = store::categories(&mut tx, portal_id).await?;
    if after != before {
        record(
            &mut tx,
            now,
            actor,
            "portal.task_categories_set",
            Target {
                kind: "portal",
                id: Some(portal_id),
                label: &portal.name,
            },
            json(&before),
            json(&after),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------- tasks

/// A task as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub portal_id: i64,
    /// The posting system's own id.
    pub external_id: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub category: String,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_date: Option<String>,
    pub link: Option<String>,
    /// `open` or `closed`.
    pub status: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
}

fn day_text(day: Option<i64>) -> Option<String> {
    day.and_then(rules::day_date)
        .map(|d| d.format("%Y-%m-%d").to_string())
}

impl From<store::Task> for TaskView {
    fn from(t: store::Task) -> Self {
        TaskView {
            id: t.id,
            portal_id: t.portal_id,
            external_id: t.external_id,
            customer_id: t.customer_id,
            customer_name: t.customer_name,
            category: t.category,
            title: t.title,
            due_date: day_text(t.due_date),
            link: t.link,
            status: t.status,
            created_at: crate::clock::rfc3339(t.created_at),
            updated_at: crate::clock::rfc3339(t.updated_at),
            closed_at: t.closed_at.map(crate::clock::rfc3339),
        }
    }
}

fn same_task(t: &store::Task, v: &rules::ValidTask, category: i64) -> bool {
    t.customer_id == v.customer_id
        && t.category_id == category
        && t.title == v.title
        && t.due_date == v.due_date
        && t.link == v.link
        && (t.status == "open") == v.open
}

/// Posts a task under the system's own id: made when new, changed when different, left
/// alone when the same (posting twice changes nothing). `status: closed` closes it.
pub async fn put_task(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    external_id: &str,
    input: &TaskInput,
) -> Result<(TaskView, Outcome)> {
    let v = rules::validate_task(external_id, input)?;
    // Two posts of a new id at once on PostgreSQL: the second one's insert meets the first's
    // row, and a second try finds it.
    match put_task_once(cx, actor, portal_id, &v).await {
        Err(Error::Db(e)) if crate::storage::is_unique_violation(&e) => {
            put_task_once(cx, actor, portal_id, &v).await
        }
        other => other,
    }
}

async fn put_task_once(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    v: &rules::ValidTask,
) -> Result<(TaskView, Outcome)> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    directory::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let mut errors = FieldErrors::new();
    let categories = store::categories(&mut tx, portal_id).await?;
    let category = categories.iter().find(|c| c.key == v.category);
    if category.is_none() {
        let known: Vec<&str> = categories.iter().map(|c| c.key.as_str()).collect();
        errors.add(
            "category",
            if known.is_empty() {
                format!(
                    "no category `{}`: this portal has no task categories yet",
                    v.category
                )
            } else {
                format!(
                    "no category `{}` on this portal; it has {}",
                    v.category,
                    known.join(", ")
                )
            },
        );
    }
    match directory::get_organization(&mut tx, v.customer_id).await? {
        Some(o) if actor.scope.allows_area(o.area_id) => {
            if o.kind != "customer" {
                errors.add("customer_id", "must be a customer, not a partner");
            }
        }
        _ => errors.add(
            "customer_id",
            format!("no customer {} (or not in your areas)", v.customer_id),
        ),
    }
    errors.into_result()?;
    let category = category.expect("checked").id;
    let before = store::find_task(&mut tx, portal_id, &v.external_id).await?;
    let (id, outcome, action) = match &before {
        Some(t) if same_task(t, v, category) => return Ok((t.clone().into(), Outcome::Unchanged)),
        Some(t) => {
            store::update_task(&mut tx, t.id, v, category, now).await?;
            let action = match (t.status == "open", v.open) {
                (true, false) => "task.closed",
                (false, true) => "task.reopened",
                _ => "task.updated",
            };
            (t.id, Outcome::Updated, action)
        }
        None => {
            let id = store::insert_task(&mut tx, portal_id, v, category, now).await?;
            (id, Outcome::Created, "task.created")
        }
    };
    let after = store::find_task(&mut tx, portal_id, &v.external_id)
        .await?
        .ok_or(Error::NotFound("task"))?;
    let view = TaskView::from(after);
    record(
        &mut tx,
        now,
        actor,
        action,
        Target {
            kind: "task",
            id: Some(id),
            label: &view.title,
        },
        before.map(TaskView::from).and_then(|b| json(&b)),
        json(&view),
    )
    .await?;
    tx.commit().await?;
    Ok((view, outcome))
}

/// A task by the system's own id, when its customer is in the actor's reach.
pub async fn get_task(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    external_id: &str,
) -> Result<TaskView> {
    let mut tx = cx.db.read().await?;
    let t = store::find_task(&mut tx, portal_id, external_id)
        .await?
        .ok_or(Error::NotFound("task"))?;
    let customer = directory::get_organization(&mut tx, t.customer_id).await?;
    if !customer.is_some_and(|o| actor.scope.allows_area(o.area_id)) {
        return Err(Error::NotFound("task"));
    }
    Ok(t.into())
}

/// Tasks in id order, filtered, within the actor's areas.
pub async fn list_tasks(
    cx: &Ctx,
    actor: &Actor,
    mut filter: store::TaskFilter,
) -> Result<Vec<TaskView>> {
    filter.limit = filter.limit.clamp(1, 500);
    filter.areas = actor.scope.area_filter().map(<[i64]>::to_vec);
    let mut tx = cx.db.read().await?;
    Ok(store::list_tasks(&mut tx, &filter)
        .await?
        .into_iter()
        .map(TaskView::from)
        .collect())
}

// ---------------------------------------------------------------- preferences

/// A category a person may choose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Choice {
    pub key: String,
    pub name: String,
    pub description: String,
    /// One of Admit's own (approvals, invitations about to expire...).
    pub builtin: bool,
    pub chosen: bool,
}

/// A person's digest preferences, with what they may choose.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Preferences {
    /// `off`, `daily` or `weekly` (Monday).
    pub frequency: String,
    /// The chosen category keys.
    pub categories: Vec<String>,
    /// Digests come at 08:00 in this zone.
    pub time_zone: String,
    /// When the next digest is due.
    #[schema(format = DateTime)]
    pub next_due_at: Option<String>,
    pub choices: Vec<Choice>,
}

/// New preferences.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesInput {
    /// `off`, `daily` or `weekly`.
    pub frequency: String,
    /// Category keys among the choices; none means no digest.
    #[serde(default)]
    pub categories: Vec<String>,
}

/// Who a subscription's owner is, as the digest needs it.
enum Person {
    Account(Box<PortalAccount>),
    Staff(Box<staff_store::StaffUser>),
}

impl Person {
    fn recipient(&self) -> Recipient {
        match self {
            Person::Account(a) => Recipient::Account(Role::parse(&a.role).unwrap_or(Role::User)),
            Person::Staff(s) if s.is_admin() => Recipient::Administrator,
            Person::Staff(_) => Recipient::Supervisor,
        }
    }
    fn time_zone(&self) -> &str {
        match self {
            Person::Account(a) => &a.time_zone,
            Person::Staff(s) => &s.time_zone,
        }
    }
    fn language(&self, portal_default: Option<&str>) -> Language {
        match self {
            Person::Account(a) => choose_language(Some(&a.language), portal_default),
            Person::Staff(s) => choose_language(Some(&s.language), None),
        }
    }
    fn owner(&self) -> Owner {
        match self {
            Person::Account(a) => Owner::Account(a.id),
            Person::Staff(s) => Owner::Staff(s.id),
        }
    }
}

fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(Tz::UTC)
}

/// The categories this person may choose, in order: Admit's own for them, then the portal's
/// (a portal account's) or every portal's by key (staff).
async fn choices_for(tx: &mut Tx, p: &Person, language: Language) -> Result<Vec<Choice>> {
    let r = p.recipient();
    let mut out: Vec<Choice> = rules::builtins_for(r)
        .map(|b| Choice {
            key: b.key.to_string(),
            name: b.name(language).to_string(),
            description: b.description(language).to_string(),
            builtin: true,
            chosen: false,
        })
        .collect();
    if rules::gets_customer_tasks(r) {
        let cats = match p {
            Person::Account(a) => store::categories(tx, a.portal_id).await?,
            Person::Staff(_) => store::all_categories(tx).await?,
        };
        for c in cats {
            if !out.iter().any(|o| o.key == c.key) {
                out.push(Choice {
                    key: c.key.clone(),
                    name: c.name(language).to_string(),
                    description: c.description(language).to_string(),
                    builtin: false,
                    chosen: false,
                });
            }
        }
    }
    Ok(out)
}

async fn person_of(tx: &mut Tx, owner: Owner) -> Result<Option<Person>> {
    Ok(match owner {
        // Without its list of modules (one query): preferences and digests do not need it.
        Owner::Account(id) => accounts_store::get_with_module(tx, id, None)
            .await?
            .map(|(a, _)| Person::Account(Box::new(a))),
        Owner::Staff(id) => staff_store::get_staff(tx, id)
            .await?
            .map(|s| Person::Staff(Box::new(s))),
    })
}

async fn preferences_in(tx: &mut Tx, p: &Person, language: Language) -> Result<Preferences> {
    let sub = store::subscription_of(tx, p.owner()).await?;
    let chosen = sub
        .as_ref()
        .map(|s| rules::split_keys(&s.categories))
        .unwrap_or_default();
    let mut choices = choices_for(tx, p, language).await?;
    for c in &mut choices {
        c.chosen = chosen.contains(&c.key);
    }
    Ok(Preferences {
        frequency: sub
            .as_ref()
            .map(|s| s.frequency.clone())
            .unwrap_or_else(|| "off".into()),
        categories: choices
            .iter()
            .filter(|c| c.chosen)
            .map(|c| c.key.clone())
            .collect(),
        time_zone: p.time_zone().to_string(),
        next_due_at: sub.and_then(|s| s.next_due_at).map(crate::clock::rfc3339),
        choices,
    })
}

/// Whose preferences an actor asks for: staff and keys the accounts they reach; a person
/// on the portal pages their own (`actor.id` is their account); staff their own.
fn may_manage(actor: &Actor, p: &Person) -> bool {
    match (p, actor.kind) {
        (Person::Account(a), super::ActorKind::PortalUser) => actor.id == Some(a.id),
        (Person::Account(a), _) => actor.reaches(a),
        (Person::Staff(s), super::ActorKind::Staff) => actor.id == Some(s.id) || actor.admin,
        (Person::Staff(_), _) => actor.admin,
    }
}

/// A person's preferences, the choices named in their own language.
pub async fn preferences(cx: &Ctx, actor: &Actor, owner: Owner) -> Result<Preferences> {
    preferences_named(cx, actor, owner, None).await
}

/// As [`preferences`], the choices named in `language` (the console's), or the person's.
pub async fn preferences_named(
    cx: &Ctx,
    actor: &Actor,
    owner: Owner,
    language: Option<Language>,
) -> Result<Preferences> {
    let mut tx = cx.db.read().await?;
    match person_of(&mut tx, owner).await? {
        Some(p) if may_manage(actor, &p) => {
            let language = language.unwrap_or_else(|| p.language(None));
            preferences_in(&mut tx, &p, language).await
        }
        _ => Err(Error::NotFound(match owner {
            Owner::Account(_) => "account",
            Owner::Staff(_) => "staff user",
        })),
    }
}

/// When a subscription's next digest is due.
fn next_due_of(
    frequency: Frequency,
    categories: &BTreeSet<String>,
    tz: &str,
    now: i64,
) -> Option<i64> {
    if categories.is_empty() {
        return None;
    }
    digest::next_due(frequency, zone(tz), now).map(|(_, at)| at)
}

/// Sets a person's digest preferences. An unknown frequency or category is refused and
/// nothing changes.
pub async fn set_preferences(
    cx: &Ctx,
    actor: &Actor,
    owner: Owner,
    input: &PreferencesInput,
) -> Result<Preferences> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let p = match person_of(&mut tx, owner).await? {
        Some(p) if may_manage(actor, &p) => p,
        _ => {
            return Err(Error::NotFound(match owner {
                Owner::Account(_) => "account",
                Owner::Staff(_) => "staff user",
            }));
        }
    };
    let mut errors = FieldErrors::new();
    let frequency = errors.take(
        "frequency",
        Frequency::parse(&input.frequency)
            .ok_or_else(|| "must be off, daily or weekly".to_string()),
    );
    let choices = choices_for(&mut tx, &p, p.language(None)).await?;
    let mut chosen = BTreeSet::new();
    for k in &input.categories {
        let k = k.trim();
        if k.is_empty() {
            continue;
        }
        if choices.iter().any(|c| c.key == k) {
            chosen.insert(k.to_string());
        } else {
            let known: Vec<&str> = choices.iter().map(|c| c.key.as_str()).collect();
            errors.add(
                "categories",
                format!(
                    "unknown category `{k}`; the choices are {}",
                    known.join(", ")
                ),
            );
        }
    }
    errors.into_result()?;
    let frequency = frequency.expect("checked");
    let language = p.language(None);
    let before = preferences_in(&mut tx, &p, language).await?;
    let next = next_due_of(frequency, &chosen, p.time_zone(), now);
    store::save_subscription(
        &mut tx,
        owner,
        frequency.as_str(),
        &rules::join_keys(&chosen),
        next,
        now,
    )
    .await?;
    let after = preferences_in(&mut tx, &p, language).await?;
    if before.frequency != after.frequency || before.categories != after.categories {
        let (kind, id, label) = target_of(&p);
        record(
            &mut tx,
            now,
            actor,
            "notifications.changed",
            Target {
                kind,
                id: Some(id),
                label: &label,
            },
            Some(json!({ "frequency": before.frequency, "categories": before.categories })),
            Some(json!({ "frequency": after.frequency, "categories": after.categories })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(after)
}

fn target_of(p: &Person) -> (&'static str, i64, String) {
    match p {
        Person::Account(a) => (
            "portal_account",
            a.id,
            format!("{} on {}", a.email, a.portal_name),
        ),
        Person::Staff(s) => ("staff_user", s.id, s.email.clone()),
    }
}

/// After a person's time zone changed: their next digest at 08:00 in the new zone.
pub async fn reschedule(tx: &mut Tx, owner: Owner, now: i64) -> Result<()> {
    let Some(sub) = store::subscription_of(tx, owner).await? else {
        return Ok(());
    };
    let Some(tz) = store::time_zone_of(tx, owner).await? else {
        return Ok(());
    };
    let frequency = Frequency::parse(&sub.frequency).unwrap_or(Frequency::Off);
    let next = next_due_of(frequency, &rules::split_keys(&sub.categories), &tz, now);
    store::set_next_due(tx, sub.id, next).await?;
    Ok(())
}

/// Makes a subscription's digest due at once (the demo's first one): the latest period that
/// is due is made at the scheduler's next look.
pub async fn due_now(cx: &Ctx, owner: Owner) -> Result<()> {
    let mut tx = cx.db.write().await?;
    if let Some(sub) = store::subscription_of(&mut tx, owner).await?
        && sub.frequency != "off"
    {
        store::set_next_due(&mut tx, sub.id, Some(cx.now())).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A staff user's own language and time zone, for their digests.
pub async fn set_staff_locale(
    cx: &Ctx,
    actor: &Actor,
    staff_id: i64,
    language: &str,
    time_zone: &str,
) -> Result<()> {
    let own = actor.kind == super::ActorKind::Staff && actor.id == Some(staff_id);
    if !own && !actor.admin {
        return Err(Error::NotFound("staff user"));
    }
    let mut errors = FieldErrors::new();
    let language = errors.take("language", Language::parse(language.trim()));
    let time_zone = errors.take("time_zone", super::profile::check_time_zone(time_zone));
    errors.into_result()?;
    let (language, time_zone) = (language.expect("checked"), time_zone.expect("checked"));
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let user = staff_store::get_staff(&mut tx, staff_id)
        .await?
        .ok_or(Error::NotFound("staff user"))?;
    if user.language == language.as_str() && user.time_zone == time_zone {
        return Ok(());
    }
    staff_store::set_locale(&mut tx, staff_id, language.as_str(), &time_zone, now).await?;
    reschedule(&mut tx, Owner::Staff(staff_id), now).await?;
    record(
        &mut tx,
        now,
        actor,
        "staff.locale_changed",
        Target {
            kind: "staff_user",
            id: Some(staff_id),
            label: &user.email,
        },
        Some(json!({ "language": user.language, "time_zone": user.time_zone })),
        Some(json!({ "language": language.as_str(), "time_zone": time_zone })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- digests

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
        && a.approval == "approved"
        && a.lifecycle == "active"
        && a.access_granted
        && a.valid_until.is_none_or(|d| today <= d)
        && (a.registration == "registered" || a.role == "notifications")
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
    let today = super::accounts::today(now);
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
    let preferences_url = match &person {
        Person::Account(a) => format!("{public}/portal/{}/notifications", a.portal_id),
        Person::Staff(_) => format!("{public}/console/notifications"),
    };
    let variables = json!({
        "groups": groups.iter().map(|g| group_json(g, language)).collect::<Vec<_>>(),
        "total": total,
        "period": period_label(&period, language),
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
    let today = super::accounts::today(now);
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
                        let role = Role::parse(&a.role).unwrap_or(Role::User);
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

// ---------------------------------------------------------------- unsubscribe

/// Makes a digest's unsubscribe link when its message is sent; only the token's hash is
/// stored. `None` when the subscription is gone.
pub async fn mint_unsubscribe(cx: &Ctx, subscription: i64) -> Result<Option<String>> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    if store::subscription(&mut tx, subscription).await?.is_none() {
        return Ok(None);
    }
    let token = tokens::new_token();
    store::insert_unsubscribe_token(
        &mut tx,
        &tokens::hash_token(&token),
        subscription,
        now,
        now + UNSUBSCRIBE_LIFETIME_MS,
    )
    .await?;
    tx.commit().await?;
    Ok(Some(format!(
        "{}/unsubscribe/{token}",
        cx.mail.public_url.trim_end_matches('/')
    )))
}

/// Whose digests an unsubscribe link stops, for its page.
#[derive(Debug, Clone, Serialize)]
pub struct Unsubscribing {
    pub email: String,
    pub language: Language,
    /// Off already.
    pub off: bool,
    /// Where the person chooses their digests again (after logging in).
    pub preferences_path: String,
    /// The portal whose digests these are (none: a staff user's).
    pub portal_name: Option<String>,
}

async fn unsubscribing(
    tx: &mut Tx,
    token: &str,
    now: i64,
) -> Result<Option<(Subscription, Person)>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some(id) = store::unsubscribe_target(tx, &tokens::hash_token(token), now).await? else {
        return Ok(None);
    };
    let Some(sub) = store::subscription(tx, id).await? else {
        return Ok(None);
    };
    let owner = match (sub.account_id, sub.staff_user_id) {
        (Some(a), _) => Owner::Account(a),
        (_, Some(s)) => Owner::Staff(s),
        _ => return Ok(None),
    };
    Ok(person_of(tx, owner).await?.map(|p| (sub, p)))
}

fn view_of(sub: &Subscription, p: &Person) -> Unsubscribing {
    Unsubscribing {
        email: match p {
            Person::Account(a) => a.email.clone(),
            Person::Staff(s) => s.email.clone(),
        },
        language: p.language(None),
        off: sub.frequency == "off",
        preferences_path: match p {
            Person::Account(a) => format!("/portal/{}/notifications", a.portal_id),
            Person::Staff(_) => "/console/notifications".to_string(),
        },
        portal_name: match p {
            Person::Account(a) => Some(a.portal_name.clone()),
            Person::Staff(_) => None,
        },
    }
}

/// What an unsubscribe link is for (`None`: unknown or expired). Changes nothing.
pub async fn unsubscribe_info(cx: &Ctx, token: &str) -> Result<Option<Unsubscribing>> {
    let mut tx = cx.db.read().await?;
    Ok(unsubscribing(&mut tx, token, cx.now())
        .await?
        .map(|(s, p)| view_of(&s, &p)))
}

/// Turns the digests off, without a login: the link is the proof. Doing it twice is fine.
pub async fn unsubscribe(
    cx: &Ctx,
    token: &str,
    client_addr: Option<String>,
) -> Result<Option<Unsubscribing>> {
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let Some((sub, p)) = unsubscribing(&mut tx, token, now).await? else {
        return Ok(None);
    };
    if sub.frequency != "off" {
        store::save_subscription(&mut tx, p.owner(), "off", &sub.categories, None, now).await?;
        let (kind, id, label) = target_of(&p);
        let mut actor = Actor::system("unsubscribe link");
        actor.client_addr = client_addr;
        record(
            &mut tx,
            now,
            &actor,
            "notifications.unsubscribed",
            Target {
                kind,
                id: Some(id),
                label: &label,
            },
            Some(json!({ "frequency": sub.frequency })),
            Some(json!({ "frequency": "off" })),
        )
        .await?;
    }
    tx.commit().await?;
    let mut view = view_of(&sub, &p);
    view.off = true;
    Ok(Some(view))
}

/// Purges expired unsubscribe links (housekeeping).
pub async fn purge(tx: &mut Tx, now: i64) -> Result<u64> {
    Ok(store::purge_unsubscribe_tokens(tx, now).await?)
}

/// The digests a person got lately, newest first (console).
pub async fn recent_digests(
    cx: &Ctx,
    actor: &Actor,
    owner: Owner,
) -> Result<Vec<store::DigestRow>> {
    let mut tx = cx.db.read().await?;
    match person_of(&mut tx, owner).await? {
        Some(p) if may_manage(actor, &p) => {}
        _ => return Err(Error::NotFound("account")),
    }
    match store::subscription_of(&mut tx, owner).await? {
        Some(s) => Ok(store::digests_of(&mut tx, s.id, 20).await?),
        None => Ok(Vec::new()),
    }
}
