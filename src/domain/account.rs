//! A portal account's state, the transitions each action makes, and the login decision.
//! Pure: no I/O, no clock (the caller passes "today").
//!
//! Statuses, side by side in the console's access list:
//! - registration: invited / activation e-mail sent -> registered
//! - approval: pending approval / approved / declined
//! - assignment: pending (no contact linked) / assigned
//! - access: the "access granted" switch, and an optional valid-until day
//! - lifecycle: active / deactivated (removal deletes the account, not the contact)

use serde::{Deserialize, Serialize};

use super::column::string_enum;
use super::directory::RegistrationMode;

/// A status: a [`string_enum!`] whose values people read by their catalog keys
/// (`status-<kind>-<value>`: `status-registration-invited`).
macro_rules! status {
    ($(#[$meta:meta])* $name:ident ($kind:literal) { $($variant:ident = $text:literal),+ $(,)? }) => {
        string_enum!($(#[$meta])* $name { $($variant = $text),+ });

        impl $name {
            /// The word people see, as a catalog message.
            pub fn label(self) -> crate::catalog::Message {
                crate::catalog::Message::new(match self {
                    $($name::$variant => concat!("status-", $kind, "-", $text)),+
                })
            }
        }
    };
}

status!(
    /// Where the person is in registering.
    Registration ("registration") {
        Invited = "invited",
        ActivationSent = "activation_sent",
        Registered = "registered",
    }
);
status!(
    /// Staff's decision on the account.
    Approval ("approval") {
        Pending = "pending",
        Approved = "approved",
        Declined = "declined",
    }
);
status!(
    /// Whether a contact is linked.
    Assignment ("assignment") {
        Pending = "pending",
        Assigned = "assigned",
    }
);
status!(
    /// Active or deactivated (reversible).
    Lifecycle ("lifecycle") {
        Active = "active",
        Deactivated = "deactivated",
    }
);
status!(
    /// What the account may do on its portal.
    Role ("role") {
        Admin = "admin",
        User = "user",
        Marketing = "marketing",
        Notifications = "notifications",
    }
);

impl Role {
    /// Notifications accounts receive e-mail only and never log in.
    pub fn may_log_in(self) -> bool {
        self != Role::Notifications
    }
}

/// How long a single-use link of `purpose` stays valid, in milliseconds: invitations and
/// activations for the portal's invitation lifetime, password and e-mail links for a day.
pub fn link_lifetime_ms(purpose: &str, portal_days: i64) -> i64 {
    match purpose {
        "invitation" | "activation" => portal_days * 86_400_000,
        _ => 86_400_000,
    }
}

/// A day, as days since 1970-01-01 (UTC), so that "valid until" needs no time zone here.
pub type Day = i64;

/// Everything the rules look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountState {
    pub registration: Registration,
    pub approval: Approval,
    pub assignment: Assignment,
    pub access_granted: bool,
    /// The last day on which the account may log in.
    pub valid_until: Option<Day>,
    pub lifecycle: Lifecycle,
    pub role: Role,
}

/// Why a person who gave the right password is not let in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    /// The e-mail address is not confirmed yet (offer to resend the activation e-mail).
    ConfirmEmail,
    /// Switched off, past its valid-until day, or deactivated: "User deactivated".
    UserDeactivated,
    /// Staff have declined the request.
    Declined,
    /// Staff have not approved the account yet, or not linked it to a contact yet.
    AwaitingApproval,
    /// The role receives e-mail only.
    NoLogin,
}

impl Refusal {
    /// What the person is told, as a catalog message.
    pub fn message(self) -> crate::catalog::Message {
        crate::catalog::Message::new(match self {
            Refusal::ConfirmEmail => "login-refused-confirm-email",
            Refusal::UserDeactivated => "login-refused-user-deactivated",
            Refusal::Declined => "login-refused-declined",
            Refusal::AwaitingApproval => "login-refused-awaiting-approval",
            Refusal::NoLogin => "login-refused-no-login",
        })
    }
}

impl AccountState {
    /// Past its valid-until day on `today`.
    pub fn expired(&self, today: Day) -> bool {
        self.valid_until.is_some_and(|last| today > last)
    }

    /// The login decision, after the right password. Login succeeds only when the account is
    /// registered, approved, assigned, granted, not past its valid-until day, active, and its
    /// role may log in. The first reason that applies is the one the person is told.
    pub fn login(&self, today: Day) -> Result<(), Refusal> {
        if self.registration != Registration::Registered {
            return Err(Refusal::ConfirmEmail);
        }
        if !self.access_granted || self.expired(today) || self.lifecycle == Lifecycle::Deactivated {
            return Err(Refusal::UserDeactivated);
        }
        match self.approval {
            Approval::Declined => return Err(Refusal::Declined),
            Approval::Pending => return Err(Refusal::AwaitingApproval),
            Approval::Approved => {}
        }
        if self.assignment == Assignment::Pending {
            return Err(Refusal::AwaitingApproval);
        }
        if !self.role.may_log_in() {
            return Err(Refusal::NoLogin);
        }
        Ok(())
    }

    /// A fresh account made by an invitation (staff or an organization admin): approved and
    /// assigned at once, waiting for the person to set a password.
    pub fn invited(role: Role) -> Self {
        AccountState {
            registration: Registration::Invited,
            approval: Approval::Approved,
            assignment: Assignment::Assigned,
            access_granted: true,
            valid_until: None,
            lifecycle: Lifecycle::Active,
            role,
        }
    }

    /// A fresh account made by self-registration, waiting for its e-mail to be confirmed.
    /// `contact_found`: a contact was matched (or created) for it.
    pub fn self_registered(contact_found: bool) -> Self {
        AccountState {
            registration: Registration::ActivationSent,
            approval: Approval::Pending,
            assignment: if contact_found {
                Assignment::Assigned
            } else {
                Assignment::Pending
            },
            access_granted: true,
            valid_until: None,
            lifecycle: Lifecycle::Active,
            role: Role::User,
        }
    }
}

/// The actions that change an account's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Action {
    /// The invited person set a password.
    AcceptInvitation,
    /// The self-registered person confirmed their e-mail; approval follows the portal's mode.
    Activate(RegistrationMode),
    /// A new invitation or activation link replaces the old one.
    ResendLink,
    Approve,
    Decline,
    LinkContact,
    SwitchAccess(bool),
    SetValidUntil(Option<Day>),
    Deactivate,
    Reactivate,
    SetRole(Role),
}

