-- Exactly once: the submit attempt is recorded before the click, in its own committed transaction.
-- A task (or a second task for the same job) that finds a row here never clicks submit again;
-- the verifier settles the outcome of an attempt that has none.
CREATE TABLE submit_attempts (
    task_id     uuid        PRIMARY KEY,
    user_id     uuid        NOT NULL,
    job_key     text        NOT NULL,
    attempt_id  text        NOT NULL UNIQUE,
    clicked_by  text        NOT NULL,  -- the executor instance that clicked
    recorded_at timestamptz NOT NULL DEFAULT now(),
    outcome     text,                  -- submitted, rejected_by_site, unknown
    outcome_at  timestamptz,
    UNIQUE (user_id, job_key)
);
