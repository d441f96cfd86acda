//! Key pairs that sign tokens: made (ES256 by ring; RS256 by the `rsa` crate, which only
//! generates: ring signs), read from their PKCS#8 form, and their public half as a JWK
//! (RFC 7517) with its RFC 7638 thumbprint as the key id.

use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _, RSA_PKCS1_SHA256, RsaKeyPair,
    RsaPublicKeyComponents,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The signature algorithms Admit signs and verifies tokens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Alg {
    /// ECDSA on P-256 with SHA-256: the default.
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256: what OpenID Connect requires every provider to offer.
    Rs256,
}

impl Alg {
    pub const ALL: [Alg; 2] = [Alg::Es256, Alg::Rs256];

    pub fn as_str(self) -> &'static str {
        match self {
            Alg::Es256 => "ES256",
            Alg::Rs256 => "RS256",
        }
    }

    /// The algorithm named `name` ("ES256", "RS256"); `None` for any other.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "ES256" => Some(Alg::Es256),
            "RS256" => Some(Alg::Rs256),
            _ => None,
        }
    }
}

impl std::fmt::Display for Alg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Unpadded base64url, as JOSE writes binary values.
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The size of the RSA keys Admit makes.
pub const RSA_BITS: usize = 2048;

/// A new private key for `alg`, in PKCS#8 (DER). An RSA key takes a fraction of a second.
pub fn generate_pkcs8(alg: Alg) -> anyhow::Result<Vec<u8>> {
    match alg {
        Alg::Es256 => {
            let doc = EcdsaKeyPair::generate_pkcs8(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &SystemRandom::new(),
            )
            .map_err(|_| anyhow::anyhow!("generating an ES256 key failed"))?;
            Ok(doc.as_ref().to_vec())
        }
        Alg::Rs256 => {
            use rsa::pkcs8::EncodePrivateKey as _;
            let key = rsa::PrivateKey::new(&mut OsRandom, RSA_BITS)
                .map_err(|e| anyhow::anyhow!("generating an RS256 key failed: {e}"))?;
            let der = key
                .to_pkcs8_der()
                .map_err(|e| anyhow::anyhow!("encoding an RS256 key failed: {e}"))?;
            Ok(der.as_bytes().to_vec())
        }
    }
}

/// The operating system's random source, for the `rsa` crate's key generation.
struct OsRandom;

impl rand_core::TryRng for OsRandom {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        getrandom::fill(dst).expect("the operating system's random source failed");
        Ok(())
    }
}

impl rand_core::TryCryptoRng for OsRandom {}

/// The public half of a signing key: what verifies its signatures, and its JWK.
#[derive(Clone, PartialEq, Eq)]
pub struct PublicKey {
    alg: Alg,
    kid: String,
    /// As ring's verification takes it: the uncompressed point (EC), the DER RSAPublicKey (RSA).
    bytes: Vec<u8>,
    jwk: Value,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicKey")
            .field("alg", &self.alg)
            .field("kid", &self.kid)
            .finish()
    }
}

impl PublicKey {
    pub fn alg(&self) -> Alg {
        self.alg
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The public JWK: `kty`, the key's public members, `kid`, `use` "sig", `alg`.
    pub fn jwk(&self) -> Value {
        self.jwk.clone()
    }
}

enum Signer {
    Ec(EcdsaKeyPair),
    Rsa(RsaKeyPair),
}

/// A private key ready to sign, parsed once.
pub struct KeyPair {
    signer: Signer,
    public: PublicKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("alg", &self.public.alg)
            .field("kid", &self.public.kid)
            .finish_non_exhaustive()
    }
}

