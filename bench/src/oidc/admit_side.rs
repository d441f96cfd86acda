//! Admit's side of the OpenID Connect benchmark: a customer portal with its modules, accounts
//! that may log in (each with a contact at an organization, some modules, the benchmark's
//! password), confidential clients registered through the use case, and Admit's application on
//! a free port of this machine, trusting loopback as its proxy so that every login comes from a
//! client address of its own (as the people of a real deployment do).

use std::sync::Arc;

use admit::clock::SystemClock;
use admit::config::Config;
use admit::domain::directory::{ModuleInput, PortalInput};
use admit::domain::oidc::clients::{ClientKind, OidcScope};
use admit::storage::Db;
use admit::usecases::oidc::clients::NewClientInput;
use admit::usecases::{Actor, Ctx};

use super::flow::Client;
use crate::Rng;
use crate::bulk::{self, BulkAccount, BulkContact, BulkOrganization};
use crate::seed::{BENCH_PASSWORD, FIRST_NAMES, ascii_slug, org_name, surname};

/// The customer portal's modules: name, admin-only.
const MODULES: &[(&str, bool)] = &[
    ("Schedule", false),
    ("Invoices", false),
    ("Documents", false),
    ("Pricing", true),
    ("Payment", true),
    ("User management", true),
];

/// What was made: the portal, the people who may log in (e-mail addresses), the clients.
pub(super) struct Seeded {
    pub portal_id: i64,
    pub emails: Vec<String>,
    pub clients: Vec<Client>,
}

/// Makes the portal, `accounts` accounts (one organization per 20) and `clients` clients with
/// the one `redirect_uri`, in an empty database.
pub(super) async fn seed(
    cx: &Ctx,
    accounts: usize,
    clients: usize,
    redirect_uri: &str,
) -> anyhow::Result<Seeded> {
    let actor = Actor::cli();
    let now = cx.now();
    let mut rng = Rng(0x0001_D0C1);
    let portal = admit::usecases::directory::create_portal(
        cx,
        &actor,
        &PortalInput {
            name: "Customer portal".into(),
            kind: "customer".into(),
            base_url: "https://customer-portal.example.com".into(),
            registration_mode: "invitation_only".into(),
            default_language: Some("de".into()),
            modules: MODULES
                .iter()
                .map(|(name, admin_only)| ModuleInput {
                    name: name.to_string(),
                    name_de: None,
                    admin_only: *admin_only,
                    marketing: false,
                })
                .collect(),
            ..Default::default()
        },
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;

    let n_orgs = (accounts / 20).max(1);
    let mut orgs = Vec::with_capacity(n_orgs);
    let mut domains = Vec::with_capacity(n_orgs);
    for i in 0..n_orgs {
        let (name, domain) = org_name(&mut rng, i);
        domains.push(domain);
        orgs.push(BulkOrganization {
            kind: "customer",
            name,
            parent_id: None,
            area_id: None,
            external_id: Some(format!("CRM-{i:07}")),
        });
    }
    let hash = admit::security::passwords::hash_blocking(BENCH_PASSWORD)?;
    let mut contacts = Vec::with_capacity(accounts);
    let mut rows = Vec::with_capacity(accounts);
    let mut emails = Vec::with_capacity(accounts);
    for i in 0..accounts {
        let first = FIRST_NAMES[rng.below(FIRST_NAMES.len())];
        let last = surname(&mut rng);
        let o = i % n_orgs;
        let email = format!(
            "{}.{}.{i}@{}",
            ascii_slug(first),
            ascii_slug(&last),
            domains[o]
        );
        let name = format!("{first} {last}");
        contacts.push(BulkContact {
            organization_id: 0,
            name: name.clone(),
            email: Some(email.clone()),
            language: "de",
        });
        rows.push(BulkAccount {
            portal_id: portal.id,
            email: email.clone(),
            contact_id: None,
            name,
            // Every twentieth the admin of the organization.
            role: if i < n_orgs { "admin" } else { "user" },
            registration: "registered",
            approval: "approved",
            access_granted: true,
            valid_until: None,
            lifecycle: "active",
            password_hash: Some(hash.clone()),
            language: "de",
            time_zone: "Europe/Berlin",
            created_at: now,
            last_login_at: None,
        });
        emails.push(email);
    }
    let mut tx = cx.db.write().await?;
    let org_ids = bulk::insert_organizations(&mut tx, &orgs, now).await?;
    for (i, c) in contacts.iter_mut().enumerate() {
        c.organization_id = org_ids[i % n_orgs];
    }
    let contact_ids = bulk::insert_contacts(&mut tx, &contacts, now).await?;
    for (a, c) in rows.iter_mut().zip(&contact_ids) {
        a.contact_id = Some(*c);
    }
    let ids = bulk::insert_accounts(&mut tx, &rows).await?;
    let mut modules = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        for (m, (name, admin_only)) in MODULES.iter().enumerate() {
            if !admin_only && (i + m) % 2 == 0 {
                modules.push((*id, *name));
            }
        }
    }
    bulk::insert_account_modules(&mut tx, &modules).await?;
    tx.commit().await?;

    let mut made = Vec::with_capacity(clients);
    for k in 1..=clients {
        let c = admit::usecases::oidc::clients::create(
            cx,
            &actor,
            portal.id,
            &NewClientInput {
                name: format!("Benchmark application {k}"),
                kind: ClientKind::Confidential,
                redirect_uris: vec![redirect_uri.to_string()],
                post_logout_redirect_uris: vec![],
                backchannel_logout_uri: None,
                scopes: vec![
                    OidcScope::Openid,
                    OidcScope::Email,
                    OidcScope::Profile,
                    OidcScope::OfflineAccess,
                ],
                signing_alg: Default::default(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        made.push(Client {
            id: c.client.client_id.clone(),
            secret: c
                .client_secret
                .ok_or_else(|| anyhow::anyhow!("a confidential client without a secret"))?,
        });
    }
    Ok(Seeded {
        portal_id: portal.id,
        emails,
        clients: made,
    })
}

/// Admit's application on a free port of loopback, on `db`; stopped by the returned sender.
pub(super) struct Running {
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
}

pub(super) async fn start(config: &Config, db: Db) -> anyhow::Result<Running> {
    let app = admit::app::Application::build_with(
        Config {
            listen: "127.0.0.1:0".into(),
            public_url: None,
            // The benchmark's browsers name their client address in X-Forwarded-For.
            trusted_proxies: vec!["127.0.0.1".into()],
            ..config.clone()
        },
        db,
        Arc::new(SystemClock),
    )
    .await?;
    let base = format!("http://{}", app.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    Ok(Running { base, stop, server })
}

impl Running {
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.server.await??;
        Ok(())
    }
}
