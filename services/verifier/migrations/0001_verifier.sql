-- The mailboxes users connected: one row per (user, address). Secrets (Gmail tokens, IMAP
-- passwords) are sealed with AES-256-GCM (services/verifier/sealing.py); the rest is plain.
CREATE TABLE mailboxes (
    user_id      uuid        NOT NULL,
    address      text        NOT NULL,  -- lower case
    kind         text        NOT NULL CHECK (kind IN ('gmail', 'imap', 'sandbox')),
    settings     jsonb       NOT NULL DEFAULT '{}',  -- IMAP host and port, the sandbox's URL; no secrets
    secret       bytea,
    connected_at timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, address)
);

-- Every wait is a row, not a held message: the handler records it and acks; the poll loop looks
-- at due rows (FOR UPDATE SKIP LOCKED, so instances share them) until found or past the deadline.
CREATE TABLE waits (
    event_id     uuid        PRIMARY KEY,  -- the event that started the wait
    task_id      uuid        NOT NULL,
    user_id      uuid        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('verification', 'proof')),
    event        jsonb       NOT NULL,
    state        text        NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'done')),
    outcome      text,  -- found, not_found, completed, failed, human, cancelled
    started_at   timestamptz NOT NULL DEFAULT now(),
    deadline     timestamptz NOT NULL,
    next_poll_at timestamptz NOT NULL DEFAULT now(),
    polls        integer     NOT NULL DEFAULT 0,
    claimed_by   text,
    last_error   text,  -- the error's kind only; never a message's content
    finished_at  timestamptz
);
CREATE INDEX waits_due ON waits (next_poll_at) WHERE state = 'waiting';
CREATE INDEX waits_task ON waits (task_id) WHERE state = 'waiting';

-- Messages whose code or link was handed on: never used twice, even for another task.
CREATE TABLE used_messages (
    user_id    uuid        NOT NULL,
    message_id text        NOT NULL,
    task_id    uuid        NOT NULL,
    used_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, message_id)
);

-- The receipt of every decided submission: what was sent, and the proof.
CREATE TABLE application_results (
    task_id         uuid        PRIMARY KEY,
    user_id         uuid        NOT NULL,
    attempt_id      text        NOT NULL,
    outcome         text        NOT NULL CHECK (outcome IN ('completed', 'failed')),
    platform        text,
    job_title       text,
    company         text,
    confirmation_id text,
    evidence        text[]      NOT NULL DEFAULT '{}',
    reason          text,
    page_url        text        NOT NULL,
    receipt_uri     text        NOT NULL,
    sent_fields     jsonb       NOT NULL DEFAULT '[]',  -- label, value, provenance of each field
    files           jsonb       NOT NULL DEFAULT '[]',
    decided_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX application_results_user ON application_results (user_id, decided_at);
