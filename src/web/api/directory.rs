//! Directory endpoints: list, read, create, replace, and upsert by external id.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::extract::{ApiActor, ApiJson, ApiQuery, Id};
use crate::domain::directory::{
    AreaInput, ContactInput, OrganizationInput, PartnershipInput, PortalInput,
};
use crate::storage::audit::{AuditEvent, AuditFilter};
use crate::storage::directory::{
    Area, Contact, ContactFilter, Organization, OrganizationFilter, Page, Partnership, Portal,
    decode_cursor,
};
use crate::usecases::directory::{self as uc, Outcome};
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};

type ApiResult<T> = Result<T, ApiError>;

pub(super) fn cursor(after: Option<&str>) -> ApiResult<Option<(String, i64)>> {
    match after {
        None | Some("") => Ok(None),
        Some(c) => decode_cursor(c).map(Some).ok_or_else(|| {
            ApiError::bad_request("Query parameter after: not a cursor from a previous page")
        }),
    }
}

pub(super) fn limit(l: Option<i64>) -> ApiResult<i64> {
    match l {
        None => Ok(50),
        Some(n) if (1..=500).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::bad_request(
            "Query parameter limit: must be between 1 and 500",
        )),
    }
}

pub(super) fn upserted<T: serde::Serialize>((value, outcome): (T, Outcome)) -> Response {
    let status = if outcome == Outcome::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let outcome = match outcome {
        Outcome::Created => "created",
        Outcome::Updated => "updated",
        Outcome::Unchanged => "unchanged",
    };
    (status, [("admit-outcome", outcome)], Json(value)).into_response()
}

