-- Tables every service has in its own schema.

-- The inbox: one row per (consumer, event) applied, written in the same transaction as the
-- state change, so a redelivered event is recognised and skipped.
CREATE TABLE processed_events (
    consumer     text        NOT NULL,
    event_id     uuid        NOT NULL,
    task_id      uuid,
    trace_id     text,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX processed_events_at ON processed_events (processed_at);

-- The outbox: events written with the state change that caused them; the relay publishes them
-- with Nats-Msg-Id = id and marks them sent.
CREATE TABLE outbox (
    id         uuid        PRIMARY KEY,
    subject    text        NOT NULL,
    payload    bytea       NOT NULL,
    headers    jsonb       NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts   integer     NOT NULL DEFAULT 0,
    last_error text,
    sent_at    timestamptz
);
CREATE INDEX outbox_unsent ON outbox (created_at) WHERE sent_at IS NULL;
