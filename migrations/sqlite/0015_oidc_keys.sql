-- The keys that sign OpenID Connect tokens (ES256 and RS256). The key id (kid) is the RFC 7638
-- thumbprint of the public JWK. The private key is its PKCS#8, either sealed with AES-256-GCM
-- under the configured keys secret ('sealed:' prefix) or, without one, in clear ('pkcs8:').
-- A key is 'active' (signs; one per algorithm), 'retiring' (replaced: still in the JWKS and
-- verifying during the overlap, since retiring_at) or 'retired' (out of the JWKS, since retired_at).

CREATE TABLE oidc_keys (
    id INTEGER PRIMARY KEY,
    kid TEXT NOT NULL UNIQUE,
    alg TEXT NOT NULL CHECK (alg IN ('ES256', 'RS256')),
    public_jwk TEXT NOT NULL,
    private_key TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'retiring', 'retired')),
    created_at BIGINT NOT NULL,
    retiring_at BIGINT,
    retired_at BIGINT
);

-- One active key per algorithm: several processes starting at once make one between them.
CREATE UNIQUE INDEX oidc_keys_one_active ON oidc_keys (alg) WHERE state = 'active';
