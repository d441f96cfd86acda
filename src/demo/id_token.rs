//! An ID token's signature checked against the issuer's JWKS (as fetched over HTTP): the key
//! its header's `kid` names, of the header's algorithm, ES256 or RS256 only (never `none`), with
//! ring's verification.

use anyhow::{Context, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature;
use serde_json::Value;

/// The claims of a compact JWS whose signature a key of `jwks` (the one its header's `kid`
/// names, of the header's algorithm) checks. Only ES256 and RS256 are taken: never `none`.
pub fn verified_claims(token: &str, jwks: &Value) -> anyhow::Result<Value> {
    let mut parts = token.split('.');
    let (Some(head), Some(body), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        bail!("the ID token is not a compact JWS");
    };
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(head)?)?;
    let alg = header["alg"].as_str().unwrap_or_default();
    let kid = header["kid"].as_str().unwrap_or_default();
    let key = jwks["keys"]
        .as_array()
        .and_then(|keys| keys.iter().find(|k| k["kid"] == *kid && k["alg"] == *alg))
        .context("the ID token's key is not in the issuer's JWKS")?;
    let part = |name: &str| -> anyhow::Result<Vec<u8>> {
        let text = key[name]
            .as_str()
            .with_context(|| format!("the JWK has no {name}"))?;
        Ok(URL_SAFE_NO_PAD.decode(text)?)
    };
    let signed = &token[..head.len() + 1 + body.len()];
    let signature = URL_SAFE_NO_PAD.decode(sig)?;
    let checked = match (alg, key["kty"].as_str()) {
        ("ES256", Some("EC")) if key["crv"] == "P-256" => {
            // The uncompressed point: 0x04, x, y.
            let mut point = vec![4u8];
            point.extend(part("x")?);
            point.extend(part("y")?);
            signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                .verify(signed.as_bytes(), &signature)
        }
        ("RS256", Some("RSA")) => signature::RsaPublicKeyComponents {
            n: part("n")?,
            e: part("e")?,
        }
        .verify(
            &signature::RSA_PKCS1_2048_8192_SHA256,
            signed.as_bytes(),
            &signature,
        ),
        _ => bail!("the ID token's algorithm is not ES256 or RS256 with a key of its kind"),
    };
    checked.map_err(|_| anyhow!("the ID token's signature is wrong"))?;
    Ok(serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    use serde_json::json;

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// An ES256 key, and its JWKS with the key under `kid` "k1".
    fn key() -> (EcdsaKeyPair, Value) {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        let point = pair.public_key().as_ref();
        let jwks = json!({"keys": [{"kty": "EC", "crv": "P-256", "kid": "k1", "alg": "ES256",
            "use": "sig", "x": b64(&point[1..33]), "y": b64(&point[33..65])}]});
        (pair, jwks)
    }

    fn sign(pair: &EcdsaKeyPair, header: &Value, claims: &Value) -> String {
        let signed = format!(
            "{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let sig = pair.sign(&SystemRandom::new(), signed.as_bytes()).unwrap();
        format!("{signed}.{}", b64(sig.as_ref()))
    }

    #[test]
    fn only_a_token_signed_by_a_key_of_the_jwks_is_read() {
        let (pair, jwks) = key();
        let header = json!({"alg": "ES256", "kid": "k1", "typ": "JWT"});
        let claims = json!({"sub": "42", "nonce": "n"});
        let token = sign(&pair, &header, &claims);
        assert_eq!(verified_claims(&token, &jwks).unwrap(), claims);

        // Another payload under the same signature.
        let parts: Vec<&str> = token.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64(json!({"sub": "43", "nonce": "n"}).to_string().as_bytes()),
            parts[2]
        );
        assert!(verified_claims(&forged, &jwks).is_err());
        // Another key, a key not in the set, no signature at all.
        let (other, _) = key();
        assert!(verified_claims(&sign(&other, &header, &claims), &jwks).is_err());
        let unknown = json!({"alg": "ES256", "kid": "k2"});
        assert!(verified_claims(&sign(&pair, &unknown, &claims), &jwks).is_err());
        let none = format!(
            "{}.{}.",
            b64(json!({"alg": "none", "kid": "k1"}).to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        assert!(verified_claims(&none, &jwks).is_err());
        let rs = json!({"alg": "RS256", "kid": "k1"});
        assert!(verified_claims(&sign(&pair, &rs, &claims), &jwks).is_err());
    }

    /// Tokens as Admit signs them, with both of its algorithms, checked against its JWKS.
    #[test]
    fn admits_tokens_are_read_with_both_algorithms() {
        use crate::security::jwt::{self, Alg};
        use crate::security::signing_keys::{KeyPair, generate_pkcs8};
        let keys: Vec<KeyPair> = [Alg::Es256, Alg::Rs256]
            .into_iter()
            .map(|alg| KeyPair::from_pkcs8(alg, &generate_pkcs8(alg).unwrap()).unwrap())
            .collect();
        let jwks = json!({"keys": keys.iter().map(|k| k.public().jwk()).collect::<Vec<_>>()});
        let claims = json!({"iss": "http://127.0.0.1/portal/1", "sub": "7"});
        for key in &keys {
            let token = jwt::sign(key, "JWT", &claims).unwrap();
            assert_eq!(verified_claims(&token, &jwks).unwrap(), claims);
            let only_other = json!({"keys": keys.iter().filter(|k| k.kid() != key.kid())
                .map(|k| k.public().jwk()).collect::<Vec<_>>()});
            assert!(verified_claims(&token, &only_other).is_err());
        }
    }
}
