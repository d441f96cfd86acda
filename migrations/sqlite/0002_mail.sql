-- E-mail: the transactional outbox, per-portal templates, and the built-in mailbox.

CREATE TABLE outbox_messages (
    id INTEGER PRIMARY KEY,
    message_id TEXT NOT NULL UNIQUE,
    portal_id BIGINT REFERENCES portals (id) ON DELETE SET NULL,
    event TEXT NOT NULL,
    language TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT,
    variables_json TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'retrying', 'failed')),
    attempts BIGINT NOT NULL,
    max_attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until BIGINT,
    last_error TEXT,
    smtp_answer TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_messages_due ON outbox_messages (status, next_attempt_at, id);
CREATE INDEX outbox_messages_recipient ON outbox_messages (recipient, id);

CREATE TABLE mail_templates (
    portal_id BIGINT NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
    event TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    html_body TEXT NOT NULL,
    text_body TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (portal_id, event, language)
);

CREATE TABLE mailbox_messages (
    id INTEGER PRIMARY KEY,
    outbox_id BIGINT NOT NULL REFERENCES outbox_messages (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    html_body TEXT NOT NULL,
    text_body TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX mailbox_messages_outbox ON mailbox_messages (outbox_id);
