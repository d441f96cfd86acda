//! Console pages for e-mail: the outbox, the built-in mailbox, and each portal's templates
//! with a live preview on sample data.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{Chrome, Errors, Staff, done, error_page};
use crate::clock::format_time;
use crate::domain::directory::Language;
use crate::mail::templates::{self, EVENTS, MailText};
use crate::storage::directory::Portal;
use crate::storage::outbox::{self as store, MailboxMessage, OutboxFilter, OutboxMessage};
use crate::usecases::Error;
use crate::usecases::directory as dir_uc;
use crate::usecases::mail as uc;
use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/console/outbox", get(outbox))
        .route("/console/outbox/test", post(send_test))
        .route("/console/outbox/{id}", get(outbox_message))
        .route("/console/outbox/{id}/send-again", post(send_again))
        .route("/console/mail", get(mailbox))
        .route("/console/mail/{id}", get(mailbox_message))
        .route("/console/portals/{id}/templates", get(portal_templates))
        .route(
            "/console/portals/{id}/templates/{event}/{language}",
            get(edit_template).post(save_template),
        )
        .route(
            "/console/portals/{id}/templates/{event}/{language}/preview",
            post(preview_template),
        )
}

/// The page to show instead, to anyone but an administrator.
fn admin_only(staff: &Staff) -> Option<Response> {
    if staff.user.is_admin() {
        None
    } else {
        Some(error_page(Error::NotFound("page")))
    }
}

fn form_value(body: &[u8], name: &str) -> String {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// HTML for an `<iframe srcdoc>`: links open in a new tab.
fn framed(html: &str) -> String {
    format!("<base target=\"_blank\">{html}")
}

pub struct Row {
    pub m: OutboxMessage,
    pub portal: String,
    pub created: String,
    pub sent: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/outbox.html")]
struct OutboxPage {
    chrome: Chrome,
    rows: Vec<Row>,
    counts: Vec<(String, i64)>,
    status: String,
    event: String,
    recipient: String,
    portal_id: String,
    portals: Vec<Portal>,
    events: Vec<(&'static str, &'static str)>,
    statuses: &'static [&'static str],
    older: Option<String>,
    mailbox: bool,
    test_errors: Errors,
    test_to: String,
}

#[derive(Deserialize, Default)]
struct OutboxQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    recipient: String,
    #[serde(default)]
    portal_id: String,
    #[serde(default)]
    before_id: String,
}

const STATUSES: &[&str] = &["queued", "sending", "sent", "retrying", "failed"];

async fn outbox_page(
    s: &AppState,
    staff: &Staff,
    q: OutboxQuery,
    test_errors: Errors,
    test_to: String,
) -> Result<OutboxPage, Error> {
    let filter = OutboxFilter {
        status: Some(q.status.clone()).filter(|x| STATUSES.contains(&x.as_str())),
        event: Some(q.event.clone()).filter(|x| templates::event(x).is_some()),
        portal_id: q.portal_id.parse().ok(),
        recipient: Some(q.recipient.clone()).filter(|x| !x.is_empty()),
        before_id: q.before_id.parse().ok(),
        limit: 100,
    };
    let messages = uc::list(&s.cx, &staff.actor, &filter).await?;
    let counts = {
        let mut tx = s.cx.db.read().await?;
        store::counts(&mut tx).await?
    };
    let portals = dir_uc::list_portals(&s.cx).await?;
    let older = (messages.len() == 100).then(|| {
        let last = messages.last().map(|m| m.id).unwrap_or_default();
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("status", &q.status),
            ("event", &q.event),
            ("recipient", &q.recipient),
            ("portal_id", &q.portal_id),
        ] {
            if !v.is_empty() {
                ser.append_pair(k, v);
            }
        }
        ser.append_pair("before_id", &last.to_string());
        format!("/console/outbox?{}", ser.finish())
    });
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
                created: format_time(m.created_at),
                sent: m.sent_at.map(format_time).unwrap_or_default(),
                m,
            })
            .collect(),
        counts,
        status: q.status,
        event: q.event,
        recipient: q.recipient,
        portal_id: q.portal_id,
        portals,
        events: EVENTS.iter().map(|e| (e.key, e.label)).collect(),
        statuses: STATUSES,
        older,
        mailbox: s.mailer.is_mailbox(),
        test_errors,
        test_to,
    })
}

