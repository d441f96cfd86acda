//! A portal's OpenID Connect clients in the console: listed, registered (a confidential
//! client's secret is shown on that one page), changed, given a new secret, deleted; a
//! client's page lists its back-channel logouts, and a failed one may be sent again.
//! Administrators only.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{RawForm, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

use super::FormData;
use crate::catalog::Message;
use crate::domain::oidc::clients::{ClientKind, OidcScope, SigningAlg};
use crate::domain::outbox::OutboxStatus;
use crate::storage::directory::Portal;
use crate::storage::oidc_clients::OidcClient;
use crate::storage::oidc_logouts::OidcLogout;
use crate::usecases::Error;
use crate::usecases::directory as dir_uc;
use crate::usecases::oidc::backchannel;
use crate::usecases::oidc::clients::{self as uc, ClientUpdateInput, NewClientInput};
use crate::web::AppState;
use crate::web::console::{Admin, Chrome, Errors, Staff, done};
use crate::web::page::{Id, PageResult, form_errors};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/console/portals/{id}/clients",
            get(list_clients).post(register),
        )
        .route(
            "/console/oidc-clients/{id}",
            get(edit_client).post(save_client),
        )
        .route("/console/oidc-clients/{id}/secret", post(renew_secret))
        .route("/console/oidc-clients/{id}/delete", post(delete_client))
        .route(
            "/console/oidc-logouts/{id}/send-again",
            post(send_logout_again),
        )
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
    signing_alg: String,
    active: bool,
}

impl Form {
    fn blank() -> Self {
        Form {
            kind: ClientKind::Confidential.as_str().into(),
            scopes: vec![OidcScope::Openid.as_str().into()],
            signing_alg: SigningAlg::default().as_str().into(),
            active: true,
            ..Form::default()
        }
    }

    fn of(c: &OidcClient) -> Self {
        Form {
            name: c.name.clone(),
            kind: c.kind.as_str().into(),
            redirect_uris: c.redirect_uris.join("\n"),
            post_logout_redirect_uris: c.post_logout_redirect_uris.join("\n"),
            backchannel_logout_uri: c.backchannel_logout_uri.clone().unwrap_or_default(),
            scopes: c.scopes.iter().map(|s| s.as_str().into()).collect(),
            signing_alg: c.signing_alg.as_str().into(),
            active: c.active,
        }
    }

    fn parse(d: &FormData) -> Self {
        Form {
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
            signing_alg: d.get("signing_alg"),
            active: d.has("active"),
        }
    }

    /// The ticked scopes; a value that names none is an error of `scopes`.
    fn scope_values(&self, errors: &mut Errors) -> Vec<OidcScope> {
        self.scopes
            .iter()
            .filter_map(|s| errors.take("scopes", OidcScope::parse(s)))
            .collect()
    }

