-- In sandbox mode a user may connect the sandbox's own mailbox (PUT /api/v1/mailbox/sandbox).
ALTER TABLE mailbox_connections DROP CONSTRAINT mailbox_connections_kind_check;
ALTER TABLE mailbox_connections ADD CONSTRAINT mailbox_connections_kind_check
    CHECK (kind IN ('gmail', 'imap', 'sandbox'));
