-- Telehealth consent (issue 16): each clinic's consent text, versioned, and every answer a
-- patient gave for a session. Both are records: rows are only ever added (a new text is a new
-- version, a changed mind is a new answer; the latest counts), never changed or removed.

CREATE TABLE consent_texts (
  clinic_id text NOT NULL,
  -- 1, 2, …; version 0 is the built-in default text, which is not stored.
  version integer NOT NULL CHECK (version >= 1),
  text text NOT NULL CHECK (char_length(text) BETWEEN 20 AND 5000),
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  PRIMARY KEY (clinic_id, version)
);

CREATE TABLE consent_answers (
  id bigserial PRIMARY KEY,
  session_id text NOT NULL REFERENCES sessions (session_id),
  patient_id text NOT NULL,
  clinic_id text NOT NULL,
  decision text NOT NULL CHECK (decision IN ('GIVEN', 'DECLINED')),
  -- The version of the text the patient answered (0: the built-in default).
  text_version integer NOT NULL CHECK (text_version >= 0),
  decided_at timestamptz NOT NULL
);
-- The latest answer of a session: the highest id.
CREATE INDEX consent_answers_session ON consent_answers (session_id, id DESC);

CREATE FUNCTION consent_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$fn$;
CREATE TRIGGER consent_texts_no_update BEFORE UPDATE OR DELETE ON consent_texts
  FOR EACH ROW EXECUTE FUNCTION consent_is_append_only();
CREATE TRIGGER consent_texts_no_truncate BEFORE TRUNCATE ON consent_texts
  FOR EACH STATEMENT EXECUTE FUNCTION consent_is_append_only();
CREATE TRIGGER consent_answers_no_update BEFORE UPDATE OR DELETE ON consent_answers
  FOR EACH ROW EXECUTE FUNCTION consent_is_append_only();
CREATE TRIGGER consent_answers_no_truncate BEFORE TRUNCATE ON consent_answers
  FOR EACH STATEMENT EXECUTE FUNCTION consent_is_append_only();