    fn backchannel(&self) -> Option<String> {
        let uri = self.backchannel_logout_uri.trim();
        (!uri.is_empty()).then(|| uri.into())
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

/// The messages of `field` and of its entries (`field[1]`), with their line numbers, in the
/// language `code`.
fn list_errors(errors: &Errors, field: &str, code: &str) -> Vec<String> {
    errors
        .0
        .iter()
        .filter_map(|e| {
            if e.field == field {
                return Some(e.text(code));
            }
            let index = e.field.strip_prefix(field)?.strip_prefix('[')?;
            let n: usize = index.strip_suffix(']')?.parse().ok()?;
            Some(
                Message::new("error-line")
                    .number("line", i64::try_from(n + 1).unwrap_or(i64::MAX))
                    .text("problem", e.text(code))
                    .render(code),
            )
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
        redirect_errors: list_errors(&errors, "redirect_uris", staff.language().as_str()),
        post_logout_errors: list_errors(
            &errors,
            "post_logout_redirect_uris",
            staff.language().as_str(),
        ),
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
    let form = Form::parse(&FormData::parse(&body));
    let mut errors = Errors::new();
    let kind = errors.take("kind", ClientKind::parse(&form.kind));
    let scopes = form.scope_values(&mut errors);
    let signing_alg = match form.signing_alg.trim() {
        "" => SigningAlg::default(),
        alg => errors
            .take("signing_alg", SigningAlg::parse(alg))
            .unwrap_or_default(),
    };
    let result = match kind {
        Some(kind) if errors.is_empty() => {
            let input = NewClientInput {
                name: form.name.clone(),
                kind,
                redirect_uris: lines(&form.redirect_uris),
                post_logout_redirect_uris: lines(&form.post_logout_redirect_uris),
                backchannel_logout_uri: form.backchannel(),
                scopes,
                signing_alg,
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
        &staff.say(&Message::new("flash-oidc-client-deleted").text("name", client.name)),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "console/oidc_client.html")]
struct ClientPage {
    chrome: Chrome,
    portal: Portal,
    client: OidcClient,
    form: Form,
    scopes: Vec<&'static str>,
    errors: Errors,
    redirect_errors: Vec<String>,
    post_logout_errors: Vec<String>,
    logouts: Vec<LogoutRow>,
}

/// A back-channel logout in the client's table.
struct LogoutRow {
    l: OidcLogout,
    created: String,
    sent: String,
    failed: bool,
}

async fn client_page(
    s: &AppState,
    staff: &Staff,
    client: OidcClient,
    form: Form,
    errors: Errors,
    status: StatusCode,
) -> PageResult {
    let portal = dir_uc::get_portal(&s.cx, client.portal_id).await?;
    let at = staff.locale();
    let logouts = backchannel::of_client(&s.cx, &staff.actor, client.id)
        .await?
        .into_iter()
        .map(|l| LogoutRow {
            created: at.time(l.created_at),
            sent: l.sent_at.map(|t| at.time(t)).unwrap_or_default(),
            failed: l.status == OutboxStatus::Failed,
            l,
        })
        .collect();
    let page = ClientPage {
        chrome: staff.chrome("portals"),
        portal,
        client,
        form,
        scopes: OidcScope::ALL.iter().map(|s| s.as_str()).collect(),
        redirect_errors: list_errors(&errors, "redirect_uris", staff.language().as_str()),
        post_logout_errors: list_errors(
            &errors,
            "post_logout_redirect_uris",
            staff.language().as_str(),
        ),
        errors,
        logouts,
    };
    Ok((status, page).into_response())
}

async fn edit_client(State(s): State<AppState>, Admin(staff): Admin, Id(id): Id) -> PageResult {
    let client = uc::get(&s.cx, &staff.actor, id).await?;
    let form = Form::of(&client);
    client_page(&s, &staff, client, form, Errors::new(), StatusCode::OK).await
}

async fn save_client(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
    RawForm(body): RawForm,
) -> PageResult {
    let client = uc::get(&s.cx, &staff.actor, id).await?;
    let form = Form::parse(&FormData::parse(&body));
    let mut errors = Errors::new();
    let scopes = form.scope_values(&mut errors);
    let signing_alg = match form.signing_alg.trim() {
        "" => SigningAlg::default(),
        alg => errors
            .take("signing_alg", SigningAlg::parse(alg))
            .unwrap_or_default(),
    };
    let result = if errors.is_empty() {
        let input = ClientUpdateInput {
            name: form.name.clone(),
            redirect_uris: lines(&form.redirect_uris),
            post_logout_redirect_uris: lines(&form.post_logout_redirect_uris),
            backchannel_logout_uri: form.backchannel(),
            scopes,
            signing_alg,
            active: form.active,
        };
        uc::update(&s.cx, &staff.actor, id, &input).await
    } else {
        Err(Error::Invalid(errors))
    };
    match form_errors(result)? {
        Ok(saved) => Ok(done(
            &s,
            &format!("/console/portals/{}/clients", saved.portal_id),
            &staff.say(&Message::new("flash-oidc-client-saved").text("name", saved.name)),
        )),
        Err(errors) => {
            client_page(
                &s,
                &staff,
                client,
                form,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

async fn send_logout_again(
    State(s): State<AppState>,
    Admin(staff): Admin,
    Id(id): Id,
) -> PageResult {
    let logout = backchannel::send_again(&s.cx, &staff.actor, id).await?;
    Ok(done(
        &s,
        &format!("/console/oidc-clients/{}#logouts", logout.client_id),
        &staff.say(&Message::new("flash-logout-queued-again")),
    ))
}
