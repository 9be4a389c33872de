-- Appointments of every clinic: who sees whom, when. The video service keeps its own copy
-- of what it needs (from appointment.booked) and reads this one over HTTP.
CREATE TABLE appointments (
  id text PRIMARY KEY CHECK (id ~ '^appt-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'),
  clinic_id text NOT NULL,
  doctor_id text NOT NULL,
  doctor_name text NOT NULL,
  patient_id text NOT NULL,
  patient_name text NOT NULL,
  start_time timestamptz NOT NULL,
  duration_minutes int NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
  booking_type text NOT NULL DEFAULT 'CLINIC_BASED' CHECK (booking_type = 'CLINIC_BASED'),
  video_enabled boolean NOT NULL DEFAULT true,
  status text NOT NULL DEFAULT 'SCHEDULED'
    CHECK (status IN ('SCHEDULED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED')),
  session_id text,
  consultation_duration_minutes int CHECK (consultation_duration_minutes >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX appointments_doctor_start ON appointments (doctor_id, start_time);
CREATE INDEX appointments_patient_start ON appointments (patient_id, start_time);
CREATE INDEX appointments_clinic_start ON appointments (clinic_id, start_time);

-- Who read or changed which appointment: append-only, no names stored.
CREATE TABLE appointment_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor_id text NOT NULL,
  actor_role text NOT NULL,
  clinic_id text NOT NULL,
  action text NOT NULL,
  appointment_id text,
  request_id text
);
CREATE INDEX appointment_audit_appointment ON appointment_audit (appointment_id, at);

-- Transactional outbox and inbox (DDL from packages/platform/src/events/outbox.ts).
CREATE TABLE outbox (id bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, type text NOT NULL,
  payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz,
  attempts int NOT NULL DEFAULT 0, last_error text);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
CREATE TABLE inbox (event_id uuid NOT NULL, consumer text NOT NULL, type text NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (event_id, consumer));
