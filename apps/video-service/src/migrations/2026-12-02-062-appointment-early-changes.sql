-- appointment.cancelled / appointment.rescheduled handled before the appointment's
-- appointment.booked (events from several queues or replicas are not ordered): kept here,
-- applied by the booked event (or a start) that creates the session, then deleted.
CREATE TABLE appointment_early_changes (
  appointment_id text PRIMARY KEY,
  clinic_id text NOT NULL,
  cancelled_at timestamptz,
  scheduled_start timestamptz,
  scheduled_duration_minutes integer,
  recorded_at timestamptz NOT NULL,
  CHECK ((scheduled_start IS NULL) = (scheduled_duration_minutes IS NULL))
);
