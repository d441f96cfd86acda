//! Making the digests that fall due: the scheduler takes the due subscriptions a batch at a
//! time and makes each period's digest once (its row, its outbox message and the next due time
//! in one transaction). What a digest lists is read in [`digest_content`](super::digest_content),
//! each scope once per run.
//!
//! On PostgreSQL a batch is one transaction: other processes skip the subscriptions it holds,
//! and so do this process's other workers (one per core). SQLite has one writer: batches are
//! read first (content and all) outside the write turn, by readers on all cores but one, then
//! written in a short transaction each that takes only the subscriptions still as they were
//! read (one changed meanwhile is read again inside it), so that API writes wait only for the
//! writing.
//! Either way a batch reads its people and their assignments in one query each and writes in
//! a few statements, not a few per person.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::json;
use tokio::task::JoinSet;

use super::super::mail::{Outgoing, Ready, enqueue_ready};
use super::super::{Ctx, Result};
use super::digest_content::{Known, content};
use super::preferences::{Person, next_due_of, person_of, zone};
use crate::domain::EmailAddress;
use crate::domain::access::Grouping;
use crate::domain::account::{Approval, Lifecycle, Registration, Role};
use crate::domain::digest::{self, Frequency};
use crate::domain::local_time::Locale;
use crate::domain::tasks::{self as rules, Group};
use crate::storage::accounts::PortalAccount;
use crate::storage::tasks::{self as store, Owner, Subscription};
use crate::storage::{Engine, Tx};
use crate::storage::{access as access_store, accounts as accounts_store};

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
    match cx.db.engine() {
        Engine::Postgres => run_postgres(cx, batch).await,
        Engine::Sqlite => run_sqlite(cx, batch).await,
    }
}

/// Adds a batch's figures to the run's, and wakes the mail sender for what it queued.
fn add(cx: &Ctx, made: &mut Made, batch: Made) {
    *made += batch;
    if batch.sent > 0 {
        cx.mail_wakeup.notify_one();
    }
}

/// How many batches are made at once: one per core (the content of a batch is work for the
/// processor, between the database's answers).
fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8))
}

/// Waits for spawned tasks, adding up what they made; the first failure is the result. (A
/// run that is dropped drops the set, which stops its tasks: a batch in flight is rolled back.)
async fn join_all(mut tasks: JoinSet<Result<Made>>) -> Result<Made> {
    let mut made = Made::default();
    let mut failed = None;
    while let Some(t) = tasks.join_next().await {
        match t {
            Ok(Ok(m)) => made += m,
            Ok(Err(e)) => failed = failed.or(Some(e)),
            Err(e) => {
                failed = failed.or(Some(crate::usecases::Error::Internal(anyhow::anyhow!(
                    "making digests stopped: {e}"
                ))))
            }
        }
    }
    failed.map_or(Ok(made), Err)
}

/// PostgreSQL: a batch is one transaction; other processes skip the subscriptions it holds,
/// and so do this process's other workers (one per core).
async fn run_postgres(cx: &Ctx, batch: i64) -> Result<Made> {
    let mut tasks = JoinSet::new();
    for _ in 0..workers() {
        let cx = cx.clone();
        tasks.spawn(async move { postgres_worker(&cx, batch).await });
    }
    join_all(tasks).await
}

/// One worker on PostgreSQL: batches until none is left due.
async fn postgres_worker(cx: &Ctx, batch: i64) -> Result<Made> {
    let mut made = Made::default();
    let mut known = Known::default();
    loop {
        let now = cx.now();
        let mut m = Made::default();
        let mut tx = cx.db.write().await?;
        let due = store::claim_due(&mut tx, now, None, batch).await?;
        m.due = due.len();
        let ready = prepare_all(&mut tx, cx, due, now, &mut known).await?;
        write_all(&mut tx, cx, ready, now, &mut m).await?;
        tx.commit().await?;
        add(cx, &mut made, m);
        if (m.due as i64) < batch {
            return Ok(made);
        }
    }
}

/// A batch read on SQLite and not yet written.
struct Read {
    dues: Vec<Due>,
    now: i64,
}

/// Where the readers on SQLite are: after which due time and id the next batch starts, or
/// done.
#[derive(Clone, Copy)]
enum Cursor {
    After(Option<(i64, i64)>),
    Done,
}

