-- The original architecture's user_credentials: the user's account on a platform, or on one
-- Workday tenant (its host), for signing in where a job needs it. The password is sealed with
-- AES-256-GCM (runtime.sealing) bound to the row; it is opened in memory only, never returned.
CREATE TABLE user_credentials (
    user_id         uuid        NOT NULL,
    platform        text        NOT NULL,
    tenant          text        NOT NULL DEFAULT '',  -- '' is the platform as a whole
    username        text        NOT NULL,
    password_sealed bytea       NOT NULL,
    stored_at       timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, platform, tenant)
);
-- No operator clause: an operator never sees a user's credentials.
ALTER TABLE user_credentials ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_credentials ON user_credentials USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON user_credentials TO autoapply_api;
