//! The pages of the single-use links Admit e-mails: accept an invitation, choose a new
//! password, confirm a registration's address, confirm a new address. Each link shows a page
//! with a button or a form, and only its POST uses the link, so that a mail scanner opening
//! the link does not use it up. A link that no longer works says so, and how to go on.

use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::page::{
    MessagePage, PortalPage, form_token, gone, set_cookie, signed_out, with_form_cookie,
};
use super::words::Words;
use super::{SESSION_COOKIE, WELCOME_COOKIE};
use crate::domain::FieldErrors;
use crate::domain::directory::Language;
use crate::storage::accounts::PortalAccount;
use crate::storage::directory::Portal;
use crate::usecases::Error;
use crate::usecases::accounts as uc;
use crate::usecases::profile;
use crate::usecases::registration as reg;
use crate::web::page::PageResult;
use crate::web::{AppState, ClientAddr};

/// The link's page again, `page?token=...`, with the posted token percent-encoded: whatever
/// the form held, it stays one query parameter of a valid `Location`.
fn with_token(page: &str, token: &str) -> String {
    let token: String = form_urlencoded::byte_serialize(token.as_bytes()).collect();
    format!("{page}?token={token}")
}

#[derive(Deserialize, Default)]
pub(super) struct TokenQuery {
    #[serde(default)]
    token: String,
    lang: Option<String>,
}

/// The form of a link's page: the token, and for the password forms the two passwords.
#[derive(Deserialize)]
pub(super) struct LinkForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
    #[serde(default)]
    csrf: String,
    lang: Option<String>,
}

/// A link's page with a fresh form token, in its cookie too.
fn with_new_token<P: IntoResponse>(
    s: &AppState,
    portal_id: i64,
    headers: &HeaderMap,
    page: impl FnOnce(String) -> P,
) -> Response {
    let csrf = form_token(headers);
    let page = page(csrf.clone());
    with_form_cookie(s, portal_id, &csrf, StatusCode::OK, page)
}

/// The password form's errors, in the page's language.
fn password_errors(words: Words, errors: &FieldErrors) -> (Option<String>, Option<String>) {
    (
        errors.error("password").map(|e| words.password_rule(e)),
        errors
            .get("confirmation")
            .map(|_| words.t("portal-confirmation-mismatch")),
    )
}

/// The page of a password link that no longer works: an invitation's offers a new invitation
/// link, a reset's a new password link.
fn link_invalid(portal: Portal, language: Language, link: PasswordLink) -> Response {
    match link {
        PasswordLink::Invitation => gone(
            portal,
            language,
            "portal-link-invalid",
            Some(("new-link", "portal-ask-new-link")),
        ),
        PasswordLink::Reset => gone(
            portal,
            language,
            "portal-password-link-invalid",
            Some(("forgot", "portal-ask-new-password-link")),
        ),
    }
}

// ---------------------------------------------------------------- accept an invitation

/// What the two password pages of a link show: the form with the link's token, and its
/// errors after a refusal.
struct PasswordForm {
    words: Words,
    lang: &'static str,
    portal: Portal,
    account: PortalAccount,
    token: String,
    csrf: String,
    password_error: Option<String>,
    confirmation_error: Option<String>,
}

impl PasswordForm {
    fn new(
        language: Language,
        portal: Portal,
        account: PortalAccount,
        token: String,
        csrf: String,
        errors: Option<&FieldErrors>,
    ) -> Self {
        let words = Words::of(language);
        let (password_error, confirmation_error) = match errors {
            Some(e) => password_errors(words, e),
            None => (None, None),
        };
        PasswordForm {
            words,
            lang: language.as_str(),
            portal,
            account,
            token,
            csrf,
            password_error,
            confirmation_error,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "portal/accept.html")]
struct AcceptPage {
    form: PasswordForm,
    /// The staff user who sent the invitation.
    inviter: Option<String>,
}

impl std::ops::Deref for AcceptPage {
    type Target = PasswordForm;

    fn deref(&self) -> &PasswordForm {
        &self.form
    }
}

/// The two links whose page sets a password: an invitation, and a password reset.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum PasswordLink {
    Invitation,
    Reset,
}

