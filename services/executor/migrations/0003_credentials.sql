-- The executor's copy of the user's platform accounts (from user.credentials_stored, or created
-- by the executor on a Workday tenant): the password stays sealed (AES-256-GCM under the
-- credentials key, bound to user, platform, tenant and username) and is opened only to be typed.
CREATE TABLE credentials (
    user_id         uuid        NOT NULL,
    platform        text        NOT NULL,
    tenant          text        NOT NULL DEFAULT '',  -- '' is the platform as a whole
    username        text        NOT NULL,
    password_sealed bytea       NOT NULL,
    origin          text        NOT NULL CHECK (origin IN ('user', 'signup')),
    stored_at       timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, platform, tenant)
);
