-- What the user is told: an application completed or failed, or a task needs them (a question only
-- they can answer, a review). One row per (event, kind), written by the read model in the
-- transaction that records the event, so an event redelivered or replayed is told once. The row is
-- also the mail's outbox: mailed_at is set once the SMTP server took it (or the digest holding it).
CREATE TABLE notifications (
    notification_id uuid        PRIMARY KEY,  -- uuid5 of the event and the kind
    user_id         uuid        NOT NULL,
    task_id         uuid        NOT NULL,
    event_id        uuid        NOT NULL,
    kind            text        NOT NULL,     -- completed, failed, question, review, waiting
    title           text        NOT NULL,
    body            text        NOT NULL,
    link            text        NOT NULL,     -- a path of the page: /app/tasks/<id>[#question]
    created_at      timestamptz NOT NULL DEFAULT now(),
    read_at         timestamptz,
    mail            text        NOT NULL,     -- each, daily (in the digest) or off, as set when written
    mailed_at       timestamptz,
    mail_attempts   integer     NOT NULL DEFAULT 0,
    lease_until     timestamptz,              -- an instance is sending it; another takes it after this
    last_error      text
);
CREATE INDEX notifications_user ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_unmailed ON notifications (created_at) WHERE mailed_at IS NULL AND mail <> 'off';

-- How the user wants to be told; no row is "each", at the account's address.
CREATE TABLE notification_settings (
    user_id        uuid        PRIMARY KEY,
    mail           text        NOT NULL DEFAULT 'each' CHECK (mail IN ('each', 'daily', 'off')),
    digest_hour    integer     NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),  -- UTC
    last_digest_at timestamptz,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_notifications ON notifications USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, UPDATE ON notifications TO autoapply_api;
ALTER TABLE notification_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_notification_settings ON notification_settings
    USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE ON notification_settings TO autoapply_api;
