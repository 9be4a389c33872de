-- Participant control (issue 12): a person the session's doctor removed from the call. One row
-- per (session, person): their attendees created up to `removed_at` can no longer connect (their
-- join tokens are refused), and a new join needs an invite issued after `removed_at`.
-- Removing the same person again moves `removed_at` forward.
CREATE TABLE attendee_removals (
  session_id text NOT NULL REFERENCES sessions (session_id),
  user_id text NOT NULL,
  removed_at timestamptz NOT NULL,
  removed_by text NOT NULL,
  PRIMARY KEY (session_id, user_id)
);
