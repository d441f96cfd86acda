-- Fast substring search: a trigram index over the search text of organizations and contacts.
-- SQLite: FTS5 tables kept in step by triggers (the schema-parity test leaves them out: they
-- are SQLite's way to the same index PostgreSQL builds with pg_trgm).

CREATE VIRTUAL TABLE organizations_search USING fts5(
    search_text, content = 'organizations', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER organizations_search_insert AFTER INSERT ON organizations BEGIN
    INSERT INTO organizations_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER organizations_search_delete AFTER DELETE ON organizations BEGIN
    INSERT INTO organizations_search (organizations_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER organizations_search_update AFTER UPDATE OF search_text ON organizations BEGIN
    INSERT INTO organizations_search (organizations_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO organizations_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
INSERT INTO organizations_search (organizations_search) VALUES ('rebuild');

CREATE VIRTUAL TABLE contacts_search USING fts5(
    search_text, content = 'contacts', content_rowid = 'id', tokenize = 'trigram'
);
CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF search_text ON contacts BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO contacts_search (rowid, search_text) VALUES (new.id, new.search_text);
END;
INSERT INTO contacts_search (contacts_search) VALUES ('rebuild');
