//! The layer that shows a failed action of a portal page (a [`Failure`], which the console's
//! page carries) on the portal's message page, in the language the page speaks: `?lang=`, else
//! the browser's, else the portal's. A failure before a page knew its portal (a form from
//! another site, an unknown portal) is shown on the portal's page all the same when the path
//! names one, and on the plain message page in the browser's language when it names none.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::page::{MessagePage, Seen, browser_language};
use super::words::Words;
use crate::catalog;
use crate::domain::directory::Language;
use crate::domain::validation::Problem;
use crate::storage::directory::Portal;
use crate::usecases::directory as dir_uc;
use crate::web::AppState;
use crate::web::page::Failure;
use crate::web::refusals::CsrfRefused;

/// The layer, around the portal pages.
pub async fn in_their_words(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let seen = Seen::default();
    req.extensions_mut().insert(seen.clone());
    let asked = req.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Language::parse(&v).ok())
    });
    let language = asked.or_else(|| browser_language(req.headers()));
    let portal_id = req
        .uri()
        .path()
        .strip_prefix("/portal/")
        .and_then(|rest| rest.split('/').next())
        .and_then(|id| id.parse::<i64>().ok());
    let res = next.run(req).await;
    let Some(failure) = res.extensions().get::<Failure>().cloned() else {
        return res;
    };
    let csrf = res.extensions().get::<CsrfRefused>().copied();
    let mut page = match seen.take() {
        Some((portal, language)) => failure_page(portal, language, &failure),
        None => before_the_portal(&s, portal_id, language, &failure).await,
    };
    // The audit still sees a refused form as one.
    if let Some(c) = csrf {
        page.extensions_mut().insert(c);
    }
    page
}

/// A failure before a page knew its portal: on the portal's page when the path names one,
/// in the browser's language else the portal's; on the plain message page otherwise.
async fn before_the_portal(
    s: &AppState,
    portal_id: Option<i64>,
    language: Option<Language>,
    failure: &Failure,
) -> Response {
    let portal = match portal_id {
        Some(id) => dir_uc::get_portal(&s.cx, id).await.ok(),
        None => None,
    };
    if let Some(portal) = portal {
        let language = language
            .unwrap_or_else(|| Language::parse(&portal.default_language).unwrap_or(Language::En));
        return failure_page(portal, language, failure);
    }
    let language = language.unwrap_or(Language::En);
    let mut page = failure.message_page(language);
    if let Failure::NotFound = failure {
        page.message = catalog::tr(language.as_str(), "portal-no-such-portal");
    }
    failure.answer(page)
}

/// A failed action on the portal's message page, in the person's language.
pub(super) fn failure_page(portal: Portal, language: Language, failure: &Failure) -> Response {
    let w = Words::of(language);
    let english = language == Language::En;
    let code = language.as_str();
    let (title, message) = match failure {
        Failure::NotFound => (
            "portal-failure-not-found-title",
            w.t("portal-failure-not-found"),
        ),
        // A refusal with a code is in the catalog, in every language.
        Failure::Forbidden(m @ Problem::Coded(_)) => {
            ("portal-failure-not-allowed-title", m.render(code))
        }
        Failure::Forbidden(m) if english => ("portal-failure-not-allowed-title", m.english()),
        Failure::Forbidden(_) => (
            "portal-failure-not-allowed-title",
            w.t("portal-failure-not-allowed"),
        ),
        Failure::Refused(m @ Problem::Coded(_)) => ("portal-failure-refused-title", m.render(code)),
        Failure::Refused(m) if english => ("portal-failure-refused-title", m.english()),
        Failure::Refused(_) => (
            "portal-failure-refused-title",
            w.t("portal-failure-refused"),
        ),
        Failure::Invalid(e) if english => ("portal-failure-check-input-title", e.to_string()),
        Failure::Invalid(e) => (
            "portal-failure-check-input-title",
            e.0.iter()
                .map(|e| w.field_error(e))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Failure::TooMany { .. } => ("portal-too-many-title", w.t("portal-too-many")),
        Failure::Internal => (
            "portal-failure-internal-title",
            w.t("portal-failure-internal"),
        ),
    };
    // After too many attempts, there is nothing to go back to for a while.
    let home = format!("/portal/{}/?lang={}", portal.id, language.as_str());
    let link = match failure {
        Failure::TooMany { .. } => None,
        _ => Some((home, w.t("portal-failure-back-to-portal"))),
    };
    failure.answer(MessagePage {
        words: w,
        lang: language.as_str(),
        title: w.t(title),
        message,
        link,
        second_link: None,
        portal,
    })
}
