//! What a template is written as: parts in the shared layout (what office staff edit), or, in
//! advanced mode, the HTML and text bodies as written. Either becomes the [`MailText`] that is
//! rendered, by the same code for the preview and for the message sent.

use serde::{Deserialize, Serialize};

use super::layout;
use super::parts::{self, MailParts};
use super::templates::{self, Event, MailText};
use crate::domain::FieldErrors;
use crate::domain::directory::Language;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum TemplateSource {
    /// Subject, greeting, paragraphs, button and closing in the shared layout.
    Parts(MailParts),
    /// The HTML and text bodies as written (advanced mode).
    Html(MailText),
}

impl TemplateSource {
    /// The subject and bodies to render.
    pub fn text(&self, event: &Event, language: Language) -> MailText {
        match self {
            TemplateSource::Parts(p) => layout::build(p, event, language),
            TemplateSource::Html(t) => t.clone(),
        }
    }

    /// As saved: without empty paragraphs.
    pub fn compact(self) -> Self {
        match self {
            TemplateSource::Parts(p) => TemplateSource::Parts(p.compact()),
            html => html,
        }
    }

    pub fn is_advanced(&self) -> bool {
        matches!(self, TemplateSource::Html(_))
    }

    /// Checks the template as written, then what it makes, naming the fields of its form.
    pub fn validate(&self, event: &Event, language: Language) -> Result<(), FieldErrors> {
        match self {
            TemplateSource::Parts(p) => {
                parts::validate(event, p)?;
                // Each part is fine alone; together they must make a template that renders.
                templates::validate(event, &layout::build(p, event, language)).map_err(|e| {
                    let mut errors = FieldErrors::new();
                    for x in e.0 {
                        errors.add(&parts::paragraph_field(1), x.message);
                    }
                    errors
                })
            }
            TemplateSource::Html(t) => templates::validate(event, t),
        }
    }
}
