//! JSON Web Signatures in their compact form (RFC 7515), as OpenID Connect tokens use them:
//! `base64url(header) . base64url(claims) . base64url(signature)`, signed with ES256 or RS256
//! (RFC 7518) by ring. Nothing else is accepted: not `none`, not the HMAC algorithms, whatever
//! a token's header says. Only the signature is checked here; the claims are the caller's.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey, VerificationAlgorithm,
};
use serde_json::Value;

pub use super::signing_keys::Alg;
use super::signing_keys::{KeyPair, PublicKey};

/// The algorithm of a token's header: ES256 or RS256; any other is unsupported.
fn alg_of(name: &str) -> Result<Alg, JwtError> {
    Alg::parse(name).ok_or(JwtError::UnsupportedAlg)
}

fn verification(alg: Alg) -> &'static dyn VerificationAlgorithm {
    match alg {
        Alg::Es256 => &ECDSA_P256_SHA256_FIXED,
        Alg::Rs256 => &RSA_PKCS1_2048_8192_SHA256,
    }
}

/// Why a token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not three base64url parts, a header or claims that are no JSON object, a missing `kid`.
    #[error("the token is malformed")]
    Malformed,
    /// The header names an algorithm other than ES256 and RS256 (`none`, HS256...).
    #[error("the token's algorithm is not supported")]
    UnsupportedAlg,
    /// No key of this issuer has the header's `kid`.
    #[error("the token's key is unknown")]
    UnknownKey,
    /// The signature does not verify with the key, or the key is of another algorithm.
    #[error("the token's signature is invalid")]
    BadSignature,
}

/// A token whose signature verified: its header and claims, as they were signed.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub alg: Alg,
    pub kid: String,
    pub header: Value,
    pub claims: Value,
}

pub use super::signing_keys::b64url;

/// Decodes unpadded base64url; padding or any other alphabet is refused.
pub fn b64url_decode(text: &str) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD
        .decode(text.as_bytes())
        .map_err(|_| JwtError::Malformed)
}

/// Signs `claims` with `key`: header `{alg, kid, typ}`.
pub fn sign(key: &KeyPair, typ: &str, claims: &Value) -> anyhow::Result<String> {
    let header = serde_json::json!({
        "alg": key.alg().as_str(),
        "kid": key.kid(),
        "typ": typ,
    });
    let mut token = b64url(&serde_json::to_vec(&header)?);
    token.push('.');
    token.push_str(&b64url(&serde_json::to_vec(claims)?));
    let signature = key.sign(token.as_bytes())?;
    token.push('.');
    token.push_str(&b64url(&signature));
    Ok(token)
}

/// The parts of a token, with its header decoded, before any key is looked up.
pub struct Parsed<'a> {
    pub alg: Alg,
    pub kid: String,
    pub header: Value,
    signed: &'a str,
    claims: &'a str,
    signature: Vec<u8>,
}

/// Splits `token` and reads its header: the algorithm must be ES256 or RS256, `kid` present.
pub fn parse(token: &str) -> Result<Parsed<'_>, JwtError> {
    let mut parts = token.split('.');
    let (Some(header), Some(claims), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let header_value: Value =
        serde_json::from_slice(&b64url_decode(header)?).map_err(|_| JwtError::Malformed)?;
    let Some(fields) = header_value.as_object() else {
        return Err(JwtError::Malformed);
    };
    let alg = match fields.get("alg") {
        Some(Value::String(name)) => alg_of(name)?,
        _ => return Err(JwtError::Malformed),
    };
    // Extensions that must be understood (RFC 7515, 4.1.11): Admit understands none.
    if fields.contains_key("crit") {
        return Err(JwtError::Malformed);
    }
    let kid = match fields.get("kid") {
        Some(Value::String(kid)) if !kid.is_empty() => kid.clone(),
        _ => return Err(JwtError::Malformed),
    };
    Ok(Parsed {
        alg,
        kid,
        header: header_value,
        signed: &token[..header.len() + 1 + claims.len()],
        claims,
        signature: b64url_decode(signature)?,
    })
}

/// The tokens whose signatures were checked against one set of keys: a token presented again
/// (an access token at every userinfo request) need not be checked again. Held as the
/// SHA-256 of what was signed and the signature, never the token; at most [`MEMO_MAX`], then
/// it starts afresh. Whoever holds it must drop it with the keys it was checked against.
#[derive(Debug, Default)]
pub struct SignatureMemo {
    seen: std::sync::Mutex<std::collections::HashSet<[u8; 32]>>,
}

/// The most signatures a memo holds.
pub const MEMO_MAX: usize = 50_000;

