//! Each portal's e-mail templates: the list of events and languages, editing one (checked when
//! saved), going back to the default text, and the live preview on sample data. A template is
//! edited as texts (subject, greeting, paragraphs, button, closing) in the shared layout; an
//! "Advanced" switch edits its HTML and text bodies instead.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

use super::{form_value, form_values, framed};
use crate::catalog::Message;
use crate::domain::directory::Language;
use crate::mail::parts::{Button, MailParts, paragraph_field};
use crate::mail::source::TemplateSource;
use crate::mail::templates::{self, EVENTS, MailText};
use crate::storage::directory::Portal;
use crate::usecases::Error;
use crate::usecases::directory as dir_uc;
use crate::usecases::mail_templates as uc;
use crate::web::AppState;
use crate::web::console::{Admin, Chrome, Errors, Staff, done};
use crate::web::page::{Id, PageResult};

pub struct TemplateRow {
    pub key: &'static str,
    /// (language, custom?, its own HTML?) per language.
    pub languages: Vec<(&'static str, bool, bool)>,
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
                languages: Language::ALL
                    .iter()
                    .map(|l| {
                        let own = custom
                            .iter()
                            .find(|t| t.event == e.key && t.language == l.as_str());
                        (
                            l.as_str(),
                            own.is_some(),
                            own.is_some_and(|t| t.parts.is_none()),
                        )
                    })
                    .collect(),
            })
            .collect(),
        portal,
    })
}

/// A paragraph's field: its number (from 1), its text, its error.
pub struct ParagraphField {
    pub n: usize,
    pub text: String,
    pub error: Option<String>,
}

/// What the editor's fields hold: the texts, and the HTML and text bodies of advanced mode.
struct Form {
    advanced: bool,
    parts: MailParts,
    html: MailText,
}

