-- The executor's own record of each task: what task.queued and profile.ready said, where the
-- executor left it (its state and what it waits for), and what people added (answers, corrections).
CREATE TABLE tasks (
    task_id       uuid        PRIMARY KEY,
    user_id       uuid        NOT NULL,
    job_url       text        NOT NULL,
    platform      text        NOT NULL,
    job_key       text        NOT NULL,
    preferences   jsonb       NOT NULL DEFAULT '{}',
    queued_by     text        NOT NULL,  -- the instance that recorded task.queued
    cdp_url       text,
    live_view_url text,
    exit_ip       text,
    state         text        NOT NULL DEFAULT 'QUEUED',  -- the last state the executor knows the task in
    waiting       text,                  -- captcha, human, email, email_after_submit, review: what it waits for
    finished      boolean     NOT NULL DEFAULT false,  -- failed or submitted: no further work
    navigations   integer     NOT NULL DEFAULT 0,  -- navigation tries that failed
    answers       jsonb       NOT NULL DEFAULT '{}',  -- label -> {answer, provenance}: operator answers, corrections
    submitted_at  timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
