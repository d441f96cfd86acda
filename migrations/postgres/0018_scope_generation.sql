-- A number that grows with every committed change to what an account's scope is made of
-- besides its own row: the portal's modules, the account's modules and customer assignments,
-- organizations and partnerships. A process keeps computed scopes while it stays the same
-- (usecases::access::ScopeCache), read in the same statement as the account.
CREATE TABLE scope_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO scope_generation (id, n) VALUES (1, 0);

-- Counted once per transaction, when it commits (the triggers are deferred): the row is the
-- last lock a writing transaction takes, so two of them never wait on each other through it.
CREATE FUNCTION bump_scope_generation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('admit.scope_bumped', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('admit.scope_bumped', 'on', true);
        UPDATE scope_generation SET n = n + 1 WHERE id = 1;
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['portal_modules', 'portal_account_modules',
        'portal_account_customers', 'organizations', 'partnerships', 'partnership_customers']
    LOOP
        EXECUTE format('CREATE CONSTRAINT TRIGGER scope_generation '
            'AFTER INSERT OR UPDATE OR DELETE ON %I DEFERRABLE INITIALLY DEFERRED '
            'FOR EACH ROW EXECUTE FUNCTION bump_scope_generation()', t);
    END LOOP;
END
$$;
