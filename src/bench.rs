//! `admit bench`: measurements on this machine, printed with its core count.

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

fn cores() -> usize {
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
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in 0..1.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// An item by weight.
    fn pick<'a, T>(&mut self, items: &'a [(T, u32)]) -> &'a T {
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
        loginable: bulk::loginable(&mut tx, crate::usecases::accounts::today(cx.now()), 2000)
            .await?,
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
    let today = crate::usecases::accounts::today(now);
    let actor = crate::usecases::Actor::cli();

    // Areas and portals, through the use cases (a handful of rows).
    let mut areas = Vec::new();
    for name in [
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
    ] {
        let a = crate::usecases::directory::create_area(
            cx,
            &actor,
            &crate::domain::directory::AreaInput { name: name.into() },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        areas.push(a.id);
    }
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

struct Timings {
    p50: f64,
    p95: f64,
    max: f64,
}

fn percentiles(mut ms: Vec<f64>) -> Timings {
    ms.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    Timings {
        p50: at(0.50),
        p95: at(0.95),
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
    let today = crate::usecases::accounts::today(cx.now());
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