async fn outbox(State(s): State<AppState>, staff: Staff, Query(q): Query<OutboxQuery>) -> Response {
    if let Some(r) = admin_only(&staff) {
        return r;
    }
    match outbox_page(&s, &staff, q, Errors::new(), String::new()).await {
        Ok(p) => p.into_response(),
        Err(e) => error_page(e),
    }
}

async fn send_test(State(s): State<AppState>, staff: Staff, RawForm(body): RawForm) -> Response {
    if let Some(r) = admin_only(&staff) {
        return r;
    }
    let to = form_value(&body, "to");
    match uc::send_test(&s.cx, &staff.actor, &to, None).await {
        Ok(id) => done(&s, &format!("/console/outbox/{id}"), "Test message queued."),
        Err(Error::Invalid(errors)) => {
            match outbox_page(&s, &staff, OutboxQuery::default(), errors, to).await {
                Ok(p) => (StatusCode::UNPROCESSABLE_ENTITY, p).into_response(),
                Err(e) => error_page(e),
            }
        }
        Err(e) => error_page(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/outbox_message.html")]
struct OutboxMessagePage {
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

async fn outbox_message(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = admin_only(&staff) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return error_page(Error::NotFound("message"));
    };
    let m = match uc::get(&s.cx, &staff.actor, id).await {
        Ok(m) => m,
        Err(e) => return error_page(e),
    };
    let rendered = async {
        let mut tx = s.cx.db.read().await?;
        let portal = match m.portal_id {
            Some(p) => crate::storage::directory::get_portal(&mut tx, p)
                .await?
                .map(|p| p.name),
            None => None,
        };
        let r = uc::render_message(&mut tx, &s.cx.mail, &m, None, None).await;
        Ok::<_, Error>((portal, r))
    }
    .await;
    let (portal_name, rendered) = match rendered {
        Ok(x) => x,
        Err(e) => return error_page(e),
    };
    let (subject, text, html, render_error) = match rendered {
        Ok((r, _)) => (r.subject, r.text, framed(&r.html), None),
        Err(e) => (
            String::new(),
            String::new(),
            String::new(),
            Some(e.to_string()),
        ),
    };
    OutboxMessagePage {
        chrome: staff.chrome("outbox"),
        portal_name: portal_name.unwrap_or_else(|| "(none)".into()),
        created: format_time(m.created_at),
        updated: format_time(m.updated_at),
        sent: m.sent_at.map(format_time).unwrap_or_default(),
        next_attempt: format_time(m.next_attempt_at),
        subject,
        text,
        html,
        render_error,
        m,
    }
    .into_response()
}

async fn send_again(State(s): State<AppState>, staff: Staff, Path(id): Path<String>) -> Response {
    if let Some(r) = admin_only(&staff) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return error_page(Error::NotFound("message"));
    };
    match uc::send_again(&s.cx, &staff.actor, id).await {
        Ok(_) => done(
            &s,
            &format!("/console/outbox/{id}"),
            "The message is queued again.",
        ),
        Err(e) => error_page(e),
    }
}

// ---------------------------------------------------------------- the built-in mailbox

#[derive(Template, WebTemplate)]
#[template(path = "console/mailbox.html")]
struct MailboxPage {
    chrome: Chrome,
    rows: Vec<(MailboxMessage, String)>,
    recipient: String,
    mailbox: bool,
}

#[derive(Deserialize, Default)]
struct MailboxQuery {
    #[serde(default)]
    recipient: String,
}

async fn mailbox(
    State(s): State<AppState>,
    staff: Staff,
    Query(q): Query<MailboxQuery>,
) -> Response {
    if let Some(r) = admin_only(&staff) {
        return r;
    }
    let rows = async {
        let mut tx = s.cx.db.read().await?;
        Ok::<_, Error>(store::list_mailbox(&mut tx, Some(&q.recipient), 200).await?)
    }
    .await;
    match rows {
        Ok(rows) => MailboxPage {
            chrome: staff.chrome("mail"),
            rows: rows
                .into_iter()
                .map(|m| {
                    let t = format_time(m.received_at);
                    (m, t)
                })
                .collect(),
            recipient: q.recipient,
            mailbox: s.mailer.is_mailbox(),
        }
        .into_response(),
        Err(e) => error_page(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/mailbox_message.html")]
struct MailboxMessagePage {
    chrome: Chrome,
    m: MailboxMessage,
    received: String,
    html: String,
}

async fn mailbox_message(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = admin_only(&staff) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return error_page(Error::NotFound("message"));
    };
    let m = async {
        let mut tx = s.cx.db.read().await?;
        store::get_mailbox_message(&mut tx, id)
            .await?
            .ok_or(Error::NotFound("message"))
    }
    .await;
    match m {
        Ok(m) => MailboxMessagePage {
            chrome: staff.chrome("mail"),
            received: format_time(m.received_at),
            html: framed(&m.html_body),
            m,
        }
        .into_response(),
        Err(e) => error_page(e),
    }
}

// ---------------------------------------------------------------- templates

pub struct TemplateRow {
    pub key: &'static str,
    pub label: &'static str,
    /// (language, custom?) per language.
    pub languages: Vec<(&'static str, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/mail_templates.html")]
struct TemplatesPage {
    chrome: Chrome,
    portal: Portal,
    rows: Vec<TemplateRow>,
}

async fn portal_templates(
    State(s): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = admin_only(&staff) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return error_page(Error::NotFound("portal"));
    };
    let result = async {
        let portal = dir_uc::get_portal(&s.cx, id).await?;
        let mut tx = s.cx.db.read().await?;
        let custom = store::list_templates(&mut tx, id).await?;
        Ok::<_, Error>((portal, custom))
    }
    .await;
    match result {
        Ok((portal, custom)) => TemplatesPage {
            chrome: staff.chrome("portals"),
            rows: EVENTS
                .iter()
                .filter(|e| e.key != "test")
                .map(|e| TemplateRow {
                    key: e.key,
                    label: e.label,
                    languages: Language::ALL
                        .iter()
                        .map(|l| {
                            (
                                l.as_str(),
                                custom
                                    .iter()
                                    .any(|t| t.event == e.key && t.language == l.as_str()),
                            )
                        })
                        .collect(),
                })
                .collect(),
            portal,
        }
        .into_response(),
        Err(e) => error_page(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/mail_template.html")]
struct TemplatePage {
    chrome: Chrome,
    portal: Portal,
    event_key: &'static str,
    event_label: &'static str,
    language: &'static str,
    variables: Vec<&'static str>,
    form: MailText,
    custom: bool,
    errors: Errors,
    preview_subject: String,
    preview_text: String,
    preview_html: String,
}

struct TemplateRef {
    portal: Portal,
    event: &'static templates::Event,
    language: Language,
}

async fn resolve(
    s: &AppState,
    id: &str,
    event: &str,
    language: &str,
) -> Result<TemplateRef, Error> {
    let id = id.parse::<i64>().map_err(|_| Error::NotFound("portal"))?;
    let portal = dir_uc::get_portal(&s.cx, id).await?;
    let event = templates::event(event).ok_or(Error::NotFound("e-mail event"))?;
    let language = Language::parse(language).map_err(|_| Error::NotFound("language"))?;
    Ok(TemplateRef {
        portal,
        event,
        language,
    })
}

fn template_page(
    staff: &Staff,
    r: TemplateRef,
    form: MailText,
    custom: bool,
    errors: Errors,
) -> TemplatePage {
    let (preview_subject, preview_text, preview_html) =
        match templates::render(&form, &r.event.sample(r.language)) {
            Ok(p) if errors.is_empty() => (p.subject, p.text, framed(&p.html)),
            _ => (String::new(), String::new(), String::new()),
        };
    TemplatePage {
        chrome: staff.chrome("portals"),
        event_key: r.event.key,
        event_label: r.event.label,
        language: r.language.as_str(),
        variables: r.event.allowed().into_iter().collect(),
        portal: r.portal,
        form,
        custom,
        errors,
        preview_subject,
        preview_text,
        preview_html,
    }
}

async fn edit_template(
    State(s): State<AppState>,
    staff: Staff,
    Path((id, event, language)): Path<(String, String, String)>,
) -> Response {
    if let Some(r) = admin_only(&staff) {
        return r;
    }
    let r = match resolve(&s, &id, &event, &language).await {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let current = async {
        let mut tx = s.cx.db.read().await?;
        uc::template_for(&mut tx, Some(r.portal.id), r.event.key, r.language).await
    }
    .await;
    match current {
        Ok((form, custom)) => template_page(&staff, r, form, custom, Errors::new()).into_response(),
        Err(e) => error_page(e),
    }
}

fn form_text(body: &[u8]) -> MailText {
    MailText {
        subject: form_value(body, "subject"),
        html: form_value(body, "html_body").replace("\r\n", "\n"),
        text: form_value(body, "text_body").replace("\r\n", "\n"),
    }
}

async fn save_template(
    State(s): State<AppState>,
    staff: Staff,
    Path((id, event, language)): Path<(String, String, String)>,
    RawForm(body): RawForm,
) -> Response {
    if let Some(r) = admin_only(&staff) {
        return r;
    }
    let r = match resolve(&s, &id, &event, &language).await {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let url = format!(
        "/console/portals/{}/templates/{}/{}",
        r.portal.id,
        r.event.key,
        r.language.as_str()
    );
    if form_value(&body, "action") == "reset" {
        return match uc::reset_template(&s.cx, &staff.actor, r.portal.id, r.event.key, r.language)
            .await
        {
            Ok(()) => done(&s, &url, "The default text is back."),
            Err(e) => error_page(e),
        };
    }
    let form = form_text(&body);
    match uc::save_template(
        &s.cx,
        &staff.actor,
        r.portal.id,
        r.event.key,
        r.language,
        &form,
    )
    .await
    {
        Ok(()) => done(&s, &url, "Template saved."),
        Err(Error::Invalid(errors)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            template_page(&staff, r, form, false, errors),
        )
            .into_response(),
        Err(e) => error_page(e),
    }
}

#[derive(Serialize)]
struct PreviewAnswer {
    subject: String,
    text: String,
    html: String,
    errors: Vec<crate::domain::FieldError>,
}

/// The live preview: the form's template rendered on sample data, or its errors.
async fn preview_template(
    State(s): State<AppState>,
    staff: Staff,
    Path((id, event, language)): Path<(String, String, String)>,
    RawForm(body): RawForm,
) -> Response {
    if let Some(r) = admin_only(&staff) {
        return r;
    }
    let r = match resolve(&s, &id, &event, &language).await {
        Ok(r) => r,
        Err(e) => return error_page(e),
    };
    let form = form_text(&body);
    let answer = match uc::preview(r.event.key, r.language, &form) {
        Ok(p) => PreviewAnswer {
            subject: p.subject,
            text: p.text,
            html: framed(&p.html),
            errors: vec![],
        },
        Err(Error::Invalid(e)) => PreviewAnswer {
            subject: String::new(),
            text: String::new(),
            html: String::new(),
            errors: e.0,
        },
        Err(e) => return error_page(e),
    };
    Json(answer).into_response()
}
