-- Portal accounts: one login on one portal, its statuses, modules, single-use link tokens
-- (stored only as hashes), and outbox messages whose link is made when they are sent.

CREATE TABLE portal_accounts (
    id INTEGER PRIMARY KEY,
    portal_id BIGINT NOT NULL REFERENCES portals (id),
    email TEXT NOT NULL,
    contact_id BIGINT REFERENCES contacts (id),
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user', 'marketing', 'notifications')),
    registration TEXT NOT NULL CHECK (registration IN ('invited', 'activation_sent', 'registered')),
    approval TEXT NOT NULL CHECK (approval IN ('pending', 'approved', 'declined')),
    access_granted BOOLEAN NOT NULL,
    valid_until BIGINT,
    lifecycle TEXT NOT NULL CHECK (lifecycle IN ('active', 'deactivated')),
    password_hash TEXT,
    language TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    registration_data TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_login_at BIGINT,
    UNIQUE (portal_id, email)
);
CREATE INDEX portal_accounts_contact ON portal_accounts (contact_id);
CREATE INDEX portal_accounts_email ON portal_accounts (email);

CREATE TABLE portal_account_modules (
    account_id BIGINT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    module TEXT NOT NULL,
    PRIMARY KEY (account_id, module)
);

CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'activation', 'password', 'email_change')),
    new_email TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX account_tokens_account ON account_tokens (account_id, purpose);

ALTER TABLE outbox_messages ADD COLUMN link_purpose TEXT;
ALTER TABLE outbox_messages ADD COLUMN link_account_id BIGINT;
