-- The month's attendance across all clinics (the free-tier metric, read at each scrape) is a
-- range scan on joined_at instead of a scan of every interval ever recorded.
CREATE INDEX attendance_joined ON attendance_intervals (joined_at);
