//! OpenID Connect: the clients (relying parties) administrators register per portal.

pub mod clients;
