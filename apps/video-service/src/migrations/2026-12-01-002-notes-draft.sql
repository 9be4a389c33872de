-- The doctor's working copy of a session's notes (issue 16): saved as they type, during the call
-- and after it. Apart from sessions.notes, which stays the saved (final) notes the record shows;
-- saving the final notes deletes the draft. One draft per session: only its doctor writes it.
CREATE TABLE notes_drafts (
  session_id text PRIMARY KEY REFERENCES sessions (session_id),
  notes text NOT NULL CHECK (char_length(notes) <= 500),
  quality_rating integer CHECK (quality_rating BETWEEN 1 AND 5),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL
);
