//! Self-registration on a portal: a person registers with their name, company, e-mail and
//! password, and an activation e-mail proves the address ([`activation`]). On activation,
//! approval follows the portal's mode and the contact is found by e-mail (exactly one match),
//! created (when the portal allows it and nobody has the address), or left pending for staff
//! to link from the assignment queue ([`assignment`]).

use serde::{Deserialize, Serialize};

use super::accounts::person;
use super::mail::{Link, Outgoing, enqueue};
use super::{Ctx, Error, Result, Target, record};
use crate::domain::EmailAddress;
use crate::domain::FieldErrors;
use crate::domain::account::{AccountState, Registration};
use crate::domain::directory::{Language, RegistrationMode};
use crate::domain::validation::required_text;
use crate::security::password_policy::PasswordContext;
use crate::storage::accounts::{self as store, NewAccount, PortalAccount};
use crate::storage::directory::{self, Portal};

mod activation;
mod assignment;

pub use activation::{activate, check_activation};
pub use assignment::{Candidate, CreateContactInput, candidates, create_contact, link_contact};

/// What a person types into the registration form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegistrationInput {
    pub name: String,
    pub organization: String,
    pub email: String,
    pub phone: Option<String>,
    pub password: String,
    pub confirmation: String,
}

/// What the person told us about themselves, kept on the account for staff to link or create
/// the contact from.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct RegistrationData {
    pub name: String,
    pub organization: String,
    #[serde(default)]
    pub phone: Option<String>,
}

impl RegistrationData {
    pub fn of(account: &PortalAccount) -> Option<Self> {
        serde_json::from_str(account.registration_data.as_deref()?).ok()
    }
}

/// The portal's registration mode, or `NotFound` when it takes invitations only.
pub fn open_mode(portal: &Portal) -> Result<RegistrationMode> {
    match portal.registration_mode {
        RegistrationMode::InvitationOnly => Err(Error::NotFound("registration")),
        mode => Ok(mode),
    }
}

async fn validate(
    cx: &Ctx,
    portal: &Portal,
    input: &RegistrationInput,
) -> Result<(RegistrationData, EmailAddress)> {
    let mut errors = FieldErrors::new();
    let name = errors.take("name", required_text(&input.name, 200));
    let organization = errors.take("organization", required_text(&input.organization, 200));
    let email = errors.take("email", EmailAddress::parse(input.email.trim()));
    let phone = errors.take(
        "phone",
        crate::domain::directory::validate_phone(input.phone.as_deref()),
    );
    let context = PasswordContext::new()
        .name(&portal.name)
        .name(&input.organization)
        .name(&input.name)
        .email(&input.email);
    if let Err(w) = cx.passwords.check(&input.password, &context).await {
        errors.add("password", w.message());
    } else if input.password != input.confirmation {
        errors.add(
            "confirmation",
            crate::catalog::Message::new("error-confirmation-mismatch"),
        );
    }
    errors.into_result()?;
    let data = RegistrationData {
        name: name.expect("checked"),
        organization: organization.expect("checked"),
        phone: phone.flatten(),
    };
    Ok((data, email.expect("checked")))
}

/// Registers a person on a portal that allows it. The answer is the same whether or not the
/// address already has an account there: a new account gets an activation e-mail; one still
/// waiting for activation gets a new link (and the newest password); an open invitation is sent
/// again; a registered person is told by e-mail that they already have an account.
pub async fn register(
    cx: &Ctx,
    portal_id: i64,
    input: &RegistrationInput,
    language: Language,
    client_addr: Option<String>,
) -> Result<()> {
    let portal = {
        let mut tx = cx.db.read().await?;
        directory::get_portal(&mut tx, portal_id)
            .await?
            .ok_or(Error::NotFound("portal"))?
    };
    open_mode(&portal)?;
    let (data, email) = validate(cx, &portal, input).await?;
    super::limits::count_mail_request(cx, "register", email.as_str(), client_addr.as_deref())
        .await?;
    // Every path hashes, so that the answer takes as long whether or not the address is known.
    let hash = cx.hasher.hash(&input.password).await?;
    let data_json = serde_json::to_string(&data).map_err(anyhow::Error::from)?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let existing = store::find(&mut tx, portal.id, email.as_str()).await?;
    let (id, action, event, link) = match existing {
        None => {
            let state = AccountState::self_registered(false);
            let id = store::insert(
                &mut tx,
                &NewAccount {
                    portal_id: portal.id,
                    email: email.as_str(),
                    contact_id: None,
                    name: &data.name,
                    state,
                    language: language.as_str(),
                    time_zone: &portal.default_time_zone,
                },
                now,
            )
            .await
            .map_err(|e| Error::from_write(e, "email"))?;
            store::set_registration(
                &mut tx,
                id,
                &hash,
                &data.name,
                &data_json,
                language.as_str(),
                now,
            )
            .await?;
            (id, "account.registered", "activation", Some("activation"))
        }
        Some(a) if a.registration == Registration::ActivationSent => {
            store::set_registration(
                &mut tx,
                a.id,
                &hash,
                &data.name,
                &data_json,
                language.as_str(),
                now,
            )
            .await?;
            store::revoke_tokens(&mut tx, a.id, "activation", now).await?;
            (
                a.id,
                "account.registered_again",
                "activation",
                Some("activation"),
            )
        }
        Some(a) if a.registration == Registration::Invited => {
            store::revoke_tokens(&mut tx, a.id, "invitation", now).await?;
            (
                a.id,
                "account.registered_while_invited",
                "invitation",
                Some("invitation"),
            )
        }
        Some(a) => (a.id, "account.registered_again", "account_exists", None),
    };
    let account = store::get(&mut tx, id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    let base = format!(
        "{}/portal/{}",
        cx.mail.public_url.trim_end_matches('/'),
        portal.id
    );
    let variables = match event {
        "invitation" => serde_json::json!({
            "organization_name": account.organization_name,
            "inviter_name": "",
        }),
        "account_exists" => serde_json::json!({
            "login_url": format!("{base}/login"),
            "reset_url": format!("{base}/forgot"),
        }),
        _ => serde_json::json!({}),
    };
    enqueue(
        &mut tx,
        now,
        &cx.mail,
        &Outgoing {
            link: link.map(|purpose| Link {
                purpose,
                account_id: id,
            }),
            ..Outgoing::to_account(&account, &portal, event, &email, variables)
        },
    )
    .await?;
    record(
        &mut tx,
        now,
        &person(&account, client_addr),
        action,
        Target {
            kind: "portal_account",
            id: Some(id),
            label: &format!("{} on {}", account.email, account.portal_name),
        },
        None,
        Some(serde_json::json!({ "registration": data, "language": language.as_str() })),
    )
    .await?;
    tx.commit().await?;
    cx.mail_wakeup.notify_one();
    Ok(())
}
