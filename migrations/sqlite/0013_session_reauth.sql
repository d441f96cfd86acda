-- When the person last proved who they are on a session (logged in, or gave their password
-- again): ending other sessions asks for the password when this is not recent. NULL: at its
-- start (created_at).

ALTER TABLE staff_sessions ADD COLUMN authenticated_at BIGINT;
ALTER TABLE portal_sessions ADD COLUMN authenticated_at BIGINT;
