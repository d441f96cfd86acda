//! The person's browser zone, offered on the portal's home page when it differs from theirs:
//! a small script (`assets/zone_offer.js`) reads the browser's zone and shows the offer
//! (`templates/portal/_zone_offer.html`); nothing changes until the person presses its button.
//! Without JavaScript there is no offer, and the zone is set on the account page as always.

use axum::Form;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::page::SignedIn;
use crate::usecases::profile::{self, ProfileInput};
use crate::web::page::PageResult;
use crate::web::{AppState, ClientAddr};

#[derive(Deserialize)]
pub(super) struct ZoneForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    time_zone: String,
}

/// Uses the offered zone as the person's own (their name and language stay), then shows their
/// account page, where the zone is and where their sessions' times now read in it. An unknown
/// zone is refused with the reason, and nothing changes.
pub(super) async fn use_zone(
    State(s): State<AppState>,
    me: SignedIn,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<ZoneForm>,
) -> PageResult {
    me.check_csrf(&f.csrf)?;
    super::impersonation::refuse_own(&s, &me, addr.clone(), "time-zone").await?;
    let input = ProfileInput {
        name: me.account.name.clone(),
        language: me.account.language.clone(),
        time_zone: f.time_zone,
    };
    profile::update_profile(&s.cx, me.account.id, &input, addr).await?;
    Ok(Redirect::to(&format!("/portal/{}/account?saved=1", me.page.id())).into_response())
}

/// The script that makes the offer.
pub(super) async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../assets/zone_offer.js"),
    )
        .into_response()
}
