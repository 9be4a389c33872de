-- Participant control (issue 12): an attendee removed from the call whose seat at the media
-- provider (Chime DeleteAttendee) is still to be deleted. Written in the removal's own
-- transaction, so a failed or interrupted delete is retried (provider-cleanup.ts) until it
-- succeeds or the session ends (ending the meeting deletes every attendee at the provider).
-- `next_attempt_at` is also the lease of the attempt in flight: a pass claims a row by moving
-- it forward, so replicas do not call the provider for the same row at once.
CREATE TABLE provider_attendee_deletions (
  attendee_id text PRIMARY KEY,
  session_id text NOT NULL REFERENCES sessions (session_id),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  -- The last failure's reason (MEDIA_PROVIDER_ERROR reason, e.g. UNAVAILABLE): no provider text.
  last_error_code text
);

CREATE INDEX provider_attendee_deletions_due ON provider_attendee_deletions (next_attempt_at);
