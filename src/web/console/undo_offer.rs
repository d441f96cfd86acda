//! The "Undo" a result message offers after a reversible change: which change, on which
//! account, signed with a key of the staff member's session so that it works in that session
//! only. It travels for one page in a cookie beside the flash message, and from there in the
//! Undo button of the message. Whether the change may still be undone (the time, the account
//! unchanged since, undone once) the use case decides.

use crate::security::tokens::{constant_time_eq, derive};

pub const UNDO_COOKIE: &str = "admit_undo";

/// The key of a console session that signs its Undo offers.
pub fn session_key(session_token: &str) -> String {
    derive(session_token, "admit-console-undo")
}

/// An Undo button: the account, the token its form sends, and the page to go back to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoOffer {
    pub account_id: i64,
    /// `EVENT.SIGNATURE`: the audit event of the change, signed for the session and account.
    pub token: String,
    /// The console page the change was made from (the Undo handler checks it again).
    pub back: String,
}

impl UndoOffer {
    /// The offer to undo the change of audit event `event_id` on account `account_id`, made
    /// from the page `back`.
    pub fn new(key: &str, account_id: i64, event_id: i64, back: &str) -> Self {
        UndoOffer {
            account_id,
            token: format!("{event_id}.{}", signature(key, account_id, event_id)),
            back: back.to_string(),
        }
    }

    /// Where its form goes.
    pub fn action(&self) -> String {
        format!("/console/accounts/{}/undo", self.account_id)
    }

    /// The cookie value that carries it to the next page: `ACCOUNT.EVENT.SIGNATURE.BACK`.
    pub fn cookie_value(&self) -> String {
        let back: String = form_urlencoded::byte_serialize(self.back.as_bytes()).collect();
        format!("{}.{}.{back}", self.account_id, self.token)
    }

    /// The offer a cookie carries, when it was signed for this session.
    pub fn from_cookie(key: &str, value: &str) -> Option<Self> {
        let mut parts = value.splitn(4, '.');
        let (account, event, sig) = (parts.next()?, parts.next()?, parts.next()?);
        let back = form_urlencoded::parse(format!("b={}", parts.next().unwrap_or("")).as_bytes())
            .next()
            .map(|(_, b)| b.into_owned())
            .unwrap_or_default();
        let account_id = account.parse().ok()?;
        let token = format!("{event}.{sig}");
        verify(key, account_id, &token)?;
        Some(UndoOffer {
            account_id,
            token,
            back,
        })
    }
}

fn signature(key: &str, account_id: i64, event_id: i64) -> String {
    derive(key, &format!("undo:{account_id}:{event_id}"))
}

/// The audit event an Undo token names, when it was signed for this session and account.
pub fn verify(key: &str, account_id: i64, token: &str) -> Option<i64> {
    let (event, sig) = token.trim().split_once('.')?;
    let event_id = event.parse().ok()?;
    constant_time_eq(&signature(key, account_id, event_id), sig).then_some(event_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_offer_verifies_for_its_session_and_account_only() {
        let key = session_key("session one");
        let offer = UndoOffer::new(
            &key,
            7,
            42,
            "/console/access?q=anna.sommer&approval=pending",
        );
        assert_eq!(verify(&key, 7, &offer.token), Some(42));
        assert_eq!(verify(&key, 8, &offer.token), None, "another account");
        assert_eq!(
            verify(&session_key("session two"), 7, &offer.token),
            None,
            "another session"
        );
        let forged = offer.token.replacen("42.", "43.", 1);
        assert_eq!(verify(&key, 7, &forged), None, "another change");
        assert_eq!(verify(&key, 7, "42"), None);
        assert_eq!(verify(&key, 7, ""), None);
        assert_eq!(
            UndoOffer::from_cookie(&key, &offer.cookie_value()),
            Some(offer)
        );
        assert_eq!(UndoOffer::from_cookie(&key, "7.42.nonsense"), None);
        assert_eq!(UndoOffer::from_cookie(&key, "7"), None);
    }
}
