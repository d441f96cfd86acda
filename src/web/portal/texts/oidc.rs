//! The words of the pages an application's login and logout requests show, in English and
//! German.

use crate::domain::directory::Language;
use crate::usecases::oidc::authorize::ErrorPage;
use crate::usecases::oidc::logout::EndSessionError;

pub struct OidcT {
    pub cannot_sign_in_title: &'static str,
    pub unknown_client: &'static str,
    pub redirect_uri_missing: &'static str,
    pub redirect_uri_not_registered: &'static str,
    pub request_lapsed: &'static str,
    pub cannot_log_out_title: &'static str,
    pub bad_hint: &'static str,
    pub logout_unknown_client: &'static str,
    pub post_logout_not_registered: &'static str,
    pub confirm_title: &'static str,
    pub confirm_text: &'static str,
    pub confirm_button: &'static str,
    pub stay: &'static str,
}

static EN: OidcT = OidcT {
    cannot_sign_in_title: "This application cannot log you in",
    unknown_client: "The application that sent you here is not registered with this portal, or it has been switched off. Tell the application's operator.",
    redirect_uri_missing: "The application did not say where to send you back to. Tell the application's operator.",
    redirect_uri_not_registered: "The application asked to send you back to an address that is not registered for it, so you are not sent there. Tell the application's operator.",
    request_lapsed: "This login request has expired or was already used. Go back to the application and start again.",
    cannot_log_out_title: "This logout request is not valid",
    bad_hint: "The application's logout request names a login that was not made here.",
    logout_unknown_client: "The application that sent you here is not registered with this portal.",
    post_logout_not_registered: "The application asked to send you back to an address that is not registered for it, so you are not sent there.",
    confirm_title: "Log out?",
    confirm_text: "An application asks to log you out of this portal. You will be logged out of every application you opened with this login.",
    confirm_button: "Log out",
    stay: "Stay logged in",
};

static DE: OidcT = OidcT {
    cannot_sign_in_title: "Diese Anwendung kann Sie nicht anmelden",
    unknown_client: "Die Anwendung, die Sie hierher geschickt hat, ist für dieses Portal nicht registriert oder wurde abgeschaltet. Bitte wenden Sie sich an den Betreiber der Anwendung.",
    redirect_uri_missing: "Die Anwendung hat nicht angegeben, wohin Sie zurückgeleitet werden sollen. Bitte wenden Sie sich an den Betreiber der Anwendung.",
    redirect_uri_not_registered: "Die Anwendung wollte Sie an eine Adresse zurückleiten, die für sie nicht registriert ist; deshalb werden Sie nicht dorthin geleitet. Bitte wenden Sie sich an den Betreiber der Anwendung.",
    request_lapsed: "Diese Anmeldeanfrage ist abgelaufen oder wurde schon verwendet. Bitte kehren Sie zur Anwendung zurück und beginnen Sie neu.",
    cannot_log_out_title: "Diese Abmeldeanfrage ist ungültig",
    bad_hint: "Die Abmeldeanfrage der Anwendung nennt eine Anmeldung, die nicht hier erfolgt ist.",
    logout_unknown_client: "Die Anwendung, die Sie hierher geschickt hat, ist für dieses Portal nicht registriert.",
    post_logout_not_registered: "Die Anwendung wollte Sie an eine Adresse zurückleiten, die für sie nicht registriert ist; deshalb werden Sie nicht dorthin geleitet.",
    confirm_title: "Abmelden?",
    confirm_text: "Eine Anwendung möchte Sie von diesem Portal abmelden. Sie werden dann von allen Anwendungen abgemeldet, die Sie mit dieser Anmeldung geöffnet haben.",
    confirm_button: "Abmelden",
    stay: "Angemeldet bleiben",
};

impl OidcT {
    pub fn of(language: Language) -> &'static OidcT {
        match language {
            Language::De => &DE,
            Language::En => &EN,
        }
    }

    pub fn authorize_error(&self, page: ErrorPage) -> &'static str {
        match page {
            ErrorPage::UnknownClient => self.unknown_client,
            ErrorPage::RedirectUriMissing => self.redirect_uri_missing,
            ErrorPage::RedirectUriNotRegistered => self.redirect_uri_not_registered,
            ErrorPage::RequestLapsed => self.request_lapsed,
        }
    }

    pub fn logout_error(&self, e: EndSessionError) -> &'static str {
        match e {
            EndSessionError::BadHint => self.bad_hint,
            EndSessionError::UnknownClient => self.logout_unknown_client,
            EndSessionError::RedirectUriNotRegistered => self.post_logout_not_registered,
        }
    }
}
