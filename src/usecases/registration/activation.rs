//! Activating a self-registered account by its link: the address is proven, approval follows
//! the portal's mode, and the contact is matched by e-mail, created, or left for staff.

use super::super::accounts::person;
use super::super::{Actor, Ctx, Error, Result, Target, json, record};
use super::RegistrationData;
use super::assignment::create_contact_from;
use crate::domain::account::{Action, Registration};
use crate::security::tokens;
use crate::storage::accounts::{self as store, PortalAccount};
use crate::storage::directory::{self};

/// The account an activation link is for, while the link is unused and unexpired.
pub async fn check_activation(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
) -> Result<Option<PortalAccount>> {
    crate::usecases::accounts::check_link(
        cx,
        portal_id,
        token,
        "activation",
        Registration::ActivationSent,
    )
    .await
}

/// The person confirms their address with the activation link: registered, approved at once
/// when the portal approves automatically, and linked to a contact when one can be told.
/// Using the link twice (or two at once) activates once.
pub async fn activate(
    cx: &Ctx,
    portal_id: i64,
    token: &str,
    client_addr: Option<String>,
) -> Result<PortalAccount> {
    if check_activation(cx, portal_id, token).await?.is_none() {
        return Err(Error::NotFound("link"));
    }
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let token_hash = tokens::hash_token(token);
    let t = store::find_token(&mut tx, &token_hash)
        .await?
        .ok_or(Error::NotFound("link"))?;
    if t.purpose != "activation" || !store::use_token(&mut tx, &token_hash, now).await? {
        return Err(Error::NotFound("link"));
    }
    let account = store::get(&mut tx, t.account_id)
        .await?
        .filter(|a| a.portal_id == portal_id)
        .ok_or(Error::NotFound("link"))?;
    let portal = directory::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let mode = portal.registration_mode;
    let state = account.state();
    let mut next = state
        .apply(Action::Activate(mode))
        .map_err(|e| Error::Refused(e.message().into()))?;
    let actor = person(&account, client_addr);
    if account.contact_id.is_none() {
        let matches = directory::contacts_with_email(&mut tx, &account.email, 2).await?;
        let contact_id = match matches.as_slice() {
            [one] => Some(one.id),
            [] if portal.self_registration_creates_contact => {
                let data = RegistrationData::of(&account).unwrap_or_else(|| RegistrationData {
                    name: account.name.clone(),
                    organization: account.name.clone(),
                    phone: None,
                });
                let system = Actor {
                    label: format!("self-registration of {}", account.email),
                    ..Actor::system("self-registration")
                };
                let c = create_contact_from(&mut tx, now, &system, &portal, &account, &data, None)
                    .await?;
                Some(c.id)
            }
            // Nobody, or several people, have the address: staff decide.
            _ => None,
        };
        if let Some(cid) = contact_id {
            store::set_contact(&mut tx, account.id, Some(cid), now).await?;
            next = next.apply(Action::LinkContact).unwrap_or(next);
        }
    }
    store::set_state(&mut tx, account.id, &next, now).await?;
    store::revoke_tokens(&mut tx, account.id, "activation", now).await?;
    let after = store::get(&mut tx, account.id)
        .await?
        .ok_or(Error::NotFound("account"))?;
    record(
        &mut tx,
        now,
        &actor,
        "account.activated",
        Target {
            kind: "portal_account",
            id: Some(account.id),
            label: &format!("{} on {}", account.email, account.portal_name),
        },
        json(&state),
        json(&next),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
