//! OpenID Connect: the clients (relying parties) administrators register per portal, and the
//! keys that sign the tokens.

pub mod clients;
pub mod key_rotation;
pub mod keys;
