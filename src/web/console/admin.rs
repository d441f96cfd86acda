//! Console pages for administrators: areas, partnerships, portals, staff users, API keys,
//! the audit log; and every staff user's own account (password, sessions).

use axum::Router;

use crate::web::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
