-- A platform's pause of the user's account (user.account_paused), shown on GET /api/v1/me: a
-- checkpoint waiting for the user (until NULL) or a daily limit until a time. One row per account
-- and reason; a pause whose until has passed is over.
CREATE TABLE account_pauses (
    user_id        uuid        NOT NULL,
    platform       text        NOT NULL,
    tenant         text        NOT NULL DEFAULT '',
    reason         text        NOT NULL,
    until          timestamptz,
    message        text        NOT NULL DEFAULT '',
    source_task_id uuid,
    paused_at      timestamptz NOT NULL,
    PRIMARY KEY (user_id, platform, tenant, reason)
);
ALTER TABLE account_pauses ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_pauses ON account_pauses USING (user_id = app_user_id());
GRANT SELECT ON account_pauses TO autoapply_api;
