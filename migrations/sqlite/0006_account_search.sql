-- The access list with a million accounts: every filter's first page is read in e-mail order
-- from an index and stops after one page, instead of sorting every matching account.
-- (On SQLite an index on (x, email) carries the rowid `id` too: (x, email, id) is its order.)

-- The whole list in order, with the name: the first try of a text search reads only this.
DROP INDEX portal_accounts_email;
CREATE INDEX portal_accounts_email ON portal_accounts (email, id, name);
CREATE INDEX portal_accounts_registration ON portal_accounts (registration, email);
CREATE INDEX portal_accounts_approval ON portal_accounts (approval, email);
CREATE INDEX portal_accounts_access ON portal_accounts (access_granted, email);
CREATE INDEX portal_accounts_lifecycle ON portal_accounts (lifecycle, email);
-- By contact in e-mail order: the accounts of a contact, of an organization's contacts, and
-- those with no contact (assignment pending: contact_id IS NULL) are each read in list order.
DROP INDEX portal_accounts_contact;
CREATE INDEX portal_accounts_contact ON portal_accounts (contact_id, email);
-- "Has a valid-until date" is the few: a partial index in e-mail order.
CREATE INDEX portal_accounts_valid_until ON portal_accounts (email) WHERE valid_until IS NOT NULL;

-- Text search on e-mail and name: an FTS5 trigram table kept in step by triggers, as for
-- contacts and organizations (0003_search; the schema-parity test leaves `*_search*` out).
-- Only a change of e-mail or name touches it: a login's `last_login_at` does not.
CREATE VIRTUAL TABLE portal_accounts_search USING fts5(
    email, name, content = 'portal_accounts', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER portal_accounts_search_insert AFTER INSERT ON portal_accounts BEGIN
    INSERT INTO portal_accounts_search (rowid, email, name) VALUES (new.id, new.email, new.name);
END;
CREATE TRIGGER portal_accounts_search_delete AFTER DELETE ON portal_accounts BEGIN
    INSERT INTO portal_accounts_search (portal_accounts_search, rowid, email, name)
    VALUES ('delete', old.id, old.email, old.name);
END;
CREATE TRIGGER portal_accounts_search_update AFTER UPDATE OF email, name ON portal_accounts BEGIN
    INSERT INTO portal_accounts_search (portal_accounts_search, rowid, email, name)
    VALUES ('delete', old.id, old.email, old.name);
    INSERT INTO portal_accounts_search (rowid, email, name) VALUES (new.id, new.email, new.name);
END;
INSERT INTO portal_accounts_search (portal_accounts_search) VALUES ('rebuild');
