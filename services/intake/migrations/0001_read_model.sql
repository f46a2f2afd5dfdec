-- The read model, projected from the event stream: one row per task, and its history.
CREATE TABLE tasks (
    task_id    uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL,
    state      text        NOT NULL,
    outcome    text,
    platform   text,
    job_url    text,
    trace_id   text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tasks_user_state ON tasks (user_id, state);

CREATE TABLE task_events (
    event_id    uuid        PRIMARY KEY,
    task_id     uuid        NOT NULL,
    event_type  text        NOT NULL,
    from_state  text,
    to_state    text,
    applied     boolean     NOT NULL,  -- false: late or out of order; kept for the history
    occurred_at timestamptz NOT NULL,
    trace_id    text,
    data        jsonb       NOT NULL
);
CREATE INDEX task_events_task ON task_events (task_id, occurred_at);
