-- A portal's own e-mail template written as parts (subject, greeting, paragraphs, button,
-- closing) for the shared layout, as JSON; NULL for one whose HTML was written as such
-- (advanced mode, and every template saved before parts existed). The subject and bodies
-- beside it are what the parts made when saved.
ALTER TABLE mail_templates ADD COLUMN parts TEXT;