/// Why an action does not apply to an account in its state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NotApplicable {
    AlreadyRegistered,
    NotInvited,
    NotAwaitingActivation,
    AlreadyApproved,
    AlreadyDeclined,
    AlreadyAssigned,
    Unchanged,
}

impl NotApplicable {
    /// Why, as a catalog message.
    pub fn message(self) -> crate::catalog::Message {
        crate::catalog::Message::new(match self {
            NotApplicable::AlreadyRegistered => "error-account-already-registered",
            NotApplicable::NotInvited => "error-account-not-invited",
            NotApplicable::NotAwaitingActivation => "error-account-not-awaiting-activation",
            NotApplicable::AlreadyApproved => "error-account-already-approved",
            NotApplicable::AlreadyDeclined => "error-account-already-declined",
            NotApplicable::AlreadyAssigned => "error-account-already-assigned",
            NotApplicable::Unchanged => "error-account-unchanged",
        })
    }
}

impl AccountState {
    /// The state after `action`, or why it does not apply.
    pub fn apply(&self, action: Action) -> Result<AccountState, NotApplicable> {
        let mut next = *self;
        match action {
            Action::AcceptInvitation => {
                if self.registration == Registration::Registered {
                    return Err(NotApplicable::AlreadyRegistered);
                }
                if self.registration != Registration::Invited {
                    return Err(NotApplicable::NotInvited);
                }
                next.registration = Registration::Registered;
            }
            Action::Activate(mode) => {
                if self.registration == Registration::Registered {
                    return Err(NotApplicable::AlreadyRegistered);
                }
                if self.registration != Registration::ActivationSent {
                    return Err(NotApplicable::NotAwaitingActivation);
                }
                next.registration = Registration::Registered;
                if mode == RegistrationMode::SelfAutomatic && self.approval == Approval::Pending {
                    next.approval = Approval::Approved;
                }
            }
            Action::ResendLink => {
                if self.registration == Registration::Registered {
                    return Err(NotApplicable::AlreadyRegistered);
                }
            }
            Action::Approve => {
                if self.approval == Approval::Approved {
                    return Err(NotApplicable::AlreadyApproved);
                }
                next.approval = Approval::Approved;
            }
            Action::Decline => {
                if self.approval == Approval::Declined {
                    return Err(NotApplicable::AlreadyDeclined);
                }
                next.approval = Approval::Declined;
            }
            Action::LinkContact => {
                if self.assignment == Assignment::Assigned {
                    return Err(NotApplicable::AlreadyAssigned);
                }
                next.assignment = Assignment::Assigned;
            }
            Action::SwitchAccess(on) => next.access_granted = on,
            Action::SetValidUntil(day) => next.valid_until = day,
            Action::Deactivate => next.lifecycle = Lifecycle::Deactivated,
            Action::Reactivate => next.lifecycle = Lifecycle::Active,
            Action::SetRole(role) => next.role = role,
        }
        if next == *self && !matches!(action, Action::ResendLink) {
            return Err(NotApplicable::Unchanged);
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invited_person_logs_in_once_registered() {
        let s = AccountState::invited(Role::User);
        assert_eq!(s.login(0), Err(Refusal::ConfirmEmail));
        let s = s.apply(Action::AcceptInvitation).unwrap();
        assert_eq!(s.login(0), Ok(()));
        assert_eq!(
            s.apply(Action::AcceptInvitation),
            Err(NotApplicable::AlreadyRegistered)
        );
    }

    #[test]
    fn self_registration_follows_the_portals_mode() {
        let s = AccountState::self_registered(true);
        let auto = s
            .apply(Action::Activate(RegistrationMode::SelfAutomatic))
            .unwrap();
        assert_eq!(auto.login(0), Ok(()));
        let manual = s
            .apply(Action::Activate(RegistrationMode::SelfManual))
            .unwrap();
        assert_eq!(manual.login(0), Err(Refusal::AwaitingApproval));
        assert_eq!(manual.apply(Action::Approve).unwrap().login(0), Ok(()));
        let unmatched = AccountState::self_registered(false)
            .apply(Action::Activate(RegistrationMode::SelfAutomatic))
            .unwrap();
        assert_eq!(
            unmatched.login(0),
            Err(Refusal::AwaitingApproval),
            "pending assignment"
        );
        assert_eq!(
            unmatched.apply(Action::LinkContact).unwrap().login(0),
            Ok(())
        );
    }

    #[test]
    fn switch_expiry_and_deactivation_all_say_user_deactivated() {
        let s = AccountState::invited(Role::Admin)
            .apply(Action::AcceptInvitation)
            .unwrap();
        assert_eq!(
            s.apply(Action::SwitchAccess(false)).unwrap().login(0),
            Err(Refusal::UserDeactivated)
        );
        let dated = s.apply(Action::SetValidUntil(Some(10))).unwrap();
        assert_eq!(
            dated.login(10),
            Ok(()),
            "the valid-until day itself is still valid"
        );
        assert_eq!(dated.login(11), Err(Refusal::UserDeactivated));
        assert_eq!(
            s.apply(Action::Deactivate).unwrap().login(0),
            Err(Refusal::UserDeactivated)
        );
        let declined = s.apply(Action::Decline).unwrap();
        assert_eq!(
            declined.login(0),
            Err(Refusal::Declined),
            "a previously approved account can be declined"
        );
        assert_eq!(
            s.apply(Action::SetRole(Role::Notifications))
                .unwrap()
                .login(0),
            Err(Refusal::NoLogin)
        );
    }

    #[test]
    fn labels_speak_both_languages() {
        assert_eq!(
            Registration::ActivationSent.label().render("de"),
            "Aktivierungs-E-Mail geschickt"
        );
        assert_eq!(Approval::Pending.label().english(), "Pending approval");
        assert_eq!(
            Refusal::UserDeactivated.message().render("de"),
            "Benutzer deaktiviert."
        );
    }
}

/// The rules checked against a small reference model: any sequence of actions, from either
/// way an account begins, ends in a state the rules allow, and login is allowed exactly when
/// DESIGN.md says.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// The reference: plain flags, the login rule as one conjunction.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Model {
        password_set: bool,
        email_confirmed: bool,
        invited: bool,
        approved: Option<bool>,
        contact: bool,
        switch: bool,
        last_day: Option<i64>,
        active: bool,
        notifications: bool,
    }

