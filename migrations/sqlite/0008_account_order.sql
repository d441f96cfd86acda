-- The access list's order is the e-mail's code points (PostgreSQL: COLLATE "C"). SQLite
-- compares the bytes of UTF-8 text already, which is the same order: nothing to change.
SELECT 1;
