-- A portal's and a module's name in German, beside the name (the default, English one, which
-- also names a module in grants, decisions and tokens). NULL: no translation, the name is shown.
-- A language Admit comes to speak gets a column of its own here, as task categories have.
ALTER TABLE portals ADD COLUMN name_de TEXT;
ALTER TABLE portal_modules ADD COLUMN name_de TEXT;
