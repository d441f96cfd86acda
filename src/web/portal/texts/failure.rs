//! The words of the page that says an action failed, in English and German. In English, a
//! refusal shows the rule's own words; in German, these.

use crate::domain::directory::Language;

pub struct FailureT {
    pub not_found_title: &'static str,
    pub not_found: &'static str,
    pub not_allowed_title: &'static str,
    pub not_allowed: &'static str,
    pub refused_title: &'static str,
    pub refused: &'static str,
    pub check_input_title: &'static str,
    pub internal_title: &'static str,
    pub internal: &'static str,
    pub back_to_portal: &'static str,
}

static EN: FailureT = FailureT {
    not_found_title: "Not found",
    not_found: "There is nothing here, or it is not yours to see.",
    not_allowed_title: "Not allowed",
    not_allowed: "You may not do this.",
    refused_title: "Refused",
    refused: "This is not possible.",
    check_input_title: "Check your input",
    internal_title: "Something went wrong",
    internal: "Something went wrong on our side; it has been logged. Try again in a moment.",
    back_to_portal: "Back to the portal",
};

static DE: FailureT = FailureT {
    not_found_title: "Nicht gefunden",
    not_found: "Hier ist nichts, oder es ist nicht für Sie bestimmt.",
    not_allowed_title: "Nicht erlaubt",
    not_allowed: "Das dürfen Sie nicht.",
    refused_title: "Abgelehnt",
    refused: "Das ist nicht möglich.",
    check_input_title: "Bitte prüfen Sie Ihre Eingaben",
    internal_title: "Etwas ist schiefgelaufen",
    internal: "Bei uns ist etwas schiefgelaufen; es wurde protokolliert. Bitte versuchen Sie es gleich noch einmal.",
    back_to_portal: "Zurück zum Portal",
};

impl FailureT {
    pub fn of(language: Language) -> &'static FailureT {
        match language {
            Language::De => &DE,
            Language::En => &EN,
        }
    }
}
