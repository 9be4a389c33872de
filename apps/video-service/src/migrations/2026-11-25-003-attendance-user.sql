-- Who an interval belongs to, kept on the interval itself: the monthly usage query then
-- reads the (clinic_id, joined_at) index range alone instead of joining every attendee of
-- every clinic (found by the usage benchmark at 100k intervals).
ALTER TABLE attendance_intervals ADD COLUMN user_id text;
UPDATE attendance_intervals i SET user_id = a.user_id FROM attendees a WHERE a.attendee_id = i.attendee_id;
ALTER TABLE attendance_intervals ALTER COLUMN user_id SET NOT NULL;
