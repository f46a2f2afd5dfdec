-- The outbox in commit order, with what the relay tried: `seq` is the order of publication
-- (created_at is the transaction's start time, equal for every row of one transaction), a row the
-- stream can never take (too large, invalid) is parked instead of blocking the rows behind it,
-- and attempts and last_error are kept for every try.
ALTER TABLE outbox ADD COLUMN seq bigserial;
ALTER TABLE outbox ADD COLUMN parked_at timestamptz;
DROP INDEX outbox_unsent;
CREATE UNIQUE INDEX outbox_seq ON outbox (seq);
CREATE INDEX outbox_pending ON outbox (seq) WHERE sent_at IS NULL AND parked_at IS NULL;
CREATE INDEX outbox_parked ON outbox (parked_at) WHERE parked_at IS NOT NULL;
