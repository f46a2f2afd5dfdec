-- Tasks as accepted at the door: what the user asked for. The read model (tasks, task_events)
-- says what happened to them since.
CREATE TABLE task_requests (
    task_id     uuid        PRIMARY KEY,
    user_id     uuid        NOT NULL,
    job_key     text        NOT NULL,  -- platform + requisition id, else the normalised URL
    job_url     text        NOT NULL,
    platform    text        NOT NULL,
    resume_id   uuid,
    priority    text        NOT NULL,
    preferences jsonb       NOT NULL DEFAULT '{}',
    trace_id    text,                  -- the request's trace, until the read model has the task
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, job_key)  -- one application per user and job, ever
);
CREATE INDEX task_requests_user_created ON task_requests (user_id, created_at DESC, task_id DESC);
CREATE INDEX task_requests_created ON task_requests (created_at);

ALTER TABLE task_requests ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_or_operator ON task_requests USING (user_id = app_user_id() OR app_is_operator())
    WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT ON task_requests TO autoapply_api;

-- The read model is written by the projection (as the owner, which row-level security does not
-- bind); requests read it as autoapply_api and see the rows of tasks they may see.
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_or_operator ON tasks USING (user_id = app_user_id() OR app_is_operator());
ALTER TABLE task_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible_task ON task_events
    USING (EXISTS (SELECT 1 FROM task_requests r WHERE r.task_id = task_events.task_id));
GRANT SELECT ON tasks, task_events TO autoapply_api;

-- Accepting a task writes its task.queued (and a cancel its task.cancelled) in the same transaction.
-- (ON CONFLICT (id) DO NOTHING reads the id column to find the conflict.)
GRANT INSERT, SELECT (id) ON outbox TO autoapply_api;
