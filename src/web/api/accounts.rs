//! Portal accounts through the API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::extract::{ApiActor, ApiJson, Id};
use crate::domain::account::{Approval, Assignment, Lifecycle, Registration, Role};
use crate::domain::directory::PortalKind;
use crate::storage::accounts::{PortalAccount, ValidUntilFilter};
use crate::usecases::accounts::{self as uc, GrantInput};
use crate::usecases::directory::Outcome;
use crate::usecases::profile::LocaleInput;
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};

/// Grant a contact access to a portal: an invited account and an invitation e-mail with a
/// single-use link (to `send_to` when given). Granting access the contact already has on that
/// portal returns the account (200) and sends nothing.
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = GrantInput,
    responses((status = 201, body = PortalAccount, description = "created and invited"),
              (status = 200, body = PortalAccount, description = "the account there was"),
              (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn grant_access(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<GrantInput>,
) -> Result<Response, ApiError> {
    let (account, outcome) = uc::grant_access(&s.cx, &actor, &input).await?;
    let status = if outcome == Outcome::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(account)).into_response())
}

/// Read a portal account.
#[utoipa::path(get, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody)))]
pub async fn get_account(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(uc::get_account(&s.cx, &actor, id).await?))
}

/// Change an account's statuses: `approve`, `decline` (also an approved account),
/// `switch_off` / `switch_on` the access, `set_valid_until` (`valid_until`: `YYYY-MM-DD`, or
/// null to clear), `deactivate`, `reactivate`. The person gets the e-mail that goes with it
/// unless `notify` is false. Refused (409) when it changes nothing.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/status", tag = "accounts", params(("id" = i64, Path)),
    request_body = crate::usecases::accounts::StatusChange,
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_status(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(change): ApiJson<crate::usecases::accounts::StatusChange>,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(uc::change_status(&s.cx, &actor, id, &change).await?))
}

/// Where to send a set-password link.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordLinkInput {
    /// Another address than the account's, when given.
    #[serde(default)]
    #[schema(format = Email, max_length = 254)]
    pub send_to: Option<String>,
}

/// Send a single-use set-password link (the older ones stop working). No password is ever
/// shown or e-mailed. Refused (409) for an account that has no password yet.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/password-link", tag = "accounts", params(("id" = i64, Path)),
    request_body = PasswordLinkInput,
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send_password_link(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<PasswordLinkInput>,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(
        uc::send_password_link(&s.cx, &actor, id, input.send_to.as_deref()).await?,
    ))
}

/// Set the account's language and time zone: its e-mails, digests and pages follow them. For
/// any account, notifications-only ones included. An unknown language or zone is refused (422)
/// and nothing changes.
#[utoipa::path(put, path = "/api/v1/accounts/{id}/locale", tag = "accounts", params(("id" = i64, Path)),
    request_body = LocaleInput,
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_locale(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<LocaleInput>,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(
        crate::usecases::profile::set_account_locale(&s.cx, &actor, id, &input).await?,
    ))
}

/// Send the invitation (or the activation e-mail) again with a new link; the old one stops working.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/resend", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resend(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(uc::resend_link(&s.cx, &actor, id).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RemoveQuery {
    /// Tell a registered person that their access was revoked (default true).
    notify: Option<bool>,
}

/// Remove an account (the contact stays; the address can be invited again). A registered
/// person gets "your access was revoked"; an open invitation is cancelled. Returns the account
/// as it was.
#[utoipa::path(delete, path = "/api/v1/accounts/{id}", tag = "accounts", params(("id" = i64, Path), RemoveQuery),
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    super::extract::ApiQuery(q): super::extract::ApiQuery<RemoveQuery>,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(
        uc::remove_account(&s.cx, &actor, id, q.notify.unwrap_or(true)).await?,
    ))
}

/// How many sessions ended.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SessionsEnded {
    pub ended: u64,
}

