//! The audit log: who changed what, when, newest first.

use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde::Deserialize;

use crate::domain::directory::Language;
use crate::domain::local_time::Locale;
use crate::storage::audit::{AUDIT_COLUMNS, AuditEvent, AuditFilter};
use crate::usecases::audit_log::events_in_order;
use crate::web::AppState;
use crate::web::console::history::{MailFate, actor_label, sentence, target_label};
use crate::web::console::listing::{ListParams, Listing, Pager};
use crate::web::console::{Admin, Chrome};
use crate::web::forms::opt_text;
use crate::web::page::PageResult;

pub fn router() -> Router<AppState> {
    Router::new().route("/console/audit", get(show_audit))
}

const PAGE_SIZE: usize = 100;

const TARGET_KINDS: &[&str] = &[
    "organization",
    "contact",
    "area",
    "partnership",
    "portal",
    "staff",
    "api_key",
    "portal_account",
    "oidc_client",
];

#[derive(Deserialize, Default)]
pub(super) struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    target_kind: String,
    #[serde(default)]
    target_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(flatten)]
    list: ListParams,
}

/// The start of a `YYYY-MM-DD` date in the staff member's zone, in milliseconds; with `next`,
/// the start of the day after.
fn day_start(date: &str, at: &Locale, next: bool) -> Option<i64> {
    let d = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok()?;
    let d = if next { d.succ_opt()? } else { d };
    Some(at.start_of(d))
}

impl AuditQuery {
    /// The filter the form asks for, `limit` events at a time, its days in the viewer's zone.
    pub(super) fn filter(&self, limit: i64, at: &Locale) -> AuditFilter {
        AuditFilter {
            action: opt_text(&self.action),
            actor: opt_text(&self.actor),
            target_kind: TARGET_KINDS
                .iter()
                .find(|k| **k == self.target_kind.trim())
                .map(|k| k.to_string()),
            target_id: self.target_id.trim().parse().ok(),
            from: day_start(&self.from, at, false),
            // The "to" day is included: up to its end.
            until: day_start(&self.to, at, true),
            before_id: None,
            limit,
        }
    }

    /// The log as asked for: its filters, order and page.
    fn listing(&self, language: &str) -> Listing {
        Listing::new(
            "/console/audit",
            &[
                ("action", self.action.trim()),
                ("actor", self.actor.trim()),
                ("target_kind", self.target_kind.trim()),
                ("target_id", self.target_id.trim()),
                ("from", self.from.trim()),
                ("to", self.to.trim()),
            ],
            &self.list,
            AUDIT_COLUMNS,
            true,
            PAGE_SIZE as i64,
            language,
        )
    }
}

struct AuditRow {
    time: String,
    actor: String,
    client_addr: Option<String>,
    action: String,
    /// What happened, in words from the catalog, and their language.
    text: String,
    lang: &'static str,
    target_kind: String,
    target_label: String,
    target_link: Option<String>,
    before: Option<String>,
    after: Option<String>,
}

fn pretty(json: Option<String>) -> Option<String> {
    let text = json?;
    Some(
        serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or(text),
    )
}

fn target_link(kind: &str, id: Option<i64>) -> Option<String> {
    let id = id?;
    let base = match kind {
        "organization" => "/console/organizations",
        "contact" => "/console/contacts",
        "partnership" => "/console/partnerships",
        "portal" => "/console/portals",
        "staff" => "/console/staff",
        "area" => "/console/areas",
        "oidc_client" => "/console/oidc-clients",
        _ => return None,
    };
    Some(format!("{base}/{id}"))
}

impl AuditRow {
    fn new(e: AuditEvent, at: &Locale, language: Language) -> Self {
        AuditRow {
            text: sentence(&e, None, |_| MailFate::Unknown, language),
            lang: language.as_str(),
            time: at.time(e.occurred_at),
            target_link: target_link(&e.target_kind, e.target_id),
            actor: actor_label(&e.actor_kind, &e.actor_label, language),
            client_addr: e.client_addr,
            action: e.action,
            target_label: target_label(&e.target_kind, &e.target_label, language),
            target_kind: e.target_kind,
            before: pretty(e.before_json),
            after: pretty(e.after_json),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/audit.html")]
struct AuditPage {
    chrome: Chrome,
    q: AuditQuery,
    target_kinds: &'static [&'static str],
    rows: Vec<AuditRow>,
    /// The staff member's time zone, which the times are in.
    zone: &'static str,
    list: Listing,
    pager: Pager,
    /// The download of every event the filters find, in this order.
    csv: String,
}

async fn show_audit(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Query(q): Query<AuditQuery>,
) -> PageResult<AuditPage> {
    let at = staff.locale();
    let filter = q.filter(PAGE_SIZE as i64, &at);
    let list = q.listing(&staff.user.language);
    let page = events_in_order(&s.cx, &staff.actor, &filter, &list.order, list.window()).await?;
    let pager = list.pager(page.items.len(), page.total);
    let events = page.items;
    Ok(AuditPage {
        chrome: staff.chrome("audit"),
        q,
        target_kinds: TARGET_KINDS,
        rows: events
            .into_iter()
            .map(|e| AuditRow::new(e, &at, staff.language()))
            .collect(),
        zone: at.zone_name(),
        csv: list.with_path("/console/audit.csv"),
        list,
        pager,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::directory::Language;

    #[test]
    fn dates_begin_at_midnight_in_the_staff_members_zone() {
        let utc = Locale::utc(Language::En);
        assert_eq!(day_start("1970-01-02", &utc, false), Some(86_400_000));
        assert_eq!(day_start("1970-01-01", &utc, true), Some(86_400_000));
        let berlin = Locale::new("Europe/Berlin", Language::De);
        assert_eq!(day_start("1970-01-02", &berlin, false), Some(82_800_000));
        assert_eq!(day_start("not a date", &utc, false), None);
        assert_eq!(day_start("", &utc, true), None);
    }
}
