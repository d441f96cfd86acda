//! The JSON API under `/api/v1`, authenticated by API keys, described by the OpenAPI
//! document at `/api/openapi.json` (Swagger UI at `/api/docs`).

use axum::Router;
use axum::routing::{get, put};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::AppState;

pub mod access;
pub mod accounts;
pub mod directory;
pub mod extract;
pub mod impersonation;
pub mod mail;
pub mod oidc_clients;
pub mod tasks;

pub fn router() -> Router<AppState> {
    use directory::*;
    Router::new()
        .route("/api/openapi.json", get(openapi_json))
        .route("/api/v1/areas", get(list_areas).post(create_area))
        .route("/api/v1/areas/{id}", get(get_area).put(update_area))
        .route(
            "/api/v1/organizations",
            get(list_organizations).post(create_organization),
        )
        .route(
            "/api/v1/organizations/by-external-id/{external_id}",
            put(upsert_organization),
        )
        .route(
            "/api/v1/organizations/{id}",
            get(get_organization).put(update_organization),
        )
        .route("/api/v1/contacts", get(list_contacts).post(create_contact))
        .route(
            "/api/v1/contacts/by-external-id/{external_id}",
            put(upsert_contact),
        )
        .route(
            "/api/v1/contacts/{id}",
            get(get_contact).put(update_contact),
        )
        .route(
            "/api/v1/partnerships",
            get(list_partnerships).post(create_partnership),
        )
        .route(
            "/api/v1/partnerships/{id}",
            get(get_partnership).put(update_partnership),
        )
        .route("/api/v1/portals", get(list_portals).post(create_portal))
        .route("/api/v1/portals/{id}", get(get_portal).put(update_portal))
        .route("/api/v1/audit-events", get(list_audit_events))
        .route(
            "/api/v1/accounts",
            get(accounts::list_accounts).post(accounts::grant_access),
        )
        .route(
            "/api/v1/accounts/{id}",
            get(accounts::get_account).delete(accounts::remove),
        )
        .route(
            "/api/v1/accounts/{id}/sessions",
            axum::routing::delete(accounts::end_sessions),
        )
        .route(
            "/api/v1/accounts/{id}/resend",
            axum::routing::post(accounts::resend),
        )
        .route(
            "/api/v1/accounts/{id}/status",
            axum::routing::post(accounts::change_status),
        )
        .route(
            "/api/v1/organizations/{id}/invitations",
            axum::routing::post(accounts::invite_many),
        )
        .route(
            "/api/v1/accounts/{id}/candidates",
            get(accounts::candidates),
        )
        .route(
            "/api/v1/accounts/{id}/contact",
            axum::routing::post(accounts::link_contact),
        )
        .route(
            "/api/v1/accounts/{id}/create-contact",
            axum::routing::post(accounts::create_contact),
        )
        .route(
            "/api/v1/accounts/{id}/password-link",
            axum::routing::post(accounts::send_password_link),
        )
        .route(
            "/api/v1/accounts/{id}/locale",
            axum::routing::put(accounts::set_locale),
        )
        .route("/api/v1/decision", get(access::decision))
        .route("/api/v1/accounts/{id}/scope", get(access::scope))
        .route(
            "/api/v1/accounts/{id}/access",
            get(access::get_access).put(access::set_access),
        )
        .route(
            "/api/v1/portals/{id}/task-categories",
            get(tasks::get_categories).put(tasks::set_categories),
        )
        .route(
            "/api/v1/portals/{id}/tasks/{external_id}",
            get(tasks::get_task).put(tasks::put_task),
        )
        .route("/api/v1/tasks", get(tasks::list_tasks))
        .route(
            "/api/v1/accounts/{id}/notifications",
            get(tasks::get_preferences).put(tasks::set_preferences),
        )
        .route("/api/v1/outbox", get(mail::list_outbox))
        .route("/api/v1/outbox/{id}", get(mail::get_outbox_message))
        .route(
            "/api/v1/portals/{id}/impersonation",
            axum::routing::put(impersonation::set_impersonation_settings),
        )
        .route(
            "/api/v1/portals/{id}/clients",
            get(oidc_clients::list_clients).post(oidc_clients::create_client),
        )
        .route(
            "/api/v1/oidc-clients/{id}",
            get(oidc_clients::get_client)
                .put(oidc_clients::update_client)
                .delete(oidc_clients::delete_client),
        )
        .route(
            "/api/v1/oidc-clients/{id}/secret",
            axum::routing::post(oidc_clients::renew_secret),
        )
        .route(
            "/api/v1/oidc-clients/{id}/logouts",
            get(oidc_clients::list_logouts),
        )
}

/// Unknown addresses: JSON under `/api/`, a page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        super::error::ApiError::not_found("route").into_response()
    } else {
        super::console::not_found_page().into_response()
    }
}

