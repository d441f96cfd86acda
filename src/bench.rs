//! `admit bench`: measurements on this machine, printed with its core count.

pub mod digests;

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use serde_json::json;

use crate::clock::SystemClock;
use crate::config::Config;
use crate::domain::EmailAddress;
use crate::domain::directory::Language;
use crate::jobs::outbox::{OutboxWorker, WorkerSettings};
use crate::mail::Mailer;
use crate::usecases::mail::{self, Outgoing};

/// The cores this process may use.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

async fn enqueue(cx: &crate::usecases::Ctx, n: usize, batch: usize) -> anyhow::Result<f64> {
    let to = EmailAddress::parse("bench@example.test").map_err(anyhow::Error::msg)?;
    let start = Instant::now();
    let mut left = n;
    while left > 0 {
        let k = left.min(batch);
        let mut tx = cx.db.write().await?;
        for _ in 0..k {
            mail::enqueue(
                &mut tx,
                cx.now(),
                &cx.mail,
                &Outgoing {
                    portal_id: None,
                    event: "test",
                    language: Language::En,
                    recipient: &to,
                    recipient_name: None,
                    variables: json!({"sent_at": "now"}),
                    link: None,
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        tx.commit().await?;
        left -= k;
    }
    Ok(start.elapsed().as_secs_f64())
}

/// Enqueues `enqueue_count` messages (in transactions of 1,000), then delivers `send_count`
/// through the SMTP server at `smtp_port` with each number of connections in `connections`.
pub async fn mail(
    database_url: &str,
    smtp_port: u16,
    enqueue_count: usize,
    send_count: usize,
    connections: &[u32],
) -> anyhow::Result<()> {
    let config = Config {
        database_url: database_url.to_string(),
        smtp_host: Some("127.0.0.1".into()),
        smtp_port,
        smtp_security: "none".into(),
        mail_from: "Admit <bench@example.test>".into(),
        ..Config::default()
    };
    let db = crate::app::open_database(&config).await?;
    let engine = format!("{:?}", db.engine());
    let cx = crate::app::context_with(db.clone(), Arc::new(SystemClock), &config);
    println!("admit bench mail: {engine}, {} cores", cores());

    let secs = enqueue(&cx, enqueue_count, 1000).await?;
    println!(
        "enqueue: {enqueue_count} messages in {secs:.2} s ({:.0} messages/s, transactions of 1,000)",
        enqueue_count as f64 / secs
    );
    // Clear the queue before measuring delivery.
    let mut tx = cx.db.write().await?;
    crate::exec_tx!(&mut tx, |c| sqlx::query("DELETE FROM outbox_messages")
        .execute(c)
        .await)
    .context("clearing the outbox")?;
    tx.commit().await?;

    for &n in connections {
        let config = Config {
            smtp_connections: n,
            ..config.clone()
        };
        enqueue(&cx, send_count, 1000).await?;
        let mailer = Mailer::from_config(&config)?;
        let worker = Arc::new(OutboxWorker::new(
            cx.clone(),
            mailer,
            WorkerSettings::from_config(&config),
        ));
        let start = Instant::now();
        let mut sent = 0;
        while sent < send_count {
            let k = worker.clone().tick().await?;
            if k == 0 {
                break;
            }
            sent += k;
        }
        let secs = start.elapsed().as_secs_f64();
        let mut tx = cx.db.read().await?;
        let counts = crate::storage::outbox::counts(&mut tx).await?;
        drop(tx);
        println!(
            "deliver: {send_count} messages over {n} SMTP connection(s) in {secs:.2} s ({:.0} messages/s); outbox: {counts:?}",
            send_count as f64 / secs
        );
        let mut tx = cx.db.write().await?;
        crate::exec_tx!(&mut tx, |c| sqlx::query("DELETE FROM outbox_messages")
            .execute(c)
            .await)?;
        tx.commit().await?;
    }
    db.close().await;
    Ok(())
}

// ---------------------------------------------------------------- accounts

/// A small deterministic random number generator (SplitMix64): the same data on every run.
pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in 0..1.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An item by weight.
    pub fn pick<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut x = self.below(total as usize) as u32;
        for (item, w) in items {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].0
    }
}

#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "Anna", "Lena", "Julia", "Sarah", "Laura", "Lisa", "Katharina", "Sabine", "Petra", "Monika",
    "Claudia", "Andrea", "Stefanie", "Nicole", "Susanne", "Sophie", "Marie", "Hannah", "Emma",
    "Mia", "Emily", "Olivia", "Charlotte", "Grace", "Thomas", "Michael", "Andreas", "Stefan",
    "Peter", "Klaus", "Jürgen", "Frank", "Markus", "Christian", "Alexander", "Daniel", "Tobias",
    "Florian", "Jan", "Lukas",
    "Felix", "Jonas", "Paul", "Max", "Leon", "David", "James", "John", "Robert", "William",
    "Oliver", "Harry", "Jack", "George", "Noah", "Liam", "Ömer", "Zoë",
];

/// Common surnames and their weights (per mille of the people): the rest are made of syllables.
const COMMON_SURNAMES: &[(&str, u32)] = &[
    ("Müller", 30),
    ("Schmidt", 25),
    ("Schneider", 18),
    ("Fischer", 16),
    ("Weber", 14),
    ("Meyer", 13),
    ("Wagner", 12),
    ("Becker", 11),
    ("Schulz", 10),
    ("Hoffmann", 10),
    ("Schäfer", 9),
    ("Koch", 9),
    ("Bauer", 8),
    ("Richter", 8),
    ("Klein", 8),
    ("Wolf", 7),
    ("Schröder", 7),
    ("Neumann", 7),
    ("Schwarz", 6),
    ("Zimmermann", 6),
    ("Smith", 12),
    ("Jones", 8),
    ("Taylor", 7),
    ("Brown", 7),
    ("Williams", 6),
    ("Wilson", 5),
    ("Johnson", 5),
    ("Davies", 4),
    ("Yılmaz", 4),
    ("Nowak", 4),
];

#[rustfmt::skip]
const SYLLABLES: &[&str] = &[
    "ber", "brink", "dorf", "gart", "hau", "hel", "kamp", "ker", "lan", "mann", "mer", "ner", "ro",
    "sel", "stein", "ta", "thal", "vo", "wal", "win", "ze", "bach", "feld", "horn", "lin",
];

#[rustfmt::skip]
const ORG_WORDS: &[&str] = &[
    "Nord", "Süd", "Alpen", "Rhein", "Elbe", "Berg", "Tal", "Stadt", "Land", "Sonnen", "Wärme",
    "Haus", "Bau", "Energie", "Technik", "Service", "Werk", "Solar", "Wasser", "Klima", "Heiz",
    "Blue", "Green", "North", "Bright", "Future", "Smart", "Prime", "Star", "Delta",
];
const ORG_SUFFIXES: &[&str] = &["GmbH", "AG", "KG", "GmbH & Co. KG", "Ltd", "SE", "e.K."];
const TLDS: &[(&str, u32)] = &[("de", 60), ("com", 20), ("at", 8), ("ch", 7), ("eu", 5)];
const MAIL_PROVIDERS: &[&str] = &[
    "gmx.de",
    "web.de",
    "gmail.com",
    "outlook.com",
    "t-online.de",
];

/// The portals of the generated deployment: name, kind, share of the accounts (per cent).
const PORTALS: &[(&str, &str, u32)] = &[
    ("Customer portal", "customer", 55),
    ("Service portal", "customer", 15),
    ("Installer portal", "installer", 20),
    ("Partner portal", "partner", 9),
    ("Partner academy", "partner", 1),
];

/// The password of every registered generated account.
const BENCH_PASSWORD: &str = "bench password that is long enough";