impl SignatureMemo {
    fn digest(signed: &str, signature: &[u8]) -> [u8; 32] {
        let mut d = ring::digest::Context::new(&ring::digest::SHA256);
        d.update(signed.as_bytes());
        d.update(b".");
        d.update(signature);
        let mut out = [0; 32];
        out.copy_from_slice(d.finish().as_ref());
        out
    }

    fn seen(&self, digest: &[u8; 32]) -> bool {
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(digest)
    }

    fn add(&self, digest: [u8; 32]) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() >= MEMO_MAX {
            seen.clear();
        }
        seen.insert(digest);
    }
}

impl Parsed<'_> {
    /// Checks the signature with `key` (the key the header's `kid` names), then reads the claims.
    pub fn verify(self, key: &PublicKey) -> Result<Verified, JwtError> {
        self.verify_remembered(key, None)
    }

    /// As [`Parsed::verify`], skipping the signature check when `memo` (of the keys `key` is
    /// one of) saw this very token verify before, and adding it when it verifies.
    pub fn verify_remembered(
        self,
        key: &PublicKey,
        memo: Option<&SignatureMemo>,
    ) -> Result<Verified, JwtError> {
        if key.alg() != self.alg || key.kid() != self.kid {
            return Err(JwtError::BadSignature);
        }
        let digest = memo.map(|_| SignatureMemo::digest(self.signed, &self.signature));
        match (memo, digest) {
            (Some(memo), Some(d)) if memo.seen(&d) => {}
            _ => {
                UnparsedPublicKey::new(verification(self.alg), key.bytes())
                    .verify(self.signed.as_bytes(), &self.signature)
                    .map_err(|_| JwtError::BadSignature)?;
                if let (Some(memo), Some(d)) = (memo, digest) {
                    memo.add(d);
                }
            }
        }
        let claims: Value = serde_json::from_slice(&b64url_decode(self.claims)?)
            .map_err(|_| JwtError::Malformed)?;
        if !claims.is_object() {
            return Err(JwtError::Malformed);
        }
        Ok(Verified {
            alg: self.alg,
            kid: self.kid,
            header: self.header,
            claims,
        })
    }
}

