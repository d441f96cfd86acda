//! Each portal's e-mail templates: the list of events and languages, editing one (checked when
//! saved), going back to the default text, and the live preview on sample data.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

use super::{form_value, framed};
use crate::domain::directory::Language;
use crate::mail::templates::{self, EVENTS, MailText};
use crate::storage::directory::Portal;
use crate::usecases::Error;
use crate::usecases::directory as dir_uc;
use crate::usecases::mail as uc;
use crate::web::AppState;
use crate::web::console::{Admin, Chrome, Errors, Staff, done};
use crate::web::page::{Id, PageResult};

pub struct TemplateRow {
    pub key: &'static str,
    pub label: &'static str,
    /// (language, custom?) per language.
    pub languages: Vec<(&'static str, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "console/mail_templates.html")]
pub(super) struct TemplatesPage {
    chrome: Chrome,
    portal: Portal,
    rows: Vec<TemplateRow>,
}

pub(super) async fn portal_templates(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
) -> PageResult<TemplatesPage> {
    let portal = dir_uc::get_portal(&s.cx, id).await?;
    let custom = uc::portal_templates(&s.cx, &staff.actor, id).await?;
    Ok(TemplatesPage {
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
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "console/mail_template.html")]
pub(super) struct TemplatePage {
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

/// The event and language of a template's address.
#[derive(Deserialize)]
pub(super) struct TemplatePath {
    event: String,
    language: String,
}

struct TemplateRef {
    portal: Portal,
    event: &'static templates::Event,
    language: Language,
}

async fn resolve(s: &AppState, id: i64, path: &TemplatePath) -> Result<TemplateRef, Error> {
    let portal = dir_uc::get_portal(&s.cx, id).await?;
    let event = templates::event(&path.event).ok_or(Error::NotFound("e-mail event"))?;
    let language = Language::parse(&path.language).map_err(|_| Error::NotFound("language"))?;
    Ok(TemplateRef {
        portal,
        event,
        language,
    })
}

fn template_page(
    s: &AppState,
    staff: &Staff,
    r: TemplateRef,
    form: MailText,
    custom: bool,
    errors: Errors,
) -> TemplatePage {
    // The same sample as the live preview: as if sent now, in the portal's zone.
    let sample = uc::sample_for(&r.portal, r.event, r.language, s.cx.now());
    let (preview_subject, preview_text, preview_html) = match templates::render(&form, &sample) {
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

pub(super) async fn edit_template(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
    Path(path): Path<TemplatePath>,
) -> PageResult<TemplatePage> {
    let r = resolve(&s, id, &path).await?;
    let (form, custom) =
        uc::current_template(&s.cx, &staff.actor, r.portal.id, r.event.key, r.language).await?;
    Ok(template_page(&s, &staff, r, form, custom, Errors::new()))
}

fn form_text(body: &[u8]) -> MailText {
    MailText {
        subject: form_value(body, "subject"),
        html: form_value(body, "html_body").replace("\r\n", "\n"),
        text: form_value(body, "text_body").replace("\r\n", "\n"),
    }
}

pub(super) async fn save_template(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
    Path(path): Path<TemplatePath>,
    RawForm(body): RawForm,
) -> PageResult {
    let r = resolve(&s, id, &path).await?;
    let url = format!(
        "/console/portals/{}/templates/{}/{}",
        r.portal.id,
        r.event.key,
        r.language.as_str()
    );
    if form_value(&body, "action") == "reset" {
        uc::reset_template(&s.cx, &staff.actor, r.portal.id, r.event.key, r.language).await?;
        return Ok(done(&s, &url, "The default text is back."));
    }
    let form = form_text(&body);
    let saved = uc::save_template(
        &s.cx,
        &staff.actor,
        r.portal.id,
        r.event.key,
        r.language,
        &form,
    )
    .await;
    match saved {
        Ok(()) => Ok(done(&s, &url, "Template saved.")),
        Err(Error::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            template_page(&s, &staff, r, form, false, errors),
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

#[derive(Serialize)]
pub(super) struct PreviewAnswer {
    subject: String,
    text: String,
    html: String,
    errors: Vec<crate::domain::FieldError>,
}

/// The live preview: the form's template rendered on sample data, or its errors.
pub(super) async fn preview_template(
    State(s): State<AppState>,
    Admin(_): Admin,
    Id(id): Id,
    Path(path): Path<TemplatePath>,
    RawForm(body): RawForm,
) -> PageResult<Json<PreviewAnswer>> {
    let r = resolve(&s, id, &path).await?;
    let form = form_text(&body);
    let answer = match uc::preview(&s.cx, &r.portal, r.event.key, r.language, &form) {
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
        Err(e) => return Err(e.into()),
    };
    Ok(Json(answer))
}
