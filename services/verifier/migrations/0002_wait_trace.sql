-- The trace context of the delivery that started a wait, so each look at the mailbox, and the
-- outcome it publishes, stay in the task's trace although the poll loop runs outside any delivery.
ALTER TABLE waits ADD COLUMN traceparent text;
