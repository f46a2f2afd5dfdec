-- An account's browser serves several tasks, each in its own tab: the live view shows the task's
-- own tab (its CDP target id, from profile.ready), never whichever page is first.
ALTER TABLE tasks ADD COLUMN target_id text;
