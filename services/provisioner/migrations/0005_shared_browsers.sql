-- One account's browser serves several tasks, each in a tab of its own: while the tasks holding it
-- wait for a person, the account's next task works in a new tab (docs/provisioner.md).
ALTER TABLE tasks
    ADD COLUMN target_id    text,                             -- the CDP target id of the task's tab
    ADD COLUMN lending      boolean NOT NULL DEFAULT false,   -- waits for a person: its browser may serve another task
    ADD COLUMN lending_at   timestamptz,                      -- when the last wait or resume event was said
    ADD COLUMN holds_account boolean NOT NULL DEFAULT false;  -- met a checkpoint: the whole account waits for it

CREATE INDEX tasks_holders ON tasks (profile_id) WHERE stage = 'ready';
