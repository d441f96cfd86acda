//! The demo's portal accounts: at least one in every state the console shows, so that each
//! filter of the access list has something to show. Each is made the way it happens: staff
//! invite and the person accepts, a person registers and confirms the address, staff approve,
//! decline, switch off or deactivate; what only time makes (an invitation whose link ran out)
//! is made on a clock set back, its e-mail sent then.

use std::sync::Arc;

use anyhow::Context;

use super::{PERSON_EMAIL, PERSON_NAME, PERSON_PASSWORD, describe};
use crate::clock::ManualClock;
use crate::domain::directory::{ContactInput, Language};
use crate::security::tokens;
use crate::storage::directory::{Contact, Portal};
use crate::usecases::accounts::{self as acc, GrantInput, StatusAction, StatusChange};
use crate::usecases::registration::{self as reg, RegistrationInput};
use crate::usecases::{self, Actor, Ctx, directory as dir};

const DAY: i64 = 86_400_000;

/// The password of the demo's people who have set one (the printed person has her own).
pub const PEOPLE_PASSWORD: &str = "lanterns along the quay";

/// The address of the registration that waits for staff to link it to a contact.
pub const UNLINKED_EMAIL: &str = "jana.brandt@seeblick-pension.example";

/// Makes the accounts, on the portals and for the contacts the demo has.
pub async fn seed_accounts(
    cx: &Ctx,
    actor: &Actor,
    portals: &[Portal],
    contacts: &[Contact],
    bakery: i64,
) -> anyhow::Result<()> {
    let portal = |name: &str| {
        portals
            .iter()
            .find(|p| p.name == name)
            .with_context(|| format!("the portal {name}"))
    };
    let (customer, partner) = (portal("Customer portal")?, portal("Partner portal")?);
    let contact = |org: &str, nth: usize| {
        contacts
            .iter()
            .filter(|c| c.organization_name == org && c.email.is_some())
            .nth(nth)
            .with_context(|| format!("contact {nth} of {org}"))
    };

    // Active: the person who logs in to the customer portal, and a partner's admin.
    portal_person(cx, actor, customer.id, bakery).await?;
    let k = contact("Elektro Blitz Installationen", 1)?;
    accepted(cx, actor, partner, k, "admin").await?;

    // Awaiting approval: registered on the customer portal with a contact's address, and
    // confirmed it; the contact is found by the address.
    let k = contact("Küstenwerk Logistik", 0)?;
    registered(cx, customer, &k.name, &k.organization_name, email(k)?).await?;
    // Declined: the same, and staff said no.
    let k = contact("Isartal Schulen e.V.", 0)?;
    let id = registered(cx, customer, &k.name, &k.organization_name, email(k)?).await?;
    status(cx, actor, id, StatusAction::Decline, None).await?;
    // Awaiting a contact: registered with an address no contact has.
    registered(
        cx,
        customer,
        "Jana Brandt",
        "Seeblick Pension",
        UNLINKED_EMAIL,
    )
    .await?;

    // Invitation expired: invited ten days ago; its e-mail went out then, and the link (valid
    // for the portal's seven days) ran out three days ago.
    let then = Ctx {
        clock: Arc::new(ManualClock::new(cx.now() - 10 * DAY)),
        ..cx.clone()
    };
    let k = contact("Weinberg Immobilien", 0)?;
    grant(&then, actor, customer, k, "user").await?;
    send_due_mail(&then).await?;

    // Access switched off, past its valid-until day, deactivated: people who had accepted
    // their invitations, then staff changed their access.
    let k = contact("Alpenrand Kliniken", 0)?;
    let id = accepted(cx, actor, customer, k, "user").await?;
    status(cx, actor, id, StatusAction::SwitchOff, None).await?;
    let k = contact("Bodensee Bürohaus KG", 0)?;
    let id = accepted(cx, actor, customer, k, "user").await?;
    let last_day = crate::clock::format_day(crate::clock::today(cx.now()) - 5);
    status(cx, actor, id, StatusAction::SetValidUntil, Some(last_day)).await?;
    let k = contact("Hafenblick Bremen", 0)?;
    let id = accepted(cx, actor, customer, k, "user").await?;
    status(cx, actor, id, StatusAction::Deactivate, None).await?;

    // Notifications only: e-mail, never a login; a weekly digest.
    let k = contact("Nordlicht Kiel", 0)?;
    let a = grant(cx, actor, customer, k, "notifications").await?;
    usecases::notifications::set_preferences(
        cx,
        actor,
        crate::storage::tasks::Owner::Account(a.id),
        &usecases::notifications::PreferencesInput {
            frequency: "weekly".into(),
            categories: vec!["service_due".into(), "invoices".into()],
        },
    )
    .await
    .map_err(describe)?;
    Ok(())
}

fn email(k: &Contact) -> anyhow::Result<&str> {
    k.email.as_deref().context("the contact's address")
}