impl PasswordLink {
    /// The page's address under the portal.
    fn path(self) -> &'static str {
        match self {
            PasswordLink::Invitation => "accept",
            PasswordLink::Reset => "password",
        }
    }

    /// The link's account, while the link works.
    async fn check(
        self,
        s: &AppState,
        portal_id: i64,
        token: &str,
    ) -> Result<Option<PortalAccount>, Error> {
        match self {
            PasswordLink::Invitation => uc::check_invitation(&s.cx, portal_id, token).await,
            PasswordLink::Reset => uc::check_password_link(&s.cx, portal_id, token).await,
        }
    }

    /// The page with its form; an invitation's names who sent it.
    async fn page(self, s: &AppState, form: PasswordForm) -> Response {
        match self {
            PasswordLink::Invitation => {
                let inviter = uc::inviter_of(&s.cx, form.account.id).await.unwrap_or(None);
                AcceptPage { form, inviter }.into_response()
            }
            PasswordLink::Reset => PasswordPage { form }.into_response(),
        }
    }
}

/// A password link as a type, so that one handler serves both links:
/// `password_link_page::<Invitation>`.
pub(super) trait IsPasswordLink {
    const LINK: PasswordLink;
}

/// An invitation's link (`accept`).
pub(super) struct Invitation;

impl IsPasswordLink for Invitation {
    const LINK: PasswordLink = PasswordLink::Invitation;
}

/// A password reset's link (`password`).
pub(super) struct Reset;

impl IsPasswordLink for Reset {
    const LINK: PasswordLink = PasswordLink::Reset;
}

/// The page of a password link, in the language of the invitation (the person's) unless they
/// chose another, or of the page for a reset.
pub(super) async fn password_link_page<L: IsPasswordLink>(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let (s, headers, link) = (&s, &headers, L::LINK);
    let Some(account) = link.check(s, page.id(), &q.token).await? else {
        return Ok(link_invalid(page.portal, page.language, link));
    };
    let language = match (link, &q.lang) {
        (PasswordLink::Invitation, None) => page.choose(Some(&account.language)),
        _ => page.language,
    };
    let pid = page.id();
    let csrf = form_token(headers);
    let form = PasswordForm::new(language, page.portal, account, q.token, csrf.clone(), None);
    let shown = link.page(s, form).await;
    Ok(with_form_cookie(s, pid, &csrf, StatusCode::OK, shown))
}

/// Sets the password of a link: then to the login page (a reset ends every session); the
/// form again when the password is refused; the "no longer works" page for a used link.
pub(super) async fn submit_password<L: IsPasswordLink>(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<LinkForm>,
) -> PageResult {
    let (s, headers, link) = (&s, &headers, L::LINK);
    let back = with_token(link.path(), &f.token);
    let language = page.posted(headers, &f.csrf, f.lang.as_deref(), &back)?;
    super::impersonation::refuse_links(s, &page, headers).await?;
    let pid = page.id();
    let (token, password, confirmation) = (&f.token, &f.password, &f.confirmation);
    let set = match link {
        PasswordLink::Invitation => {
            uc::accept_invitation(&s.cx, pid, token, password, confirmation, addr).await
        }
        PasswordLink::Reset => {
            uc::reset_password(&s.cx, pid, token, password, confirmation, addr).await
        }
    };
    let lang = language.as_str();
    Ok(match set {
        Ok(account) if link == PasswordLink::Invitation => {
            let email: String = form_urlencoded::byte_serialize(account.email.as_bytes()).collect();
            let welcome = set_cookie(s, pid, WELCOME_COOKIE, &email, 600);
            (
                StatusCode::SEE_OTHER,
                [
                    (
                        header::LOCATION,
                        format!("/portal/{pid}/login?welcome=1&lang={lang}"),
                    ),
                    (header::SET_COOKIE, welcome),
                ],
            )
                .into_response()
        }
        Ok(_) => signed_out(s, pid, format!("/portal/{pid}/login?reset=1&lang={lang}")),
        Err(Error::Invalid(errors)) => {
            let Ok(Some(account)) = link.check(s, pid, &f.token).await else {
                return Ok(link_invalid(page.portal, language, link));
            };
            let csrf = f.csrf.clone();
            let form = PasswordForm::new(
                language,
                page.portal,
                account,
                f.token,
                f.csrf,
                Some(&errors),
            );
            let shown = link.page(s, form).await;
            with_form_cookie(s, pid, &csrf, StatusCode::UNPROCESSABLE_ENTITY, shown)
        }
        Err(Error::NotFound(_)) => link_invalid(page.portal, language, link),
        Err(Error::Refused(_)) if link == PasswordLink::Invitation => {
            link_invalid(page.portal, language, link)
        }
        Err(e) => return Err(e.into()),
    })
}

