-- Outbox faults (issue 13). One event the bus keeps refusing no longer holds back every later
-- one: failures back off (next_attempt_at) and, after repeated ones, the row is parked
-- (parked_at, last_error) for an operator; order is kept per aggregate (the event's subject,
-- the appointment) instead of globally. A relay claims rows for a while (claimed_until,
-- claim_id) and publishes with no transaction open, so replicas share the table.
ALTER TABLE outbox
  ADD COLUMN aggregate_id text,
  ADD COLUMN next_attempt_at timestamptz,
  ADD COLUMN claimed_until timestamptz,
  ADD COLUMN claim_id uuid,
  ADD COLUMN parked_at timestamptz,
  ADD CONSTRAINT outbox_sent_or_parked CHECK (sent_at IS NULL OR parked_at IS NULL);
-- Rows still waiting keep their appointment's order; sent rows need no aggregate.
UPDATE outbox SET aggregate_id = COALESCE(payload->>'subject', payload->'data'->>'appointment_id')
  WHERE sent_at IS NULL;
-- "Is an earlier event of this aggregate still waiting?", asked for every claimed row.
CREATE INDEX outbox_unsent_aggregate ON outbox (aggregate_id, id) WHERE sent_at IS NULL AND parked_at IS NULL;
-- The retention purge (EVENT_RETENTION_DAYS): sent rows and processed inbox rows by age.
CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX inbox_processed_at ON inbox (processed_at);
