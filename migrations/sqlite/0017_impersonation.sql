-- Impersonation: staff view a portal as one of its accounts, with a reason and a time limit.

-- Per portal: whether staff may impersonate its accounts (off unless switched on), whether
-- team actions are allowed while they do (off: read-only), and whether the person is told by
-- e-mail afterwards (on).
ALTER TABLE portals ADD COLUMN impersonation_allowed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE portals ADD COLUMN impersonation_actions BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE portals ADD COLUMN impersonation_notice BOOLEAN NOT NULL DEFAULT TRUE;

-- One impersonation: the staff member, from which console session, the account and the portal
-- session opened for it, why and for how long; when it ended and how. `settled_at` is set
-- when its end has been recorded in the audit log and the person's e-mail queued.
CREATE TABLE impersonations (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    portal_id BIGINT NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
    staff_user_id BIGINT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    staff_session_hash TEXT NOT NULL,
    session_hash TEXT NOT NULL UNIQUE,
    reason TEXT NOT NULL,
    minutes BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    ended_at BIGINT,
    end_reason TEXT,
    settled_at BIGINT,
    client_addr TEXT
);

-- No chaining: a staff member runs at most one impersonation at a time.
CREATE UNIQUE INDEX impersonations_running ON impersonations (staff_user_id) WHERE ended_at IS NULL;
CREATE INDEX impersonations_staff_session ON impersonations (staff_session_hash);
CREATE INDEX impersonations_account ON impersonations (account_id, started_at);
CREATE INDEX impersonations_unsettled ON impersonations (ended_at) WHERE settled_at IS NULL;