impl KeyPair {
    /// Reads a PKCS#8 private key of `alg`; its key id is the thumbprint of its public JWK.
    pub fn from_pkcs8(alg: Alg, pkcs8: &[u8]) -> anyhow::Result<Self> {
        let rejected = |e: ring::error::KeyRejected| anyhow::anyhow!("{alg} key rejected: {e}");
        let (signer, members, bytes) = match alg {
            Alg::Es256 => {
                let pair = EcdsaKeyPair::from_pkcs8(
                    &ECDSA_P256_SHA256_FIXED_SIGNING,
                    pkcs8,
                    &SystemRandom::new(),
                )
                .map_err(rejected)?;
                let point = pair.public_key().as_ref().to_vec();
                // Uncompressed: 0x04, x, y.
                anyhow::ensure!(point.len() == 65 && point[0] == 4, "unexpected EC point");
                let members = json!({
                    "crv": "P-256",
                    "kty": "EC",
                    "x": b64url(&point[1..33]),
                    "y": b64url(&point[33..]),
                });
                (Signer::Ec(pair), members, point)
            }
            Alg::Rs256 => {
                let pair = RsaKeyPair::from_pkcs8(pkcs8).map_err(rejected)?;
                let parts = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
                let members = json!({
                    "e": b64url(strip_zeros(&parts.e)),
                    "kty": "RSA",
                    "n": b64url(strip_zeros(&parts.n)),
                });
                let bytes = pair.public().as_ref().to_vec();
                (Signer::Rsa(pair), members, bytes)
            }
        };
        let kid = thumbprint(&members);
        let mut jwk = members;
        jwk["kid"] = json!(kid);
        jwk["use"] = json!("sig");
        jwk["alg"] = json!(alg.as_str());
        Ok(KeyPair {
            signer,
            public: PublicKey {
                alg,
                kid,
                bytes,
                jwk,
            },
        })
    }

    pub fn alg(&self) -> Alg {
        self.public.alg
    }

    pub fn kid(&self) -> &str {
        &self.public.kid
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The signature of `message`, in its JWS form (r || s for ES256).
    pub fn sign(&self, message: &[u8]) -> anyhow::Result<Vec<u8>> {
        let rng = SystemRandom::new();
        match &self.signer {
            Signer::Ec(pair) => Ok(pair
                .sign(&rng, message)
                .map_err(|_| anyhow::anyhow!("ES256 signing failed"))?
                .as_ref()
                .to_vec()),
            Signer::Rsa(pair) => {
                let mut signature = vec![0u8; pair.public().modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .map_err(|_| anyhow::anyhow!("RS256 signing failed"))?;
                Ok(signature)
            }
        }
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// The RFC 7638 thumbprint of a JWK's required members: the base64url SHA-256 of their JSON
/// with the members in lexical order and no white space (what `serde_json` writes for a map).
fn thumbprint(members: &Value) -> String {
    let canonical = serde_json::to_vec(members).expect("a JSON value serializes");
    b64url(&Sha256::digest(canonical))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kid_is_the_rfc_7638_thumbprint() {
        // RFC 7638, section 3.1: the example RSA key and its thumbprint.
        let members = json!({
            "e": "AQAB",
            "kty": "RSA",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        });
        assert_eq!(
            thumbprint(&members),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn keys_read_back_from_pkcs8_with_the_same_kid() {
        for alg in Alg::ALL {
            let der = generate_pkcs8(alg).unwrap();
            let a = KeyPair::from_pkcs8(alg, &der).unwrap();
            let b = KeyPair::from_pkcs8(alg, &der).unwrap();
            assert_eq!(a.kid(), b.kid());
            assert_eq!(a.public(), b.public());
            assert_eq!(a.kid().len(), 43);
            // Another algorithm's key, or garbage, is refused.
            let other = if alg == Alg::Es256 {
                Alg::Rs256
            } else {
                Alg::Es256
            };
            assert!(KeyPair::from_pkcs8(other, &der).is_err());
            assert!(KeyPair::from_pkcs8(alg, &der[1..]).is_err());
        }
    }

    #[test]
    fn debug_shows_no_key_material() {
        let der = generate_pkcs8(Alg::Es256).unwrap();
        let pair = KeyPair::from_pkcs8(Alg::Es256, &der).unwrap();
        let shown = format!("{pair:?}");
        assert!(shown.contains(pair.kid()));
        assert!(!shown.contains(&b64url(&der)));
    }
}
