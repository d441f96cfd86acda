//! The words of impersonation on the portal pages (the banner, the refusals, the end), in
//! English and German: the staff member reads them, in their own language.

use crate::domain::directory::Language;

pub struct ImpersonationT {
    /// "Viewing as {person}".
    pub viewing_as: &'static str,
    /// "by {staff}".
    pub by: &'static str,
    pub minutes_left: &'static str,
    pub minute_left: &'static str,
    pub end: &'static str,
    pub read_only_title: &'static str,
    /// Changing the person's own credentials or identity.
    pub own_refused: &'static str,
    /// A team action or preference while the portal keeps impersonation read-only.
    pub read_only: &'static str,
    pub ended_title: &'static str,
    pub ended: &'static str,
    /// "How it ended".
    pub how: &'static str,
    pub back_to_console: &'static str,
}

static EN: ImpersonationT = ImpersonationT {
    viewing_as: "You are viewing this portal as",
    by: "Impersonation by",
    minutes_left: "minutes left",
    minute_left: "minute left",
    end: "End",
    read_only_title: "Not while viewing as this person",
    own_refused: "While you view the portal as this person, their password, e-mail address, sessions and invitations cannot be changed.",
    read_only: "This portal allows only viewing while staff view it as a person: nothing can be changed.",
    ended_title: "Impersonation ended",
    ended: "You no longer view the portal as this person. The person is told, as the portal says.",
    how: "How it ended",
    back_to_console: "Back to the console",
};

static DE: ImpersonationT = ImpersonationT {
    viewing_as: "Sie sehen dieses Portal als",
    by: "Identitätswechsel durch",
    minutes_left: "Minuten verbleibend",
    minute_left: "Minute verbleibend",
    end: "Beenden",
    read_only_title: "Nicht in der Ansicht als diese Person",
    own_refused: "Solange Sie das Portal als diese Person sehen, lassen sich ihr Passwort, ihre E-Mail-Adresse, ihre Sitzungen und Einladungen nicht ändern.",
    read_only: "Dieses Portal erlaubt in der Ansicht als eine Person nur das Ansehen: Es lässt sich nichts ändern.",
    ended_title: "Identitätswechsel beendet",
    ended: "Sie sehen das Portal nicht mehr als diese Person. Die Person wird benachrichtigt, wie das Portal es vorsieht.",
    how: "Wie er endete",
    back_to_console: "Zurück zur Konsole",
};

impl ImpersonationT {
    pub fn of(language: Language) -> &'static ImpersonationT {
        match language {
            Language::En => &EN,
            Language::De => &DE,
        }
    }
}