/// Ends every session of the account on its portal's pages: the person is logged out
/// everywhere and must log in again.
#[utoipa::path(delete, path = "/api/v1/accounts/{id}/sessions", tag = "accounts", params(("id" = i64, Path)),
    responses((status = 200, body = SessionsEnded), (status = 404, body = ErrorBody)))]
pub async fn end_sessions(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
) -> Result<Json<SessionsEnded>, ApiError> {
    let ended = crate::usecases::sessions::end_all_of(
        &s.cx,
        &actor,
        crate::storage::sessions::Kind::Portal,
        id,
    )
    .await?;
    Ok(Json(SessionsEnded { ended }))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccountQuery {
    /// Text in the e-mail address or name. The best matches come first: the addresses that
    /// begin with the text, then the others; each part in e-mail order.
    q: Option<String>,
    portal_id: Option<i64>,
    /// The portal's kind: `customer`, `installer` or `partner`.
    #[param(value_type = Option<crate::domain::directory::PortalKind>, inline)]
    source: Option<String>,
    /// `invited`, `activation_sent` or `registered`.
    #[param(value_type = Option<crate::domain::account::Registration>, inline)]
    registration: Option<String>,
    /// `pending`, `approved` or `declined`.
    #[param(value_type = Option<crate::domain::account::Approval>, inline)]
    approval: Option<String>,
    /// `pending` (no contact linked yet) or `assigned`.
    #[param(value_type = Option<crate::domain::account::Assignment>, inline)]
    assignment: Option<String>,
    access_granted: Option<bool>,
    /// `active` or `deactivated`.
    #[param(value_type = Option<crate::domain::account::Lifecycle>, inline)]
    lifecycle: Option<String>,
    /// `admin`, `user`, `marketing` or `notifications`.
    #[param(value_type = Option<crate::domain::account::Role>, inline)]
    role: Option<String>,
    /// The organization of the linked contact.
    organization_id: Option<i64>,
    /// `set`, `none` or `past` (the last day has gone by).
    #[param(value_type = Option<ValidUntilQuery>, inline)]
    valid_until: Option<String>,
    #[param(pattern = "^([0-9a-fA-F]{2})*$", max_length = 2048)]
    after: Option<String>,
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// The `valid_until` filter of the access list.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
enum ValidUntilQuery {
    Set,
    None,
    Past,
}

/// The value of `all` whose text is `value`, or a clear error naming the allowed ones.
fn one_of<T: Copy>(
    name: &str,
    value: Option<String>,
    all: &[T],
    text: fn(T) -> &'static str,
) -> Result<Option<T>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    all.iter()
        .copied()
        .find(|v| text(*v) == value)
        .map(Some)
        .ok_or_else(|| {
            let allowed: Vec<&str> = all.iter().map(|v| text(*v)).collect();
            ApiError::bad_request(format!(
                "Query parameter {name}: must be one of {}",
                allowed.join(", ")
            ))
        })
}

/// The access list: portal accounts sorted by e-mail address, a page at a time, with filters
/// on portal, source and every status.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(AccountQuery),
    responses((status = 200, body = crate::storage::directory::Page<PortalAccount>), (status = 400, body = ErrorBody)))]
