-- Fast substring search: a trigram index over the search text of organizations and contacts.
-- PostgreSQL: pg_trgm (a trusted extension: the database's owner may create it), which serves
-- LIKE '%...%' directly.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX organizations_search ON organizations USING gin (search_text gin_trgm_ops);
CREATE INDEX contacts_search ON contacts USING gin (search_text gin_trgm_ops);
