-- Proxy endpoints. A proxy serves at most one binding, ever: never reused across users.
CREATE TABLE proxies (
    proxy_id        uuid PRIMARY KEY,
    scheme          text NOT NULL,
    host            text NOT NULL,
    port            integer NOT NULL,
    username        text NOT NULL DEFAULT '',
    password_sealed bytea,  -- AES-256-GCM (services/provisioner/vault.py), bound to proxy_id
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (scheme, host, port, username)
);

-- One sticky proxy per (user, platform): one account = one fingerprint = one IP.
CREATE TABLE proxy_bindings (
    binding_id  uuid PRIMARY KEY,
    user_id     uuid NOT NULL,
    platform    text NOT NULL,
    proxy_id    uuid NOT NULL UNIQUE REFERENCES proxies (proxy_id),
    exit_ip     inet,          -- seen through the proxy before its first use
    checked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, platform)
);

-- Browser profiles; user_id NULL means a pooled profile no account has used yet.
CREATE TABLE browser_profiles (
    profile_id     uuid PRIMARY KEY,
    provider       text NOT NULL,
    external_id    text,
    platform       text NOT NULL,
    user_id        uuid,
    binding_id     uuid REFERENCES proxy_bindings (binding_id),
    fingerprint    jsonb NOT NULL,
    tasks_served   integer NOT NULL DEFAULT 0,
    last_used_at   timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    -- The running browser, while a task holds the profile.
    task_id        uuid UNIQUE,
    holder         text,
    cdp_url        text,
    ws_url         text,
    live_view_url  text,
    pid            integer,
    started_at     timestamptz
);
CREATE UNIQUE INDEX browser_profiles_one_per_account ON browser_profiles (user_id, platform) WHERE user_id IS NOT NULL;
CREATE INDEX browser_profiles_pool ON browser_profiles (platform) WHERE user_id IS NULL;

-- The provisioner's view of each task it was given.
CREATE TABLE tasks (
    task_id      uuid PRIMARY KEY,
    user_id      uuid NOT NULL,
    platform     text,
    priority     text,
    stage        text NOT NULL,  -- waiting, provisioning, retrying, ready, failed, released, cancelled
    attempts     integer NOT NULL DEFAULT 0,
    profile_id   uuid,
    wait_reason  text,
    wait_until   timestamptz,
    last_error   text,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