/// Areas of these names, through the use case; their ids in order.
async fn make_areas(
    cx: &crate::usecases::Ctx,
    actor: &crate::usecases::Actor,
    names: &[&str],
) -> anyhow::Result<Vec<i64>> {
    let mut areas = Vec::new();
    for name in names {
        let a = crate::usecases::directory::create_area(
            cx,
            actor,
            &crate::domain::directory::AreaInput {
                name: (*name).into(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        areas.push(a.id);
    }
    Ok(areas)
}

fn ascii_slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for ch in s.to_lowercase().chars() {
        match ch {
            'a'..='z' | '0'..='9' => out.push(ch),
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            'ı' => out.push('i'),
            'ë' => out.push('e'),
            _ => {}
        }
    }
    out
}

fn surname(rng: &mut Rng) -> String {
    let common: u32 = COMMON_SURNAMES.iter().map(|(_, w)| w).sum();
    if (rng.below(1000) as u32) < common {
        return rng.pick(COMMON_SURNAMES).to_string();
    }
    let n = 2 + rng.below(2);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(SYLLABLES[rng.below(SYLLABLES.len())]);
    }
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

struct Org {
    id: i64,
    kind: &'static str,
    domain: String,
}

/// What the generator made.
struct Generated {
    mix: std::collections::BTreeMap<String, usize>,
    accounts: usize,
    contacts: usize,
    organizations: usize,
}

/// What the measurements need to know of the data, read from the database.
struct Facts {
    accounts: i64,
    portals: Vec<(i64, String)>,
    areas: Vec<i64>,
    loginable: Vec<(i64, String)>,
    /// An address in the middle of the table: a rare term, and a keyset position.
    middle_email: String,
    largest_org: (i64, i64),
    median_org: (i64, i64),
}

async fn facts(cx: &crate::usecases::Ctx) -> anyhow::Result<Facts> {
    use crate::storage::{bulk, directory};
    let mut tx = cx.db.read().await?;
    let (accounts, middle) = bulk::middle_account(&mut tx).await?;
    let sizes = bulk::organization_sizes(&mut tx).await?;
    let facts = Facts {
        accounts,
        portals: directory::list_portals(&mut tx)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect(),
        areas: directory::list_areas(&mut tx)
            .await?
            .into_iter()
            .map(|a| a.id)
            .collect(),
        loginable: bulk::loginable(&mut tx, crate::clock::today(cx.now()), 2000).await?,
        middle_email: middle.context("the database has no portal accounts")?,
        largest_org: sizes.first().copied().unwrap_or((0, 0)),
        median_org: sizes.get(sizes.len() / 2).copied().unwrap_or((0, 0)),
    };
    Ok(facts)
}

async fn generate(cx: &crate::usecases::Ctx, n: usize) -> anyhow::Result<Generated> {
    use crate::storage::bulk::{self, BulkAccount, BulkContact, BulkOrganization};
    use std::collections::{BTreeMap, HashSet};

    let mut rng = Rng(0x00AD_0417);
    let now = cx.now();
    let today = crate::clock::today(now);
    let actor = crate::usecases::Actor::cli();

    // Areas and portals, through the use cases (a handful of rows).
    let areas = make_areas(
        cx,
        &actor,
        &[
            "Nord",
            "Süd",
            "Ost",
            "West",
            "Mitte",
            "Bayern",
            "Berlin",
            "Hamburg",
            "Rhein-Ruhr",
            "Österreich",
            "Schweiz",
            "International",
        ],
    )
    .await?;
    let mut portals = Vec::new();
    for (name, kind, _) in PORTALS {
        let p = crate::usecases::directory::create_portal(
            cx,
            &actor,
            &crate::domain::directory::PortalInput {
                name: name.to_string(),
                kind: kind.to_string(),
                base_url: format!("https://{}.example.com", ascii_slug(name)),
                registration_mode: "self_manual".into(),
                self_registration_creates_contact: false,
                notify_staff_on_new_link: false,
                invitation_lifetime_days: None,
                default_language: Some("de".into()),
                modules: vec![],
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        portals.push((p.id, *name, *kind));
    }

    // Organizations: one per 16 accounts, a twentieth of them partners; 5 % without an area.
    let n_orgs = (n / 16).max(10);
    let mut org_rows = Vec::with_capacity(n_orgs);
    let mut domains = Vec::with_capacity(n_orgs);
    for i in 0..n_orgs {
        let kind = if i % 20 == 0 { "partner" } else { "customer" };
        let w1 = ORG_WORDS[rng.below(ORG_WORDS.len())];
        let w2 = ORG_WORDS[rng.below(ORG_WORDS.len())];
        let suffix = ORG_SUFFIXES[rng.below(ORG_SUFFIXES.len())];
        let name = format!("{w1}{} {suffix} {i}", w2.to_lowercase());
        domains.push(format!(
            "{}{}-{i}.{}",
            ascii_slug(w1),
            ascii_slug(w2),
            rng.pick(TLDS)
        ));
        org_rows.push(BulkOrganization {
            kind,
            name,
            parent_id: None,
            area_id: if rng.chance(0.05) {
                None
            } else {
                Some(areas[rng.below(areas.len())])
            },
            external_id: Some(format!("CRM-{i:07}")),
        });
    }
    let mut tx = cx.db.write().await?;
    let org_ids = bulk::insert_organizations(&mut tx, &org_rows, now).await?;
    tx.commit().await?;
    anyhow::ensure!(org_ids.len() == n_orgs, "the organizations were inserted");
    let orgs: Vec<Org> = org_ids
        .iter()
        .zip(org_rows.iter().zip(domains))
        .map(|(id, (o, domain))| Org {
            id: *id,
            kind: o.kind,
            domain,
        })
        .collect();
    drop(org_rows);
    let customers: Vec<usize> = (0..orgs.len())
        .filter(|i| orgs[*i].kind == "customer")
        .collect();
    let partners: Vec<usize> = (0..orgs.len())
        .filter(|i| orgs[*i].kind == "partner")
        .collect();

    // A few organizations are large: the organization of a contact is skewed to the first ones.
    let skewed = |rng: &mut Rng, among: &[usize]| -> usize {
        let u = rng.unit();
        among[((u * u) * among.len() as f64) as usize % among.len()]
    };

    let hash = crate::security::passwords::hash_blocking(BENCH_PASSWORD)?;
    let portal_weights: Vec<(usize, u32)> =
        PORTALS.iter().enumerate().map(|(i, p)| (i, p.2)).collect();
    // The addresses taken so far (as hashes: a million strings would take much memory).
    let mut seen: HashSet<u64> = HashSet::with_capacity(n * 2);
    let email_key = |email: &str| {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        email.hash(&mut h);
        h.finish()
    };
    let mut mix: BTreeMap<String, usize> = BTreeMap::new();
    let mut made = 0usize;
    let mut contacts_made = 0usize;
    const BATCH: usize = 50_000;

    while made < n {
        // One transaction per batch: its contacts, then its accounts.
        let mut contacts: Vec<BulkContact> = Vec::new();
        // Accounts with the index of their contact in `contacts`, if any.
        let mut accounts: Vec<(BulkAccount, Option<usize>)> = Vec::new();
        while accounts.len() < BATCH && made + accounts.len() < n {
            let first = FIRST_NAMES[rng.below(FIRST_NAMES.len())];
            let last = surname(&mut rng);
            let name = format!("{first} {last}");
            let local = format!("{}.{}", ascii_slug(first), ascii_slug(&last));
            let portal_index = *rng.pick(&portal_weights);
            let kind = PORTALS[portal_index].1;
            // 2 %: self-registered, no contact matched yet (assignment pending).
            let unassigned = rng.chance(0.02);
            let (org, email) = if unassigned {
                let provider = MAIL_PROVIDERS[rng.below(MAIL_PROVIDERS.len())];
                (None, format!("{local}{}@{provider}", rng.below(100)))
            } else {
                let among = if kind == "partner" {
                    &partners
                } else {
                    &customers
                };
                let o = skewed(&mut rng, among);
                (Some(o), format!("{local}@{}", orgs[o].domain))
            };
            // The same address twice in one organization: number it.
            let mut email = email;
            let mut k = 2;
            while seen.contains(&email_key(&email)) {
                let (l, d) = email.split_once('@').unwrap_or((&email, ""));
                email = format!(
                    "{}{k}@{d}",
                    l.trim_end_matches(|c: char| c.is_ascii_digit())
                );
                k += 1;
            }
            seen.insert(email_key(&email));
            let language = if rng.chance(0.7) { "de" } else { "en" };
            let contact = org.map(|o| {
                contacts.push(BulkContact {
                    organization_id: orgs[o].id,
                    name: name.clone(),
                    email: Some(email.clone()),
                    language,
                });
                contacts.len() - 1
            });
            // 12 % of the people have an account on a second portal of the same kind of
            // organization.
            let mut on = vec![portal_index];
            if org.is_some() && rng.chance(0.12) {
                let others: Vec<usize> = (0..PORTALS.len())
                    .filter(|i| {
                        *i != portal_index && (PORTALS[*i].1 == "partner") == (kind == "partner")
                    })
                    .collect();
                if !others.is_empty() {
                    on.push(others[rng.below(others.len())]);
                }
            }
            for pi in on {
                if made + accounts.len() == n {
                    break;
                }
                let (registration, approval) = if unassigned {
                    (
                        *rng.pick(&[("activation_sent", 40), ("registered", 60)]),
                        *rng.pick(&[("pending", 70), ("approved", 20), ("declined", 10)]),
                    )
                } else {
                    let r =
                        *rng.pick(&[("registered", 84), ("invited", 12), ("activation_sent", 4)]);
                    let a = if r == "invited" {
                        "approved"
                    } else {
                        *rng.pick(&[("approved", 940), ("pending", 35), ("declined", 25)])
                    };
                    (r, a)
                };
                let role = *rng.pick(&[
                    ("user", 70),
                    ("admin", 12),
                    ("marketing", 12),
                    ("notifications", 6),
                ]);
                let access_granted = !rng.chance(0.04);
                let valid_until = if rng.chance(0.07) {
                    if rng.chance(0.4) {
                        Some(today - 1 - rng.below(700) as i64)
                    } else {
                        Some(today + rng.below(1000) as i64)
                    }
                } else {
                    None
                };
                let lifecycle = if rng.chance(0.04) {
                    "deactivated"
                } else {
                    "active"
                };
                let registered = registration == "registered";
                let created_at = now - (rng.unit() * 3.0 * 365.0 * 86_400_000.0) as i64;
                let account = BulkAccount {
                    portal_id: portals[pi].0,
                    email: email.clone(),
                    contact_id: None,
                    name: name.clone(),
                    role,
                    registration,
                    approval,
                    access_granted,
                    valid_until,
                    lifecycle,
                    password_hash: registered.then(|| hash.clone()),
                    language,
                    time_zone: "Europe/Berlin",
                    created_at,
                    last_login_at: registered
                        .then(|| now - (rng.unit() * 90.0 * 86_400_000.0) as i64),
                };
                for key in [
                    format!("registration={registration}"),
                    format!("approval={approval}"),
                    format!(
                        "assignment={}",
                        if unassigned { "pending" } else { "assigned" }
                    ),
                    format!("access_granted={access_granted}"),
                    format!("lifecycle={lifecycle}"),
                    format!("source={}", PORTALS[pi].1),
                    format!(
                        "valid_until={}",
                        match valid_until {
                            None => "none",
                            Some(d) if d < today => "past",
                            Some(_) => "future",
                        }
                    ),
                ] {
                    *mix.entry(key).or_default() += 1;
                }
                accounts.push((account, contact));
            }
        }
        let mut tx = cx.db.write().await?;
        bulk::prepare_connection(&mut tx).await?;
        let contact_ids = bulk::insert_contacts(&mut tx, &contacts, now).await?;
        anyhow::ensure!(
            contact_ids.len() == contacts.len(),
            "the contacts were inserted"
        );
        let rows: Vec<BulkAccount> = accounts
            .into_iter()
            .map(|(mut a, ci)| {
                a.contact_id = ci.map(|i| contact_ids[i]);
                a
            })
            .collect();
        bulk::insert_accounts(&mut tx, &rows).await?;
        tx.commit().await?;
        made += rows.len();
        contacts_made += contacts.len();
        if made % 200_000 < BATCH {
            eprintln!("generated {made} accounts");
        }
    }
    Ok(Generated {
        mix,
        accounts: made,
        contacts: contacts_made,
        organizations: orgs.len(),
    })
}

/// Percentiles of some times (or other numbers).
pub struct Timings {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

/// The percentiles of `ms` (the nearest rank; zeros when empty).
pub fn percentiles(mut ms: Vec<f64>) -> Timings {
    if ms.is_empty() {
        return Timings {
            p50: 0.0,
            p95: 0.0,
            p99: 0.0,
            max: 0.0,
        };
    }
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    Timings {
        p50: at(0.50),
        p95: at(0.95),
        p99: at(0.99),
        max: ms.last().copied().unwrap_or(0.0),
    }
}

/// Generates `n` portal accounts (with their organizations and contacts) into an empty
/// database, then times the first page of the access list for each filter `runs` times, then
/// password logins per second against the Argon2id ceiling of this machine.
pub async fn accounts(
    database_url: &str,
    n: usize,
    existing: bool,
    runs: usize,
    login_seconds: f64,
    login_clients: usize,
) -> anyhow::Result<()> {
    use crate::domain::staff::Scope;
    use crate::storage::accounts::{AccountFilter, ValidUntilFilter};

    let config = Config {
        database_url: database_url.to_string(),
        ..Config::default()
    };
    let db = crate::app::open_database(&config).await?;
    let engine = format!("{:?}", db.engine());
    let cx = crate::app::context_with(db.clone(), Arc::new(SystemClock), &config);
    let cores = cores();
    let empty = {
        let mut tx = cx.db.read().await?;
        crate::storage::bulk::middle_account(&mut tx).await?.0 == 0
    };
    if existing {
        anyhow::ensure!(!empty, "--existing: the database has no portal accounts");
        println!("admit bench accounts: {engine}, {cores} cores, the accounts already there");
    } else {
        anyhow::ensure!(
            empty,
            "the database already has portal accounts: give an empty one (or --existing)"
        );
        println!("admit bench accounts: {engine}, {cores} cores, {n} accounts");
        let start = Instant::now();
        let g = generate(&cx, n).await?;
        let generate_secs = start.elapsed().as_secs_f64();
        let start = Instant::now();
        crate::storage::bulk::refresh_statistics(&cx.db).await?;
        let stats_secs = start.elapsed().as_secs_f64();
        println!(
            "generate: {} accounts, {} contacts, {} organizations in {generate_secs:.1} s ({:.0} accounts/s, transactions of 50,000); statistics {stats_secs:.1} s",
            g.accounts,
            g.contacts,
            g.organizations,
            g.accounts as f64 / generate_secs
        );
        let share = |k: &str| {
            let v = g.mix.get(k).copied().unwrap_or(0);
            format!("{k} {:.1}%", 100.0 * v as f64 / g.accounts.max(1) as f64)
        };
        println!(
            "mix: {}",
            g.mix
                .keys()
                .map(|k| share(k))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let g = facts(&cx).await?;
    println!(
        "data: {} accounts; largest organization {} accounts, median {}; {} accounts that may log in sampled",
        g.accounts,
        g.largest_org.1,
        g.median_org.1,
        g.loginable.len()
    );

    // The filters of the access list, one at a time.
    let today = crate::clock::today(cx.now());
    let mut cases: Vec<(String, Scope, AccountFilter)> = Vec::new();
    let mut case = |label: String, change: &dyn Fn(&mut AccountFilter)| {
        let mut f = AccountFilter {
            limit: 50,
            ..Default::default()
        };
        change(&mut f);
        cases.push((label, Scope::All, f));
    };
    case("none".into(), &|_| {});
    for (id, name) in &g.portals {
        case(format!("portal={name}"), &|f| f.portal_id = Some(*id));
    }
    for s in ["customer", "installer", "partner"] {
        case(format!("source={s}"), &|f| f.source = Some(s.into()));
    }
    for r in ["invited", "activation_sent", "registered"] {
        case(format!("registration={r}"), &|f| {
            f.registration = Some(r.into())
        });
    }
    for a in ["pending", "approved", "declined"] {
        case(format!("approval={a}"), &|f| f.approval = Some(a.into()));
    }
    for a in ["pending", "assigned"] {
        case(format!("assignment={a}"), &|f| {
            f.assignment = Some(a.into())
        });
    }
    for (label, v) in [("granted", true), ("off", false)] {
        case(format!("access={label}"), &|f| f.access_granted = Some(v));
    }
    for l in ["active", "deactivated"] {
        case(format!("lifecycle={l}"), &|f| f.lifecycle = Some(l.into()));
    }
    for r in ["admin", "user", "marketing", "notifications"] {
        case(format!("role={r}"), &|f| f.role = Some(r.into()));
    }
    for (label, (id, size)) in [("largest", g.largest_org), ("median", g.median_org)] {
        case(format!("organization={label} ({size} accounts)"), &|f| {
            f.organization_id = Some(id)
        });
    }
    for (label, v) in [
        ("set", ValidUntilFilter::Set),
        ("none", ValidUntilFilter::None),
        ("past", ValidUntilFilter::Past { today }),
    ] {
        case(format!("valid_until={label}"), &|f| f.valid_until = Some(v));
    }
    for (label, term) in [
        ("rare: an address", g.middle_email.as_str()),
        ("common: a surname", "schmidt"),
        ("common: a first name", "thomas"),
        ("very common", ".de"),
        ("two letters", "ro"),
    ] {
        case(format!("q={term} ({label})"), &|f| f.q = Some(term.into()));
    }
    case("next page from the middle (keyset)".into(), &|f| {
        f.after = Some((g.middle_email.clone(), 0))
    });
    cases.push((
        "supervisor of one area".into(),
        Scope::Areas(g.areas.first().copied().into_iter().collect()),
        AccountFilter {
            limit: 50,
            ..Default::default()
        },
    ));

    let mut worst: (f64, String) = (0.0, String::new());
    for (label, scope, filter) in &cases {
        let mut times = Vec::with_capacity(runs);
        let mut rows = 0;
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            let mut tx = cx.db.read().await?;
            let page = crate::storage::accounts::list(&mut tx, scope, filter).await?;
            drop(tx);
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            rows = page.items.len();
        }
        let t = percentiles(times);
        if t.p95 > worst.0 {
            worst = (t.p95, label.clone());
        }
        println!(
            "list {label}: {rows} rows, p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms ({runs} runs)",
            t.p50, t.p95, t.max
        );
    }
    println!("list: slowest p95 {:.2} ms ({})", worst.0, worst.1);

    // Password logins against the Argon2id ceiling, in alternating rounds so that whatever
    // else runs on the machine weighs on both alike.
    anyhow::ensure!(!g.loginable.is_empty(), "no generated account may log in");
    // Rounds of about two seconds: this machine's speed drifts (other machines share its
    // cores), and short alternating rounds see the same drift on both sides.
    let rounds = ((login_seconds / 2.0).round() as usize).max(1);
    let slice = login_seconds / rounds as f64;
    let (mut verified, mut logged_in, mut refused, mut secs) = (0.0, 0.0, 0, 0.0);
    let mut per_round: Vec<f64> = Vec::new();
    for _ in 0..rounds {
        let c = ceiling(slice, cores).await?;
        let (l, r) = logins(&cx, &g.loginable, slice, login_clients.max(1)).await?;
        verified += c * slice;
        logged_in += l * slice;
        refused += r;
        secs += slice;
        per_round.push(100.0 * l / c);
    }
    let ceiling = verified / secs;
    let login_rate = logged_in / secs;
    println!(
        "argon2id ceiling: {ceiling:.1} verifications/s ({cores} threads, m=19456 KiB t=2 p=1)"
    );
    let shown: Vec<String> = per_round.iter().map(|r| format!("{r:.0}%")).collect();
    let median = percentiles(per_round).p50;
    println!(
        "portal logins: {login_rate:.1} logins/s ({} at once, {refused} not logged in): {:.1}% of the ceiling; median of the rounds {median:.1}% ({rounds} rounds of {slice:.1} s each: {})",
        login_clients.max(1),
        100.0 * login_rate / ceiling,
        shown.join(", ")
    );
    db.close().await;
    Ok(())
}

/// Bare Argon2id verifications per second, `threads` at a time for `seconds`, on the runtime's
/// blocking threads as the logins' verifications run.
async fn ceiling(seconds: f64, threads: usize) -> anyhow::Result<f64> {
    let hash = Arc::new(crate::security::passwords::hash_blocking(BENCH_PASSWORD)?);
    let deadline = Instant::now() + std::time::Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let tasks: Vec<_> = (0..threads)
        .map(|_| {
            let hash = hash.clone();
            tokio::task::spawn_blocking(move || {
                let mut k = 0usize;
                while Instant::now() < deadline {
                    if crate::security::passwords::verify_blocking(BENCH_PASSWORD, &hash) {
                        k += 1;
                    }
                }
                k
            })
        })
        .collect();
    let mut count = 0;
    for t in tasks {
        count += t.await?;
    }
    Ok(count as f64 / start.elapsed().as_secs_f64())
}

/// Full portal logins per second through the use case, `concurrency` at a time, for `seconds`.
async fn logins(
    cx: &crate::usecases::Ctx,
    accounts: &[(i64, String)],
    seconds: f64,
    concurrency: usize,
) -> anyhow::Result<(f64, usize)> {
    use crate::usecases::accounts::{PortalLogin, portal_login};
    let accounts = Arc::new(accounts.to_vec());
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let deadline = Instant::now() + std::time::Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let cx = cx.clone();
        let accounts = accounts.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let (mut ok, mut other) = (0usize, 0usize);
            while Instant::now() < deadline {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % accounts.len();
                let (portal_id, email) = &accounts[i];
                match portal_login(
                    &cx,
                    3_600_000,
                    *portal_id,
                    email,
                    BENCH_PASSWORD,
                    None,
                    // Many people log in, each from their own client: one client would be
                    // held back by the per-client login limit, as a flood should be.
                    Some(format!(
                        "10.{}.{}.{}",
                        (i >> 16) & 255,
                        (i >> 8) & 255,
                        i & 255
                    )),
                    Some("admit-bench".into()),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                {
                    PortalLogin::LoggedIn { .. } => ok += 1,
                    _ => other += 1,
                }
            }
            anyhow::Ok((ok, other))
        }));
    }
    let (mut ok, mut other) = (0, 0);
    for t in tasks {
        let (a, b) = t.await??;
        ok += a;
        other += b;
    }
    Ok((ok as f64 / start.elapsed().as_secs_f64(), other))
}

// ---------------------------------------------------------------- access

/// The portals of `admit bench access`: name, kind, and modules (name, admin-only, marketing).
type PortalSpec = (
    &'static str,
    &'static str,
    &'static [(&'static str, bool, bool)],
);

const ACCESS_PORTALS: &[PortalSpec] = &[
    (
        "Customer portal",
        "customer",
        &[
            ("Schedule", false, false),
            ("Invoices", false, false),
            ("Documents", false, false),
            ("Pricing", true, false),
            ("Payment", true, false),
            ("User management", true, false),
            ("Newsletter", false, true),
        ],
    ),
    (
        "Partner portal",
        "partner",
        &[
            ("Leads", false, false),
            ("Orders", false, false),
            ("Documents", false, false),
            ("Pricing", true, false),
            ("User management", true, false),
            ("Partner kit", false, true),
            ("Newsletter", false, true),
        ],
    ),
];

/// How much `admit bench access` makes.
#[derive(Debug, Clone, Copy)]
pub struct AccessSize {
    pub accounts: usize,
    pub organizations: usize,
    pub assignments: usize,
}

/// What the generator of `admit bench access` made.
struct AccessGenerated {
    partners: usize,
    customers: usize,
    sub_accounts: usize,
    partnerships: usize,
    partnership_customers: usize,
    accounts: usize,
    users: usize,
    modules: usize,
    assignments: usize,
    /// Groupings in which a user has assignments, and the customers they hold.
    restricted: usize,
    capacity: usize,
}

/// Rows of `portal_account_customers` per transaction.
const ASSIGNMENTS_PER_TRANSACTION: usize = 1_000_000;

/// Makes an organization's name and its e-mail domain.
fn org_name(rng: &mut Rng, i: usize) -> (String, String) {
    let w1 = ORG_WORDS[rng.below(ORG_WORDS.len())];
    let w2 = ORG_WORDS[rng.below(ORG_WORDS.len())];
    let suffix = ORG_SUFFIXES[rng.below(ORG_SUFFIXES.len())];
    (
        format!("{w1}{} {suffix} {i}", w2.to_lowercase()),
        format!(
            "{}{}-{i}.{}",
            ascii_slug(w1),
            ascii_slug(w2),
            rng.pick(TLDS)
        ),
    )
}

/// `k` distinct items of `members`, at random.
fn choose(rng: &mut Rng, members: &[i64], k: usize) -> Vec<i64> {
    let k = k.min(members.len());
    if k * 3 < members.len() {
        let mut picked = std::collections::HashSet::with_capacity(k);
        let mut out = Vec::with_capacity(k);
        while out.len() < k {
            let c = members[rng.below(members.len())];
            if picked.insert(c) {
                out.push(c);
            }
        }
        out
    } else {
        let mut all = members.to_vec();
        for i in 0..k {
            let j = i + rng.below(all.len() - i);
            all.swap(i, j);
        }
        all.truncate(k);
        all
    }
}

/// Generates the directory of `admit bench access` into an empty database: organizations
/// (a tenth partners with one to four partnerships of customers; customers, three in ten of
/// them sub-accounts of another and one in ten sub-accounts of those), one portal account per
/// contact across them (a few organizations large), their modules, and the users' customer
/// assignments (each inside a partnership or the sub-accounts of the user's organization).
async fn generate_access(
    cx: &crate::usecases::Ctx,
    size: AccessSize,
) -> anyhow::Result<AccessGenerated> {
    use crate::storage::bulk::{self, BulkAccount, BulkContact, BulkOrganization};

    let mut rng = Rng(0x00AC_CE55);
    let now = cx.now();
    let today = crate::clock::today(now);
    let actor = crate::usecases::Actor::cli();
    let uc = |e: crate::usecases::Error| anyhow::anyhow!("{e}");

    let areas = make_areas(cx, &actor, &["Nord", "Süd", "Ost", "West"]).await?;
    let mut portal_ids = Vec::new();
    for (name, kind, modules) in ACCESS_PORTALS {
        let p = crate::usecases::directory::create_portal(
            cx,
            &actor,
            &crate::domain::directory::PortalInput {
                name: name.to_string(),
                kind: kind.to_string(),
                base_url: format!("https://{}.example.com", ascii_slug(name)),
                registration_mode: "invitation_only".into(),
                default_language: Some("de".into()),
                modules: modules
                    .iter()
                    .map(
                        |(n, admin_only, marketing)| crate::domain::directory::ModuleInput {
                            name: n.to_string(),
                            admin_only: *admin_only,
                            marketing: *marketing,
                        },
                    )
                    .collect(),
                ..Default::default()
            },
        )
        .await
        .map_err(uc)?;
        portal_ids.push(p.id);
    }

    // Organizations, level by level: a sub-account's parent is inserted before it.
    let n_orgs = size.organizations.max(4);
    let n_partners = (n_orgs / 10).max(1);
    let n_customers = n_orgs - n_partners;
    let n_top = (n_customers * 6 / 10).max(1);
    let n_level1 = n_customers * 3 / 10;
    let n_level2 = n_customers - n_top - n_level1;
    let mut org_id: Vec<i64> = Vec::with_capacity(n_orgs);
    let mut partner: Vec<bool> = Vec::with_capacity(n_orgs);
    let mut domains: Vec<String> = Vec::with_capacity(n_orgs);
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n_orgs];
    let mut tx = cx.db.write().await?;
    bulk::prepare_connection(&mut tx).await?;
    // (kind, parent index) per level.
    let mut levels: Vec<Vec<(&'static str, Option<usize>)>> = Vec::new();
    levels.push(
        (0..n_partners)
            .map(|_| ("partner", None))
            .chain((0..n_top).map(|_| ("customer", None)))
            .collect(),
    );
    let top_start = n_partners;
    // Few large groups: the parent of a sub-account is skewed to the first customers.
    levels.push(
        (0..n_level1)
            .map(|_| {
                let u = rng.unit();
                (
                    "customer",
                    Some(top_start + ((u * u * u) * n_top as f64) as usize % n_top),
                )
            })
            .collect(),
    );
    let level1_start = n_partners + n_top;
    levels.push(
        (0..n_level2)
            .map(|_| ("customer", Some(level1_start + rng.below(n_level1.max(1)))))
            .collect(),
    );
    for level in levels {
        if level.is_empty()
            || level
                .iter()
                .any(|(_, p)| p.is_some_and(|p| p >= org_id.len()))
        {
            continue;
        }
        let mut rows = Vec::with_capacity(level.len());
        for (kind, parent) in &level {
            let i = org_id.len() + rows.len();
            let (name, domain) = org_name(&mut rng, i);
            domains.push(domain);
            rows.push(BulkOrganization {
                kind,
                name,
                parent_id: parent.map(|p| org_id[p]),
                area_id: Some(areas[rng.below(areas.len())]),
                external_id: Some(format!("ACC-{i:07}")),
            });
        }
        let ids = bulk::insert_organizations(&mut tx, &rows, now).await?;
        anyhow::ensure!(ids.len() == rows.len(), "the organizations were inserted");
        let start = org_id.len();
        for (j, (kind, p)) in level.iter().enumerate() {
            if let Some(p) = p {
                children[*p].push(start + j);
            }
            partner.push(*kind == "partner");
        }
        org_id.extend(ids);
    }
    let n_orgs = org_id.len();
    let partners: Vec<usize> = (0..n_orgs).filter(|&o| partner[o]).collect();
    let customers: Vec<usize> = (0..n_orgs).filter(|&o| !partner[o]).collect();

    // Partnerships: one to four per partner, of 5 to 405 customers (most near the low end).
    let mut partnership_rows: Vec<(i64, String)> = Vec::new();
    let mut partnership_members: Vec<Vec<i64>> = Vec::new();
    let mut partner_partnerships: Vec<Vec<usize>> = vec![Vec::new(); n_orgs];
    let customer_ids: Vec<i64> = customers.iter().map(|&c| org_id[c]).collect();
    for &p in &partners {
        let k = *rng.pick(&[(1usize, 40), (2, 30), (3, 20), (4, 10)]);
        for j in 0..k {
            let u = rng.unit();
            let n = (5 + (u * u * 400.0) as usize).min(customers.len());
            let members = choose(&mut rng, &customer_ids, n);
            partner_partnerships[p].push(partnership_rows.len());
            partnership_rows.push((
                org_id[p],
                ["Installer", "Premium", "Service", "Regional"][j].to_string() + " programme",
            ));
            partnership_members.push(members);
        }
    }
    let partnership_ids = bulk::insert_partnerships(&mut tx, &partnership_rows, now).await?;
    let pc_rows: Vec<(i64, i64)> = partnership_members
        .iter()
        .zip(&partnership_ids)
        .flat_map(|(members, p)| members.iter().map(move |c| (*p, *c)))
        .collect();
    bulk::insert_partnership_customers(&mut tx, &pc_rows, now).await?;
    tx.commit().await?;

    // Accounts, each with a contact of its own, in transactions of 50,000.
    let hash = crate::security::passwords::hash_blocking(BENCH_PASSWORD)?;
    let skewed = |rng: &mut Rng, among: &[usize]| -> usize {
        let u = rng.unit();
        among[((u * u) * among.len() as f64) as usize % among.len()]
    };
    // The users: (account id, organization index).
    let mut users: Vec<(i64, usize)> = Vec::new();
    let (mut made, mut modules_made) = (0usize, 0usize);
    const BATCH: usize = 50_000;
    while made < size.accounts {
        let k = BATCH.min(size.accounts - made);
        let mut contacts = Vec::with_capacity(k);
        let mut rows = Vec::with_capacity(k);
        // Organization, granted modules, per row.
        let mut extra: Vec<(usize, Vec<&'static str>)> = Vec::with_capacity(k);
        for j in 0..k {
            let i = made + j;
            let is_partner = rng.chance(0.3) && !partners.is_empty();
            let o = skewed(&mut rng, if is_partner { &partners } else { &customers });
            let first = FIRST_NAMES[rng.below(FIRST_NAMES.len())];
            let last = surname(&mut rng);
            let email = format!(
                "{}.{}.{i}@{}",
                ascii_slug(first),
                ascii_slug(&last),
                domains[o]
            );
            let name = format!("{first} {last}");
            let language = if rng.chance(0.7) { "de" } else { "en" };
            contacts.push(BulkContact {
                organization_id: org_id[o],
                name: name.clone(),
                email: Some(email.clone()),
                language,
            });
            let role = *rng.pick(&[
                ("user", 72),
                ("admin", 10),
                ("marketing", 12),
                ("notifications", 6),
            ]);
            let registration =
                *rng.pick(&[("registered", 90), ("invited", 7), ("activation_sent", 3)]);
            let approval = if registration == "invited" {
                "approved"
            } else {
                *rng.pick(&[("approved", 970), ("pending", 20), ("declined", 10)])
            };
            let valid_until = if rng.chance(0.05) {
                if rng.chance(0.4) {
                    Some(today - 1 - rng.below(700) as i64)
                } else {
                    Some(today + rng.below(1000) as i64)
                }
            } else {
                None
            };
            let portal = usize::from(partner[o]);
            let mut granted = Vec::new();
            for (m, admin_only, marketing) in ACCESS_PORTALS[portal].2 {
                let p = match role {
                    "user" if !admin_only && !marketing => 0.5,
                    "user" if *marketing => 0.1,
                    "marketing" if *marketing => 0.7,
                    _ => 0.0,
                };
                if rng.chance(p) {
                    granted.push(*m);
                }
            }
            let registered = registration == "registered";
            rows.push(BulkAccount {
                portal_id: portal_ids[portal],
                email,
                contact_id: None,
                name,
                role,
                registration,
                approval,
                access_granted: !rng.chance(0.03),
                valid_until,
                lifecycle: if rng.chance(0.04) {
                    "deactivated"
                } else {
                    "active"
                },
                password_hash: registered.then(|| hash.clone()),
                language,
                time_zone: "Europe/Berlin",
                created_at: now - (rng.unit() * 3.0 * 365.0 * 86_400_000.0) as i64,
                last_login_at: registered.then(|| now - (rng.unit() * 90.0 * 86_400_000.0) as i64),
            });
            extra.push((o, granted));
        }
        let mut tx = cx.db.write().await?;
        bulk::prepare_connection(&mut tx).await?;
        let contact_ids = bulk::insert_contacts(&mut tx, &contacts, now).await?;
        anyhow::ensure!(
            contact_ids.len() == contacts.len(),
            "the contacts were inserted"
        );
        for (a, c) in rows.iter_mut().zip(&contact_ids) {
            a.contact_id = Some(*c);
        }
        let ids = bulk::insert_accounts(&mut tx, &rows).await?;
        anyhow::ensure!(ids.len() == rows.len(), "the accounts were inserted");
        let mut module_rows: Vec<(i64, &str)> = Vec::new();
        for ((id, a), (o, granted)) in ids.iter().zip(&rows).zip(&extra) {
            if a.role == "user" {
                users.push((*id, *o));
            }
            module_rows.extend(granted.iter().map(|m| (*id, *m)));
        }
        bulk::insert_account_modules(&mut tx, &module_rows).await?;
        tx.commit().await?;
        made += k;
        modules_made += module_rows.len();
        if made % 200_000 < BATCH {
            eprintln!("generated {made} accounts");
        }
    }

    // Customer assignments. Each grouping of a user's organization (a partnership; the
    // customer organization with its sub-accounts) is, six times in ten, restricted to some of
    // its customers: a share of them drawn at random, scaled so that the total is the target.
    let mut subtrees: std::collections::HashMap<usize, Vec<i64>> = Default::default();
    let mut subtree = |o: usize| -> Vec<i64> {
        subtrees
            .entry(o)
            .or_insert_with(|| {
                let mut out = vec![org_id[o]];
                let mut stack = children[o].clone();
                while let Some(c) = stack.pop() {
                    out.push(org_id[c]);
                    stack.extend(children[c].iter().copied());
                }
                out
            })
            .clone()
    };
    // (user index, partnership index or None, share).
    let mut pairs: Vec<(u32, Option<u32>, f32)> = Vec::new();
    let mut sizes: Vec<u32> = Vec::new();
    for (ui, (_, o)) in users.iter().enumerate() {
        if partner[*o] {
            for &p in &partner_partnerships[*o] {
                if rng.chance(0.6) {
                    pairs.push((ui as u32, Some(p as u32), rng.unit() as f32));
                    sizes.push(partnership_members[p].len() as u32);
                }
            }
        } else if rng.chance(0.6) {
            pairs.push((ui as u32, None, rng.unit() as f32));
            sizes.push(subtree(*o).len() as u32);
        }
    }
    let capacity: usize = sizes.iter().map(|s| *s as usize).sum();
    let count = |lambda: f64| -> usize {
        pairs
            .iter()
            .zip(&sizes)
            .map(|((_, _, r), s)| {
                ((*s as f64 * *r as f64 * lambda).round() as usize).clamp(1, *s as usize)
            })
            .sum()
    };
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while count(hi) < size.assignments && hi < 1e9 {
        hi *= 2.0;
    }
    for _ in 0..50 {
        let mid = (lo + hi) / 2.0;
        if count(mid) < size.assignments {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let lambda = hi;
    let mut rows: Vec<bulk::BulkAssignment> = Vec::with_capacity(ASSIGNMENTS_PER_TRANSACTION);
    let mut assigned = 0usize;
    let mut restricted = 0usize;
    for ((ui, p, r), s) in pairs.iter().zip(&sizes) {
        if assigned + rows.len() >= size.assignments {
            break;
        }
        let (account, o) = users[*ui as usize];
        let k = ((*s as f64 * *r as f64 * lambda).round() as usize)
            .clamp(1, *s as usize)
            .min(size.assignments - assigned - rows.len());
        let (grouping, picked) = match p {
            Some(p) => (
                Some(partnership_ids[*p as usize]),
                choose(&mut rng, &partnership_members[*p as usize], k),
            ),
            None => (None, choose(&mut rng, &subtree(o), k)),
        };
        restricted += 1;
        rows.extend(picked.into_iter().map(|c| (account, grouping, c)));
        if rows.len() >= ASSIGNMENTS_PER_TRANSACTION {
            let mut tx = cx.db.write().await?;
            bulk::prepare_connection(&mut tx).await?;
            for chunk in rows.chunks(100_000) {
                bulk::insert_assignments(&mut tx, chunk, now).await?;
            }
            tx.commit().await?;
            assigned += rows.len();
            rows.clear();
            eprintln!("generated {assigned} customer assignments");
        }
    }
    if !rows.is_empty() {
        let mut tx = cx.db.write().await?;
        bulk::prepare_connection(&mut tx).await?;
        for chunk in rows.chunks(100_000) {
            bulk::insert_assignments(&mut tx, chunk, now).await?;
        }
        tx.commit().await?;
        assigned += rows.len();
    }
    Ok(AccessGenerated {
        partners: partners.len(),
        customers: customers.len(),
        sub_accounts: customers.iter().filter(|&&c| c >= level1_start).count(),
        partnerships: partnership_ids.len(),
        partnership_customers: pc_rows.len(),
        accounts: made,
        users: users.len(),
        modules: modules_made,
        assignments: assigned,
        restricted,
        capacity,
    })
}

/// A decision to ask, with what the account it is about looks like (for the breakdowns).
struct AccessQuery {
    query: crate::usecases::access::DecisionQuery,
    /// Accounts of the account's organization.
    org_accounts: i64,
    /// The account's customer assignments.
    assigned: usize,
    /// The customers its organization reaches.
    reach: usize,
}

/// Random decisions about accounts spread over the table: about a customer (one assigned to
/// the account, one its organization reaches, or any organization), a module of its portal
/// (or an unknown one), or both; they mix allow and deny.
async fn access_queries(
    cx: &crate::usecases::Ctx,
    n_accounts: i64,
    n: usize,
) -> anyhow::Result<Vec<AccessQuery>> {
    use crate::storage::{access, bulk, directory};
    use std::collections::{BTreeSet, HashMap};

    let mut rng = Rng(0x0DEC_1DE5);
    let mut tx = cx.db.read().await?;
    let sizes: HashMap<i64, i64> = bulk::organization_sizes(&mut tx)
        .await?
        .into_iter()
        .collect();
    let modules: HashMap<i64, Vec<String>> = directory::list_portals(&mut tx)
        .await?
        .into_iter()
        .map(|p| (p.id, p.modules.into_iter().map(|m| m.name).collect()))
        .collect();
    let (low, high) = bulk::organization_id_range(&mut tx).await?;
    let step = (n_accounts / 5000).max(1);
    let sample = bulk::spread_accounts(&mut tx, step, 5000).await?;
    anyhow::ensure!(!sample.is_empty(), "the database has no portal accounts");
    struct Seen {
        id: i64,
        portal: i64,
        org_accounts: i64,
        assigned: Vec<i64>,
        reach: Vec<i64>,
    }
    let mut seen = Vec::with_capacity(sample.len());
    let mut reaches: HashMap<i64, Vec<i64>> = HashMap::new();
    for (id, portal, org) in sample {
        let reach = match org {
            Some(o) => match reaches.get(&o) {
                Some(r) => r.clone(),
                None => {
                    let r: BTreeSet<i64> = access::reach(&mut tx, o)
                        .await?
                        .into_values()
                        .flatten()
                        .collect();
                    let r: Vec<i64> = r.into_iter().collect();
                    reaches.insert(o, r.clone());
                    r
                }
            },
            None => Vec::new(),
        };
        let assigned = access::assignments(&mut tx, id)
            .await?
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        seen.push(Seen {
            id,
            portal,
            org_accounts: org.and_then(|o| sizes.get(&o).copied()).unwrap_or(0),
            assigned,
            reach,
        });
    }
    drop(tx);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let s = &seen[rng.below(seen.len())];
        let shape = rng.below(100);
        let customer = (shape < 80).then(|| {
            let x = rng.below(3);
            if x == 0 && !s.assigned.is_empty() {
                s.assigned[rng.below(s.assigned.len())]
            } else if x <= 1 && !s.reach.is_empty() {
                s.reach[rng.below(s.reach.len())]
            } else {
                low + rng.below((high - low + 1).max(1) as usize) as i64
            }
        });
        let module = (shape >= 45).then(|| {
            let names = modules.get(&s.portal).map(Vec::as_slice).unwrap_or(&[]);
            if names.is_empty() || rng.chance(0.15) {
                "Unknown module".to_string()
            } else {
                names[rng.below(names.len())].clone()
            }
        });
        out.push(AccessQuery {
            query: crate::usecases::access::DecisionQuery {
                account_id: s.id,
                customer_id: customer,
                module,
                portal_id: None,
            },
            org_accounts: s.org_accounts,
            assigned: s.assigned.len(),
            reach: s.reach.len(),
        });
    }
    Ok(out)
}

/// What a measurement of decisions saw.
struct DecisionRun {
    /// (query index, milliseconds) of each decision.
    times: Vec<(usize, f64)>,
    secs: f64,
    allowed: usize,
    rules: std::collections::BTreeMap<String, usize>,
}

impl DecisionRun {
    fn line(&self, label: &str) -> String {
        let t = percentiles(self.times.iter().map(|(_, ms)| *ms).collect());
        format!(
            "{label}: {} decisions in {:.1} s, {:.0} decisions/s; p50 {:.3} ms, p95 {:.3} ms, p99 {:.3} ms, max {:.2} ms; {:.0}% allowed",
            self.times.len(),
            self.secs,
            self.times.len() as f64 / self.secs,
            t.p50,
            t.p95,
            t.p99,
            t.max,
            100.0 * self.allowed as f64 / self.times.len().max(1) as f64
        )
    }
}

/// In-process decisions through the use case, `tasks` at a time, for `seconds`.
async fn decide_for(
    cx: &crate::usecases::Ctx,
    queries: &Arc<Vec<AccessQuery>>,
    seconds: f64,
    tasks: usize,
) -> anyhow::Result<DecisionRun> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let deadline = Instant::now() + std::time::Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..tasks.max(1) {
        let cx = cx.clone();
        let queries = queries.clone();
        let next = next.clone();
        handles.push(tokio::spawn(async move {
            let actor = crate::usecases::Actor::cli();
            let mut times = Vec::new();
            let mut allowed = 0usize;
            let mut rules = std::collections::BTreeMap::<String, usize>::new();
            while Instant::now() < deadline {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % queries.len();
                let t = Instant::now();
                let d = crate::usecases::access::decide(&cx, &actor, &queries[i].query)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                times.push((i, t.elapsed().as_secs_f64() * 1000.0));
                allowed += usize::from(d.allow);
                *rules.entry(d.rule.as_str().to_string()).or_default() += 1;
            }
            anyhow::Ok((times, allowed, rules))
        }));
    }
    let mut run = DecisionRun {
        times: Vec::new(),
        secs: 0.0,
        allowed: 0,
        rules: Default::default(),
    };
    for h in handles {
        let (times, allowed, rules) = h.await??;
        run.times.extend(times);
        run.allowed += allowed;
        for (k, v) in rules {
            *run.rules.entry(k).or_default() += v;
        }
    }
    run.secs = start.elapsed().as_secs_f64();
    Ok(run)
}

/// A minimal HTTP/1.1 client on one keep-alive connection: GET, then the status and body
/// (`Content-Length` framing, as Admit answers).
struct HttpClient {
    stream: tokio::net::TcpStream,
    buf: Vec<u8>,
    head: String,
}

impl HttpClient {
    async fn connect(addr: std::net::SocketAddr, key: &str) -> anyhow::Result<Self> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(HttpClient {
            stream,
            buf: Vec::with_capacity(4096),
            head: format!("Host: {addr}\r\nAuthorization: Bearer {key}\r\n\r\n"),
        })
    }

    async fn get(&mut self, path: &str) -> anyhow::Result<(u16, Vec<u8>)> {
        let request = format!("GET {path} HTTP/1.1\r\n{}", self.head);
        let mut out = request.as_bytes();
        while !out.is_empty() {
            self.stream.writable().await?;
            match self.stream.try_write(out) {
                Ok(n) => out = &out[n..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e.into()),
            }
        }
        let mut chunk = [0u8; 8192];
        loop {
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..end])?;
                let status: u16 = head
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .context("an HTTP status line")?;
                let length: usize = head
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse().ok())
                    .context("a Content-Length")?;
                let total = end + 4 + length;
                while self.buf.len() < total {
                    self.read(&mut chunk).await?;
                }
                let body = self.buf[end + 4..total].to_vec();
                self.buf.drain(..total);
                return Ok((status, body));
            }
            self.read(&mut chunk).await?;
        }
    }

    async fn read(&mut self, chunk: &mut [u8]) -> anyhow::Result<()> {
        loop {
            self.stream.readable().await?;
            match self.stream.try_read(chunk) {
                Ok(0) => anyhow::bail!("the server closed the connection"),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// The path of a decision's request.
fn decision_path(q: &crate::usecases::access::DecisionQuery) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("account_id", &q.account_id.to_string());
    if let Some(c) = q.customer_id {
        s.append_pair("customer_id", &c.to_string());
    }
    if let Some(m) = &q.module {
        s.append_pair("module", m);
    }
    format!("/api/v1/decision?{}", s.finish())
}

/// Decisions over HTTP, each of `connections` keep-alive connections asking one after the
/// other, for `seconds`.
async fn decide_over_http(
    addr: std::net::SocketAddr,
    key: &str,
    paths: &Arc<Vec<String>>,
    seconds: f64,
    connections: usize,
) -> anyhow::Result<DecisionRun> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut clients = Vec::new();
    for _ in 0..connections.max(1) {
        clients.push(HttpClient::connect(addr, key).await?);
    }
    let deadline = Instant::now() + std::time::Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut handles = Vec::new();
    for mut client in clients {
        let paths = paths.clone();
        let next = next.clone();
        handles.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut allowed = 0usize;
            while Instant::now() < deadline {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % paths.len();
                let t = Instant::now();
                let (status, body) = client.get(&paths[i]).await?;
                times.push((i, t.elapsed().as_secs_f64() * 1000.0));
                anyhow::ensure!(
                    status == 200,
                    "GET {} answered {status}: {}",
                    paths[i],
                    String::from_utf8_lossy(&body)
                );
                allowed += usize::from(body.starts_with(br#"{"allow":true"#));
            }
            anyhow::Ok((times, allowed))
        }));
    }
    let mut run = DecisionRun {
        times: Vec::new(),
        secs: 0.0,
        allowed: 0,
        rules: Default::default(),
    };
    for h in handles {
        let (times, allowed) = h.await??;
        run.times.extend(times);
        run.allowed += allowed;
    }
    run.secs = start.elapsed().as_secs_f64();
    Ok(run)
}