/// Verifies `token` with the key `find` gives for its `kid` (`None`: unknown key).
pub fn verify<'k>(
    token: &str,
    find: impl FnOnce(&str) -> Option<&'k PublicKey>,
) -> Result<Verified, JwtError> {
    let parsed = parse(token)?;
    let key = find(&parsed.kid).ok_or(JwtError::UnknownKey)?;
    parsed.verify(key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::signing_keys::{KeyPair, generate_pkcs8};
    use serde_json::json;
    use std::sync::LazyLock;

    static ES: LazyLock<KeyPair> = LazyLock::new(|| {
        KeyPair::from_pkcs8(Alg::Es256, &generate_pkcs8(Alg::Es256).unwrap()).unwrap()
    });
    static RS: LazyLock<KeyPair> = LazyLock::new(|| {
        KeyPair::from_pkcs8(Alg::Rs256, &generate_pkcs8(Alg::Rs256).unwrap()).unwrap()
    });

    fn claims() -> Value {
        json!({"iss": "https://admit.example/portal/1", "sub": "42", "exp": 1_900_000_000})
    }

    fn find<'k>(keys: &'k [&'k KeyPair]) -> impl Fn(&str) -> Option<&'k PublicKey> {
        move |kid| keys.iter().find(|k| k.kid() == kid).map(|k| k.public())
    }

    /// A token with the given header and claims, signed by `key` whatever the header says.
    fn forge(key: &KeyPair, header: &Value, claims: &Value) -> String {
        let signed = format!(
            "{}.{}",
            b64url(&serde_json::to_vec(header).unwrap()),
            b64url(&serde_json::to_vec(claims).unwrap())
        );
        let sig = key.sign(signed.as_bytes()).unwrap();
        format!("{signed}.{}", b64url(&sig))
    }

    #[test]
    fn round_trip_with_both_algorithms() {
        for key in [&*ES, &*RS] {
            let token = sign(key, "JWT", &claims()).unwrap();
            let v = verify(&token, find(&[&ES, &RS])).unwrap();
            assert_eq!(v.alg, key.alg());
            assert_eq!(v.kid, key.kid());
            assert_eq!(v.claims, claims());
            assert_eq!(v.header["typ"], "JWT");
            assert_eq!(v.header["alg"], key.alg().as_str());
            assert!(!token.contains('='), "no padding: {token}");
        }
    }

    #[test]
    fn a_changed_payload_or_signature_is_refused() {
        for key in [&*ES, &*RS] {
            let token = sign(key, "at+jwt", &claims()).unwrap();
            let parts: Vec<&str> = token.split('.').collect();
            let mut other = claims();
            other["sub"] = json!("43");
            let tampered = format!(
                "{}.{}.{}",
                parts[0],
                b64url(&serde_json::to_vec(&other).unwrap()),
                parts[2]
            );
            assert_eq!(
                verify(&tampered, find(&[&ES, &RS])),
                Err(JwtError::BadSignature)
            );
            let mut sig = b64url_decode(parts[2]).unwrap();
            sig[5] ^= 1;
            let bad_sig = format!("{}.{}.{}", parts[0], parts[1], b64url(&sig));
            assert_eq!(
                verify(&bad_sig, find(&[&ES, &RS])),
                Err(JwtError::BadSignature)
            );
        }
    }

    #[test]
    fn none_and_hmac_are_refused() {
        for alg in ["none", "HS256", "HS512", "ES384", "PS256", "RS512"] {
            let header = json!({"alg": alg, "kid": ES.kid(), "typ": "JWT"});
            let token = forge(&ES, &header, &claims());
            assert_eq!(verify(&token, find(&[&ES])), Err(JwtError::UnsupportedAlg));
            // The unsigned form too.
            let unsigned = format!(
                "{}.{}.",
                b64url(&serde_json::to_vec(&header).unwrap()),
                b64url(&serde_json::to_vec(&claims()).unwrap())
            );
            assert_eq!(
                verify(&unsigned, find(&[&ES])),
                Err(JwtError::UnsupportedAlg)
            );
        }
    }

    #[test]
    fn a_header_alg_other_than_the_keys_is_refused() {
        // Signed by the EC key, but the header claims RS256 with the EC key's kid.
        let token = forge(
            &ES,
            &json!({"alg": "RS256", "kid": ES.kid(), "typ": "JWT"}),
            &claims(),
        );
        assert_eq!(
            verify(&token, find(&[&ES, &RS])),
            Err(JwtError::BadSignature)
        );
        // Signed by the RSA key, header names the EC key.
        let token = forge(
            &RS,
            &json!({"alg": "RS256", "kid": ES.kid(), "typ": "JWT"}),
            &claims(),
        );
        assert_eq!(
            verify(&token, find(&[&ES, &RS])),
            Err(JwtError::BadSignature)
        );
        // Signed by the EC key, header names the RSA key with ES256.
        let token = forge(
            &ES,
            &json!({"alg": "ES256", "kid": RS.kid(), "typ": "JWT"}),
            &claims(),
        );
        assert_eq!(
            verify(&token, find(&[&ES, &RS])),
            Err(JwtError::BadSignature)
        );
    }

    #[test]
    fn an_unknown_kid_is_refused() {
        let token = sign(&ES, "JWT", &claims()).unwrap();
        assert_eq!(verify(&token, find(&[&RS])), Err(JwtError::UnknownKey));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let good = sign(&ES, "JWT", &claims()).unwrap();
        let parts: Vec<&str> = good.split('.').collect();
        let no_kid = forge(&ES, &json!({"alg": "ES256"}), &claims());
        let crit = forge(
            &ES,
            &json!({"alg": "ES256", "kid": ES.kid(), "crit": ["exp"]}),
            &claims(),
        );
        let not_object = forge(&ES, &json!({"alg": "ES256", "kid": ES.kid()}), &json!([1]));
        for token in [
            "",
            "a.b",
            "a.b.c.d",
            &format!("{}.{}", parts[0], parts[1]),
            &format!("{good}.x"),
            &format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
            &format!("e30.{}.{}", parts[1], parts[2]),
            &no_kid,
            &crit,
            &not_object,
        ] {
            assert_eq!(
                verify(token, find(&[&ES])),
                Err(JwtError::Malformed),
                "{token}"
            );
        }
    }

    #[test]
    fn public_jwks_have_the_standard_members_and_no_private_ones() {
        let ec = ES.public().jwk();
        assert_eq!(ec["kty"], "EC");
        assert_eq!(ec["crv"], "P-256");
        assert_eq!(ec["alg"], "ES256");
        assert_eq!(ec["use"], "sig");
        assert_eq!(ec["kid"], ES.kid());
        assert_eq!(b64url_decode(ec["x"].as_str().unwrap()).unwrap().len(), 32);
        assert_eq!(b64url_decode(ec["y"].as_str().unwrap()).unwrap().len(), 32);
        assert!(ec.get("d").is_none());
        let rsa = RS.public().jwk();
        assert_eq!(rsa["kty"], "RSA");
        assert_eq!(rsa["alg"], "RS256");
        assert_eq!(rsa["use"], "sig");
        assert_eq!(rsa["e"], "AQAB");
        assert_eq!(
            b64url_decode(rsa["n"].as_str().unwrap()).unwrap().len(),
            256
        );
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(rsa.get(private).is_none());
        }
    }
}
