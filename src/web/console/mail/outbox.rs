//! The outbox (every message Admit sends, with its status), a test message, sending a failed
//! message again, and the built-in mailbox.

use crate::web::query::Query;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{RawForm, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::{form_value, framed};
use crate::catalog::Message;
use crate::domain::outbox::OutboxStatus;
use crate::mail::templates::{self, EVENTS};
use crate::storage::directory::Portal;
use crate::storage::outbox::{MailboxMessage, OUTBOX_COLUMNS, OutboxFilter, OutboxMessage};
use crate::usecases::Error;
use crate::usecases::directory as dir_uc;
use crate::usecases::mail as uc;
use crate::web::AppState;
use crate::web::console::badge::Badge;
use crate::web::console::listing::{ListParams, Listing, Pager};
use crate::web::console::{Admin, Chrome, Errors, Staff, done};
use crate::web::page::{Id, PageResult};

/// Messages on a page of the outbox.
const PAGE_SIZE: i64 = 100;

pub struct Row {
    pub m: OutboxMessage,
    pub status: Badge,
    pub portal: String,
    pub created: String,
    pub sent: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/outbox.html")]
pub(super) struct OutboxPage {
    chrome: Chrome,
    rows: Vec<Row>,
    counts: Vec<(String, i64)>,
    status: String,
    event: String,
    recipient: String,
    portal_id: String,
    portals: Vec<Portal>,
    events: Vec<&'static str>,
    statuses: &'static [OutboxStatus],
    list: Listing,
    pager: Pager,
    mailbox: bool,
    test_errors: Errors,
    test_to: String,
}

#[derive(Deserialize, Default)]
pub(super) struct OutboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    portal_id: String,
    #[serde(flatten)]
    list: ListParams,
}

async fn outbox_page(
    s: &AppState,
    staff: &Staff,
    q: OutboxQuery,
    test_errors: Errors,
    test_to: String,
) -> Result<OutboxPage, Error> {
    let filter = OutboxFilter {
        status: OutboxStatus::parse(&q.status).ok(),
        event: Some(q.event.clone()).filter(|x| templates::event(x).is_some()),
        portal_id: q.portal_id.parse().ok(),
        recipient: Some(q.recipient.clone()).filter(|x| !x.is_empty()),
        before_id: None,
        limit: PAGE_SIZE,
    };
    let at = staff.locale();
    let list = Listing::new(
        "/console/outbox",
        &[
            ("status", &q.status),
            ("event", &q.event),
            ("recipient", &q.recipient),
            ("portal_id", &q.portal_id),
        ],
        &q.list,
        OUTBOX_COLUMNS,
        true,
        PAGE_SIZE,
        &staff.user.language,
    );
    let page = uc::in_order(&s.cx, &staff.actor, &filter, &list.order, list.window()).await?;
    let counts = uc::counts(&s.cx, &staff.actor).await?;
    let portals = dir_uc::list_portals(&s.cx).await?;
    let pager = list.pager(page.items.len(), page.total);
    let messages = page.items;
    Ok(OutboxPage {
        chrome: staff.chrome("outbox"),
        rows: messages
            .into_iter()
            .map(|m| Row {
                portal: m
                    .portal_id
                    .and_then(|id| portals.iter().find(|p| p.id == id))
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                created: at.time(m.created_at),
                sent: m.sent_at.map(|t| at.time(t)).unwrap_or_default(),
                status: Badge::outbox(m.status, at.language),
                m,
            })
            .collect(),
        counts,
        status: q.status,
        event: q.event,
        recipient: q.recipient,
        portal_id: q.portal_id,
        portals,
        events: EVENTS.iter().map(|e| e.key).collect(),
        statuses: OutboxStatus::ALL,
        list,
        pager,
        mailbox: s.mailer.is_mailbox(),
        test_errors,
        test_to,
    })
}

pub(super) async fn outbox(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Query(q): Query<OutboxQuery>,
) -> PageResult<OutboxPage> {
    Ok(outbox_page(&s, &staff, q, Errors::new(), String::new()).await?)
}

pub(super) async fn send_test(
    State(s): State<AppState>,
    Admin(staff): Admin,
    RawForm(body): RawForm,
) -> PageResult {
    let to = form_value(&body, "to");
    match uc::send_test(&s.cx, &staff.actor, &to, None).await {
        Ok(id) => Ok(done(
            &s,
            &format!("/console/outbox/{id}"),
            &staff.say(&Message::new("flash-test-queued")),
        )),
        Err(Error::Invalid(errors)) => {
            let page = outbox_page(&s, &staff, OutboxQuery::default(), errors, to).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/outbox_message.html")]
pub(super) struct OutboxMessagePage {
    chrome: Chrome,
    m: OutboxMessage,
    portal_name: String,
    created: String,
    updated: String,
    sent: String,
    next_attempt: String,
    subject: String,
    text: String,
    html: String,
    render_error: Option<String>,
}

pub(super) async fn outbox_message(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
) -> PageResult<OutboxMessagePage> {
    let at = staff.locale();
    let shown = uc::show(&s.cx, &staff.actor, id).await?;
    let m = shown.message;
    let (subject, text, html, render_error) = match shown.rendered {
        Ok(r) => (r.subject, r.text, framed(&r.html), None),
        Err(why) => (
            String::new(),
            String::new(),
            String::new(),
            Some(
                staff.say(
                    &Message::new("outbox-cannot-show")
                        .text("problem", why.render(staff.language().as_str())),
                ),
            ),
        ),
    };
    Ok(OutboxMessagePage {
        chrome: staff.chrome("outbox"),
        portal_name: shown
            .portal_name
            .unwrap_or_else(|| staff.say(&Message::new("outbox-no-portal"))),
        created: at.time(m.created_at),
        updated: at.time(m.updated_at),
        sent: m.sent_at.map(|t| at.time(t)).unwrap_or_default(),
        next_attempt: at.time(m.next_attempt_at),
        subject,
        text,
        html,
        render_error,
        m,
    })
}

pub(super) async fn send_again(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
) -> PageResult {
    uc::send_again(&s.cx, &staff.actor, id).await?;
    Ok(done(
        &s,
        &format!("/console/outbox/{id}"),
        &staff.say(&Message::new("flash-message-queued-again")),
    ))
}

// ---------------------------------------------------------------- the built-in mailbox

#[derive(Template, WebTemplate)]
#[template(path = "console/mailbox.html")]
pub(super) struct MailboxPage {
    chrome: Chrome,
    rows: Vec<(MailboxMessage, String)>,
    recipient: String,
    mailbox: bool,
}

#[derive(Deserialize, Default)]
pub(super) struct MailboxQuery {
    #[serde(default)]
    recipient: String,
}

pub(super) async fn mailbox(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Query(q): Query<MailboxQuery>,
) -> PageResult<MailboxPage> {
    let at = staff.locale();
    let rows = uc::mailbox(&s.cx, &staff.actor, Some(&q.recipient), 200).await?;
    Ok(MailboxPage {
        chrome: staff.chrome("mail"),
        rows: rows
            .into_iter()
            .map(|m| {
                let t = at.time(m.received_at);
                (m, t)
            })
            .collect(),
        recipient: q.recipient,
        mailbox: s.mailer.is_mailbox(),
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "console/mailbox_message.html")]
pub(super) struct MailboxMessagePage {
    chrome: Chrome,
    m: MailboxMessage,
    received: String,
    html: String,
}

pub(super) async fn mailbox_message(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
) -> PageResult<MailboxMessagePage> {
    let at = staff.locale();
    let m = uc::mailbox_message(&s.cx, &staff.actor, id).await?;
    Ok(MailboxMessagePage {
        chrome: staff.chrome("mail"),
        received: at.time(m.received_at),
        html: framed(&m.html_body),
        m,
    })
}
