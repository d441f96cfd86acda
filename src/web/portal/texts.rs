//! The words of the portal pages, in English and German.

use crate::domain::directory::Language;

pub struct T {
    pub log_in: &'static str,
    pub log_out: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub confirmation: &'static str,
    pub wrong_credentials: &'static str,
    pub accept_title: &'static str,
    pub invited_to: &'static str,
    pub choose_password: &'static str,
    pub password_hint: &'static str,
    pub set_password: &'static str,
    pub confirmation_mismatch: &'static str,
    pub link_invalid_title: &'static str,
    pub link_invalid: &'static str,
    pub go_to_login: &'static str,
    pub password_set: &'static str,
    pub logged_out: &'static str,
    pub welcome: &'static str,
    pub logged_in_as: &'static str,
    pub role: &'static str,
    pub organization: &'static str,
    pub modules: &'static str,
    pub none: &'static str,
    pub other_language: &'static str,
    pub other_language_code: &'static str,
    pub forgot_link: &'static str,
    pub forgot_title: &'static str,
    pub forgot_intro: &'static str,
    pub send_link: &'static str,
    pub forgot_sent: &'static str,
    pub new_password_title: &'static str,
    pub choose_new_password: &'static str,
    pub password_changed: &'static str,
    pub ask_new_link: &'static str,
    pub new_link_title: &'static str,
    pub new_link_intro: &'static str,
    pub new_link_sent: &'static str,
}

static EN: T = T {
    log_in: "Log in",
    log_out: "Log out",
    email: "E-mail",
    password: "Password",
    confirmation: "Password again",
    wrong_credentials: "Wrong e-mail or password.",
    accept_title: "Accept your invitation",
    invited_to: "You are invited to",
    choose_password: "Choose your password to finish.",
    password_hint: "At least 12 characters. A few words make a good password.",
    set_password: "Set password",
    confirmation_mismatch: "The two passwords are not the same.",
    link_invalid_title: "This link no longer works",
    link_invalid: "The link has expired or has already been used. If you already set your password, log in. Otherwise ask your contact person for a new invitation.",
    go_to_login: "Go to the login page",
    password_set: "Your password is set. You can log in now.",
    logged_out: "You are logged out.",
    welcome: "Welcome",
    logged_in_as: "You are logged in as",
    role: "Role",
    organization: "Organization",
    modules: "Modules",
    none: "none",
    other_language: "Deutsch",
    other_language_code: "de",
    forgot_link: "Forgot your password?",
    forgot_title: "Forgot your password?",
    forgot_intro: "Enter your e-mail address and we will send you a link to choose a new password.",
    send_link: "Send the link",
    forgot_sent: "If an account with this address exists, a link to choose a new password is on its way. It works once, for a day.",
    new_password_title: "Choose a new password",
    choose_new_password: "Choose the new password for your account.",
    password_changed: "Your new password is set, and every session has ended. Log in with the new password.",
    ask_new_link: "Ask for a new invitation link",
    new_link_title: "A new invitation link",
    new_link_intro: "Enter the e-mail address the invitation was sent for, and we will send a new link.",
    new_link_sent: "If an invitation for this address is open, a new link is on its way. The old one no longer works.",
};

static DE: T = T {
    log_in: "Anmelden",
    log_out: "Abmelden",
    email: "E-Mail",
    password: "Passwort",
    confirmation: "Passwort wiederholen",
    wrong_credentials: "E-Mail oder Passwort ist falsch.",
    accept_title: "Einladung annehmen",
    invited_to: "Sie sind eingeladen zu",
    choose_password: "Wählen Sie Ihr Passwort, um abzuschließen.",
    password_hint: "Mindestens 12 Zeichen. Einige Wörter ergeben ein gutes Passwort.",
    set_password: "Passwort festlegen",
    confirmation_mismatch: "Die beiden Passwörter stimmen nicht überein.",
    link_invalid_title: "Dieser Link funktioniert nicht mehr",
    link_invalid: "Der Link ist abgelaufen oder wurde schon verwendet. Wenn Sie Ihr Passwort schon festgelegt haben, melden Sie sich an. Sonst bitten Sie Ihre Ansprechperson um eine neue Einladung.",
    go_to_login: "Zur Anmeldung",
    password_set: "Ihr Passwort ist festgelegt. Sie können sich jetzt anmelden.",
    logged_out: "Sie sind abgemeldet.",
    welcome: "Willkommen",
    logged_in_as: "Sie sind angemeldet als",
    role: "Rolle",
    organization: "Organisation",
    modules: "Module",
    none: "keine",
    other_language: "English",
    other_language_code: "en",
    forgot_link: "Passwort vergessen?",
    forgot_title: "Passwort vergessen?",
    forgot_intro: "Geben Sie Ihre E-Mail-Adresse ein; wir schicken Ihnen einen Link, mit dem Sie ein neues Passwort wählen.",
    send_link: "Link schicken",
    forgot_sent: "Wenn es zu dieser Adresse ein Konto gibt, ist ein Link zum Wählen eines neuen Passworts unterwegs. Er gilt einmal und einen Tag lang.",
    new_password_title: "Neues Passwort wählen",
    choose_new_password: "Wählen Sie das neue Passwort für Ihr Konto.",
    password_changed: "Ihr neues Passwort ist festgelegt, und alle Sitzungen wurden beendet. Melden Sie sich mit dem neuen Passwort an.",
    ask_new_link: "Einen neuen Einladungslink anfordern",
    new_link_title: "Ein neuer Einladungslink",
    new_link_intro: "Geben Sie die E-Mail-Adresse ein, für die die Einladung geschickt wurde; wir schicken Ihnen einen neuen Link.",
    new_link_sent: "Wenn für diese Adresse eine Einladung offen ist, ist ein neuer Link unterwegs. Der alte funktioniert nicht mehr.",
};

impl T {
    pub fn of(language: Language) -> &'static T {
        match language {
            Language::De => &DE,
            Language::En => &EN,
        }
    }

    /// A password rule's message in the page's language.
    pub fn password_rule(&self, message: &str) -> String {
        let german = std::ptr::eq(self, &DE);
        match (german, message) {
            (true, m) if m.contains("at least") => {
                "Das Passwort muss mindestens 12 Zeichen lang sein.".into()
            }
            (true, m) if m.contains("at most") => {
                "Das Passwort darf höchstens 128 Zeichen lang sein.".into()
            }
            (true, _) => "Dieses Passwort ist zu verbreitet; bitte wählen Sie ein anderes.".into(),
            (false, m) => format!("The password {m}."),
        }
    }
}
