-- seq becomes an identity column: INSERT on outbox is then all a role needs to write a row (a
-- serial's default nextval() also needs USAGE on its sequence, which roles granted only INSERT on
-- the outbox, like intake's API role, do not have). Numbering goes on after the rows already there.
ALTER TABLE outbox ALTER COLUMN seq DROP DEFAULT;
DROP SEQUENCE outbox_seq_seq;
ALTER TABLE outbox ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY;
SELECT setval(pg_get_serial_sequence('outbox', 'seq'), COALESCE(max(seq), 0) + 1, false) FROM outbox;
