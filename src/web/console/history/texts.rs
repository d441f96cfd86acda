//! The words of the history: what each audit action says, in English and German, and the
//! words around it ("by", the e-mail that went with a change).

use crate::domain::directory::Language;

/// Each audit action's phrase: (action, English, German). A sentence is the phrase, who did
/// it, and what went with it: "Declined by Maria Keller — e-mail sent to anna@…".
#[rustfmt::skip]
pub const PHRASES: &[(&str, &str, &str)] = &[
    // A portal account's statuses, set by staff.
    ("account.approve", "Approved", "Freigegeben"),
    ("account.decline", "Declined", "Abgelehnt"),
    ("account.switch_off", "Access switched off", "Zugang abgeschaltet"),
    ("account.switch_on", "Access switched on", "Zugang eingeschaltet"),
    ("account.set_valid_until", "Valid-until date changed", "Ablaufdatum geändert"),
    ("account.deactivate", "Deactivated", "Deaktiviert"),
    ("account.reactivate", "Reactivated", "Reaktiviert"),
    ("account.approve_undone", "Approval undone", "Freigabe rückgängig gemacht"),
    ("account.decline_undone", "Decline undone", "Ablehnung rückgängig gemacht"),
    ("account.switch_off_undone", "Switching access off undone", "Abschalten des Zugangs rückgängig gemacht"),
    ("account.switch_on_undone", "Switching access on undone", "Einschalten des Zugangs rückgängig gemacht"),
    ("account.deactivate_undone", "Deactivation undone", "Deaktivierung rückgängig gemacht"),
    ("account.reactivate_undone", "Reactivation undone", "Reaktivierung rückgängig gemacht"),
    // A portal account's life.
    ("account.granted", "Invited (access granted)", "Eingeladen (Zugang gewährt)"),
    ("account.access_changed", "Role, modules or customers changed", "Rolle, Module oder Kunden geändert"),
    ("account.contact_linked", "Linked to a contact", "Mit einem Kontakt verknüpft"),
    ("account.invitation_accepted", "Invitation accepted, password set", "Einladung angenommen, Passwort festgelegt"),
    ("account.invitation_cancelled", "Invitation cancelled", "Einladung zurückgezogen"),
    ("account.link_resent", "Invitation or activation e-mail sent again", "Einladungs- oder Aktivierungs-E-Mail erneut gesendet"),
    ("account.new_link_requested", "New link requested", "Neuer Link angefordert"),
    ("account.registered", "Registered on the portal", "Im Portal registriert"),
    ("account.registered_again", "Registered again", "Erneut registriert"),
    ("account.registered_while_invited", "Registered while an invitation was open", "Registriert, während eine Einladung offen war"),
    ("account.activated", "E-mail address confirmed", "E-Mail-Adresse bestätigt"),
    ("account.removed", "Removed", "Entfernt"),
    ("account.profile_changed", "Profile changed", "Profil geändert"),
    ("account.email_change_requested", "Change of e-mail address requested", "Änderung der E-Mail-Adresse angefordert"),
    ("account.email_changed", "E-mail address changed", "E-Mail-Adresse geändert"),
    ("account.password_changed", "Password changed", "Passwort geändert"),
    ("account.password_check_failed", "Password check failed", "Passwortprüfung fehlgeschlagen"),
    ("account.password_link_sent", "New-password link sent", "Link für ein neues Passwort gesendet"),
    ("account.password_reset", "Password reset", "Passwort zurückgesetzt"),
    ("account.password_reset_requested", "Password reset requested", "Zurücksetzen des Passworts angefordert"),
    ("account.logged_in", "Logged in", "Angemeldet"),
    ("account.logged_out", "Logged out", "Abgemeldet"),
    ("account.login_failed", "Login failed", "Anmeldung fehlgeschlagen"),
    ("account.login_refused", "Login refused", "Anmeldung abgewiesen"),
    ("account.session_ended", "A session ended", "Eine Sitzung beendet"),
    ("account.other_sessions_ended", "Other sessions ended", "Andere Sitzungen beendet"),
    ("account.sessions_ended", "Sessions ended", "Sitzungen beendet"),
    ("account.impersonation_started", "Viewing the portal as this person started", "Ansicht des Portals als diese Person begonnen"),
    ("account.impersonation_ended", "Viewing the portal as this person ended", "Ansicht des Portals als diese Person beendet"),
    ("account.impersonation_refused", "Viewing the portal as this person refused", "Ansicht des Portals als diese Person verweigert"),
    ("account.impersonation_session_refused", "A session viewing the portal as this person refused", "Sitzung in der Ansicht als diese Person verweigert"),
    ("account.impersonation_change_refused", "A change while viewing the portal as this person refused", "Änderung in der Ansicht als diese Person verweigert"),
    // Staff.
    ("staff.created", "Staff member created", "Mitarbeiter angelegt"),
    ("staff.updated", "Staff member changed", "Mitarbeiter geändert"),
    ("staff.deactivated", "Staff member deactivated", "Mitarbeiter deaktiviert"),
    ("staff.reactivated", "Staff member reactivated", "Mitarbeiter reaktiviert"),
    ("staff.locale_changed", "Language or time zone changed", "Sprache oder Zeitzone geändert"),
    ("staff.logged_in", "Logged in to the console", "In der Konsole angemeldet"),
    ("staff.logged_out", "Logged out of the console", "Von der Konsole abgemeldet"),
    ("staff.login_failed", "Console login failed", "Konsolenanmeldung fehlgeschlagen"),
    ("staff.password_changed", "Password changed", "Passwort geändert"),
    ("staff.password_check_failed", "Password check failed", "Passwortprüfung fehlgeschlagen"),
    ("staff.session_ended", "A console session ended", "Eine Konsolensitzung beendet"),
    ("staff.other_sessions_ended", "Other console sessions ended", "Andere Konsolensitzungen beendet"),
    ("staff.sessions_ended", "Console sessions ended", "Konsolensitzungen beendet"),
    // The directory and the portals.
    ("organization.created", "Organization created", "Organisation angelegt"),
    ("organization.updated", "Organization changed", "Organisation geändert"),
    ("contact.created", "Contact created", "Kontakt angelegt"),
    ("contact.updated", "Contact changed", "Kontakt geändert"),
    ("area.created", "Area created", "Bereich angelegt"),
    ("area.updated", "Area changed", "Bereich geändert"),
    ("partnership.created", "Partnership created", "Partnerschaft angelegt"),
    ("partnership.updated", "Partnership changed", "Partnerschaft geändert"),
    ("portal.created", "Portal created", "Portal angelegt"),
    ("portal.updated", "Portal changed", "Portal geändert"),
    ("portal.impersonation_changed", "Settings for viewing the portal as a person changed", "Einstellungen zur Ansicht als Person geändert"),
    ("portal.task_categories_set", "Task categories changed", "Aufgabenkategorien geändert"),
    ("task.created", "Task created", "Aufgabe angelegt"),
    ("task.updated", "Task changed", "Aufgabe geändert"),
    ("task.closed", "Task closed", "Aufgabe erledigt"),
    ("task.reopened", "Task reopened", "Aufgabe wieder geöffnet"),
    ("notifications.changed", "Notification settings changed", "Benachrichtigungseinstellungen geändert"),
    ("notifications.unsubscribed", "Unsubscribed from digests", "Von den Zusammenfassungen abgemeldet"),
    // E-mail.
    ("mail.requeued", "E-mail queued again", "E-Mail erneut eingereiht"),
    ("mail.test_queued", "Test e-mail queued", "Test-E-Mail eingereiht"),
    ("mail_template.saved", "E-mail template saved", "E-Mail-Vorlage gespeichert"),
    ("mail_template.reset", "E-mail template reset to the default", "E-Mail-Vorlage auf den Standard zurückgesetzt"),
    // API keys, applications and their keys.
    ("api_key.created", "API key created", "API-Schlüssel erstellt"),
    ("api_key.revoked", "API key revoked", "API-Schlüssel widerrufen"),
    ("oidc_client.created", "Application created", "Anwendung angelegt"),
    ("oidc_client.updated", "Application changed", "Anwendung geändert"),
    ("oidc_client.deleted", "Application deleted", "Anwendung gelöscht"),
    ("oidc_client.secret_renewed", "Application secret renewed", "Anwendungsgeheimnis erneuert"),
    ("oidc.authorize_refused", "An application's login request refused", "Anmeldeanfrage einer Anwendung abgewiesen"),
    ("oidc.client_refused", "An application refused (wrong credentials)", "Anwendung abgewiesen (falsche Zugangsdaten)"),
    ("oidc.token_refused", "Token request refused", "Token-Anfrage abgewiesen"),
    ("oidc.grant_ended", "An application login ended", "Anmeldung bei einer Anwendung beendet"),
    ("oidc.key_created", "Signing key created", "Signaturschlüssel erstellt"),
    ("oidc.keys_rotated", "Signing keys rotated", "Signaturschlüssel gewechselt"),
    ("oidc.keys_retired", "Old signing keys retired", "Alte Signaturschlüssel stillgelegt"),
    ("oidc_logout.requeued", "Logout notice to an application queued again", "Abmeldenachricht an eine Anwendung erneut eingereiht"),
    // Security.
    ("security.csrf_refused", "A form from another site refused", "Formular einer anderen Website abgewiesen"),
    ("security.forbidden", "Access refused", "Zugriff verweigert"),
    ("security.unknown_api_key", "Unknown API key refused", "Unbekannter API-Schlüssel abgewiesen"),
    ("security.throttled", "Slowed down after many attempts", "Nach vielen Versuchen gebremst"),
    ("security.locked_out", "Locked out after too many attempts", "Nach zu vielen Versuchen gesperrt"),
];