/// SQLite has one writer: batches are read (content and all) on reading connections, each
/// reader with what it has read before; one writer writes each batch in a short transaction
/// as it comes, so that API writes wait only for the writing.
async fn run_sqlite(cx: &Ctx, batch: i64) -> Result<Made> {
    let cursor = std::sync::Arc::new(tokio::sync::Mutex::new(Cursor::After(None)));
    // One core is left to the writer and to the API's requests: with a reader on each of the
    // 2 cores a Monday for 100,000 people took 23 s instead of 27, but task upserts during it
    // waited 50 ms at the 99th percentile instead of 37.
    let n = (workers() - 1).max(1);
    let (send, mut read) = tokio::sync::mpsc::channel::<Read>(n);
    let mut readers = JoinSet::new();
    for _ in 0..n {
        let (cx, cursor, send) = (cx.clone(), cursor.clone(), send.clone());
        readers.spawn(async move { sqlite_reader(&cx, batch, &cursor, &send).await });
    }
    drop(send);
    let mut made = Made::default();
    let mut failed = None;
    while let Some(r) = read.recv().await {
        match write_batch(cx, r).await {
            Ok(m) => add(cx, &mut made, m),
            Err(e) => {
                // The readers stop at their next batch.
                failed = Some(e);
                break;
            }
        }
    }
    drop(read);
    let readers = join_all(readers).await;
    match failed {
        Some(e) => Err(e),
        None => readers.map(|_| made),
    }
}

/// How long a reader on SQLite keeps one snapshot for its batches. A new read transaction after
/// a write throws away the connection's memory map of the file (SQLite cannot tell which pages
/// changed), and every page read after it faults in again: with 10,000,000 tasks, a new
/// transaction per batch made the run a quarter longer. Digests a second behind are none the
/// worse, and the writer takes only the subscriptions still as they were read.
const SNAPSHOT_FOR: std::time::Duration = std::time::Duration::from_secs(1);

/// One reader on SQLite: takes the next batch from the cursor, reads what its digests are to
/// be, and hands it to the writer; until none is left due.
async fn sqlite_reader(
    cx: &Ctx,
    batch: i64,
    cursor: &tokio::sync::Mutex<Cursor>,
    send: &tokio::sync::mpsc::Sender<Read>,
) -> Result<Made> {
    let mut known = Known::default();
    let mut snapshot: Option<(Tx, std::time::Instant)> = None;
    loop {
        let now = cx.now();
        let (mut tx, since) = match snapshot.take() {
            Some((tx, since)) if since.elapsed() < SNAPSHOT_FOR => (tx, since),
            _ => (cx.db.read().await?, std::time::Instant::now()),
        };
        let due = {
            let mut at = cursor.lock().await;
            let Cursor::After(after) = *at else {
                return Ok(Made::default());
            };
            let due = store::claim_due(&mut tx, now, after, batch).await?;
            *at = match due.last() {
                Some(last) if due.len() as i64 == batch => match last.next_due_at {
                    Some(t) => Cursor::After(Some((t, last.id))),
                    None => Cursor::Done,
                },
                _ => Cursor::Done,
            };
            due
        };
        if due.is_empty() {
            return Ok(Made::default());
        }
        let dues = prepare_all(&mut tx, cx, due, now, &mut known).await?;
        snapshot = Some((tx, since));
        if send.send(Read { dues, now }).await.is_err() {
            // The writer stopped (and says why).
            return Ok(Made::default());
        }
    }
}

/// Writes a batch read before: only the subscriptions still as they were read; one changed
/// meanwhile and still due is read again inside the transaction.
async fn write_batch(cx: &Ctx, read: Read) -> Result<Made> {
    let Read { dues, now } = read;
    let mut made = Made {
        due: dues.len(),
        ..Made::default()
    };
    let ids: Vec<i64> = dues.iter().map(|d| d.sub.id).collect();
    let mut tx = cx.db.write().await?;
    let mut current: BTreeMap<i64, Subscription> = store::subscriptions(&mut tx, &ids)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut writing = Vec::with_capacity(dues.len());
    let mut again = Vec::new();
    for d in dues {
        match current.remove(&d.sub.id) {
            Some(s) if s == d.sub => writing.push(d),
            Some(s) if s.next_due_at.is_some_and(|at| at <= now) => again.push(s),
            _ => {}
        }
    }
    if !again.is_empty() {
        // Rare (a change between reading and writing): read with nothing kept from before.
        let mut fresh = Known::default();
        writing.extend(prepare_all(&mut tx, cx, again, now, &mut fresh).await?);
    }
    write_all(&mut tx, cx, writing, now, &mut made).await?;
    tx.commit().await?;
    Ok(made)
}