pub(super) fn check_external_id(external_id: &str) -> ApiResult<()> {
    if external_id.trim().is_empty()
        || external_id.chars().count() > crate::domain::directory::EXTERNAL_ID_MAX
    {
        return Err(ApiError::bad_request(
            "external_id in the path: must be 1 to 200 characters",
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------- areas

/// List the areas (a supervisor-scoped key sees its own).
#[utoipa::path(get, path = "/api/v1/areas", tag = "directory",
    responses((status = 200, body = Vec<Area>), (status = 401, body = ErrorBody)))]
pub async fn list_areas(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Vec<Area>>> {
    Ok(Json(uc::list_areas(&s.cx, &actor).await?))
}

/// Create an area (unrestricted keys only).
#[utoipa::path(post, path = "/api/v1/areas", tag = "directory", request_body = AreaInput,
    responses((status = 201, body = Area), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_area(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<AreaInput>,
) -> ApiResult<(StatusCode, Json<Area>)> {
    Ok((
        StatusCode::CREATED,
        Json(uc::create_area(&s.cx, &actor, &input).await?),
    ))
}

/// Read an area.
#[utoipa::path(get, path = "/api/v1/areas/{id}", tag = "directory", params(("id" = i64, Path)),
    responses((status = 200, body = Area), (status = 404, body = ErrorBody)))]
pub async fn get_area(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> ApiResult<Json<Area>> {
    Ok(Json(uc::get_area(&s.cx, &actor, id).await?))
}

/// Rename an area.
#[utoipa::path(put, path = "/api/v1/areas/{id}", tag = "directory", params(("id" = i64, Path)), request_body = AreaInput,
    responses((status = 200, body = Area), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_area(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<AreaInput>,
) -> ApiResult<Json<Area>> {
    Ok(Json(uc::update_area(&s.cx, &actor, id, &input).await?))
}

// ---------------------------------------------------------------- organizations

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrganizationQuery {
    /// Text in the name or external id.
    q: Option<String>,
    /// `customer` or `partner`.
    #[param(value_type = Option<crate::domain::directory::OrganizationKind>, inline)]
    kind: Option<String>,
    area_id: Option<i64>,
    parent_id: Option<i64>,
    /// The `next` cursor of the previous page.
    #[param(pattern = "^([0-9a-fA-F]{2})*$", max_length = 2048)]
    after: Option<String>,
    /// 1 to 500, default 50.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// List organizations, sorted by name, a page at a time.
#[utoipa::path(get, path = "/api/v1/organizations", tag = "directory", params(OrganizationQuery),
    responses((status = 200, body = Page<Organization>), (status = 400, body = ErrorBody)))]
pub async fn list_organizations(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<OrganizationQuery>,
) -> ApiResult<Json<Page<Organization>>> {
    let kind = match &q.kind {
        Some(k) => Some(
            crate::domain::directory::OrganizationKind::parse(k)
                .map_err(|m| ApiError::bad_request(format!("Query parameter kind: {m}")))?,
        ),
        None => None,
    };
    let filter = OrganizationFilter {
        q: q.q,
        kind,
        area_id: q.area_id,
        parent_id: q.parent_id,
        after: cursor(q.after.as_deref())?,
        limit: limit(q.limit)?,
    };
    Ok(Json(uc::list_organizations(&s.cx, &actor, &filter).await?))
}

/// Create an organization.
#[utoipa::path(post, path = "/api/v1/organizations", tag = "directory", request_body = OrganizationInput,
    responses((status = 201, body = Organization), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_organization(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<OrganizationInput>,
) -> ApiResult<(StatusCode, Json<Organization>)> {
    Ok((
        StatusCode::CREATED,
        Json(uc::create_organization(&s.cx, &actor, &input).await?),
    ))
}

/// Read an organization.
#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "directory", params(("id" = i64, Path)),
    responses((status = 200, body = Organization), (status = 404, body = ErrorBody)))]
pub async fn get_organization(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> ApiResult<Json<Organization>> {
    Ok(Json(uc::get_organization(&s.cx, &actor, id).await?))
}

/// Replace an organization's fields.
#[utoipa::path(put, path = "/api/v1/organizations/{id}", tag = "directory", params(("id" = i64, Path)), request_body = OrganizationInput,
    responses((status = 200, body = Organization), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_organization(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<OrganizationInput>,
) -> ApiResult<Json<Organization>> {
    Ok(Json(
        uc::update_organization(&s.cx, &actor, id, &input).await?,
    ))
}

/// Create or update the organization with this external id (CRM sync). Repeating the same
/// call changes nothing. The `Admit-Outcome` header says `created`, `updated` or `unchanged`.
#[utoipa::path(put, path = "/api/v1/organizations/by-external-id/{external_id}", tag = "directory",
    params(("external_id" = String, Path, min_length = 1, max_length = 200, pattern = r"\S")), request_body = OrganizationInput,
    responses((status = 200, body = Organization, description = "updated or unchanged"),
              (status = 201, body = Organization, description = "created"),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upsert_organization(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(external_id): Path<String>,
    ApiJson(input): ApiJson<OrganizationInput>,
) -> ApiResult<Response> {
    check_external_id(&external_id)?;
    Ok(upserted(
        uc::upsert_organization(&s.cx, &actor, &external_id, &input).await?,
    ))
}

// ---------------------------------------------------------------- contacts

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ContactQuery {
    /// Text in the name, e-mail, phone or external id.
    q: Option<String>,
    organization_id: Option<i64>,
    area_id: Option<i64>,
    /// `en` or `de`.
    #[param(value_type = Option<crate::domain::directory::Language>, inline)]
    language: Option<String>,
    #[param(pattern = "^([0-9a-fA-F]{2})*$", max_length = 2048)]
    after: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// List contacts, sorted by name, a page at a time.
#[utoipa::path(get, path = "/api/v1/contacts", tag = "directory", params(ContactQuery),
    responses((status = 200, body = Page<Contact>), (status = 400, body = ErrorBody)))]
pub async fn list_contacts(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<ContactQuery>,
) -> ApiResult<Json<Page<Contact>>> {
    if let Some(l) = &q.language {
        crate::domain::directory::Language::parse(l)
            .map_err(|m| ApiError::bad_request(format!("Query parameter language: {m}")))?;
    }
    let filter = ContactFilter {
        q: q.q,
        organization_id: q.organization_id,
        area_id: q.area_id,
        language: q.language,
        after: cursor(q.after.as_deref())?,
        limit: limit(q.limit)?,
    };
    Ok(Json(uc::list_contacts(&s.cx, &actor, &filter).await?))
}

/// Create a contact.
#[utoipa::path(post, path = "/api/v1/contacts", tag = "directory", request_body = ContactInput,
    responses((status = 201, body = Contact), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_contact(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<(StatusCode, Json<Contact>)> {
    Ok((
        StatusCode::CREATED,
        Json(uc::create_contact(&s.cx, &actor, &input).await?),
    ))
}

/// Read a contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "directory", params(("id" = i64, Path)),
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody)))]
pub async fn get_contact(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> ApiResult<Json<Contact>> {
    Ok(Json(uc::get_contact(&s.cx, &actor, id).await?))
}

/// Replace a contact's fields.
#[utoipa::path(put, path = "/api/v1/contacts/{id}", tag = "directory", params(("id" = i64, Path)), request_body = ContactInput,
    responses((status = 200, body = Contact), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_contact(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Json<Contact>> {
    Ok(Json(uc::update_contact(&s.cx, &actor, id, &input).await?))
}

/// Create or update the contact with this external id (CRM sync). Repeating the same call
/// changes nothing. The `Admit-Outcome` header says `created`, `updated` or `unchanged`.
#[utoipa::path(put, path = "/api/v1/contacts/by-external-id/{external_id}", tag = "directory",
    params(("external_id" = String, Path, min_length = 1, max_length = 200, pattern = r"\S")), request_body = ContactInput,
    responses((status = 200, body = Contact, description = "updated or unchanged"),
              (status = 201, body = Contact, description = "created"),
              (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn upsert_contact(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(external_id): Path<String>,
    ApiJson(input): ApiJson<ContactInput>,
) -> ApiResult<Response> {
    check_external_id(&external_id)?;
    Ok(upserted(
        uc::upsert_contact(&s.cx, &actor, &external_id, &input).await?,
    ))
}

// ---------------------------------------------------------------- partnerships

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PartnershipQuery {
    partner_id: Option<i64>,
}

/// List partnerships with their customers.
#[utoipa::path(get, path = "/api/v1/partnerships", tag = "directory", params(PartnershipQuery),
    responses((status = 200, body = Vec<Partnership>)))]
pub async fn list_partnerships(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<PartnershipQuery>,
) -> ApiResult<Json<Vec<Partnership>>> {
    Ok(Json(
        uc::list_partnerships(&s.cx, &actor, q.partner_id).await?,
    ))
}

/// Create a partnership (unrestricted keys only).
#[utoipa::path(post, path = "/api/v1/partnerships", tag = "directory", request_body = PartnershipInput,
    responses((status = 201, body = Partnership), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_partnership(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<PartnershipInput>,
) -> ApiResult<(StatusCode, Json<Partnership>)> {
    Ok((
        StatusCode::CREATED,
        Json(uc::create_partnership(&s.cx, &actor, &input).await?),
    ))
}

/// Read a partnership.
#[utoipa::path(get, path = "/api/v1/partnerships/{id}", tag = "directory", params(("id" = i64, Path)),
    responses((status = 200, body = Partnership), (status = 404, body = ErrorBody)))]
pub async fn get_partnership(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> ApiResult<Json<Partnership>> {
    Ok(Json(uc::get_partnership(&s.cx, &actor, id).await?))
}

/// Replace a partnership, including its set of customers.
#[utoipa::path(put, path = "/api/v1/partnerships/{id}", tag = "directory", params(("id" = i64, Path)), request_body = PartnershipInput,
    responses((status = 200, body = Partnership), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_partnership(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<PartnershipInput>,
) -> ApiResult<Json<Partnership>> {
    Ok(Json(
        uc::update_partnership(&s.cx, &actor, id, &input).await?,
    ))
}

// ---------------------------------------------------------------- portals

/// List the portals with their modules.
#[utoipa::path(get, path = "/api/v1/portals", tag = "directory", responses((status = 200, body = Vec<Portal>)))]
pub async fn list_portals(
    State(s): State<AppState>,
    ApiActor(_): ApiActor,
) -> ApiResult<Json<Vec<Portal>>> {
    Ok(Json(uc::list_portals(&s.cx).await?))
}

/// Create a portal (unrestricted keys only).
#[utoipa::path(post, path = "/api/v1/portals", tag = "directory", request_body = PortalInput,
    responses((status = 201, body = Portal), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_portal(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<PortalInput>,
) -> ApiResult<(StatusCode, Json<Portal>)> {
    Ok((
        StatusCode::CREATED,
        Json(uc::create_portal(&s.cx, &actor, &input).await?),
    ))
}

/// Read a portal.
#[utoipa::path(get, path = "/api/v1/portals/{id}", tag = "directory", params(("id" = i64, Path)),
    responses((status = 200, body = Portal), (status = 404, body = ErrorBody)))]
pub async fn get_portal(
    State(s): State<AppState>,
    ApiActor(_): ApiActor,
    Id(id): Id,
) -> ApiResult<Json<Portal>> {
    Ok(Json(uc::get_portal(&s.cx, id).await?))
}

/// Replace a portal's settings and modules (unrestricted keys only).
#[utoipa::path(put, path = "/api/v1/portals/{id}", tag = "directory", params(("id" = i64, Path)), request_body = PortalInput,
    responses((status = 200, body = Portal), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_portal(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<PortalInput>,
) -> ApiResult<Json<Portal>> {
    Ok(Json(uc::update_portal(&s.cx, &actor, id, &input).await?))
}

// ---------------------------------------------------------------- audit

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// An action (`organization.created`), or a prefix ending in `*` (`organization.*`).
    action: Option<String>,
    /// Text in the actor's label.
    actor: Option<String>,
    target_kind: Option<String>,
    target_id: Option<i64>,
    /// Only events with an id below this (the previous page's last id).
    before_id: Option<i64>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// The audit log, newest first (unrestricted keys only).
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Vec<AuditEvent>), (status = 403, body = ErrorBody)))]
pub async fn list_audit_events(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEvent>>> {
    actor.require_admin().map_err(ApiError::from)?;
    let filter = AuditFilter {
        action: q.action,
        actor: q.actor,
        target_kind: q.target_kind,
        target_id: q.target_id,
        from: None,
        until: None,
        before_id: q.before_id,
        limit: limit(q.limit)?,
    };
    let mut tx = s.cx.db.read().await.map_err(crate::usecases::Error::from)?;
    let events = crate::storage::audit::list(&mut tx, &filter)
        .await
        .map_err(crate::usecases::Error::from)?;
    Ok(Json(events))
}
