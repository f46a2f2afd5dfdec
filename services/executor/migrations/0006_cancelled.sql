-- Tasks the user cancelled (task.cancelled, in any order with task.queued): the submit click is
-- never made for one (attempts.record checks this under the task's cancel lock).
CREATE TABLE cancelled (
    task_id      uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL,
    cancelled_at timestamptz NOT NULL DEFAULT now()
);
