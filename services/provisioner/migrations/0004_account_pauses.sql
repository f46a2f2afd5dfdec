-- A platform's pause of an account (user.account_paused): the rate limiter holds the account's
-- tasks until it ends (Redis); this is the provisioner's record of it. One row per account and
-- reason, so a checkpoint passed does not overwrite a daily limit still running.
CREATE TABLE account_pauses (
    user_id        uuid        NOT NULL,
    platform       text        NOT NULL,
    tenant         text        NOT NULL DEFAULT '',
    reason         text        NOT NULL,  -- checkpoint, two_step, daily_limit, restricted
    until          timestamptz,           -- NULL: until the user passes it
    message        text        NOT NULL DEFAULT '',
    source_task_id uuid,
    paused_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, platform, tenant, reason)
);

-- The task.queued a task came with, so that a task put back by a pause can be provisioned again
-- when the pause ends (task.queued itself is intake's, and was acked long before).
ALTER TABLE tasks ADD COLUMN queued jsonb;
