-- Whether the user lets an operator sign in (or pass a checkpoint) for them in the live browser
-- (task.queued's preferences say it). A sign-in wait of a task without it is the user's alone.
ALTER TABLE tasks ADD COLUMN operators_may_sign_in boolean NOT NULL DEFAULT false;