/// The decision latency of one task by a property of the queries, in buckets.
fn breakdown(
    label: &str,
    run: &DecisionRun,
    queries: &[AccessQuery],
    of: impl Fn(&AccessQuery) -> i64,
    bounds: &[(i64, i64)],
) {
    let mut parts = Vec::new();
    for (lo, hi) in bounds {
        let times: Vec<f64> = run
            .times
            .iter()
            .filter(|(i, _)| (*lo..=*hi).contains(&of(&queries[*i])))
            .map(|(_, ms)| *ms)
            .collect();
        if times.is_empty() {
            continue;
        }
        let n = times.len();
        let t = percentiles(times);
        let range = if *hi == i64::MAX {
            format!("{lo}+")
        } else if lo == hi {
            format!("{lo}")
        } else {
            format!("{lo}-{hi}")
        };
        parts.push(format!(
            "{range}: p50 {:.3} p99 {:.3} ms ({n})",
            t.p50, t.p99
        ));
    }
    println!("  by {label}: {}", parts.join("; "));
}

fn print_generated(g: &AccessGenerated, secs: f64, stats_secs: f64) {
    println!(
        "generate: {} organizations ({} partners, {} customers of which {} sub-accounts), {} partnerships with {} customers, {} accounts ({} users, {} module grants), {} customer assignments in {} restricted groupings (they hold {} customers) in {secs:.1} s; statistics {stats_secs:.1} s",
        g.partners + g.customers,
        g.partners,
        g.customers,
        g.sub_accounts,
        g.partnerships,
        g.partnership_customers,
        g.accounts,
        g.users,
        g.modules,
        g.assignments,
        g.restricted,
        g.capacity,
    );
}