/// The Swagger UI, with its assets inside the binary.
pub fn docs() -> Router {
    utoipa_swagger_ui::SwaggerUi::new("/api/docs")
        .url("/api/docs/openapi.json", ApiDoc::openapi())
        .into()
}

async fn openapi_json() -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        openapi_document(),
    )
        .into_response()
}

/// The OpenAPI document, as served and as committed in `openapi.json`.
pub fn openapi_document() -> String {
    let mut s = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    s.push('\n');
    s
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key created by a staff administrator: `admit_...`",
                    ))
                    .build(),
            ),
        );
    }
}

/// The answers every operation may give besides its own: no key (401), a key whose scope does
/// not reach (403), unreadable JSON or a bad parameter (400), a body that is not JSON
/// (415), invalid input (422), an unknown id (404).
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{Operation, ParameterIn};
        use utoipa::openapi::{Content, Ref, RefOr, Response};

        fn add(op: &mut Operation, status: &str, description: &str) {
            op.responses
                .responses
                .entry(status.to_string())
                .or_insert_with(|| {
                    let schema = Ref::from_schema_name("ErrorBody");
                    let mut response = Response::new(description);
                    response.content.insert(
                        "application/json".into(),
                        RefOr::T(Content::new(Some(schema))),
                    );
                    RefOr::T(response)
                });
        }
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                let has = |place: ParameterIn| {
                    op.parameters
                        .iter()
                        .flatten()
                        .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == place))
                };
                let path = has(ParameterIn::Path);
                let body = op.request_body.is_some();
                add(op, "401", "no valid API key");
                add(op, "403", "the key may not do this");
                add(
                    op,
                    "400",
                    "unreadable JSON, or a bad path or query parameter (a wrong type, a NUL character), named in `fields`",
                );
                if body {
                    add(op, "415", "the body is not sent as `application/json`");
                    add(op, "422", "invalid input, naming the fields at fault");
                }
                if path {
                    add(op, "404", "not found");
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Admit API",
        description = "The directory a CRM syncs (areas, organizations, partnerships, contacts, portals), the audit log, the outbox, portal accounts, the access decision, tasks and digests. Authenticate with an API key: `Authorization: Bearer admit_...`; a portal application may instead ask `/api/v1/decision` and `/api/v1/accounts/{id}/scope` with its own access token (a confidential OpenID Connect client's `client_credentials` grant), for its portal's accounts only. Errors are JSON with `error`, `message` and, for invalid input, `fields`.",
        version = "1"
    ),
    modifiers(&BearerAuth, &CommonResponses),
    security(("api_key" = [])),
    paths(
        directory::list_areas,
        directory::create_area,
        directory::get_area,
        directory::update_area,
        directory::list_organizations,
        directory::create_organization,
        directory::get_organization,
        directory::update_organization,
        directory::upsert_organization,
        directory::list_contacts,
        directory::create_contact,
        directory::get_contact,
        directory::update_contact,
        directory::upsert_contact,
        directory::list_partnerships,
        directory::create_partnership,
        directory::get_partnership,
        directory::update_partnership,
        directory::list_portals,
        directory::create_portal,
        directory::get_portal,
        directory::update_portal,
        impersonation::set_impersonation_settings,
        directory::list_audit_events,
        accounts::grant_access,
        accounts::get_account,
        accounts::change_status,
        accounts::send_password_link,
        accounts::set_locale,
        accounts::resend,
        accounts::remove,
        accounts::end_sessions,
        accounts::list_accounts,
        accounts::candidates,
        accounts::link_contact,
        accounts::create_contact,
        accounts::invite_many,
        access::decision,
        access::scope,
        access::get_access,
        access::set_access,
        mail::list_outbox,
        mail::get_outbox_message,
        tasks::get_categories,
        tasks::set_categories,
        tasks::put_task,
        tasks::get_task,
        tasks::list_tasks,
        tasks::get_preferences,
        tasks::set_preferences,
        oidc_clients::list_clients,
        oidc_clients::create_client,
        oidc_clients::get_client,
        oidc_clients::update_client,
        oidc_clients::renew_secret,
        oidc_clients::delete_client,
        oidc_clients::list_logouts,
    ),
    tags(
        (name = "directory", description = "Areas, organizations, partnerships, contacts, portals"),
        (name = "audit", description = "Who changed what, when, from where"),
        (name = "accounts", description = "Portal accounts: who may log in to which portal"),
        (name = "access", description = "What a portal account may see: the decision portal applications ask for, scopes, roles, modules and customers"),
        (name = "mail", description = "The outbox: every e-mail Admit sends, with its delivery status"),
        (name = "notifications", description = "Tasks posted by the operator's systems, their categories per portal, and the digest preferences of portal accounts"),
        (name = "oidc", description = "OpenID Connect: the clients (relying parties) registered per portal, and the back-channel logouts they are sent"),
    )
)]
pub struct ApiDoc;
