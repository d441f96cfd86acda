//! OpenID Connect: the rules of a portal's clients (relying parties) and of the signing keys.

pub mod clients;
pub mod keys;
pub mod request;