/// The phrase of an audit action in a language, if the catalog has one.
pub fn phrase(action: &str, language: Language) -> Option<&'static str> {
    PHRASES
        .iter()
        .find(|(a, _, _)| *a == action)
        .map(|(_, en, de)| match language {
            Language::En => *en,
            Language::De => *de,
        })
}

/// The words around a phrase.
pub struct Words {
    /// The history's heading, and what it says when nothing has happened.
    pub heading: &'static str,
    pub empty: &'static str,
    /// "by" before who did it.
    pub by: &'static str,
    /// An action the catalog does not know yet.
    pub unknown: &'static str,
    pub mail_to: &'static str,
    pub mail_sent: &'static str,
    pub mail_waiting: &'static str,
    pub mail_failed: &'static str,
    pub mail_not_sent: &'static str,
    pub mail_cancelled: &'static str,
    pub mail_already_sent: &'static str,
    pub valid_until: &'static str,
    pub no_end_date: &'static str,
}

static EN: Words = Words {
    heading: "History",
    empty: "Nothing has happened yet.",
    by: "by",
    unknown: "Recorded",
    mail_to: "e-mail to {to}",
    mail_sent: "e-mail sent to {to}",
    mail_waiting: "e-mail to {to} waiting in the outbox",
    mail_failed: "e-mail to {to} failed",
    mail_not_sent: "e-mail to {to} not sent",
    mail_cancelled: "the e-mail to {to} was not sent",
    mail_already_sent: "the e-mail to {to} had already been sent",
    valid_until: "valid until {day}",
    no_end_date: "no end date",
};

static DE: Words = Words {
    heading: "Verlauf",
    empty: "Noch ist nichts geschehen.",
    by: "von",
    unknown: "Erfasst",
    mail_to: "E-Mail an {to}",
    mail_sent: "E-Mail an {to} gesendet",
    mail_waiting: "E-Mail an {to} wartet im Postausgang",
    mail_failed: "E-Mail an {to} fehlgeschlagen",
    mail_not_sent: "E-Mail an {to} nicht gesendet",
    mail_cancelled: "die E-Mail an {to} wurde nicht gesendet",
    mail_already_sent: "die E-Mail an {to} war schon gesendet",
    valid_until: "gültig bis {day}",
    no_end_date: "ohne Ablaufdatum",
};

pub fn words(language: Language) -> &'static Words {
    match language {
        Language::En => &EN,
        Language::De => &DE,
    }
}
