-- What this service last saw of each task: which event, when. Every handler notes it in the
-- transaction of its effect, so `autoapply` and operators can see where each service stands.
CREATE TABLE task_ledger (
    task_id       uuid        PRIMARY KEY,
    user_id       uuid        NOT NULL,
    last_event    text        NOT NULL,
    last_event_id uuid        NOT NULL,
    events_seen   integer     NOT NULL DEFAULT 1,
    handled_by    text        NOT NULL,  -- the instance that applied the last event
    updated_at    timestamptz NOT NULL DEFAULT now()
);
