-- OpenID Connect clients (relying parties): the operator's applications that log a portal's
-- accounts in through Admit. A confidential client's secret is stored only as its SHA-256.
-- Scopes are their OAuth form: space-separated. Redirect URIs are a list in their order.

CREATE TABLE oidc_clients (
    id INTEGER PRIMARY KEY,
    portal_id BIGINT NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('confidential', 'public')),
    secret_hash TEXT UNIQUE,
    backchannel_logout_uri TEXT,
    scopes TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK ((kind = 'confidential') = (secret_hash IS NOT NULL))
);

CREATE INDEX oidc_clients_portal ON oidc_clients (portal_id, name);

-- A client's redirect URIs (purpose 'redirect') and post-logout redirect URIs ('post_logout').
CREATE TABLE oidc_client_uris (
    client_id BIGINT NOT NULL REFERENCES oidc_clients (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('redirect', 'post_logout')),
    position BIGINT NOT NULL,
    uri TEXT NOT NULL,
    PRIMARY KEY (client_id, purpose, position),
    UNIQUE (client_id, purpose, uri)
);
