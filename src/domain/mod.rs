//! The rules and types of Admit, as plain functions with no I/O.

pub mod access;
pub mod account;
pub mod column;
pub mod delivery;
pub mod digest;
pub mod directory;
pub mod email;
pub mod impersonation;
pub mod limits;
pub mod local_time;
pub mod oidc;
pub mod outbox;
pub mod staff;
pub mod task_tallies;
pub mod tasks;
pub mod validation;

pub use email::EmailAddress;
pub use validation::{FieldError, FieldErrors};
