//! The console's home: what needs staff now, within their areas. Each line is a count and a
//! link to the list that shows those very accounts (or messages): the count is taken with the
//! list's own filter.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::response::Redirect;
use axum::routing::get;

use super::access::AccessQuery;
use super::{Chrome, Staff};
use crate::usecases::{Error, accounts as uc, mail as mail_uc};
use crate::web::AppState;
use crate::web::page::PageResult;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console", get(home))
        .route("/console/", get(|| async { Redirect::to("/console") }))
}

/// The access list's filters behind each line of the home, and what the line says (its key
/// in the catalog).
const LINES: [(&str, &str); 4] = [
    (
        "registration=registered&approval=pending",
        "home-awaiting-approval",
    ),
    (
        "registration=registered&assignment=pending",
        "home-awaiting-contact",
    ),
    ("invitation=expiring", "home-invitations-expiring"),
    ("valid_until=ending", "home-access-ending"),
];

/// The outbox's filter of failed messages.
const FAILED_MAIL: &str = "/console/outbox?status=failed";

pub struct Line {
    /// The catalog key of what the line counts.
    pub what: &'static str,
    pub count: i64,
    pub link: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/home.html")]
struct HomePage {
    chrome: Chrome,
    lines: Vec<Line>,
}

/// Each line's count, taken with the access list's own filter; failed e-mails for
/// administrators (the outbox is theirs).
async fn lines(s: &AppState, staff: &Staff) -> Result<Vec<Line>, Error> {
    let now = s.cx.now();
    let mut out = Vec::new();
    for (query, what) in LINES {
        let q: AccessQuery = serde_urlencoded::from_str(query).unwrap_or_default();
        let count = uc::count_accounts(&s.cx, &staff.actor, &q.filter(now)).await?;
        let link = format!("/console/access?{query}");
        out.push(Line { what, count, link });
    }
    if staff.user.is_admin() {
        let counts = mail_uc::counts(&s.cx, &staff.actor).await?;
        out.push(Line {
            what: "home-failed-mail",
            count: counts
                .iter()
                .find(|(k, _)| k == "failed")
                .map_or(0, |c| c.1),
            link: FAILED_MAIL.to_string(),
        });
    }
    Ok(out)
}

async fn home(State(s): State<AppState>, staff: Staff) -> PageResult<HomePage> {
    let lines = lines(&s, &staff).await?;
    Ok(HomePage {
        chrome: staff.chrome("home"),
        lines,
    })
}
