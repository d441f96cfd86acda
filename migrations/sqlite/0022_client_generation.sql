-- OpenID Connect clients count in the same number as the parts of a scope: a process keeps the
-- clients it authenticated while the number stays the same (usecases::oidc::client_cache), read
-- in the same statement as a token's grant, so that a client changed, deactivated or given a
-- new secret (by any process) is read again at its next request.

CREATE TRIGGER scope_generation_oidc_clients_insert AFTER INSERT ON oidc_clients
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_oidc_clients_update AFTER UPDATE ON oidc_clients
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_oidc_clients_delete AFTER DELETE ON oidc_clients
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_oidc_client_uris_insert AFTER INSERT ON oidc_client_uris
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_oidc_client_uris_update AFTER UPDATE ON oidc_client_uris
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_oidc_client_uris_delete AFTER DELETE ON oidc_client_uris
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;
