//! Secrets: password hashing and random tokens, stored only as hashes; the rules a new
//! password must pass, and the optional breached-password check.

pub mod breached;
pub mod jwt;
pub mod password_policy;
pub mod passwords;
pub mod proxies;
pub mod sealing;
pub mod signing_keys;
pub mod tokens;
