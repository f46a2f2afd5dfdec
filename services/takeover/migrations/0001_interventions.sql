-- What takeover knows of each task: its priority (task.queued) and its browser (profile.ready).
CREATE TABLE tasks (
    task_id       uuid        PRIMARY KEY,
    user_id       uuid        NOT NULL,
    priority      text        NOT NULL DEFAULT 'normal',
    job_url       text,
    platform      text,
    cdp_url       text,
    live_view_url text,
    cancelled     boolean     NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- A task waiting for a person: one open intervention per task at most. Redis orders the open
-- ones (priority, then age) and holds the operators' claims; this table is the record.
CREATE TABLE interventions (
    intervention_id uuid        PRIMARY KEY,  -- the event_id of the event that asked for help
    task_id         uuid        NOT NULL,
    user_id         uuid        NOT NULL,
    kind            text        NOT NULL,     -- captcha, question, email_not_found
    reason          text        NOT NULL,
    page_url        text,
    questions       jsonb       NOT NULL DEFAULT '[]',
    screenshot_uri  text,
    resume_state    text        NOT NULL,
    trace_id        text,                     -- the task's trace, for the operator page's link
    priority        text        NOT NULL DEFAULT 'normal',
    created_at      timestamptz NOT NULL DEFAULT now(),
    deadline_at     timestamptz NOT NULL,
    closed_at       timestamptz,
    outcome         text,                     -- resolved, failed, timed_out, cancelled
    closed_by       text                      -- the operator, or "timeout" / "cancel"
);
CREATE UNIQUE INDEX interventions_one_open_per_task ON interventions (task_id) WHERE closed_at IS NULL;
CREATE INDEX interventions_open_deadline ON interventions (deadline_at) WHERE closed_at IS NULL;

-- Every operator action, kept with who and when.
CREATE TABLE audit (
    audit_id        bigserial   PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT now(),
    operator_id     text        NOT NULL,
    intervention_id uuid,
    action          text        NOT NULL,     -- claim, release, view, input, resolve, fail, answer
    detail          jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_intervention ON audit (intervention_id, at);
