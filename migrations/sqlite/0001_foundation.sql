-- Admit foundation: directory, staff, sessions, API keys, audit.
-- Times are milliseconds since the Unix epoch (UTC) on both engines.

CREATE TABLE areas (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('customer', 'partner')),
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES organizations (id),
    area_id BIGINT REFERENCES areas (id),
    external_id TEXT UNIQUE,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX organizations_name ON organizations (name, id);
CREATE INDEX organizations_parent ON organizations (parent_id);
CREATE INDEX organizations_area ON organizations (area_id, name, id);

CREATE TABLE partnerships (
    id INTEGER PRIMARY KEY,
    partner_id BIGINT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    external_id TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (partner_id, name)
);

CREATE TABLE partnership_customers (
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL REFERENCES organizations (id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (partnership_id, customer_id)
);
CREATE INDEX partnership_customers_customer ON partnership_customers (customer_id);

CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    language TEXT NOT NULL,
    external_id TEXT UNIQUE,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_name ON contacts (name, id);
CREATE INDEX contacts_organization ON contacts (organization_id, name, id);
CREATE INDEX contacts_email ON contacts (email);

CREATE TABLE portals (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('customer', 'installer', 'partner')),
    base_url TEXT NOT NULL,
    registration_mode TEXT NOT NULL CHECK (registration_mode IN ('invitation_only', 'self_automatic', 'self_manual')),
    self_registration_creates_contact BOOLEAN NOT NULL,
    invitation_lifetime_days BIGINT NOT NULL,
    default_language TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE portal_modules (
    id INTEGER PRIMARY KEY,
    portal_id BIGINT NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    admin_only BOOLEAN NOT NULL,
    position BIGINT NOT NULL,
    UNIQUE (portal_id, name)
);

CREATE TABLE staff_users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('administrator', 'supervisor')),
    active BOOLEAN NOT NULL,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    last_login_at BIGINT
);

CREATE TABLE staff_user_areas (
    staff_user_id BIGINT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    area_id BIGINT NOT NULL REFERENCES areas (id),
    PRIMARY KEY (staff_user_id, area_id)
);

CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_user_id BIGINT NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    client_addr TEXT,
    user_agent TEXT
);
CREATE INDEX staff_sessions_user ON staff_sessions (staff_user_id);

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    last_used_at BIGINT
);

CREATE TABLE api_key_areas (
    api_key_id BIGINT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    area_id BIGINT NOT NULL REFERENCES areas (id),
    PRIMARY KEY (api_key_id, area_id)
);

CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    occurred_at BIGINT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id BIGINT,
    target_label TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    client_addr TEXT
);
CREATE INDEX audit_events_target ON audit_events (target_kind, target_id, id);
CREATE INDEX audit_events_action ON audit_events (action, id);

-- The audit log is append-only.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
