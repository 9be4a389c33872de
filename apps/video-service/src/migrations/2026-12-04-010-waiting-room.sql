-- The waiting room (issue 12): a patient who connects waits until the session's doctor admits
-- them. Admission is per (session, person), so a rejoin (a new attendee) keeps it; the doctor is
-- always admitted and has no row. `auto_admit` is the doctor's choice for the session: while it
-- is on, the patient is admitted (a row written) when they connect.
ALTER TABLE sessions ADD COLUMN auto_admit boolean NOT NULL DEFAULT false;

CREATE TABLE session_admissions (
  session_id text NOT NULL REFERENCES sessions (session_id),
  user_id text NOT NULL,
  admitted_at timestamptz NOT NULL,
  -- The doctor's user id, or 'auto' when auto-admit let them in.
  admitted_by text NOT NULL,
  PRIMARY KEY (session_id, user_id)
);