// ---------------------------------------------------------------- choose a new password

#[derive(Template, WebTemplate)]
#[template(path = "portal/password.html")]
struct PasswordPage {
    form: PasswordForm,
}

impl std::ops::Deref for PasswordPage {
    type Target = PasswordForm;

    fn deref(&self) -> &PasswordForm {
        &self.form
    }
}

// ---------------------------------------------------------------- confirm a registration

#[derive(Template, WebTemplate)]
#[template(path = "portal/activate.html")]
struct ActivatePage {
    words: Words,
    lang: &'static str,
    portal: Portal,
    account: PortalAccount,
    token: String,
    csrf: String,
}

fn activation_invalid(portal: Portal, language: Language) -> Response {
    gone(
        portal,
        language,
        "portal-activation-invalid",
        Some(("new-link", "portal-ask-new-activation")),
    )
}

pub(super) async fn activate_page(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let language = page.language;
    let Some(account) = reg::check_activation(&s.cx, page.id(), &q.token).await? else {
        return Ok(activation_invalid(page.portal, language));
    };
    Ok(with_new_token(&s, page.id(), &headers, |csrf| {
        ActivatePage {
            words: Words::of(language),
            lang: language.as_str(),
            portal: page.portal,
            account,
            token: q.token,
            csrf,
        }
    }))
}

pub(super) async fn activate(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<LinkForm>,
) -> PageResult {
    let back = with_token("activate", &f.token);
    let language = page.posted(&headers, &f.csrf, f.lang.as_deref(), &back)?;
    super::impersonation::refuse_links(&s, &page, &headers).await?;
    let w = Words::of(language);
    let pid = page.id();
    let account = match reg::activate(&s.cx, pid, &f.token, addr).await {
        Ok(account) => account,
        Err(Error::NotFound(_) | Error::Refused(_)) => {
            return Ok(activation_invalid(page.portal, language));
        }
        Err(e) => return Err(e.into()),
    };
    let may_log_in = account.may_log_in(crate::clock::today(s.cx.now()));
    let message = w.t(if may_log_in {
        "portal-activated-login"
    } else {
        "portal-activated-wait"
    });
    let title = w.t("portal-activate-title");
    Ok(MessagePage::outcome(page.portal, language, title, message, may_log_in).into_response())
}

// ---------------------------------------------------------------- confirm a new address

#[derive(Template, WebTemplate)]
#[template(path = "portal/confirm_email.html")]
struct ConfirmEmailPage {
    words: Words,
    lang: &'static str,
    portal: Portal,
    new_email: String,
    token: String,
    csrf: String,
}

fn email_link_invalid(portal: Portal, language: Language) -> Response {
    gone(portal, language, "portal-email-link-invalid", None)
}

pub(super) async fn confirm_email_page(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    Query(q): Query<TokenQuery>,
) -> PageResult {
    let language = page.language;
    let Some((_, new_email)) = profile::check_email_link(&s.cx, page.id(), &q.token).await? else {
        return Ok(email_link_invalid(page.portal, language));
    };
    Ok(with_new_token(&s, page.id(), &headers, |csrf| {
        ConfirmEmailPage {
            words: Words::of(language),
            lang: language.as_str(),
            portal: page.portal,
            new_email,
            token: q.token,
            csrf,
        }
    }))
}

pub(super) async fn confirm_email(
    State(s): State<AppState>,
    page: PortalPage,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<LinkForm>,
) -> PageResult {
    let back = with_token("confirm-email", &f.token);
    let language = page.posted(&headers, &f.csrf, f.lang.as_deref(), &back)?;
    super::impersonation::refuse_links(&s, &page, &headers).await?;
    let pid = page.id();
    match profile::confirm_email_change(&s.cx, pid, &f.token, addr).await {
        Ok(_) => {
            let w = Words::of(language);
            let c = set_cookie(&s, pid, SESSION_COOKIE, "", 0);
            let done = MessagePage::outcome(
                page.portal,
                language,
                w.t("portal-confirm-email-title"),
                w.t("portal-email-changed"),
                true,
            );
            Ok(([(header::SET_COOKIE, c)], done).into_response())
        }
        Err(Error::NotFound(_) | Error::Conflict(_)) => {
            Ok(email_link_invalid(page.portal, language))
        }
        Err(e) => Err(e.into()),
    }
}
