//! The words of the notifications page and of the unsubscribe pages, in English and German.

use crate::domain::directory::Language;

/// The words of the notifications page and of the unsubscribe pages.
pub struct NotifyT {
    pub title: &'static str,
    pub intro: &'static str,
    pub frequency: &'static str,
    pub off: &'static str,
    pub daily: &'static str,
    pub weekly: &'static str,
    /// Followed by the zone in brackets.
    pub at_eight: &'static str,
    pub change_zone: &'static str,
    pub categories: &'static str,
    pub nothing_to_choose: &'static str,
    pub saved: &'static str,
    pub next_due: &'static str,
    pub no_digest_off: &'static str,
    pub no_digest_no_category: &'static str,
    pub choose_frequency: &'static str,
    pub choose_categories: &'static str,
    pub unsubscribe_title: &'static str,
    /// Before the address; `unsubscribe_question_end` follows it.
    pub unsubscribe_question: &'static str,
    pub unsubscribe_question_end: &'static str,
    pub unsubscribe_hint: &'static str,
    pub unsubscribe_button: &'static str,
    pub unsubscribed: &'static str,
    pub unsubscribed_hint: &'static str,
    pub unknown_link_title: &'static str,
    pub unknown_link: &'static str,
}

static NOTIFY_EN: NotifyT = NotifyT {
    title: "E-mail notifications",
    intro: "A digest by e-mail of what is open for you, in the categories you choose. Nothing open, no e-mail.",
    frequency: "How often",
    off: "Off",
    daily: "Daily",
    weekly: "Weekly, on Monday",
    at_eight: "at 08:00 in your time zone",
    change_zone: "Change your time zone",
    categories: "Categories",
    nothing_to_choose: "There is nothing to choose on this portal yet.",
    saved: "Saved.",
    next_due: "Your next digest comes on",
    no_digest_off: "Digests are off: you get none.",
    no_digest_no_category: "You get no digest until you choose at least one category.",
    choose_frequency: "Please choose how often.",
    choose_categories: "Please choose from the list.",
    unsubscribe_title: "Stop the digests",
    unsubscribe_question: "Stop the digests to",
    unsubscribe_question_end: "?",
    unsubscribe_hint: "You can turn them on again at any time in your notification settings.",
    unsubscribe_button: "Stop the digests",
    unsubscribed: "You will not get digests any more.",
    unsubscribed_hint: "To get them again, turn them on in your notification settings.",
    unknown_link_title: "This link does not work",
    unknown_link: "This link is unknown or has expired. To stop the digests, use the link of a newer one, or change your notification settings.",
};

static NOTIFY_DE: NotifyT = NotifyT {
    title: "E-Mail-Benachrichtigungen",
    intro: "Eine Zusammenfassung per E-Mail, was für Sie offen ist, in den Themen, die Sie wählen. Ist nichts offen, kommt keine E-Mail.",
    frequency: "Wie oft",
    off: "Aus",
    daily: "Täglich",
    weekly: "Wöchentlich, montags",
    at_eight: "um 08:00 Uhr in Ihrer Zeitzone",
    change_zone: "Zeitzone ändern",
    categories: "Kategorien",
    nothing_to_choose: "Auf diesem Portal gibt es noch nichts zu wählen.",
    saved: "Gespeichert.",
    next_due: "Ihre nächste Zusammenfassung kommt am",
    no_digest_off: "Zusammenfassungen sind ausgeschaltet: Sie bekommen keine.",
    no_digest_no_category: "Sie bekommen keine Zusammenfassung, bis Sie mindestens ein Thema wählen.",
    choose_frequency: "Bitte wählen Sie, wie oft.",
    choose_categories: "Bitte wählen Sie aus der Liste.",
    unsubscribe_title: "Zusammenfassungen abbestellen",
    unsubscribe_question: "Die Zusammenfassungen an",
    unsubscribe_question_end: " abbestellen?",
    unsubscribe_hint: "Sie können sie jederzeit in Ihren Benachrichtigungs-Einstellungen wieder einschalten.",
    unsubscribe_button: "Abbestellen",
    unsubscribed: "Sie bekommen keine Zusammenfassungen mehr.",
    unsubscribed_hint: "Um sie wieder zu bekommen, schalten Sie sie in Ihren Benachrichtigungs-Einstellungen ein.",
    unknown_link_title: "Dieser Link funktioniert nicht",
    unknown_link: "Dieser Link ist unbekannt oder abgelaufen. Um die Zusammenfassungen abzubestellen, nutzen Sie den Link einer neueren oder ändern Sie Ihre Benachrichtigungs-Einstellungen.",
};

impl NotifyT {
    pub fn of(language: Language) -> &'static NotifyT {
        match language {
            Language::De => &NOTIFY_DE,
            Language::En => &NOTIFY_EN,
        }
    }

    /// A preferences field's message in the page's language (the rules speak English).
    pub fn field_error(&self, field: &str) -> &'static str {
        match field {
            "frequency" => self.choose_frequency,
            _ => self.choose_categories,
        }
    }
}
