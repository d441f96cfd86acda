//! The data of `admit-bench accounts`: organizations, their contacts and portal accounts on five
//! portals, in the mix of a deployment that has run for some years.

use std::collections::{BTreeMap, HashSet};

use admit::usecases::{Actor, Ctx};

use crate::Rng;
use crate::bulk::{self, BulkAccount, BulkContact, BulkOrganization};
use crate::seed::{
    BENCH_PASSWORD, FIRST_NAMES, MAIL_PROVIDERS, ascii_slug, make_areas, org_name, surname,
};

/// The portals of the generated deployment: name, kind, share of the accounts (per cent).
const PORTALS: &[(&str, &str, u32)] = &[
    ("Customer portal", "customer", 55),
    ("Service portal", "customer", 15),
    ("Installer portal", "installer", 20),
    ("Partner portal", "partner", 9),
    ("Partner academy", "partner", 1),
];

struct Org {
    id: i64,
    kind: &'static str,
    domain: String,
}

/// What the generator made.
pub(super) struct Generated {
    pub mix: BTreeMap<String, usize>,
    pub accounts: usize,
    pub contacts: usize,
    pub organizations: usize,
}

/// Generates `n` portal accounts, with their organizations and contacts, into an empty database.
pub(super) async fn generate(cx: &Ctx, n: usize) -> anyhow::Result<Generated> {
    let mut rng = Rng(0x00AD_0417);
    let now = cx.now();
    let today = admit::clock::today(now);
    let actor = Actor::cli();

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
        let p = admit::usecases::directory::create_portal(
            cx,
            &actor,
            &admit::domain::directory::PortalInput {
                name: name.to_string(),
                name_de: None,
                kind: kind.to_string(),
                base_url: format!("https://{}.example.com", ascii_slug(name)),
                registration_mode: "self_manual".into(),
                self_registration_creates_contact: false,
                notify_staff_on_new_link: false,
                invitation_lifetime_days: None,
                default_language: Some("de".into()),
                default_time_zone: None,
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
        let (name, domain) = org_name(&mut rng, i);
        domains.push(domain);
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

    let hash = admit::security::passwords::hash_blocking(BENCH_PASSWORD)?;
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
