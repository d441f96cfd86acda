-- The open tasks kept counted per portal, customer and category, with the soonest due day, in
-- the same transaction as every change to a task (storage::tasks::tallies): a digest adds up
-- the tallies of the customers in its scope instead of counting their tasks, so its cost does
-- not grow with the number of open tasks. A pair with no open task has no row.
CREATE TABLE task_tallies (
    portal_id BIGINT NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES task_categories (id) ON DELETE CASCADE,
    open_tasks BIGINT NOT NULL CHECK (open_tasks >= 0),
    -- The soonest due day of the open tasks; 2147483647 when none has one (they come last).
    first_due BIGINT NOT NULL,
    PRIMARY KEY (portal_id, customer_id, category_id)
);
CREATE INDEX task_tallies_customer ON task_tallies (customer_id);
CREATE INDEX task_tallies_category ON task_tallies (category_id);

INSERT INTO task_tallies (portal_id, customer_id, category_id, open_tasks, first_due)
SELECT portal_id, customer_id, category_id, COUNT(*), MIN(COALESCE(due_date, 2147483647))
FROM tasks WHERE status = 'open' GROUP BY portal_id, customer_id, category_id;

-- A pair's open tasks in the order a digest lists them (soonest due first, those without a due
-- day last), read from the index alone.
DROP INDEX tasks_open;
CREATE INDEX tasks_open ON tasks (portal_id, customer_id, category_id, COALESCE(due_date, 2147483647), id)
    WHERE status = 'open';
