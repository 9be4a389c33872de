-- Signed webhooks (Standard Webhooks): endpoints a clinic admin registers, the deliveries
-- written in the same transaction as the change they announce (an outbox), and the usage
-- thresholds already announced (once per clinic, month and threshold).

CREATE TABLE webhook_endpoints (
  webhook_id text PRIMARY KEY,
  clinic_id text NOT NULL,
  url text NOT NULL,
  -- Subset of session.started, session.ended, session.notes_updated, usage.threshold_crossed.
  events jsonb NOT NULL CHECK (jsonb_typeof(events) = 'array' AND jsonb_array_length(events) > 0),
  -- whsec_<base64>: needed in clear to sign; never returned after the create answer, never logged.
  secret text NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL,
  -- The most recent failed attempt of any delivery (the admin's list shows it).
  last_failure_at timestamptz,
  last_failure_status_code integer,
  last_failure_error text
);
CREATE INDEX webhook_endpoints_clinic ON webhook_endpoints (clinic_id, created_at);

CREATE TABLE webhook_deliveries (
  id bigserial PRIMARY KEY,
  -- Sent as `webhook-id`, the same on every attempt, so receivers can drop repeats.
  message_id text NOT NULL UNIQUE,
  -- Deleting an endpoint deletes its deliveries: nothing pending is sent to it any more.
  webhook_id text NOT NULL REFERENCES webhook_endpoints (webhook_id) ON DELETE CASCADE,
  clinic_id text NOT NULL,
  event_type text NOT NULL,
  -- The exact body (JSON text), signed and sent byte for byte the same on every attempt.
  body text NOT NULL,
  status text NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  next_attempt_at timestamptz,
  -- An attempt's lease: a worker claims a row until this time, so replicas never send it twice at once.
  claim_id text,
  locked_until timestamptz,
  last_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  delivered_at timestamptz,
  failed_at timestamptz,
  CHECK (status <> 'PENDING' OR next_attempt_at IS NOT NULL)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (webhook_id, id DESC);

CREATE TABLE usage_thresholds_crossed (
  clinic_id text NOT NULL,
  month text NOT NULL,
  threshold_percent integer NOT NULL CHECK (threshold_percent IN (50, 80, 100)),
  crossed_at timestamptz NOT NULL,
  PRIMARY KEY (clinic_id, month, threshold_percent)
);
