//! Each portal's own e-mail templates: which one an event uses, the preview on sample data,
//! saving (checked first: nothing is saved with an error) and going back to the default. A
//! template is written as parts in the shared layout, or as HTML in advanced mode; templates
//! saved before parts existed are the latter and keep working as written.

use serde_json::Value;

use super::{Actor, Ctx, Error, Result, Target, json, record};
use crate::domain::directory::Language;
use crate::domain::local_time::Locale;
use crate::mail::defaults::default_parts;
use crate::mail::parts::MailParts;
use crate::mail::source::TemplateSource;
use crate::mail::templates::{self, Event, MailText, Rendered};
use crate::mail::variables;
use crate::storage::outbox::{self as store, StoredTemplate};
use crate::storage::{Tx, directory};

/// The template an event uses on a portal in a language: the portal's own, else the default
/// in that language, else the English default. The flag says whether it is the portal's own.
pub async fn template_for(
    tx: &mut Tx,
    portal_id: Option<i64>,
    event: &str,
    language: Language,
) -> Result<(TemplateSource, bool)> {
    if let Some(p) = portal_id
        && let Some(t) = store::get_template(tx, p, event, language.as_str()).await?
    {
        let parts = t
            .parts
            .as_deref()
            .and_then(|j| serde_json::from_str::<MailParts>(j).ok());
        let source = match parts {
            Some(p) => TemplateSource::Parts(p),
            None => TemplateSource::Html(MailText {
                subject: t.subject,
                html: t.html_body,
                text: t.text_body,
            }),
        };
        return Ok((source, true));
    }
    let p = default_parts(event, language)
        .or_else(|| default_parts(event, Language::En))
        .ok_or_else(|| anyhow::anyhow!("no template for the e-mail event {event}"))?;
    Ok((TemplateSource::Parts(p), false))
}

/// The texts to start from when leaving advanced mode: read from the template's text body (see
/// [`MailParts::from_text`]), the button labelled as the default's.
pub fn parts_from_html(event: &Event, language: Language, t: &MailText) -> MailParts {
    let label = default_parts(event.key, language)
        .and_then(|d| d.button)
        .map(|b| b.label)
        .unwrap_or_default();
    MailParts::from_text(&t.subject, &t.text, event, &label)
}

/// The subject and bodies an event's message is rendered from (see [`template_for`]).
pub async fn text_for(
    tx: &mut Tx,
    portal_id: Option<i64>,
    event: &str,
    language: Language,
) -> Result<MailText> {
    let e = templates::event(event).ok_or_else(|| anyhow::anyhow!("no e-mail event {event}"))?;
    let (source, _) = template_for(tx, portal_id, event, language).await?;
    Ok(source.text(e, language))
}

/// The purpose of the single-use link an event's message carries.
fn link_purpose(event: &str) -> &'static str {
    match event {
        "invitation" => "invitation",
        "activation" => "activation",
        "email_change_confirm" => "email_change",
        _ => "password",
    }
}

/// The values a portal's template is previewed with: the message as if sent now from the portal
/// (by its name) to a person in the portal's default zone, in `language`, its times written by
/// the code that sends.
pub fn sample_for(
    portal: &crate::storage::directory::Portal,
    event: &Event,
    language: Language,
    now: i64,
) -> Value {
    let locale = Locale::new(&portal.default_time_zone, language);
    let at = variables::Moments {
        now,
        link_expires_at: now
            + crate::domain::account::link_lifetime_ms(
                link_purpose(event.key),
                portal.invitation_lifetime_days,
            ),
    };
    let mut vars = variables::sample(event.variables, &locale, at);
    // The portal's own name, as its messages will carry it.
    vars["portal_name"] = Value::String(portal.name.clone());
    vars
}

/// Checks and renders a portal's template on sample data (see [`sample_for`]), without saving,
/// with the code that renders the messages sent.
pub fn preview(
    cx: &Ctx,
    portal: &crate::storage::directory::Portal,
    event: &str,
    language: Language,
    t: &TemplateSource,
) -> Result<Rendered> {
    let e = templates::event(event).ok_or(Error::NotFound("e-mail event"))?;
    t.validate(e, language)?;
    let vars = sample_for(portal, e, language, cx.now());
    templates::render(&t.text(e, language), &vars).map_err(|m| Error::invalid("subject", m))
}

/// Saves a portal's own template for an event and language, refused with the field, the line
/// and the reason when a part does not parse or uses a variable the event does not have.
pub async fn save_template(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    event: &str,
    language: Language,
    t: &TemplateSource,
) -> Result<()> {
    actor.require_admin()?;
    let e = templates::event(event).ok_or(Error::NotFound("e-mail event"))?;
    t.validate(e, language)?;
    let t = &t.clone().compact();
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let portal = directory::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let (before, custom) = template_for(&mut tx, Some(portal_id), event, language).await?;
    if custom && before == *t {
        return Ok(());
    }
    let made = t.text(e, language);
    let parts = match t {
        TemplateSource::Parts(p) => Some(serde_json::to_string(p).map_err(anyhow::Error::from)?),
        TemplateSource::Html(_) => None,
    };
    store::put_template(
        &mut tx,
        &StoredTemplate {
            portal_id,
            event: event.to_string(),
            language: language.as_str().to_string(),
            subject: made.subject,
            html_body: made.html,
            text_body: made.text,
            parts,
            updated_at: now,
        },
    )
    .await?;
    let label = format!("{}: {event} ({language})", portal.name);
    record(
        &mut tx,
        now,
        actor,
        "mail_template.saved",
        Target {
            kind: "portal",
            id: Some(portal_id),
            label: &label,
        },
        json(&before),
        json(t),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Goes back to the default text.
pub async fn reset_template(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    event: &str,
    language: Language,
) -> Result<()> {
    actor.require_admin()?;
    templates::event(event).ok_or(Error::NotFound("e-mail event"))?;
    let now = cx.now();
    let mut tx = cx.db.write().await?;
    let portal = directory::get_portal(&mut tx, portal_id)
        .await?
        .ok_or(Error::NotFound("portal"))?;
    let (before, custom) = template_for(&mut tx, Some(portal_id), event, language).await?;
    if !custom {
        return Ok(());
    }
    store::delete_template(&mut tx, portal_id, event, language.as_str()).await?;
    let label = format!("{}: {event} ({language})", portal.name);
    record(
        &mut tx,
        now,
        actor,
        "mail_template.reset",
        Target {
            kind: "portal",
            id: Some(portal_id),
            label: &label,
        },
        json(&before),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A portal's own templates (the events and languages it changed).
pub async fn portal_templates(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
) -> Result<Vec<StoredTemplate>> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    Ok(store::list_templates(&mut tx, portal_id).await?)
}

/// The template a portal uses for an event in a language (see [`template_for`]).
pub async fn current_template(
    cx: &Ctx,
    actor: &Actor,
    portal_id: i64,
    event: &str,
    language: Language,
) -> Result<(TemplateSource, bool)> {
    actor.require_admin()?;
    let mut tx = cx.db.read().await?;
    template_for(&mut tx, Some(portal_id), event, language).await
}
