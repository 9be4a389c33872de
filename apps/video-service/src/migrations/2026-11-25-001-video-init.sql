-- Video sessions, attendees, attendance intervals, audit log, outbox and inbox.

CREATE TABLE sessions (
  session_id text PRIMARY KEY,
  -- One session per appointment: concurrent starts meet here and at the row lock on it.
  appointment_id text NOT NULL UNIQUE,
  booking_type text NOT NULL DEFAULT 'CLINIC_BASED',
  clinic_id text NOT NULL,
  doctor_id text NOT NULL,
  patient_id text NOT NULL,
  patient_name text NOT NULL,
  scheduled_start timestamptz NOT NULL,
  scheduled_duration_minutes integer NOT NULL,
  status text NOT NULL CHECK (status IN ('CREATED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED')),
  start_time timestamptz,
  end_time timestamptz,
  end_reason text CHECK (end_reason IN ('ENDED_BY_DOCTOR', 'IDLE_TIMEOUT')),
  media_provider text,
  meeting_id text,
  meeting_media_urls jsonb,
  meeting_provider_data jsonb,
  notes text CHECK (char_length(notes) <= 500),
  quality_rating integer CHECK (quality_rating BETWEEN 1 AND 5),
  -- Last connect/leave/start: the idle sweeper ends IN_PROGRESS sessions quiet for too long.
  last_activity_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  CHECK (status <> 'IN_PROGRESS' OR (start_time IS NOT NULL AND meeting_id IS NOT NULL)),
  CHECK (status <> 'COMPLETED' OR (start_time IS NOT NULL AND end_time IS NOT NULL))
);
CREATE INDEX sessions_doctor ON sessions (doctor_id, created_at DESC);
CREATE INDEX sessions_clinic ON sessions (clinic_id, created_at DESC);
CREATE INDEX sessions_in_progress ON sessions (last_activity_at) WHERE status = 'IN_PROGRESS';

CREATE TABLE attendees (
  attendee_id text PRIMARY KEY,
  session_id text NOT NULL REFERENCES sessions (session_id),
  user_id text NOT NULL,
  user_type text NOT NULL CHECK (user_type IN ('DOCTOR', 'PATIENT')),
  name text NOT NULL,
  status text NOT NULL CHECK (status IN ('JOINING', 'CONNECTED', 'LEFT', 'REPLACED')),
  device_info text,
  browser_info text,
  provider_data jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX attendees_session ON attendees (session_id, created_at);
-- One live place per person in a session: joining again replaces the previous attendee.
CREATE UNIQUE INDEX attendees_one_live_per_user ON attendees (session_id, user_id)
  WHERE status IN ('JOINING', 'CONNECTED');

-- Who was connected when. Intervals never cross a month boundary: closing one
-- that does splits it, so monthly usage is a range scan on (clinic_id, joined_at).
CREATE TABLE attendance_intervals (
  id bigserial PRIMARY KEY,
  attendee_id text NOT NULL REFERENCES attendees (attendee_id),
  session_id text NOT NULL REFERENCES sessions (session_id),
  clinic_id text NOT NULL,
  joined_at timestamptz NOT NULL,
  left_at timestamptz,
  CHECK (left_at IS NULL OR left_at >= joined_at)
);
CREATE INDEX attendance_clinic_month ON attendance_intervals (clinic_id, joined_at);
CREATE INDEX attendance_session ON attendance_intervals (session_id);
CREATE INDEX attendance_open ON attendance_intervals (clinic_id) WHERE left_at IS NULL;
CREATE UNIQUE INDEX attendance_one_open_per_attendee ON attendance_intervals (attendee_id) WHERE left_at IS NULL;

-- Every read and change of session data by a person. Append-only.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id text NOT NULL,
  actor_role text NOT NULL,
  clinic_id text,
  action text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('ALLOWED', 'DENIED')),
  session_id text,
  appointment_id text,
  request_id text
);
CREATE INDEX audit_log_session ON audit_log (session_id, at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$fn$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  payload jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  attempts int NOT NULL DEFAULT 0,
  last_error text
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

CREATE TABLE inbox (
  event_id uuid NOT NULL,
  consumer text NOT NULL,
  type text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (event_id, consumer)
);
