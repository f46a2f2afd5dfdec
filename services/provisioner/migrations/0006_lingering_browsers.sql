-- An account's browser stays up for a while after its last task ended, so the account's next task
-- gets a tab of it at once instead of a browser start (docs/provisioner.md, "Lingering browsers").
-- Set while no task works in it: the finished task it last served still keeps its lock and slot.
ALTER TABLE browser_profiles
    ADD COLUMN lingering_until  timestamptz,
    ADD COLUMN lingering_target text;  -- the last task's tab, emptied: the next task's, if it is still there

CREATE INDEX browser_profiles_lingering ON browser_profiles (lingering_until) WHERE lingering_until IS NOT NULL;