impl Form {
    fn source(&self) -> TemplateSource {
        if self.advanced {
            TemplateSource::Html(self.html.clone())
        } else {
            TemplateSource::Parts(self.parts.clone())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/mail_template.html")]
pub(super) struct TemplatePage {
    chrome: Chrome,
    portal: Portal,
    event_key: &'static str,
    language: &'static str,
    variables: Vec<&'static str>,
    links: Vec<&'static str>,
    advanced: bool,
    subject: String,
    parts: MailParts,
    paragraphs: Vec<ParagraphField>,
    button_label: String,
    button_link: String,
    html: MailText,
    custom: bool,
    /// The saved template is the portal's own HTML (advanced mode).
    saved_advanced: bool,
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

/// The editor's fields for a saved template: its texts and what they make, or its HTML and the
/// texts read from its text body (to start from when leaving advanced mode).
fn form_of(r: &TemplateRef, source: &TemplateSource) -> Form {
    match source {
        TemplateSource::Parts(p) => Form {
            advanced: false,
            parts: p.clone(),
            html: source.text(r.event, r.language),
        },
        TemplateSource::Html(t) => Form {
            advanced: true,
            parts: uc::parts_from_html(r.event, r.language, t),
            html: t.clone(),
        },
    }
}

struct Shown {
    custom: bool,
    saved_advanced: bool,
}

fn template_page(
    s: &AppState,
    staff: &Staff,
    r: TemplateRef,
    mut form: Form,
    shown: Shown,
    errors: Errors,
) -> TemplatePage {
    // The same sample and rendering as the live preview: as if sent now, in the portal's zone.
    let (preview_subject, preview_text, preview_html) = if errors.is_empty() {
        match uc::preview(&s.cx, &r.portal, r.event.key, r.language, &form.source()) {
            Ok(p) => (p.subject, p.text, framed(&p.html)),
            Err(_) => Default::default(),
        }
    } else {
        Default::default()
    };
    if form.parts.paragraphs.is_empty() {
        form.parts.paragraphs.push(String::new());
    }
    let paragraphs = form
        .parts
        .paragraphs
        .iter()
        .enumerate()
        .map(|(i, text)| ParagraphField {
            n: i + 1,
            text: text.clone(),
            error: errors.text(&paragraph_field(i + 1), staff.language().as_str()),
        })
        .collect();
    let (button_label, button_link) = form
        .parts
        .button
        .as_ref()
        .map(|b| (b.label.clone(), b.link.clone()))
        .unwrap_or_default();
    TemplatePage {
        chrome: staff.chrome("portals"),
        event_key: r.event.key,
        language: r.language.as_str(),
        // The digest's groups are listed by the layout, not written out.
        variables: r
            .event
            .allowed()
            .into_iter()
            .filter(|v| *v != "groups")
            .collect(),
        links: r.event.links(),
        portal: r.portal,
        advanced: form.advanced,
        subject: if form.advanced {
            form.html.subject.clone()
        } else {
            form.parts.subject.clone()
        },
        paragraphs,
        button_label,
        button_link,
        parts: form.parts,
        html: form.html,
        custom: shown.custom,
        saved_advanced: shown.saved_advanced,
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
    let (source, custom) =
        uc::current_template(&s.cx, &staff.actor, r.portal.id, r.event.key, r.language).await?;
    let form = form_of(&r, &source);
    let shown = Shown {
        custom,
        saved_advanced: custom && source.is_advanced(),
    };
    Ok(template_page(&s, &staff, r, form, shown, Errors::new()))
}

/// The editor's fields as posted. Both sets of fields are sent; the switch says which is meant.
fn form_fields(body: &[u8]) -> Form {
    let field = |name: &str| form_value(body, name).replace("\r\n", "\n");
    let subject = field("subject");
    let button = Button {
        label: field("button_label"),
        link: field("button_link"),
    };
    Form {
        advanced: form_value(body, "advanced") == "1",
        parts: MailParts {
            subject: subject.clone(),
            greeting: field("greeting"),
            paragraphs: form_values(body, "paragraph")
                .into_iter()
                .map(|p| p.replace("\r\n", "\n"))
                .collect(),
            button: Some(button),
            closing: field("closing"),
        }
        .tidy(),
        html: MailText {
            subject,
            html: field("html_body"),
            text: field("text_body"),
        },
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
    let action = form_value(&body, "action");
    if action == "reset" {
        uc::reset_template(&s.cx, &staff.actor, r.portal.id, r.event.key, r.language).await?;
        return Ok(done(
            &s,
            &url,
            &staff.say(&Message::new("flash-template-reset")),
        ));
    }
    let mut form = form_fields(&body);
    let (saved, custom) =
        uc::current_template(&s.cx, &staff.actor, r.portal.id, r.event.key, r.language).await?;
    let shown = Shown {
        custom,
        saved_advanced: custom && saved.is_advanced(),
    };
    if action == "add_paragraph" {
        // Without the page's script: the same form with one more paragraph, nothing saved.
        form.parts.paragraphs.push(String::new());
        return Ok(template_page(&s, &staff, r, form, shown, Errors::new()).into_response());
    }
    let saved = uc::save_template(
        &s.cx,
        &staff.actor,
        r.portal.id,
        r.event.key,
        r.language,
        &form.source(),
    )
    .await;
    match saved {
        Ok(()) => Ok(done(
            &s,
            &url,
            &staff.say(&Message::new("flash-template-saved")),
        )),
        Err(Error::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            template_page(&s, &staff, r, form, shown, errors),
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

/// The live preview: the form's template rendered on sample data, or its errors (in the staff
/// member's language).
pub(super) async fn preview_template(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
    Path(path): Path<TemplatePath>,
    RawForm(body): RawForm,
) -> PageResult<Json<PreviewAnswer>> {
    let r = resolve(&s, id, &path).await?;
    let form = form_fields(&body);
    let answer = match uc::preview(&s.cx, &r.portal, r.event.key, r.language, &form.source()) {
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
            errors: e
                .0
                .into_iter()
                .map(|f| crate::domain::FieldError {
                    message: f.text(staff.language().as_str()),
                    ..f
                })
                .collect(),
        },
        Err(e) => return Err(e.into()),
    };
    Ok(Json(answer))
}
