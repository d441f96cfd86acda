-- OpenID Connect clients count in the same number as the parts of a scope: a process keeps the
-- clients it authenticated while the number stays the same (usecases::oidc::client_cache), read
-- in the same statement as a token's grant, so that a client changed, deactivated or given a
-- new secret (by any process) is read again at its next request.
CREATE CONSTRAINT TRIGGER scope_generation AFTER INSERT OR UPDATE OR DELETE ON oidc_clients
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_scope_generation();
CREATE CONSTRAINT TRIGGER scope_generation AFTER INSERT OR UPDATE OR DELETE ON oidc_client_uris
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_scope_generation();