    impl Model {
        fn login(&self, today: i64) -> bool {
            self.password_set
                && self.email_confirmed
                && self.approved == Some(true)
                && self.contact
                && self.switch
                && self.last_day.is_none_or(|d| today <= d)
                && self.active
                && !self.notifications
        }

        fn step(&mut self, action: Action) {
            match action {
                Action::AcceptInvitation if self.invited && !self.password_set => {
                    self.password_set = true;
                    self.email_confirmed = true;
                }
                Action::Activate(mode) if !self.invited && !self.email_confirmed => {
                    self.email_confirmed = true;
                    if mode == RegistrationMode::SelfAutomatic && self.approved.is_none() {
                        self.approved = Some(true);
                    }
                }
                Action::Approve => self.approved = Some(true),
                Action::Decline => self.approved = Some(false),
                Action::LinkContact => self.contact = true,
                Action::SwitchAccess(on) => self.switch = on,
                Action::SetValidUntil(d) => self.last_day = d,
                Action::Deactivate => self.active = false,
                Action::Reactivate => self.active = true,
                Action::SetRole(r) => self.notifications = r == Role::Notifications,
                _ => {}
            }
        }
    }

    fn action() -> impl Strategy<Value = Action> {
        prop_oneof![
            Just(Action::AcceptInvitation),
            Just(Action::Activate(RegistrationMode::SelfAutomatic)),
            Just(Action::Activate(RegistrationMode::SelfManual)),
            Just(Action::ResendLink),
            Just(Action::Approve),
            Just(Action::Decline),
            Just(Action::LinkContact),
            any::<bool>().prop_map(Action::SwitchAccess),
            proptest::option::of(0i64..20).prop_map(Action::SetValidUntil),
            Just(Action::Deactivate),
            Just(Action::Reactivate),
            prop_oneof![
                Just(Role::Admin),
                Just(Role::User),
                Just(Role::Marketing),
                Just(Role::Notifications)
            ]
            .prop_map(Action::SetRole),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        #[test]
        fn rules_match_the_reference(
            invited in any::<bool>(),
            contact_found in any::<bool>(),
            role in prop_oneof![Just(Role::Admin), Just(Role::User), Just(Role::Marketing), Just(Role::Notifications)],
            actions in proptest::collection::vec(action(), 0..40),
            today in 0i64..25,
        ) {
            let mut state = if invited { AccountState::invited(role) } else { AccountState::self_registered(contact_found) };
            let mut model = Model {
                password_set: !invited,
                email_confirmed: false,
                invited,
                approved: if invited { Some(true) } else { None },
                contact: invited || contact_found,
                switch: true,
                last_day: None,
                active: true,
                notifications: invited && role == Role::Notifications,
            };
            for a in actions {
                let was_registered = state.registration == Registration::Registered;
                if let Ok(next) = state.apply(a) {
                    state = next;
                }
                model.step(a);
                // Registration never goes back.
                prop_assert!(!was_registered || state.registration == Registration::Registered);
                // The login decision is the reference's, on every day.
                prop_assert_eq!(state.login(today).is_ok(), model.login(today), "{:?} vs {:?}", state, model);
                // A refusal's reason is true of the state.
                match state.login(today) {
                    Err(Refusal::ConfirmEmail) => prop_assert!(state.registration != Registration::Registered),
                    Err(Refusal::UserDeactivated) => prop_assert!(
                        !state.access_granted || state.expired(today) || state.lifecycle == Lifecycle::Deactivated
                    ),
                    Err(Refusal::Declined) => prop_assert_eq!(state.approval, Approval::Declined),
                    Err(Refusal::AwaitingApproval) => prop_assert!(
                        state.approval == Approval::Pending || state.assignment == Assignment::Pending
                    ),
                    Err(Refusal::NoLogin) => prop_assert_eq!(state.role, Role::Notifications),
                    Ok(()) => {}
                }
            }
        }
    }
}