pub async fn list_accounts(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    super::extract::ApiQuery(q): super::extract::ApiQuery<AccountQuery>,
) -> Result<Json<crate::storage::directory::Page<PortalAccount>>, ApiError> {
    let filter = crate::storage::accounts::AccountFilter {
        q: q.q,
        portal_id: q.portal_id,
        source: one_of("source", q.source, PortalKind::ALL, PortalKind::as_str)?,
        registration: one_of(
            "registration",
            q.registration,
            Registration::ALL,
            Registration::as_str,
        )?,
        approval: one_of("approval", q.approval, Approval::ALL, Approval::as_str)?,
        assignment: one_of(
            "assignment",
            q.assignment,
            Assignment::ALL,
            Assignment::as_str,
        )?,
        access_granted: q.access_granted,
        lifecycle: one_of("lifecycle", q.lifecycle, Lifecycle::ALL, Lifecycle::as_str)?,
        role: one_of("role", q.role, Role::ALL, Role::as_str)?,
        organization_id: q.organization_id,
        valid_until: match one_of(
            "valid_until",
            q.valid_until,
            &["set", "none", "past"],
            |v| v,
        )? {
            Some("set") => Some(ValidUntilFilter::Set),
            Some("none") => Some(ValidUntilFilter::None),
            Some(_) => Some(ValidUntilFilter::Past {
                today: crate::clock::today(s.cx.now()),
            }),
            None => None,
        },
        invitation_expiring: None,
        after: super::directory::cursor(q.after.as_deref())?,
        limit: super::directory::limit(q.limit)?,
    };
    Ok(Json(uc::list_accounts(&s.cx, &actor, &filter).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CandidateQuery {
    /// Search contacts by name, e-mail or organization instead of the likely matches.
    q: Option<String>,
}

/// Contacts that may be the person behind an account awaiting its contact, the likeliest first
/// (the same e-mail address, a similar name, an organization of a similar name), or those a
/// search finds.
#[utoipa::path(get, path = "/api/v1/accounts/{id}/candidates", tag = "accounts", params(("id" = i64, Path), CandidateQuery),
    responses((status = 200, body = Vec<crate::usecases::registration::Candidate>), (status = 404, body = ErrorBody)))]
pub async fn candidates(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    super::extract::ApiQuery(q): super::extract::ApiQuery<CandidateQuery>,
) -> Result<Json<Vec<crate::usecases::registration::Candidate>>, ApiError> {
    Ok(Json(
        crate::usecases::registration::candidates(&s.cx, &actor, id, q.q.as_deref()).await?,
    ))
}

/// The contact to link.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkContactInput {
    pub contact_id: i64,
}

/// Link an account awaiting its contact (a self-registration) to a contact. Refused (409)
/// when it already has one.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/contact", tag = "accounts", params(("id" = i64, Path)),
    request_body = LinkContactInput,
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link_contact(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<LinkContactInput>,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(
        crate::usecases::registration::link_contact(&s.cx, &actor, id, input.contact_id).await?,
    ))
}

/// Create a contact from an account's registration (name, company, phone) and link it: in
/// `organization_id`, else the organization of the registered company name (exactly one),
/// else a new one. A contact with the same e-mail address is a likely duplicate: refused (409)
/// unless `allow_duplicate` is true.
#[utoipa::path(post, path = "/api/v1/accounts/{id}/create-contact", tag = "accounts", params(("id" = i64, Path)),
    request_body = crate::usecases::registration::CreateContactInput,
    responses((status = 200, body = PortalAccount), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_contact(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<crate::usecases::registration::CreateContactInput>,
) -> Result<Json<PortalAccount>, ApiError> {
    Ok(Json(
        crate::usecases::registration::create_contact(&s.cx, &actor, id, &input).await?,
    ))
}

/// Grant access to several people of an organization at once, all with the same role and
/// modules: its contacts by id, and addresses (the organization's contact with that address,
/// or a new contact of it). All or nothing: a bad address or contact is reported and nothing is
/// written. People who already have access on the portal are returned as `unchanged`.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/invitations", tag = "accounts", params(("id" = i64, Path)),
    request_body = crate::usecases::accounts::InviteInput,
    responses((status = 200, body = Vec<crate::usecases::accounts::Invited>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn invite_many(
    State(s): State<AppState>,
    ApiActor(actor): ApiActor,
    Id(id): Id,
    ApiJson(input): ApiJson<crate::usecases::accounts::InviteInput>,
) -> Result<Json<Vec<crate::usecases::accounts::Invited>>, ApiError> {
    Ok(Json(uc::invite_many(&s.cx, &actor, id, &input).await?))
}
