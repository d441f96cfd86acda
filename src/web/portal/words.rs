//! The words of a portal page: the catalog's texts (`locales/<language>/portal.ftl`,
//! `team.ftl`, `portal-notifications.ftl`) in the page's language, and a field's error as the
//! portal says it, chosen by the error's code.

use crate::catalog::{self, ArgValue, Message};
use crate::domain::FieldError;
use crate::domain::directory::Language;
use crate::security::password_policy::Weakness;

/// The texts of a page in its language; templates ask `words.t("portal-log-in")`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Words {
    pub language: Language,
}

impl Words {
    pub fn of(language: Language) -> Self {
        Words { language }
    }

    /// The code of the page's language (`en`, `de`).
    pub fn code(&self) -> &'static str {
        self.language.as_str()
    }

    /// The code of the other language, for the link that switches to it.
    pub fn other_code(&self) -> &'static str {
        match self.language {
            Language::En => Language::De.as_str(),
            Language::De => Language::En.as_str(),
        }
    }

    /// A text of the catalog.
    pub fn t(&self, key: &str) -> String {
        catalog::tr(self.code(), key)
    }

    /// A text of the catalog with one argument.
    pub fn t1(&self, key: &str, name: &str, value: impl ArgValue) -> String {
        catalog::tr_args(self.code(), key, &[(name, value.value())])
    }

    /// A text of the catalog with two arguments.
    pub fn t2(
        &self,
        key: &str,
        (n1, v1): &(&str, impl ArgValue),
        (n2, v2): &(&str, impl ArgValue),
    ) -> String {
        catalog::tr_args(self.code(), key, &[(n1, v1.value()), (n2, v2.value())])
    }

    /// A text of the catalog with markup (to be shown `|safe`) and one argument, escaped.
    pub fn h1(&self, key: &str, name: &str, value: &str) -> String {
        let value = catalog::escape_html(value);
        catalog::tr_args(self.code(), key, &[(name, value.as_str().into())])
    }

    /// A text of the catalog with markup (to be shown `|safe`) and two arguments, escaped.
    pub fn h2(&self, key: &str, (n1, v1): &(&str, &str), (n2, v2): &(&str, &str)) -> String {
        let (v1, v2) = (catalog::escape_html(v1), catalog::escape_html(v2));
        catalog::tr_args(
            self.code(),
            key,
            &[(n1, v1.as_str().into()), (n2, v2.as_str().into())],
        )
    }

    /// A catalog message.
    pub fn say(&self, message: &Message) -> String {
        message.render(self.code())
    }

    /// A field's message: the portal's own sentence for the fields and codes it knows, else
    /// by the error's code.
    pub fn field_error(&self, e: &FieldError) -> String {
        let key = e.code.as_ref().map(|m| m.key);
        match (e.field.as_str(), key) {
            ("password", _) => self.password_rule(e),
            ("confirmation", _) => self.t("portal-confirmation-mismatch"),
            ("current_password", Some("error-password-again")) => self.t("portal-password-again"),
            ("current_password", _) => self.t("portal-wrong-current"),
            ("new_email", Some("error-email-yours-already")) => self.t("portal-same-email"),
            ("new_email", Some("error-email-other-account")) => self.t("portal-email-taken"),
            (_, Some("error-required")) => self.t("portal-required"),
            ("email" | "new_email", _) => self.t("portal-invalid-email"),
            _ => self.t("portal-invalid-value"),
        }
    }

    /// A password rule's message, as a sentence.
    pub fn password_rule(&self, e: &FieldError) -> String {
        match e.code.as_ref().and_then(Weakness::of) {
            Some(w) => self.say(&w.sentence()),
            None => self.t1("portal-password-problem", "problem", e.text(self.code())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_message_around_its_values_escaped_in_each_language_s_order() {
        let (en, de) = (Words::of(Language::En), Words::of(Language::De));
        assert_eq!(
            de.h1("portal-register-intro", "portal", "<b>A&B</b>"),
            "Zugang zu <strong>&lt;b&gt;A&amp;B&lt;/b&gt;</strong> beantragen."
        );
        assert_eq!(
            en.h2(
                "portal-invited-to-for",
                &("portal", "Kundenportal"),
                &("organization", "Nord \"licht\"")
            ),
            "You are invited to <strong>Kundenportal</strong> (Nord &quot;licht&quot;)."
        );
        assert_eq!(
            de.h2(
                "portal-invited-to-for",
                &("portal", "Kundenportal"),
                &("organization", "Nordlicht")
            ),
            "Sie sind zu <strong>Kundenportal</strong> (Nordlicht) eingeladen."
        );
        assert_eq!(
            de.h1("portal-logged-in-as", "email", "erika@nordlicht.example"),
            "Sie sind als <strong id=\"account-email\">erika@nordlicht.example</strong> angemeldet."
        );
        assert_eq!(
            de.t("portal-zone-offer"),
            "Ihr Gerät ist auf <strong data-zone></strong> eingestellt. Als Ihre Zeitzone verwenden?"
        );
        assert_eq!(
            de.t1("portal-zone-keep", "zone", "Europe/Berlin"),
            "Europe/Berlin beibehalten"
        );
        assert_eq!(en.t1("portal-zone-keep", "zone", "UTC"), "Keep UTC");
    }
}
