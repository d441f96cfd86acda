//! Digest preferences: off, daily or weekly (Monday) at 08:00 in the person's time zone, and
//! the categories, for a portal account (by the person, staff or an organization's admin) or a
//! staff user (with their language and time zone); the next due time moves with the zone.

use std::collections::BTreeSet;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::super::mail::choose_language;
use super::super::{Actor, Ctx, Error, Result, Target, record};
use crate::domain::FieldErrors;
use crate::domain::digest::{self, Frequency};
use crate::domain::directory::Language;
use crate::domain::tasks::{self as rules, Recipient};
use crate::storage::accounts::{self as accounts_store, PortalAccount};
use crate::storage::tasks::{self as store, Owner};
use crate::storage::{Tx, staff as staff_store};

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
    #[schema(value_type = Frequency)]
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
    #[schema(value_type = Frequency)]
    pub frequency: String,
    /// Category keys among the choices; none means no digest.
    #[serde(default)]
    pub categories: Vec<String>,
}

/// Who a subscription's owner is, as the digest needs it.
pub(super) enum Person {
    Account(Box<PortalAccount>),
    Staff(Box<staff_store::StaffUser>),
}

impl Person {
    pub(super) fn recipient(&self) -> Recipient {
        match self {
            Person::Account(a) => Recipient::Account(a.role),
            Person::Staff(s) if s.is_admin() => Recipient::Administrator,
            Person::Staff(_) => Recipient::Supervisor,
        }
    }
    pub(super) fn time_zone(&self) -> &str {
        match self {
            Person::Account(a) => &a.time_zone,
            Person::Staff(s) => &s.time_zone,
        }
    }
    pub(super) fn language(&self, portal_default: Option<&str>) -> Language {
        match self {
            Person::Account(a) => choose_language(Some(&a.language), portal_default),
            Person::Staff(s) => choose_language(Some(&s.language), None),
        }
    }
    pub(super) fn owner(&self) -> Owner {
        match self {
            Person::Account(a) => Owner::Account(a.id),
            Person::Staff(s) => Owner::Staff(s.id),
        }
    }
}

pub(super) fn zone(name: &str) -> Tz {
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

pub(super) async fn person_of(tx: &mut Tx, owner: Owner) -> Result<Option<Person>> {
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
        (Person::Account(a), crate::usecases::ActorKind::PortalUser) => actor.id == Some(a.id),
        (Person::Account(a), _) => actor.reaches(a),
        (Person::Staff(s), crate::usecases::ActorKind::Staff) => {
            actor.id == Some(s.id) || actor.admin
        }
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
pub(super) fn next_due_of(
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

pub(super) fn target_of(p: &Person) -> (&'static str, i64, String) {
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
    let own = actor.kind == crate::usecases::ActorKind::Staff && actor.id == Some(staff_id);
    if !own && !actor.admin {
        return Err(Error::NotFound("staff user"));
    }
    let mut errors = FieldErrors::new();
    let language = errors.take("language", Language::parse(language.trim()));
    let time_zone = errors.take("time_zone", crate::domain::validation::time_zone(time_zone));
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