/// Invites a contact to a portal as `role`, with the modules a `role` may have.
async fn grant(
    cx: &Ctx,
    actor: &Actor,
    portal: &Portal,
    k: &Contact,
    role: &str,
) -> anyhow::Result<crate::storage::accounts::PortalAccount> {
    let modules = portal
        .modules
        .iter()
        .filter(|m| role != "notifications" && (!m.admin_only || role == "admin"))
        .map(|m| m.name.clone())
        .collect();
    acc::grant_access(
        cx,
        actor,
        &GrantInput {
            contact_id: k.id,
            portal_id: portal.id,
            role: Some(role.into()),
            modules,
            customers: Vec::new(),
            send_to: None,
        },
    )
    .await
    .map(|(account, _)| account)
    .map_err(describe)
}

/// A link of `purpose` for an account, as its e-mail would carry it.
async fn link(cx: &Ctx, account_id: i64, purpose: &str) -> anyhow::Result<String> {
    let token = tokens::new_token();
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    crate::storage::accounts::insert_token(
        &mut tx,
        &tokens::hash_token(&token),
        account_id,
        purpose,
        None,
        now,
        now + 3_600_000,
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Invited, and the invitation accepted with [`PEOPLE_PASSWORD`]: the account's id. Its
/// invitation e-mail is not sent once it is accepted.
async fn accepted(
    cx: &Ctx,
    actor: &Actor,
    portal: &Portal,
    k: &Contact,
    role: &str,
) -> anyhow::Result<i64> {
    let account = grant(cx, actor, portal, k, role).await?;
    let token = link(cx, account.id, "invitation").await?;
    acc::accept_invitation(
        cx,
        portal.id,
        &token,
        PEOPLE_PASSWORD,
        PEOPLE_PASSWORD,
        None,
    )
    .await
    .map_err(describe)?;
    Ok(account.id)
}

/// Registered on a portal, and the address confirmed: the account's id.
async fn registered(
    cx: &Ctx,
    portal: &Portal,
    name: &str,
    organization: &str,
    email: &str,
) -> anyhow::Result<i64> {
    let input = RegistrationInput {
        name: name.into(),
        organization: organization.into(),
        email: email.into(),
        phone: None,
        password: PEOPLE_PASSWORD.into(),
        confirmation: PEOPLE_PASSWORD.into(),
    };
    reg::register(cx, portal.id, &input, Language::De, None)
        .await
        .map_err(describe)?;
    let account = {
        let mut tx = cx.db.read().await?;
        crate::storage::accounts::find(&mut tx, portal.id, email)
            .await?
            .context("the registration's account")?
    };
    let token = link(cx, account.id, "activation").await?;
    reg::activate(cx, portal.id, &token, None)
        .await
        .map_err(describe)?;
    Ok(account.id)
}

/// A staff action on an account's statuses, with its e-mail.
async fn status(
    cx: &Ctx,
    actor: &Actor,
    id: i64,
    action: StatusAction,
    valid_until: Option<String>,
) -> anyhow::Result<()> {
    let change = StatusChange {
        action,
        valid_until,
        notify: Some(true),
        message: None,
    };
    acc::change_status(cx, actor, id, &change)
        .await
        .map_err(describe)?;
    Ok(())
}

/// Sends what is due in the outbox at the context's time, to the built-in mailbox.
async fn send_due_mail(cx: &Ctx) -> anyhow::Result<()> {
    let config = crate::config::Config {
        mail_mode: "mailbox".into(),
        ..crate::config::Config::default()
    };
    let mailer = crate::mail::Mailer::from_config(&config)?;
    let worker = crate::jobs::outbox::OutboxWorker::new(
        cx.clone(),
        mailer,
        crate::jobs::outbox::WorkerSettings::from_config(&config),
    );
    Arc::new(worker).tick().await?;
    Ok(())
}

/// The person who logs in to the customer portal (and to the sample application through it):
/// a user at the bakery with the Schedule and Invoices modules, registered with a known password.
/// The invitation is accepted here as the person would accept it; the e-mail with its link is
/// not sent once the account is registered.
async fn portal_person(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    organization_id: i64,
) -> anyhow::Result<()> {
    let contact = dir::create_contact(
        cx,
        actor,
        &ContactInput {
            organization_id: Some(organization_id),
            organization_external_id: None,
            name: PERSON_NAME.into(),
            email: Some(PERSON_EMAIL.into()),
            phone: Some("+49 40 5550100".into()),
            language: Some("en".into()),
            external_id: Some("CRM-K0060".into()),
        },
    )
    .await
    .map_err(describe)?;
    let (account, _) = acc::grant_access(
        cx,
        actor,
        &GrantInput {
            contact_id: contact.id,
            portal_id,
            role: Some("user".into()),
            modules: vec!["Schedule".into(), "Invoices".into()],
            customers: Vec::new(),
            send_to: None,
        },
    )
    .await
    .map_err(describe)?;
    let token = link(cx, account.id, "invitation").await?;
    acc::accept_invitation(
        cx,
        portal_id,
        &token,
        PERSON_PASSWORD,
        PERSON_PASSWORD,
        None,
    )
    .await
    .map_err(describe)?;
    Ok(())
}
