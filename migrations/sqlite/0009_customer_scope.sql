-- What a portal account may see: the customers assigned to a user, per grouping (a partnership
-- of its partner organization; or, with no partnership, the sub-accounts of its customer
-- organization), and modules for marketing accounts.

CREATE TABLE portal_account_customers (
    id INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES portal_accounts (id) ON DELETE CASCADE,
    -- NULL: among the sub-accounts of the account's customer organization.
    partnership_id BIGINT REFERENCES partnerships (id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL REFERENCES organizations (id),
    created_at BIGINT NOT NULL
);
-- By account and grouping (0: the sub-accounts): whether a user has assignments in a grouping,
-- and whether it is assigned a customer there, are each one look-up.
CREATE UNIQUE INDEX portal_account_customers_unique
    ON portal_account_customers (account_id, COALESCE(partnership_id, 0), customer_id);
-- A customer's assignments (when it leaves a partnership or the directory).
CREATE INDEX portal_account_customers_customer ON portal_account_customers (customer_id);
CREATE INDEX portal_account_customers_partnership ON portal_account_customers (partnership_id);

-- Marketing accounts see only the marketing modules granted to them.
ALTER TABLE portal_modules ADD COLUMN marketing BOOLEAN NOT NULL DEFAULT FALSE;
