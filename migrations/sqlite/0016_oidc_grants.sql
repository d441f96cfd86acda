-- What the OpenID Connect provider keeps between requests. Codes and refresh tokens are stored
-- only as their SHA-256, like sessions.

-- The algorithm a client's ID and access tokens are signed with.
ALTER TABLE oidc_clients ADD COLUMN signing_alg TEXT NOT NULL DEFAULT 'ES256'
    CHECK (signing_alg IN ('ES256', 'RS256'));

-- An authorization request waiting for its person to log in on the portal's page; the browser
-- holds its handle in a cookie.
CREATE TABLE oidc_requests (
    handle_hash TEXT PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    state TEXT,
    nonce TEXT,
    code_challenge TEXT,
    max_age BIGINT,
    login_required BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- What one client holds for one account from one portal session: its codes, refresh tokens and
-- access tokens. A grant ends with its session, when its refresh token or code is used twice,
-- or when revoked; then nothing issued from it is honoured.
CREATE TABLE oidc_grants (
    id INTEGER PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    client_id BIGINT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    session_hash TEXT,
    sid TEXT NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    auth_time BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    ended_at BIGINT,
    end_reason TEXT
);

CREATE INDEX oidc_grants_session ON oidc_grants (session_hash);
CREATE INDEX oidc_grants_account ON oidc_grants (account_id);

-- Authorization codes: used once, within 60 seconds.
CREATE TABLE oidc_codes (
    code_hash TEXT PRIMARY KEY,
    grant_id BIGINT NOT NULL REFERENCES oidc_grants (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE INDEX oidc_codes_grant ON oidc_codes (grant_id);

-- Refresh tokens: each used once; the next is issued in the same transaction.
CREATE TABLE oidc_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id BIGINT NOT NULL REFERENCES oidc_grants (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE INDEX oidc_refresh_tokens_grant ON oidc_refresh_tokens (grant_id);

-- Back-channel logout deliveries, written in the transaction that ends a grant's session and
-- sent like the e-mails (the same statuses and leases as the outbox): retried, never lost.
CREATE TABLE oidc_logouts (
    id INTEGER PRIMARY KEY,
    client_id BIGINT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL,
    sid TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'retrying', 'failed')),
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    sent_at BIGINT
);

CREATE INDEX oidc_logouts_due ON oidc_logouts (status, next_attempt_at, id);
CREATE INDEX oidc_logouts_client ON oidc_logouts (client_id, created_at);
