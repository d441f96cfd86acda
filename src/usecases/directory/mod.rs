//! Areas, organizations, partnerships, contacts and portals: create, change, and upsert by
//! external id for a CRM sync. Supervisors reach only organizations and contacts in their areas;
//! anything else answers "not found".

/// Whether an upsert created, changed or left alone its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Created,
    Updated,
    Unchanged,
}

mod areas;
mod contacts;
mod organizations;
mod partnerships;
mod portals;
mod records;

pub use areas::*;
pub use contacts::*;
pub use organizations::*;
pub use partnerships::*;
pub use portals::*;
