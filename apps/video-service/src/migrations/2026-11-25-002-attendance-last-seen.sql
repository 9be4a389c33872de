-- When the server last heard from an attendee's connection. A process that dies cannot
-- record its attendees' leaves; the sweeper closes such intervals at their last sign of life.
ALTER TABLE attendance_intervals ADD COLUMN last_seen_at timestamptz;
UPDATE attendance_intervals SET last_seen_at = coalesce(left_at, joined_at);
ALTER TABLE attendance_intervals ALTER COLUMN last_seen_at SET NOT NULL;
CREATE INDEX attendance_open_last_seen ON attendance_intervals (last_seen_at) WHERE left_at IS NULL;
