-- Users who asked to be forgotten: only their random id and when. A task.queued of theirs that
-- comes late (replayed from the stream, redelivered after the deletion) makes no profile again.
CREATE TABLE forgotten_users (
    user_id      uuid        PRIMARY KEY,
    forgotten_at timestamptz NOT NULL DEFAULT now()
);
