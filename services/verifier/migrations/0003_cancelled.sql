-- Tasks the user cancelled (task.cancelled, in any order with the events that open waits): a
-- wait for one opens ended (outcome 'cancelled'), under the task's cancel lock (store.add_wait).
CREATE TABLE cancelled (
    task_id      uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL,
    cancelled_at timestamptz NOT NULL DEFAULT now()
);
