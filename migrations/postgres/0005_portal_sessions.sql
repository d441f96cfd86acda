-- Sessions of people logged in to Admit's portal pages (only the token's hash is stored).

CREATE TABLE portal_sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    client_addr TEXT,
    user_agent TEXT
);
CREATE INDEX portal_sessions_account ON portal_sessions (account_id);
