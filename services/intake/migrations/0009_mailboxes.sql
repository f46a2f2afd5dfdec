-- The mailboxes a user connected, as intake shows them: never a secret. The secrets go sealed to
-- the verifier, which reads the mail (user.mailbox_connected); this table answers GET /mailbox.
CREATE TABLE mailbox_connections (
    user_id      uuid        NOT NULL,
    address      text        NOT NULL,  -- lower case
    kind         text        NOT NULL CHECK (kind IN ('gmail', 'imap')),
    settings     jsonb       NOT NULL DEFAULT '{}',  -- IMAP host, port, tls, username; no secret
    connected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, address)
);
ALTER TABLE mailbox_connections ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_mailboxes ON mailbox_connections USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON mailbox_connections TO autoapply_api;

-- A Gmail consent under way: the state names the user (Google's redirect carries no token of
-- ours), single use, and the PKCE verifier is sealed until the callback sends it with the code.
CREATE TABLE oauth_states (
    state           text        PRIMARY KEY,
    user_id         uuid        NOT NULL,
    verifier_sealed bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX oauth_states_user ON oauth_states (user_id);
