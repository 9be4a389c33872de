-- appointment_early_changes (062): an early reschedule keeps the newest by the event's time
-- (CloudEvent `time`), not the last handled; and rows nothing takes (a cancellation or
-- reschedule of an appointment without video, whose booked event creates no session) are
-- purged EVENT_RETENTION_DAYS after `recorded_at` by the retention pass.
ALTER TABLE appointment_early_changes ADD COLUMN rescheduled_event_time timestamptz;
CREATE INDEX appointment_early_changes_recorded_at ON appointment_early_changes (recorded_at);
