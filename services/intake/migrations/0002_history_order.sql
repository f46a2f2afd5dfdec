-- Every event of a task is kept and the state is folded again from the ordered history each time
-- one arrives, so a late, replayed or reordered event is placed where it belongs. The order is
-- occurred_at, then arrival (the order intake stored them in) for events of the same instant.
ALTER TABLE task_events ADD COLUMN arrival bigserial;
ALTER TABLE task_events ADD COLUMN position integer;  -- 1-based place in the task's ordered history
DROP INDEX task_events_task;
CREATE INDEX task_events_history ON task_events (task_id, occurred_at, arrival);
