//! OpenID Connect: the rules of a portal's clients (relying parties).

pub mod clients;
pub mod request;
