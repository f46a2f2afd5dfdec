-- Accounts: users, their sessions (one per login) and the refresh tokens of each session.
--
-- Requests made on a user's behalf run as the role autoapply_api with app.user_id and app.role set
-- for the transaction (services/intake/scope.py); the row-level security policies below and in
-- later migrations then show that role only the user's own rows, whatever the code asks for.
DO $$
BEGIN
    CREATE ROLE autoapply_api NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- another database of the same cluster created it
END $$;
DO $$
BEGIN
    EXECUTE format('GRANT autoapply_api TO %I', current_user);
EXCEPTION WHEN OTHERS THEN
    NULL;  -- a superuser needs no grant to SET ROLE
END $$;
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO autoapply_api', current_schema());
END $$;

CREATE FUNCTION app_user_id() RETURNS uuid LANGUAGE sql STABLE
    AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
CREATE FUNCTION app_is_operator() RETURNS boolean LANGUAGE sql STABLE
    AS $$ SELECT coalesce(current_setting('app.role', true), '') = 'operator' $$;

CREATE TABLE users (
    user_id       uuid        PRIMARY KEY,
    email         text        NOT NULL UNIQUE,  -- lower-cased
    name          text        NOT NULL,
    password_hash text        NOT NULL,
    role          text        NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'operator')),
    plan          text        NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro')),
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    session_id uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Each refresh hands out a new token and marks the old one used; a used token presented again
-- means it was copied, and its whole session is revoked.
CREATE TABLE refresh_tokens (
    token_hash bytea       PRIMARY KEY,  -- sha256 of the token; the token itself is never stored
    session_id uuid        NOT NULL REFERENCES sessions ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at    timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_user ON users USING (user_id = app_user_id());
GRANT SELECT ON users TO autoapply_api;
