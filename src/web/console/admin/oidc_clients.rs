//! A portal's OpenID Connect clients in the console: listed, registered (a confidential
//! client's secret is shown on that one page), given a new secret, deleted. Administrators only.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawForm, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

use super::FormData;
use crate::domain::oidc::clients::{ClientKind, OidcScope};
use crate::storage::directory::Portal;
use crate::storage::oidc_clients::OidcClient;
use crate::usecases::Error;
use crate::usecases::directory as dir_uc;
use crate::usecases::oidc::clients::{self as uc, NewClientInput};
use crate::web::AppState;
use crate::web::console::{Admin, Chrome, Errors, Staff, done};
use crate::web::page::{Id, PageResult, form_errors};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/console/portals/{id}/clients",
            get(list_clients).post(register),
        )
        .route("/console/oidc-clients/{id}/secret", post(renew_secret))
        .route("/console/oidc-clients/{id}/delete", post(delete_client))
}

/// A secret just made: shown on this one page only.
struct NewSecret {
    name: String,
    client_id: String,
    secret: String,
}

/// The register form, as typed.
#[derive(Default)]
struct Form {
    name: String,
    kind: String,
    redirect_uris: String,
    post_logout_redirect_uris: String,
    backchannel_logout_uri: String,
    scopes: Vec<String>,
}

impl Form {
    fn blank() -> Self {
        Form {
            kind: ClientKind::Confidential.as_str().into(),
            scopes: vec![OidcScope::Openid.as_str().into()],
            ..Form::default()
        }
    }

    fn has_scope(&self, scope: &&str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "console/oidc_clients.html")]
struct ClientsPage {
    chrome: Chrome,
    portal: Portal,
    clients: Vec<OidcClient>,
    created: Option<NewSecret>,
    form: Form,
    scopes: Vec<&'static str>,
    errors: Errors,
    /// The errors of the URI lists' lines, as "line 2: ...".
    redirect_errors: Vec<String>,
    post_logout_errors: Vec<String>,
}

/// The messages of `field` and of its entries (`field[1]`), with their line numbers.
fn list_errors(errors: &Errors, field: &str) -> Vec<String> {
    errors
        .0
        .iter()
        .filter_map(|e| {
            if e.field == field {
                return Some(e.message.clone());
            }
            let index = e.field.strip_prefix(field)?.strip_prefix('[')?;
            let n: usize = index.strip_suffix(']')?.parse().ok()?;
            Some(format!("line {}: {}", n + 1, e.message))
        })
        .collect()
}

async fn clients_page(
    s: &AppState,
    staff: &Staff,
    portal_id: i64,
    created: Option<NewSecret>,
    form: Form,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let clients = uc::list(&s.cx, &staff.actor, portal_id).await?;
    let portal = dir_uc::get_portal(&s.cx, portal_id).await?;
    let page = ClientsPage {
        chrome: staff.chrome("portals"),
        portal,
        clients,
        created,
        form,
        scopes: OidcScope::ALL.iter().map(|s| s.as_str()).collect(),
        redirect_errors: list_errors(&errors, "redirect_uris"),
        post_logout_errors: list_errors(&errors, "post_logout_redirect_uris"),
        errors,
    };
    // A page with a new secret must not be kept by the browser or a proxy.
    Ok((status, [(header::CACHE_CONTROL, "no-store")], page).into_response())
}

async fn list_clients(State(s): State<AppState>, Admin(staff): Admin, Id(id): Id) -> PageResult {
    clients_page(
        &s,
        &staff,
        id,
        None,
        Form::blank(),
        Errors::new(),
        StatusCode::OK,
    )
    .await
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

async fn register(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let d = FormData::parse(&body);
    let form = Form {
        name: d.get("name"),
        kind: d.get("kind"),
        redirect_uris: d.get("redirect_uris"),
        post_logout_redirect_uris: d.get("post_logout_redirect_uris"),
        backchannel_logout_uri: d.get("backchannel_logout_uri"),
        scopes: d
            .0
            .iter()
            .filter(|(k, _)| k == "scopes")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let mut errors = Errors::new();
    let kind = errors.take("kind", ClientKind::parse(&form.kind));
    let mut scopes = Vec::new();
    for s in &form.scopes {
        if let Some(scope) = errors.take("scopes", OidcScope::parse(s)) {
            scopes.push(scope);
        }
    }
    let result = match kind {
        Some(kind) if errors.is_empty() => {
            let backchannel = form.backchannel_logout_uri.trim();
            let input = NewClientInput {
                name: form.name.clone(),
                kind,
                redirect_uris: lines(&form.redirect_uris),
                post_logout_redirect_uris: lines(&form.post_logout_redirect_uris),
                backchannel_logout_uri: (!backchannel.is_empty()).then(|| backchannel.into()),
                scopes,
            };
            uc::create(&s.cx, &staff.actor, id, &input).await
        }
        _ => Err(Error::Invalid(errors)),
    };
    match form_errors(result)? {
        Ok(created) => {
            let new = created.client_secret.map(|secret| NewSecret {
                name: created.client.name.clone(),
                client_id: created.client.client_id.clone(),
                secret,
            });
            clients_page(
                &s,
                &staff,
                id,
                new,
                Form::blank(),
                Errors::new(),
                StatusCode::OK,
            )
            .await
        }
        Err(errors) => {
            clients_page(
                &s,
                &staff,
                id,
                None,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn renew_secret(State(s): State<AppState>, Admin(staff): Admin, Id(id): Id) -> PageResult {
    let renewed = uc::rotate_secret(&s.cx, &staff.actor, id).await?;
    let client = renewed.client;
    let new = renewed.client_secret.map(|secret| NewSecret {
        name: client.name.clone(),
        client_id: client.client_id.clone(),
        secret,
    });
    clients_page(
        &s,
        &staff,
        client.portal_id,
        new,
        Form::blank(),
        Errors::new(),
        StatusCode::OK,
    )
    .await
}

async fn delete_client(State(s): State<AppState>, Admin(staff): Admin, Id(id): Id) -> PageResult {
    let client = uc::delete(&s.cx, &staff.actor, id).await?;
    Ok(done(
        &s,
        &format!("/console/portals/{}/clients", client.portal_id),
        &format!("Client {} deleted.", client.name),
    ))
}
