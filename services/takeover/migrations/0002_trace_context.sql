-- The trace context of the handling that opened an intervention: what an operator (or the clock)
-- does to it later is published in the task's trace, not in the trace of the operator's request.
ALTER TABLE interventions ADD COLUMN traceparent text;
