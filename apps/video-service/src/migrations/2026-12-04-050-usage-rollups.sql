-- Usage rollups (issue 14): attendee-milliseconds of CLOSED attendance intervals, added to in
-- the transaction that closes an interval (attendees.repository.ts closeOpenIntervals →
-- usage-rollups.repository.ts), so a month's usage reads a few rows instead of every interval.
-- Open intervals are added at read time. Days and months are local to `zone`: rollups exist for
-- every zone in usage_rollup_zones (the service registers and back-fills its CLINIC_TIME_ZONE
-- at start-up; this migration back-fills UTC, the default).

CREATE TABLE usage_rollup_zones (
  zone text PRIMARY KEY,
  added_at timestamptz NOT NULL
);

-- Per clinic, doctor and local day: the month's `daily` figures.
CREATE TABLE usage_daily_rollups (
  zone text NOT NULL,
  clinic_id text NOT NULL,
  day date NOT NULL,
  doctor_id text NOT NULL,
  attendee_ms bigint NOT NULL,
  PRIMARY KEY (zone, clinic_id, day, doctor_id)
);

-- Per clinic, doctor and local month: totals (free-tier check, webhooks, metrics) and the
-- number of sessions with usage that month.
CREATE TABLE usage_month_rollups (
  zone text NOT NULL,
  clinic_id text NOT NULL,
  month text NOT NULL,
  doctor_id text NOT NULL,
  attendee_ms bigint NOT NULL,
  sessions integer NOT NULL,
  PRIMARY KEY (zone, clinic_id, month, doctor_id)
);
CREATE INDEX usage_month_rollups_month ON usage_month_rollups (zone, month);

-- Per session and local month: the per-session list, paged in index order. `counted`: false
-- only inside the transaction that created the row, until the month row has counted it.
-- session_id COLLATE "C": the page order is byte order, the same in the service's code.
CREATE TABLE usage_session_rollups (
  zone text NOT NULL,
  month text NOT NULL,
  session_id text COLLATE "C" NOT NULL,
  clinic_id text NOT NULL,
  doctor_id text NOT NULL,
  start_time timestamptz,
  attendee_ms bigint NOT NULL,
  attendees integer NOT NULL,
  counted boolean NOT NULL DEFAULT true,
  PRIMARY KEY (zone, month, session_id)
);
CREATE INDEX usage_session_rollups_clinic
  ON usage_session_rollups (zone, clinic_id, month, start_time DESC NULLS LAST, session_id);
CREATE INDEX usage_session_rollups_doctor
  ON usage_session_rollups (zone, clinic_id, doctor_id, month, start_time DESC NULLS LAST, session_id);
CREATE INDEX usage_session_rollups_uncounted
  ON usage_session_rollups (zone, clinic_id, month, doctor_id) WHERE NOT counted;

-- The distinct people of a session-month (`attendees` counts each once, reconnects included).
CREATE TABLE usage_session_people (
  zone text NOT NULL,
  month text NOT NULL,
  session_id text NOT NULL,
  user_id text NOT NULL,
  PRIMARY KEY (zone, month, session_id, user_id)
);

-- Back-fill of UTC from the closed intervals (each cut at UTC midnights, as the service does).
INSERT INTO usage_rollup_zones (zone, added_at) VALUES ('UTC', now());

CREATE TEMP TABLE usage_backfill ON COMMIT DROP AS
SELECT i.session_id, i.clinic_id, i.user_id, s.doctor_id, s.start_time,
  d::date AS day, to_char(d, 'YYYY-MM') AS month,
  round(extract(epoch FROM
    least(i.left_at AT TIME ZONE 'UTC', d + interval '1 day') - greatest(i.joined_at AT TIME ZONE 'UTC', d)
  ) * 1000)::bigint AS ms
FROM attendance_intervals i
JOIN sessions s ON s.session_id = i.session_id
CROSS JOIN LATERAL generate_series(
  date_trunc('day', i.joined_at AT TIME ZONE 'UTC'), i.left_at AT TIME ZONE 'UTC', interval '1 day'
) AS d
WHERE i.left_at IS NOT NULL AND i.left_at > i.joined_at;
DELETE FROM usage_backfill WHERE ms <= 0;

INSERT INTO usage_session_people (zone, month, session_id, user_id)
SELECT DISTINCT 'UTC', month, session_id, user_id FROM usage_backfill;

INSERT INTO usage_session_rollups (zone, month, session_id, clinic_id, doctor_id, start_time, attendee_ms, attendees)
SELECT 'UTC', month, session_id, min(clinic_id), min(doctor_id), min(start_time), sum(ms), count(DISTINCT user_id)
FROM usage_backfill GROUP BY month, session_id;

INSERT INTO usage_month_rollups (zone, clinic_id, month, doctor_id, attendee_ms, sessions)
SELECT 'UTC', clinic_id, month, doctor_id, sum(ms), count(DISTINCT session_id)
FROM usage_backfill GROUP BY clinic_id, month, doctor_id;

INSERT INTO usage_daily_rollups (zone, clinic_id, day, doctor_id, attendee_ms)
SELECT 'UTC', clinic_id, day, doctor_id, sum(ms)
FROM usage_backfill GROUP BY clinic_id, day, doctor_id;
