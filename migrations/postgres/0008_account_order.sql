-- The access list's order is the e-mail's code points, on both engines (SQLite compares the
-- bytes of UTF-8 text, which is the same): a text search reads the addresses that begin with
-- the term as one range of the e-mail index, which a language's collation would not keep
-- together. The indexes on the e-mail are rebuilt with it.
ALTER TABLE portal_accounts ALTER COLUMN email TYPE TEXT COLLATE "C";
