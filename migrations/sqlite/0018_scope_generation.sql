-- A number that grows with every committed change to what an account's scope is made of
-- besides its own row: the portal's modules, the account's modules and customer assignments,
-- organizations and partnerships. A process keeps computed scopes while it stays the same
-- (usecases::access::ScopeCache), read in the same statement as the account.
CREATE TABLE scope_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO scope_generation (id, n) VALUES (1, 0);

CREATE TRIGGER scope_generation_portal_modules_insert AFTER INSERT ON portal_modules
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_portal_modules_update AFTER UPDATE ON portal_modules
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_portal_modules_delete AFTER DELETE ON portal_modules
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_portal_account_modules_insert AFTER INSERT ON portal_account_modules
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_portal_account_modules_update AFTER UPDATE ON portal_account_modules
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_portal_account_modules_delete AFTER DELETE ON portal_account_modules
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_portal_account_customers_insert AFTER INSERT ON portal_account_customers
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_portal_account_customers_update AFTER UPDATE ON portal_account_customers
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_portal_account_customers_delete AFTER DELETE ON portal_account_customers
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_organizations_insert AFTER INSERT ON organizations
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_organizations_update AFTER UPDATE ON organizations
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_organizations_delete AFTER DELETE ON organizations
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_partnerships_insert AFTER INSERT ON partnerships
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_partnerships_update AFTER UPDATE ON partnerships
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_partnerships_delete AFTER DELETE ON partnerships
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_partnership_customers_insert AFTER INSERT ON partnership_customers
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_partnership_customers_update AFTER UPDATE ON partnership_customers
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER scope_generation_partnership_customers_delete AFTER DELETE ON partnership_customers
BEGIN UPDATE scope_generation SET n = n + 1 WHERE id = 1; END;