/// A due subscription, and what its digest is to be.
struct Due {
    sub: Subscription,
    next_due: Option<i64>,
    /// The latest period that is due, and when it fell due (none: only the next due time moves).
    period: Option<(digest::Period, i64)>,
    /// None: nothing to say.
    message: Option<Message>,
}

struct Message {
    /// The outbox message, written out before the write transaction.
    ready: Ready,
    /// How many tasks it lists.
    total: usize,
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

/// Reads what the digests of due subscriptions are to be: the people and their customer
/// assignments for the whole batch at once, then each digest's content.
async fn prepare_all(
    tx: &mut Tx,
    cx: &Ctx,
    subs: Vec<Subscription>,
    now: i64,
    known: &mut Known,
) -> Result<Vec<Due>> {
    let account_ids: Vec<i64> = subs.iter().filter_map(|s| s.account_id).collect();
    let mut accounts: HashMap<i64, PortalAccount> = accounts_store::get_many(tx, &account_ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    // Admins see their organization's whole reach: only users' assignments are read.
    let users: Vec<i64> = accounts
        .values()
        .filter(|a| a.role != Role::Admin)
        .map(|a| a.id)
        .collect();
    let assignments = access_store::assignments_of(tx, &users).await?;
    let organizations: Vec<i64> = accounts
        .values()
        .filter_map(|a| a.organization_id)
        .collect();
    known.read_reach(tx, &organizations).await?;
    // Admins' own tasks (in their team), per kind for all the batch's teams at once.
    let mut kinds = BTreeSet::new();
    let mut teams = BTreeSet::new();
    for sub in &subs {
        let Some(a) = sub.account_id.and_then(|a| accounts.get(&a)) else {
            continue;
        };
        let (Some(organization), Role::Admin) = (a.organization_id, a.role) else {
            continue;
        };
        let chosen = rules::split_keys(&sub.categories);
        let theirs: Vec<&'static str> = rules::builtins_for(rules::Recipient::Account(Role::Admin))
            .filter(|b| chosen.contains(b.key))
            .map(|b| b.key)
            .collect();
        if !theirs.is_empty() {
            kinds.extend(theirs);
            teams.insert((organization, a.portal_id));
        }
    }
    known.read_own_teams(tx, &kinds, &teams, now).await?;
    let none = BTreeSet::new();
    let mut out = Vec::with_capacity(subs.len());
    for sub in subs {
        let person = match (sub.account_id, sub.staff_user_id) {
            (Some(a), _) => accounts.remove(&a).map(|a| Person::Account(Box::new(a))),
            (_, Some(s)) => person_of(tx, Owner::Staff(s)).await?,
            _ => None,
        };
        let assigned = sub
            .account_id
            .and_then(|a| assignments.get(&a))
            .unwrap_or(&none);
        out.push(prepare(tx, cx, sub, person, assigned, now, known).await?);
        // A digest whose scope was read before is made without waiting for the database:
        // without a yield, a batch would keep a core from other requests (an API write's
        // every statement waited behind it) for as long as it takes.
        tokio::task::yield_now().await;
    }
    Ok(out)
}

/// What a due subscription's digest is to be.
async fn prepare(
    tx: &mut Tx,
    cx: &Ctx,
    sub: Subscription,
    person: Option<Person>,
    assigned: &BTreeSet<(Grouping, i64)>,
    now: i64,
    known: &mut Known,
) -> Result<Due> {
    let Some(person) = person else {
        return Ok(Due {
            sub,
            next_due: None,
            period: None,
            message: None,
        });
    };
    let frequency = Frequency::parse(&sub.frequency).unwrap_or(Frequency::Off);
    let chosen = rules::split_keys(&sub.categories);
    let next_due = next_due_of(frequency, &chosen, person.time_zone(), now);
    // The latest period that is due: a process that was down at 08:00 makes it now, once.
    let period = digest::latest_due(frequency, zone(person.time_zone()), now);
    let receives = match &person {
        Person::Account(a) => account_receives(a, crate::clock::today(now)),
        Person::Staff(s) => s.active,
    };
    let message = match &period {
        Some((p, _)) if receives => {
            let (groups, portal) = content(tx, cx, &person, &chosen, assigned, now, known).await?;
            message(cx, sub.id, &person, p, &groups, portal.as_ref())?
        }
        _ => None,
    };
    Ok(Due {
        sub,
        next_due,
        period,
        message,
    })
}

/// The message of a digest with these groups for subscription `sub` (none when they are
/// empty, or the address is not one).
fn message(
    cx: &Ctx,
    sub: i64,
    person: &Person,
    period: &digest::Period,
    groups: &[Group],
    portal: Option<&crate::storage::directory::Portal>,
) -> Result<Option<Message>> {
    let total: usize = groups.iter().map(|g| g.count).sum();
    if total == 0 {
        return Ok(None);
    }
    let language = person.language(portal.map(|p| p.default_language.as_str()));
    let locale = Locale::new(person.time_zone(), language);
    let (email, name) = match person {
        Person::Account(a) => (&a.email, &a.name),
        Person::Staff(s) => (&s.email, &s.name),
    };
    let Ok(recipient) = EmailAddress::parse(email) else {
        return Ok(None);
    };
    let public = cx.mail.public_url.trim_end_matches('/');
    // "Open": the person's home page among the portal's pages (staff: the console).
    let (home_url, preferences_url) = match person {
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
        "groups": groups.iter().map(|g| group_json(g, &locale)).collect::<Vec<_>>(),
        "total": total,
        "period": period.label(&locale).render(locale.language.as_str()),
        "home_url": home_url,
        "preferences_url": preferences_url,
    });
    let outgoing = Outgoing {
        portal_id: portal.map(|p| p.id),
        event: "digest",
        language,
        recipient: &recipient,
        recipient_name: Some(name.as_str()).filter(|n| !n.is_empty()),
        variables,
        link: None,
    };
    Ok(Some(Message {
        ready: Ready::of(&cx.mail, &outgoing, Some(sub))?,
        total,
    }))
}

/// Writes the due subscriptions' next due times and, once per period, their digests: the
/// period's row, the outbox message and what the digest held, a few statements per batch.
async fn write_all(tx: &mut Tx, cx: &Ctx, dues: Vec<Due>, now: i64, made: &mut Made) -> Result<()> {
    let next: Vec<(i64, Option<i64>)> = dues.iter().map(|d| (d.sub.id, d.next_due)).collect();
    store::set_next_due_all(tx, &next).await?;
    let periods: Vec<(i64, String, i64)> = dues
        .iter()
        .filter_map(|d| d.period.as_ref().map(|(p, at)| (d.sub.id, p.key(), *at)))
        .collect();
    let taken = store::claim_periods(tx, &periods, now).await?;
    made.taken += periods.len() - taken.len();
    let mut ready = Vec::new();
    let mut records = Vec::new();
    for d in dues {
        let (Some((period, _)), true) = (&d.period, taken.contains(&d.sub.id)) else {
            continue;
        };
        match d.message {
            Some(m) => {
                ready.push(m.ready);
                records.push((d.sub.id, period.key(), m.total as i64));
            }
            None => made.empty += 1,
        }
    }
    let ids = enqueue_ready(tx, now, &cx.mail, &ready).await?;
    let records: Vec<(i64, String, i64, i64)> = records
        .into_iter()
        .zip(&ids)
        .map(|((sub, period, total), id)| (sub, period, total, *id))
        .collect();
    store::record_digests(tx, &records).await?;
    made.sent += ids.len();
    Ok(())
}

fn group_json(g: &Group, locale: &Locale) -> serde_json::Value {
    json!({
        "name": g.name,
        "count": g.count,
        "more": g.more,
        "lines": g.lines.iter().map(|l| json!({
            "title": l.title,
            "subject": l.subject,
            "due": l.due.map(|d| crate::mail::variables::day(locale, d)).unwrap_or_default(),
            "link": l.link.clone().unwrap_or_default(),
        })).collect::<Vec<_>>(),
    })
}
