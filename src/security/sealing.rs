//! Secrets at rest that must be read back (the private keys that sign tokens): sealed with
//! AES-256-GCM under a key derived from the configured `keys_secret`, with the record's
//! identity (a key id) as associated data, so that a sealed value moved to another record does
//! not open.
//!
//! The configured secret is 32 or more random bytes written as hex or base64 (`openssl rand
//! -base64 32`); the AES key is derived from it with HKDF-SHA256, so any length from 32 bytes up
//! gives a full-strength key.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::hkdf::{HKDF_SHA256, Salt};

/// The shortest secret accepted, in bytes.
pub const SECRET_MIN_BYTES: usize = 32;

const PREFIX: &str = "sealed:";
const SALT: &[u8] = b"admit sealing";

/// Why a sealed value or a secret is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error(
        "the keys secret must be at least {SECRET_MIN_BYTES} random bytes written as hex or base64 (for example the output of `openssl rand -base64 32`)"
    )]
    WeakSecret,
    /// Not sealed under this secret, or changed since: the wrong secret, most likely.
    #[error("a sealed value does not open with the configured keys secret")]
    WrongSecret,
    #[error("a sealed value is malformed")]
    Malformed,
}

/// The key that seals and opens, derived from the configured secret.
pub struct Sealer {
    key: LessSafeKey,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

/// The bytes of a configured secret: hex when it is only hex digits, else base64 (standard or
/// URL-safe, padded or not).
fn decode_secret(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if text.len().is_multiple_of(2)
        && !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
            .collect();
    }
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
}

impl Sealer {
    pub fn from_secret(secret: &str) -> Result<Self, SealError> {
        let bytes = decode_secret(secret).ok_or(SealError::WeakSecret)?;
        if bytes.len() < SECRET_MIN_BYTES {
            return Err(SealError::WeakSecret);
        }
        let prk = Salt::new(HKDF_SHA256, SALT).extract(&bytes);
        let mut key = [0u8; 32];
        prk.expand(&[b"oidc signing keys v1"], &AES_256_GCM)
            .and_then(|okm| okm.fill(&mut key))
            .map_err(|_| SealError::WeakSecret)?;
        let key = UnboundKey::new(&AES_256_GCM, &key).map_err(|_| SealError::WeakSecret)?;
        Ok(Sealer {
            key: LessSafeKey::new(key),
        })
    }

    /// `sealed:` and the base64 of a random nonce, the ciphertext and its tag.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the operating system's random source failed");
        let mut buf = plaintext.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut buf,
            )
            .expect("AES-GCM seals any message of this size");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&buf);
        format!("{PREFIX}{}", STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, SealError> {
        let body = sealed.strip_prefix(PREFIX).ok_or(SealError::Malformed)?;
        let mut bytes = STANDARD.decode(body).map_err(|_| SealError::Malformed)?;
        if bytes.len() < NONCE_LEN + AES_256_GCM.tag_len() {
            return Err(SealError::Malformed);
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&bytes[..NONCE_LEN]);
        let plain = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(context.as_bytes()),
                &mut bytes[NONCE_LEN..],
            )
            .map_err(|_| SealError::WrongSecret)?;
        Ok(plain.to_vec())
    }
}

/// Whether a stored value is sealed (else it is in clear).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn sealed_values_open_with_the_same_secret_and_context_only() {
        let sealer = Sealer::from_secret(HEX).unwrap();
        let sealed = sealer.seal(b"private key", "kid-1");
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("private"));
        assert_eq!(sealer.open(&sealed, "kid-1").unwrap(), b"private key");
        assert_eq!(sealer.open(&sealed, "kid-2"), Err(SealError::WrongSecret));
        let other = Sealer::from_secret("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap();
        // The same bytes in base64: the same key.
        assert_eq!(other.open(&sealed, "kid-1").unwrap(), b"private key");
        let wrong = Sealer::from_secret(&HEX.replace("1f", "ff")).unwrap();
        assert_eq!(wrong.open(&sealed, "kid-1"), Err(SealError::WrongSecret));
        assert_eq!(
            sealer.open("sealed:AAAA", "kid-1"),
            Err(SealError::Malformed)
        );
        assert_eq!(
            sealer.open("pkcs8:AAAA", "kid-1"),
            Err(SealError::Malformed)
        );
        // Two seals of one value differ (a fresh nonce each).
        assert_ne!(sealed, sealer.seal(b"private key", "kid-1"));
    }

    #[test]
    fn short_or_unreadable_secrets_are_refused() {
        for secret in [
            "",
            "secret",
            &HEX[..62],
            "correct horse battery staple!!!!!!!!!",
        ] {
            assert_eq!(
                Sealer::from_secret(secret).map(|_| ()),
                Err(SealError::WeakSecret),
                "{secret}"
            );
        }
    }
}
