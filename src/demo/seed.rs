//! The demo's sample data: areas, portals, organizations, contacts, invitations, tasks, the
//! staff logins and a person who may log in to the customer portal.

use crate::domain::directory::{
    AreaInput, ContactInput, ModuleInput, OrganizationInput, PartnershipInput, PortalInput,
};
use anyhow::Context;

use crate::usecases::{self, Actor, Ctx, directory as dir};

use super::{ADMIN_EMAIL, ADMIN_PASSWORD, SUPERVISOR_EMAIL, SUPERVISOR_PASSWORD, describe};

const FIRST: &[&str] = &[
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hannes", "Ida", "Jonas", "Katrin",
    "Lukas", "Mara", "Noah", "Olga", "Paul", "Rita", "Stefan", "Tina", "Uwe", "Vera", "Willi",
    "Yara", "Zoe", "Sophie", "Tom", "Lea", "Max", "Nina", "Jan",
];
const LAST: &[&str] = &[
    "Bauer",
    "Schmidt",
    "Keller",
    "Fischer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Hartmann",
    "Lange",
    "Krause",
    "Meier",
    "Lehmann",
    "Huber",
];

/// Fills an empty database: 2 areas, 3 portals, 20 organizations (customers with sub-accounts,
/// two partners with partnerships), 60 contacts and a registration without one, four
/// invitations to portals, accounts in every state (`accounts.rs`), an administrator and a
/// supervisor.
pub async fn seed(cx: &Ctx) -> anyhow::Result<()> {
    let actor = Actor::system("demo data");
    let north = dir::create_area(
        cx,
        &actor,
        &AreaInput {
            name: "North".into(),
        },
    )
    .await
    .map_err(describe)?;
    let south = dir::create_area(
        cx,
        &actor,
        &AreaInput {
            name: "South".into(),
        },
    )
    .await
    .map_err(describe)?;

    let module = |name: &str, name_de: &str, admin_only: bool| ModuleInput {
        name: name.into(),
        name_de: Some(name_de.into()),
        admin_only,
        marketing: name == "Partner kit",
    };
    let portals = [
        PortalInput {
            name: "Customer portal".into(),
            name_de: Some("Kundenportal".into()),
            kind: "customer".into(),
            base_url: "https://customers.example.com".into(),
            registration_mode: "self_manual".into(),
            self_registration_creates_contact: false,
            notify_staff_on_new_link: false,
            invitation_lifetime_days: Some(7),
            default_language: Some("en".into()),
            default_time_zone: None,
            modules: vec![
                module("Schedule", "Termine", false),
                module("Invoices", "Rechnungen", false),
                module("Pricing", "Preise", true),
                module("Payment", "Zahlung", true),
                module("User management", "Benutzerverwaltung", true),
            ],
        },
        PortalInput {
            name: "Installer portal".into(),
            name_de: Some("Installateurportal".into()),
            kind: "installer".into(),
            base_url: "https://installers.example.com".into(),
            registration_mode: "self_automatic".into(),
            self_registration_creates_contact: true,
            notify_staff_on_new_link: false,
            invitation_lifetime_days: Some(7),
            default_language: Some("de".into()),
            default_time_zone: Some("Europe/Berlin".into()),
            modules: vec![
                module("Projects", "Projekte", false),
                module("Documents", "Dokumente", false),
                module("User management", "Benutzerverwaltung", true),
            ],
        },
        PortalInput {
            name: "Partner portal".into(),
            name_de: Some("Partnerportal".into()),
            kind: "partner".into(),
            base_url: "https://partners.example.com".into(),
            registration_mode: "invitation_only".into(),
            self_registration_creates_contact: false,
            notify_staff_on_new_link: true,
            invitation_lifetime_days: Some(7),
            default_language: Some("en".into()),
            default_time_zone: None,
            modules: vec![
                module("Customers", "Kunden", false),
                module("Tasks", "Aufgaben", false),
                module("Partner kit", "Partnerpaket", false),
                module("Reports", "Berichte", true),
                module("User management", "Benutzerverwaltung", true),
            ],
        },
    ];
    // The demo's portals let staff view them as a person (a new portal does not).
    let impersonation = crate::domain::impersonation::PortalSettings {
        impersonation_allowed: true,
        impersonation_actions: false,
        impersonation_notice: true,
    };
    for p in &portals {
        let made = dir::create_portal(cx, &actor, p).await.map_err(describe)?;
        usecases::impersonation::set_portal_settings(cx, &actor, made.id, &impersonation)
            .await
            .map_err(describe)?;
    }

    let org =
        |kind: &str, name: &str, area: i64, parent: Option<i64>, ext: &str| OrganizationInput {
            kind: kind.into(),
            name: name.into(),
            parent_id: parent,
            parent_external_id: None,
            area_id: Some(area),
            external_id: Some(ext.into()),
        };
    // (name, area, sub-accounts)
    let customers: &[(&str, i64, &[&str])] = &[
        (
            "Nordlicht Facility GmbH",
            north.id,
            &["Nordlicht Hamburg", "Nordlicht Kiel"],
        ),
        ("Hafenblick Hotels AG", north.id, &["Hafenblick Bremen"]),
        ("Bäckerei Sonnenschein", north.id, &[]),
        ("Küstenwerk Logistik", north.id, &[]),
        (
            "Alpenrand Kliniken",
            south.id,
            &["Alpenrand Klinik Rosenheim", "Alpenrand Klinik Kempten"],
        ),
        ("Isartal Schulen e.V.", south.id, &[]),
        (
            "Bodensee Bürohaus KG",
            south.id,
            &["Bodensee Bürohaus Lindau"],
        ),
        ("Weinberg Immobilien", south.id, &[]),
        ("Fjordblick Ferienhäuser", north.id, &[]),
        ("Moorland Pflegedienst", north.id, &[]),
        ("Donautal Brauerei", south.id, &[]),
        ("Chiemsee Segelschule", south.id, &[]),
    ];
    let mut all_customers = Vec::new();
    let mut n = 0;
    for (name, area, subs) in customers {
        n += 1;
        let parent = dir::create_organization(
            cx,
            &actor,
            &org("customer", name, *area, None, &format!("CRM-C{n:03}")),
        )
        .await
        .map_err(describe)?;
        all_customers.push((parent.id, *area));
        for sub in *subs {
            n += 1;
            let child = dir::create_organization(
                cx,
                &actor,
                &org(
                    "customer",
                    sub,
                    *area,
                    Some(parent.id),
                    &format!("CRM-C{n:03}"),
                ),
            )
            .await
            .map_err(describe)?;
            all_customers.push((child.id, *area));
        }
    }
    let partners = [
        ("Elektro Blitz Installationen", north.id, "CRM-P001"),
        ("SolarSüd Partner GmbH", south.id, "CRM-P002"),
    ];
    let mut all_orgs: Vec<(i64, String)> = Vec::new();
    for (name, area, ext) in partners {
        let p = dir::create_organization(cx, &actor, &org("partner", name, area, None, ext))
            .await
            .map_err(describe)?;
        all_orgs.push((p.id, p.name.clone()));
        let in_area: Vec<i64> = all_customers
            .iter()
            .filter(|(_, a)| *a == area)
            .map(|(id, _)| *id)
            .collect();
        let (first, second) = in_area.split_at(in_area.len() / 2);
        for (label, members) in [
            ("Service programme", first),
            ("Installation programme", second),
        ] {
            dir::create_partnership(
                cx,
                &actor,
                &PartnershipInput {
                    partner_id: p.id,
                    name: label.into(),
                    external_id: Some(format!(
                        "{ext}-{}",
                        if label.starts_with("Service") {
                            "S"
                        } else {
                            "I"
                        }
                    )),
                    customer_ids: members.to_vec(),
                },
            )
            .await
            .map_err(describe)?;
        }
    }
    for (id, _) in &all_customers {
        let o = dir::get_organization(cx, &actor, *id)
            .await
            .map_err(describe)?;
        all_orgs.push((o.id, o.name));
    }

    // 59 contacts, spread over the organizations; some German-speaking (the 60th, the person
    // who logs in to the customer portal, comes after the invitations).
    for i in 0..59 {
        let (org_id, org_name) = &all_orgs[i % all_orgs.len()];
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i * 7 + 3) % LAST.len()];
        let domain: String = org_name
            .to_lowercase()
            .chars()
            .map(|c| match c {
                'ä' => 'a',
                'ö' => 'o',
                'ü' => 'u',
                'ß' => 's',
                c if c.is_ascii_alphanumeric() => c,
                _ => '-',
            })
            .collect::<String>()
            .split('-')
            .filter(|s| !s.is_empty())
            .take(2)
            .collect::<Vec<_>>()
            .join("-");
        let contact = ContactInput {
            organization_id: Some(*org_id),
            organization_external_id: None,
            name: format!("{first} {last}"),
            email: Some(format!(
                "{}.{}@{domain}.example",
                first.to_lowercase(),
                last.to_lowercase()
            )),
            phone: Some(format!("+49 40 {:07}", 1_000_000 + i * 7_919)),
            language: Some(if i % 3 == 0 { "en".into() } else { "de".into() }),
            external_id: Some(format!("CRM-K{:04}", i + 1)),
        };
        dir::create_contact(cx, &actor, &contact)
            .await
            .map_err(describe)?;
    }

    // A few invitations, waiting on the Mail page to be followed.
    let portals = dir::list_portals(cx).await.map_err(describe)?;
    let contacts = dir::list_contacts(
        cx,
        &actor,
        &crate::storage::directory::ContactFilter {
            limit: 60,
            ..Default::default()
        },
    )
    .await
    .map_err(describe)?
    .items;
    for (portal_name, org_name, role) in [
        ("Customer portal", "Nordlicht Facility GmbH", "admin"),
        ("Customer portal", "Hafenblick Hotels AG", "user"),
        ("Partner portal", "Elektro Blitz Installationen", "admin"),
        ("Installer portal", "SolarSüd Partner GmbH", "user"),
    ] {
        let portal = portals.iter().find(|p| p.name == portal_name);
        let contact = contacts.iter().find(|c| c.organization_name == org_name);
        if let (Some(p), Some(c)) = (portal, contact) {
            let modules = p
                .modules
                .iter()
                .filter(|m| !m.admin_only || role == "admin")
                .map(|m| m.name.clone())
                .collect();
            usecases::accounts::grant_access(
                cx,
                &actor,
                &usecases::accounts::GrantInput {
                    contact_id: c.id,
                    portal_id: p.id,
                    role: Some(role.into()),
                    modules,
                    customers: Vec::new(),
                    send_to: None,
                },
            )
            .await
            .map_err(describe)?;
        }
    }

    let bakery = all_orgs
        .iter()
        .find(|(_, name)| name == "Bäckerei Sonnenschein")
        .map(|(id, _)| *id)
        .context("the bakery among the organizations")?;

    // Task categories on every portal, and open tasks about the customers.
    let categories = [
        (
            "service_due",
            "Service due",
            "Wartung fällig",
            "Maintenance that is due",
            "Fällige Wartungen",
        ),
        (
            "invoices",
            "Unpaid invoices",
            "Offene Rechnungen",
            "Invoices waiting for payment",
            "Rechnungen, die auf Zahlung warten",
        ),
    ];
    for p in &portals {
        let list: Vec<crate::domain::tasks::CategoryInput> = categories
            .iter()
            .map(
                |(key, en, de, about, about_de)| crate::domain::tasks::CategoryInput {
                    key: key.to_string(),
                    name_en: en.to_string(),
                    name_de: de.to_string(),
                    description_en: about.to_string(),
                    description_de: about_de.to_string(),
                },
            )
            .collect();
        usecases::notifications::set_categories(cx, &actor, p.id, &list)
            .await
            .map_err(describe)?;
    }
    let today = crate::clock::today(cx.now());
    for (i, (customer, _)) in all_customers.iter().enumerate() {
        for p in &portals {
            let (key, title) = if i % 2 == 0 {
                ("service_due", "Annual boiler service")
            } else {
                ("invoices", "Invoice waiting for payment")
            };
            let due = crate::domain::tasks::day_date(today + 3 + (i as i64 % 10))
                .map(|d| d.format("%Y-%m-%d").to_string());
            usecases::notifications::put_task(
                cx,
                &actor,
                p.id,
                &format!("DEMO-{}-{i}", p.id),
                &crate::domain::tasks::TaskInput {
                    customer_id: *customer,
                    category: key.into(),
                    title: title.into(),
                    due_date: due,
                    link: Some(format!("{}/tasks/{i}", p.base_url)),
                    status: None,
                },
            )
            .await
            .map_err(describe)?;
        }
    }

    // After the task categories: the notifications-only person chooses among them.
    super::accounts::seed_accounts(cx, &actor, &portals, &contacts, bakery).await?;

    let admin = usecases::staff::create_staff(
        cx,
        &actor,
        &usecases::staff::NewStaff {
            email: ADMIN_EMAIL.into(),
            name: "Demo Administrator".into(),
            role: "administrator".into(),
            area_ids: vec![],
            password: ADMIN_PASSWORD.into(),
        },
    )
    .await
    .map_err(describe)?;
    // The administrator's daily digest, the first one due at once (Mail page).
    let everything: Vec<String> = crate::domain::tasks::BUILTINS
        .iter()
        .map(|b| b.key.to_string())
        .chain(categories.iter().map(|c| c.0.to_string()))
        .collect();
    usecases::notifications::set_preferences(
        cx,
        &actor,
        crate::storage::tasks::Owner::Staff(admin.id),
        &usecases::notifications::PreferencesInput {
            frequency: "daily".into(),
            categories: everything,
        },
    )
    .await
    .map_err(describe)?;
    usecases::notifications::due_now(cx, crate::storage::tasks::Owner::Staff(admin.id))
        .await
        .map_err(describe)?;
    usecases::staff::create_staff(
        cx,
        &actor,
        &usecases::staff::NewStaff {
            email: SUPERVISOR_EMAIL.into(),
            name: "Demo Supervisor North".into(),
            role: "supervisor".into(),
            area_ids: vec![north.id],
            password: SUPERVISOR_PASSWORD.into(),
        },
    )
    .await
    .map_err(describe)?;
    Ok(())
}
