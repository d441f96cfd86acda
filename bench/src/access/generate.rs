//! The data of `admit-bench access`: organizations in partnerships and groups of sub-accounts,
//! a portal account per contact with its modules, and the users' customer assignments.

use std::collections::{HashMap, HashSet};

use admit::usecases::{Actor, Ctx};

use crate::Rng;
use crate::bulk::{self, BulkAccount, BulkContact, BulkOrganization};
use crate::seed::{BENCH_PASSWORD, FIRST_NAMES, ascii_slug, make_areas, org_name, surname};

/// The portals of `admit-bench access`: name, kind, and modules (name, admin-only, marketing).
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

/// How much `admit-bench access` makes.
#[derive(Debug, Clone, Copy)]
pub struct AccessSize {
    pub accounts: usize,
    pub organizations: usize,
    pub assignments: usize,
}

/// What the generator of `admit-bench access` made.
pub struct AccessGenerated {
    pub partners: usize,
    pub customers: usize,
    pub sub_accounts: usize,
    pub partnerships: usize,
    pub partnership_customers: usize,
    pub accounts: usize,
    pub users: usize,
    pub modules: usize,
    pub assignments: usize,
    /// Groupings in which a user has assignments, and the customers they hold.
    pub restricted: usize,
    pub capacity: usize,
}

/// Rows of `portal_account_customers` per transaction.
const ASSIGNMENTS_PER_TRANSACTION: usize = 1_000_000;

/// `k` distinct items of `members`, at random.
fn choose(rng: &mut Rng, members: &[i64], k: usize) -> Vec<i64> {
    let k = k.min(members.len());
    if k * 3 < members.len() {
        let mut picked = HashSet::with_capacity(k);
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

/// Generates the directory of `admit-bench access` into an empty database: organizations
/// (a tenth partners with one to four partnerships of customers; customers, three in ten of
/// them sub-accounts of another and one in ten sub-accounts of those), one portal account per
/// contact across them (a few organizations large), their modules, and the users' customer
/// assignments (each inside a partnership or the sub-accounts of the user's organization).
pub(crate) async fn generate_access(cx: &Ctx, size: AccessSize) -> anyhow::Result<AccessGenerated> {
    let mut rng = Rng(0x00AC_CE55);
    let now = cx.now();
    let today = admit::clock::today(now);
    let actor = Actor::cli();
    let uc = |e: admit::usecases::Error| anyhow::anyhow!("{e}");

    let areas = make_areas(cx, &actor, &["Nord", "Süd", "Ost", "West"]).await?;
    let mut portal_ids = Vec::new();
    for (name, kind, modules) in ACCESS_PORTALS {
        let p = admit::usecases::directory::create_portal(
            cx,
            &actor,
            &admit::domain::directory::PortalInput {
                name: name.to_string(),
                kind: kind.to_string(),
                base_url: format!("https://{}.example.com", ascii_slug(name)),
                registration_mode: "invitation_only".into(),
                default_language: Some("de".into()),
                modules: modules
                    .iter()
                    .map(
                        |(n, admin_only, marketing)| admit::domain::directory::ModuleInput {
                            name: n.to_string(),
                            name_de: None,
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
    let hash = admit::security::passwords::hash_blocking(BENCH_PASSWORD)?;
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
    let mut subtrees: HashMap<usize, Vec<i64>> = Default::default();
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
