-- The access list with a million accounts: every filter's first page is read in e-mail order
-- from an index and stops after one page, instead of sorting every matching account.

-- The whole list in order, with the name: the first try of a text search reads only this.
DROP INDEX portal_accounts_email;
CREATE INDEX portal_accounts_email ON portal_accounts (email, id) INCLUDE (name);
CREATE INDEX portal_accounts_registration ON portal_accounts (registration, email, id);
CREATE INDEX portal_accounts_approval ON portal_accounts (approval, email, id);
CREATE INDEX portal_accounts_access ON portal_accounts (access_granted, email, id);
CREATE INDEX portal_accounts_lifecycle ON portal_accounts (lifecycle, email, id);
-- By contact in e-mail order: the accounts of a contact, of an organization's contacts, and
-- those with no contact (assignment pending: contact_id IS NULL) are each read in list order.
DROP INDEX portal_accounts_contact;
CREATE INDEX portal_accounts_contact ON portal_accounts (contact_id, email, id);
-- "Has a valid-until date" is the few: a partial index in e-mail order.
CREATE INDEX portal_accounts_valid_until ON portal_accounts (email, id) WHERE valid_until IS NOT NULL;

-- Text search on e-mail and name: trigram indexes (pg_trgm, 0003_search), which serve
-- `email LIKE '%...%'` and `lower(name) LIKE '%...%'` directly.
CREATE INDEX portal_accounts_search_email ON portal_accounts USING gin (email gin_trgm_ops);
CREATE INDEX portal_accounts_search_name ON portal_accounts USING gin (lower(name) gin_trgm_ops);
