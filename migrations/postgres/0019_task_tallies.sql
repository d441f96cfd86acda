-- The open tasks kept counted per portal, customer and category, with the first ten in listing
-- order, in the same transaction as every change to a task (storage::tasks::tallies): a digest
-- adds up the tallies of the customers in its scope and reads only the tasks it lists, so its
-- cost does not grow with the number of open tasks. A pair with no open task has no row.
CREATE TABLE task_tallies (
    portal_id BIGINT NOT NULL REFERENCES portals (id) ON DELETE CASCADE,
    customer_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    category_id BIGINT NOT NULL REFERENCES task_categories (id) ON DELETE CASCADE,
    open_tasks BIGINT NOT NULL CHECK (open_tasks >= 0),
    -- The first ten open tasks, soonest due first (a task without a due day as day 2147483647,
    -- after every real day), then by id: `day:id` separated by commas.
    first_tasks TEXT NOT NULL,
    PRIMARY KEY (portal_id, customer_id, category_id)
);
CREATE INDEX task_tallies_customer ON task_tallies (customer_id);
CREATE INDEX task_tallies_category ON task_tallies (category_id);

INSERT INTO task_tallies (portal_id, customer_id, category_id, open_tasks, first_tasks)
SELECT portal_id, customer_id, category_id, COUNT(*),
    COALESCE(string_agg(CASE WHEN place <= 10 THEN due || ':' || id END, ',' ORDER BY due, id), '')
FROM (SELECT portal_id, customer_id, category_id, id, COALESCE(due_date, 2147483647) AS due,
        ROW_NUMBER() OVER (PARTITION BY portal_id, customer_id, category_id
            ORDER BY COALESCE(due_date, 2147483647), id) AS place
    FROM tasks WHERE status = 'open') AS open_tasks
GROUP BY portal_id, customer_id, category_id;

-- A pair's open tasks in listing order, read from the index alone.
DROP INDEX tasks_open;
CREATE INDEX tasks_open ON tasks (portal_id, customer_id, category_id, COALESCE(due_date, 2147483647), id)
    WHERE status = 'open';
