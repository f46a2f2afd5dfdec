-- The outbox's order column (runtime migration 0003) draws from a sequence: the API role that
-- writes a task and its task.queued in one transaction needs it too.
GRANT USAGE ON SEQUENCE outbox_seq_seq TO autoapply_api;