/// What the database of `admit bench access` holds.
async fn print_access_data(cx: &crate::usecases::Ctx) -> anyhow::Result<i64> {
    let mut tx = cx.db.read().await?;
    let counts = crate::storage::bulk::access_counts(&mut tx).await?;
    let sizes = crate::storage::bulk::organization_sizes(&mut tx).await?;
    drop(tx);
    let accounts = counts
        .iter()
        .find(|(t, _)| *t == "portal_accounts")
        .map(|c| c.1)
        .unwrap_or(0);
    println!(
        "data: {}; largest organization {} accounts, median {}",
        counts
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        sizes.first().map(|s| s.1).unwrap_or(0),
        sizes.get(sizes.len() / 2).map(|s| s.1).unwrap_or(0)
    );
    Ok(accounts)
}

/// Generates `size` into an empty database (or takes the one there with `existing`), then
/// measures the decision: in process with one task and with `tasks`, by the size of the
/// account's organization, assignments and reach, against a small database, and over HTTP on
/// loopback through Admit's router with each number of `connections`.
#[allow(clippy::too_many_arguments)]
pub async fn access(
    database_url: &str,
    size: AccessSize,
    existing: bool,
    seconds: f64,
    tasks: usize,
    connections: &[usize],
    small: Option<(String, usize)>,
) -> anyhow::Result<()> {
    let config = Config {
        database_url: database_url.to_string(),
        ..Config::default()
    };
    let db = crate::app::open_database(&config).await?;
    let engine = format!("{:?}", db.engine());
    let cx = crate::app::context_with(db.clone(), Arc::new(SystemClock), &config);
    let empty = {
        let mut tx = cx.db.read().await?;
        crate::storage::bulk::middle_account(&mut tx).await?.0 == 0
    };
    println!(
        "admit bench access: {engine}, {} cores, {} s per measurement, {tasks} tasks, connections {connections:?}; {}",
        cores(),
        seconds,
        if existing {
            "the data already there".to_string()
        } else {
            format!(
                "{} accounts, {} organizations, {} customer assignments",
                size.accounts, size.organizations, size.assignments
            )
        }
    );
    if existing {
        anyhow::ensure!(!empty, "--existing: the database has no portal accounts");
    } else {
        anyhow::ensure!(
            empty,
            "the database already has portal accounts: give an empty one (or --existing)"
        );
        let start = Instant::now();
        let g = generate_access(&cx, size).await?;
        let secs = start.elapsed().as_secs_f64();
        let start = Instant::now();
        crate::storage::bulk::refresh_statistics(&cx.db).await?;
        print_generated(&g, secs, start.elapsed().as_secs_f64());
    }
    let accounts = print_access_data(&cx).await?;

    let queries = Arc::new(access_queries(&cx, accounts, 100_000).await?);
    // Warm the caches, then measure.
    decide_for(&cx, &queries, (seconds / 2.0).min(2.0), 1).await?;
    let one = decide_for(&cx, &queries, seconds, 1).await?;
    println!("{}", one.line("in process, 1 task"));
    println!(
        "  rules: {}",
        one.rules
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let many = decide_for(&cx, &queries, seconds, tasks).await?;
    println!("{}", many.line(&format!("in process, {tasks} tasks")));
    breakdown(
        "accounts of the account's organization",
        &one,
        &queries,
        |q| q.org_accounts,
        &[(0, 10), (11, 100), (101, 1000), (1001, i64::MAX)],
    );
    breakdown(
        "the account's customer assignments",
        &one,
        &queries,
        |q| q.assigned as i64,
        &[(0, 0), (1, 10), (11, 100), (101, i64::MAX)],
    );
    breakdown(
        "customers its organization reaches",
        &one,
        &queries,
        |q| q.reach as i64,
        &[(0, 1), (2, 100), (101, 500), (501, i64::MAX)],
    );

    // Where the time goes, with the API key that the requests over HTTP use.
    let key = crate::usecases::apikeys::create(
        &cx,
        &crate::usecases::Actor::cli(),
        "admit bench access",
        &[],
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?
    .secret;
    decision_steps(&cx, &queries, 5000, &key).await?;

    if let Some((url, n)) = small {
        let scale = n as f64 / size.accounts.max(1) as f64;
        let small_size = AccessSize {
            accounts: n,
            organizations: ((size.organizations as f64 * scale) as usize).max(10),
            assignments: (size.assignments as f64 * scale) as usize,
        };
        let small_config = Config {
            database_url: url,
            ..Config::default()
        };
        let small_db = crate::app::open_database(&small_config).await?;
        let small_cx = crate::app::context_with(small_db.clone(), Arc::new(SystemClock), &config);
        let start = Instant::now();
        let g = generate_access(&small_cx, small_size).await?;
        crate::storage::bulk::refresh_statistics(&small_cx.db).await?;
        let gen_secs = start.elapsed().as_secs_f64();
        let small_queries = Arc::new(access_queries(&small_cx, g.accounts as i64, 100_000).await?);
        decide_for(&small_cx, &small_queries, (seconds / 2.0).min(2.0), 1).await?;
        let run = decide_for(&small_cx, &small_queries, seconds, 1).await?;
        println!(
            "{} (a small database: {} accounts, {} organizations, {} customer assignments, made in {gen_secs:.1} s)",
            run.line("in process, 1 task, small database"),
            g.accounts,
            g.partners + g.customers,
            g.assignments
        );
        small_db.close().await;
    }

    // Over HTTP: Admit's application (router, middleware, API key) on a free port.
    let app = crate::app::Application::build_with(
        Config {
            listen: "127.0.0.1:0".into(),
            ..config.clone()
        },
        db.clone(),
        Arc::new(SystemClock),
    )
    .await?;
    let addr = app.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    let paths: Arc<Vec<String>> =
        Arc::new(queries.iter().map(|q| decision_path(&q.query)).collect());
    decide_over_http(addr, &key, &paths, (seconds / 2.0).min(2.0), 1).await?;
    let mut worst_p99: f64 = 0.0;
    for &n in connections {
        let run = decide_over_http(addr, &key, &paths, seconds, n).await?;
        println!(
            "{}",
            run.line(&format!("HTTP on loopback, {n} connection(s)"))
        );
        if n == 1 {
            worst_p99 = worst_p99.max(percentiles(run.times.iter().map(|t| t.1).collect()).p99);
        }
    }
    if connections.contains(&1) {
        println!(
            "HTTP p99 with 1 connection: {worst_p99:.3} ms ({} 1 ms)",
            if worst_p99 < 1.0 {
                "under"
            } else {
                "NOT under"
            }
        );
    }
    let _ = stop.send(());
    server.await??;
    Ok(())
}

/// Where a decision's time goes: its steps as the use case takes them (`decide`), each timed
/// over the first `n` queries, one after the other; and the API key's check of a request.
async fn decision_steps(
    cx: &crate::usecases::Ctx,
    queries: &[AccessQuery],
    n: usize,
    key: &str,
) -> anyhow::Result<()> {
    use crate::storage::{access as store, accounts as accounts_store};
    const STEPS: [&str; 4] = [
        "a pooled connection",
        "the account with the module and its grant (1 query)",
        "customer facts (1 query)",
        "back to the pool",
    ];
    let mut ms = [0.0f64; STEPS.len()];
    let mut runs = [0usize; STEPS.len()];
    let today = crate::clock::today(cx.now());
    let mut done = 0usize;
    let total = Instant::now();
    for q in queries.iter().take(n) {
        let q = &q.query;
        let mut t = Instant::now();
        let mut lap = |i: usize, t: &mut Instant| {
            ms[i] += t.elapsed().as_secs_f64() * 1000.0;
            runs[i] += 1;
            *t = Instant::now();
        };
        let mut conn = cx.db.reads().await?;
        lap(0, &mut t);
        let module = q.module.as_deref().map(str::trim);
        let Some((a, _)) = accounts_store::get_with_module(&mut conn, q.account_id, module).await?
        else {
            continue;
        };
        lap(1, &mut t);
        let may = a.may_log_in(today);
        if let (Some(c), Some(org), true) = (q.customer_id, a.organization_id, may) {
            let partner = a.organization_kind.as_deref() == Some("partner");
            store::customer_facts(&mut conn, a.id, org, partner, c).await?;
            lap(2, &mut t);
        }
        drop(conn);
        lap(3, &mut t);
        done += 1;
    }
    let secs = total.elapsed().as_secs_f64();
    let parts: Vec<String> = STEPS
        .iter()
        .zip(ms.iter().zip(&runs))
        .map(|(s, (m, r))| format!("{s} {:.3} ms ({r})", m / (*r).max(1) as f64))
        .collect();
    println!(
        "steps of a decision, mean over {done} ({:.3} ms each): {}",
        1000.0 * secs / done.max(1) as f64,
        parts.join(", ")
    );
    let start = Instant::now();
    let k = n.min(2000);
    for _ in 0..k {
        crate::usecases::apikeys::authenticate(cx, key, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .context("the bench's API key")?;
    }
    println!(
        "the API key's check of each request (hash, 1 query): {:.3} ms",
        1000.0 * start.elapsed().as_secs_f64() / k.max(1) as f64
    );
    Ok(())
}
