//! Argon2id password hashing (m=19456 KiB, t=2, p=1), off the async threads and behind a
//! bound on how many hashes run at once.

use std::sync::Arc;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes and verifies passwords, at most `limit` at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// Verified against when the user is unknown, so that both answers take the same time.
    dummy_hash: Arc<String>,
}

impl PasswordHasher {
    pub fn new(limit: usize) -> Self {
        let dummy_hash = hash_blocking("admit-dummy-password-for-timing").expect("hashing works");
        Self {
            permits: Arc::new(Semaphore::new(limit.max(1))),
            dummy_hash: Arc::new(dummy_hash),
        }
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        let password = password.to_string();
        tokio::task::spawn_blocking(move || hash_blocking(&password)).await?
    }

    /// Checks `password` against `hash`; with `None` checks against a dummy hash and
    /// returns false, taking the same time.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> bool {
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let known = hash.is_some();
        let hash = hash.unwrap_or(&self.dummy_hash).to_string();
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_blocking(&password, &hash))
            .await
            .unwrap_or(false);
        ok && known
    }
}

pub fn hash_blocking(password: &str) -> anyhow::Result<String> {
    argon2()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password failed: {e}"))
}

pub fn verify_blocking(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// The most common passwords of at least 12 characters (shorter ones fail the length rule
/// anyway), compared case-insensitively.
const COMMON: &str = include_str!("common-passwords.txt");

pub fn is_common(password: &str) -> bool {
    let p = password.to_lowercase();
    COMMON.lines().any(|line| line == p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id() {
        let h = hash_blocking("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_blocking("correct horse battery staple", &h));
        assert!(!verify_blocking("correct horse battery stapl", &h));
        assert!(!verify_blocking("x", "not a hash"));
    }

    #[test]
    fn common_passwords_are_known() {
        assert!(is_common("q1w2e3r4t5y6"));
        assert!(is_common("1QAZ2WSX3EDC"));
        assert!(!is_common("correct horse battery staple"));
    }
}
