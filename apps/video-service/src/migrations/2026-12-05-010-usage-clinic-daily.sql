-- Per clinic and local day, all doctors together (issue 14): the clinic's `daily` figures read at
-- most 31 rows whatever the number of doctors, instead of summing one row per doctor and day.
-- Added to in the same statement as usage_daily_rollups (usage-rollups.repository.ts writeDays),
-- so it always equals the sum of that table's rows; back-filled from them here.
CREATE TABLE usage_clinic_daily_rollups (
  zone text NOT NULL,
  clinic_id text NOT NULL,
  day date NOT NULL,
  attendee_ms bigint NOT NULL,
  PRIMARY KEY (zone, clinic_id, day)
);

INSERT INTO usage_clinic_daily_rollups (zone, clinic_id, day, attendee_ms)
SELECT zone, clinic_id, day, sum(attendee_ms) FROM usage_daily_rollups GROUP BY zone, clinic_id, day;
