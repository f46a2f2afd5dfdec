-- The account's browser serves several tasks, each in a tab of its own (docs/executor.md): the
-- task's tab (its CDP target id, from profile.ready) and the browser's profile, whose drive one
-- task at a time claims.
ALTER TABLE tasks
    ADD COLUMN profile_id text,
    ADD COLUMN target_id  text;
