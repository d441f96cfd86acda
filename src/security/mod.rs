//! Secrets: password hashing and random tokens, stored only as hashes.

pub mod passwords;
pub mod proxies;
pub mod tokens;
