-- Notifications: a portal's task categories, the tasks the operator's systems post, each
-- person's digest subscription (frequency, categories, when the next one is due), one row per
-- digest and period (the key that makes "once per person and period"), and the hashes of the
-- one-click unsubscribe links. Admit's own tasks (approvals, invitations about to expire...)
-- are read from the state they describe when a digest is made, and their categories are built in.

CREATE TABLE task_categories (
    id INTEGER PRIMARY KEY,
    portal_id BIGINT NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
    -- What the operator's systems post tasks with; never one of Admit's own.
    key TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_de TEXT NOT NULL,
    description_en TEXT NOT NULL,
    description_de TEXT NOT NULL,
    position BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (portal_id, key)
);

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    portal_id BIGINT NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
    -- The posting system's own id: posting it again changes the task, never adds one.
    external_id TEXT NOT NULL,
    customer_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    -- A category still holding tasks cannot be deleted.
    category_id BIGINT NOT NULL REFERENCES task_categories (id),
    title TEXT NOT NULL,
    -- A day, as days since 1970-01-01.
    due_date BIGINT,
    link TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    closed_at BIGINT,
    UNIQUE (portal_id, external_id)
);
-- A digest counts a portal's open tasks by customer and category, and finds the soonest due,
-- from this index alone (then reads the few it lists); closed ones stay out of it.
CREATE INDEX tasks_open ON tasks (portal_id, customer_id, category_id, due_date, id)
    WHERE status = 'open';
CREATE INDEX tasks_category ON tasks (category_id);
CREATE INDEX tasks_customer ON tasks (customer_id);

CREATE TABLE digest_subscriptions (
    id INTEGER PRIMARY KEY,
    -- A portal account's, or a staff user's.
    account_id BIGINT UNIQUE REFERENCES portal_accounts (id) ON DELETE CASCADE,
    staff_user_id BIGINT UNIQUE REFERENCES staff_users (id) ON DELETE CASCADE,
    frequency TEXT NOT NULL CHECK (frequency IN ('off', 'daily', 'weekly')),
    -- The chosen category keys, comma-separated (none: nothing is sent).
    categories TEXT NOT NULL,
    -- When the next digest is due (UTC milliseconds); NULL when off.
    next_due_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK ((account_id IS NULL) <> (staff_user_id IS NULL))
);
CREATE INDEX digest_subscriptions_due ON digest_subscriptions (next_due_at, id)
    WHERE next_due_at IS NOT NULL;

CREATE TABLE digests (
    id INTEGER PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES digest_subscriptions (id) ON DELETE CASCADE,
    -- `daily:2026-11-30` or `weekly:2026-11-30` (its Monday).
    period TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    made_at BIGINT NOT NULL,
    -- How many tasks it listed; 0: there was nothing to say and nothing was sent.
    tasks BIGINT NOT NULL,
    outbox_id BIGINT REFERENCES outbox_messages (id) ON DELETE SET NULL,
    UNIQUE (subscription_id, period)
);

CREATE TABLE unsubscribe_tokens (
    token_hash TEXT PRIMARY KEY,
    subscription_id BIGINT NOT NULL REFERENCES digest_subscriptions (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX unsubscribe_tokens_expiry ON unsubscribe_tokens (expires_at);

-- A digest's message carries a one-click unsubscribe link, made when it is sent.
ALTER TABLE outbox_messages ADD COLUMN unsubscribe_subscription_id BIGINT
    REFERENCES digest_subscriptions (id) ON DELETE SET NULL;

-- Staff get digests too, in their language and time zone.
ALTER TABLE staff_users ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE staff_users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
