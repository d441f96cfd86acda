-- A portal's default time zone: new accounts on it take it, and e-mails and pages show their
-- times in it until the person chooses their own.
ALTER TABLE portals ADD COLUMN default_time_zone TEXT NOT NULL DEFAULT 'UTC';
