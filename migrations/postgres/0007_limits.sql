-- Rate limits and lockouts (login, registration, password reset, new links), counted per key
-- across every Admit process on the database. Keys are stored as hashes: they hold e-mail
-- addresses and client addresses.

CREATE TABLE rate_limits (
    key_hash TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    strikes BIGINT NOT NULL,
    blocked_until BIGINT
);
CREATE INDEX rate_limits_window ON rate_limits (window_start);

-- An account's e-mails on its page: also those with its link sent to another address.
CREATE INDEX outbox_messages_link_account ON outbox_messages (link_account_id);

-- A new e-mail address a person asked for, until they confirm it by the link sent there.
ALTER TABLE portal_accounts ADD COLUMN pending_email TEXT;

-- When someone with an expired link asks for a new one: tell staff instead of sending it.
ALTER TABLE portals ADD COLUMN notify_staff_on_new_link BOOLEAN NOT NULL DEFAULT FALSE;

-- The access list's role filter, read in e-mail order like the others (0006).
CREATE INDEX portal_accounts_role ON portal_accounts (role, email, id);
