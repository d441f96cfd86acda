//! Impersonation on the portal pages: "End", and the refusals of what may not be done
//! meanwhile, in the staff member's language (the banner is in `banner.rs`; the pages
//! themselves stay as the person sees them).

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;

use super::SESSION_COOKIE;
use super::banner::staff_language;
use super::page::{MessagePage, PortalPage, SignedIn, ended, set_cookie};
use super::words::Words;
use crate::domain::directory::Language;
use crate::storage::directory::Portal;
use crate::usecases::impersonation::{self as uc, Impersonation};
use crate::web::AppState;
use crate::web::cookies::cookie;
use crate::web::page::{PageError, PageResult};

/// A refusal during an impersonation, in the staff member's language.
fn refusal(me: &SignedIn, imp: &Impersonation, message: &'static str) -> PageError {
    let language = staff_language(imp);
    let w = Words::of(language);
    let page = MessagePage {
        link: Some((
            format!("/portal/{}/", me.page.id()),
            w.t("portal-failure-back-to-portal"),
        )),
        ..read_only(me.portal().clone(), language, message)
    };
    (StatusCode::FORBIDDEN, page).into_response().into()
}

/// A change asked for during an impersonation (`what`, the page's address) is recorded and
/// refused with `message`.
async fn refuse(
    s: &AppState,
    me: &SignedIn,
    imp: &Impersonation,
    addr: Option<String>,
    what: &str,
    message: &'static str,
) -> PageError {
    if let Err(e) = uc::refused_change(&s.cx, imp, &me.account, addr, what).await {
        return e.into();
    }
    refusal(me, imp, message)
}

/// The person's own credentials and identity (password, e-mail address, sessions, profile)
/// are never changed during an impersonation.
pub async fn refuse_own(
    s: &AppState,
    me: &SignedIn,
    addr: Option<String>,
    what: &str,
) -> Result<(), PageError> {
    match &me.impersonation {
        Some(imp) => {
            let message = "portal-impersonation-own-refused";
            Err(refuse(s, me, imp, addr, what, message).await)
        }
        None => Ok(()),
    }
}

/// Changes besides the person's own (team actions, preferences) only where the portal allows
/// actions during an impersonation.
pub async fn refuse_unless_actions(
    s: &AppState,
    me: &SignedIn,
    addr: Option<String>,
    what: &str,
) -> Result<(), PageError> {
    match &me.impersonation {
        Some(imp) if !me.portal().impersonation_actions => {
            let message = "portal-impersonation-read-only";
            Err(refuse(s, me, imp, addr, what, message).await)
        }
        _ => Ok(()),
    }
}

/// The links' forms (accept an invitation, set a password, activate, confirm an address) are
/// refused in a browser that holds an impersonation's session on the portal.
pub async fn refuse_links(
    s: &AppState,
    page: &PortalPage,
    headers: &HeaderMap,
) -> Result<(), PageError> {
    let Some(token) = cookie(headers, SESSION_COOKIE) else {
        return Ok(());
    };
    let Some(imp) = uc::of_session(&s.cx, token).await? else {
        return Ok(());
    };
    let language = super::banner::staff_language(&imp);
    let message = read_only(
        page.portal.clone(),
        language,
        "portal-impersonation-own-refused",
    );
    Err((StatusCode::FORBIDDEN, message).into_response().into())
}

/// The page that refuses a change while staff view the portal as the person: the catalog's
/// `message`, in the staff member's `language`.
fn read_only(portal: Portal, language: Language, message: &str) -> MessagePage {
    let w = Words::of(language);
    let title = w.t("portal-impersonation-read-only-title");
    MessagePage::new(portal, language, title, w.t(message))
}

#[derive(Deserialize)]
pub(super) struct EndForm {
    #[serde(default)]
    csrf: String,
}

/// "End": the impersonation ends, its session with it, and the staff member is told so.
pub(super) async fn end(
    State(s): State<AppState>,
    me: SignedIn,
    Form(f): Form<EndForm>,
) -> PageResult {
    me.check_csrf(&f.csrf)?;
    let imp = uc::end(&s.cx, &me.token).await?;
    let language = staff_language(&imp);
    let page = ended(me.portal().clone(), language, imp.account_id);
    let clear = set_cookie(&s, me.page.id(), SESSION_COOKIE, "", 0);
    Ok((StatusCode::OK, [(header::SET_COOKIE, clear)], page).into_response())
}
