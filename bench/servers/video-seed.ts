import { addClosedToRollups, type VideoDb } from "@clinic/video-service/testing";
import { sql } from "kysely";

/**
 * Bench data written straight into the video service's tables (columns as in its
 * migrations), with generate_series so 100,000 rows take seconds, not minutes.
 * Every row is a plausible completed consultation; ids have the contract's formats.
 */

/** `count` COMPLETED sessions of one doctor, one every 37 minutes back from now. */
export async function seedSessions(db: VideoDb, o: { count: number; clinicId: string; doctorId: string }) {
  await sql`
    INSERT INTO sessions (session_id, appointment_id, clinic_id, doctor_id, patient_id, patient_name,
      scheduled_start, scheduled_duration_minutes, status, start_time, end_time, end_reason,
      media_provider, meeting_id, created_at, updated_at)
    SELECT 'sess-' || gen_random_uuid(), 'appt-' || gen_random_uuid(), ${o.clinicId}, ${o.doctorId},
      'bench-patient-' || (g % 997), 'Bench Patient ' || (g % 997),
      ts, 30, 'COMPLETED', ts, ts + interval '20 minutes', 'ENDED_BY_DOCTOR',
      'embedded', 'meeting-' || g, ts - interval '1 day', ts + interval '20 minutes'
    FROM (SELECT g, now() - g * interval '37 minutes' AS ts FROM generate_series(1, ${o.count}::int) AS g) AS s
  `.execute(db);
}

/**
 * `intervals` attendance intervals in `month` for `clinicId`: sessions of two attendees
 * (doctor, patient), one interval each, 15 minutes long, spread over the month's first 27 days,
 * added to the usage rollups as a close would.
 * `tag` keeps the ids of repeated calls apart.
 */
export async function seedUsage(db: VideoDb, o: { intervals: number; clinicId: string; month: string; tag: string }) {
  const sessions = Math.ceil(o.intervals / 2);
  const monthStart = new Date(`${o.month}-01T00:00:00Z`);
  await db.transaction().execute(async (trx) => {
    await sql`
      CREATE TEMP TABLE bench_usage ON COMMIT DROP AS
      SELECT g, 'sess-' || gen_random_uuid() AS session_id,
        ${monthStart}::timestamptz + ((g * 7919) % (27 * 24 * 60)) * interval '1 minute' AS ts
      FROM generate_series(1, ${sessions}::int) AS g
    `.execute(trx);
    await sql`
      INSERT INTO sessions (session_id, appointment_id, clinic_id, doctor_id, patient_id, patient_name,
        scheduled_start, scheduled_duration_minutes, status, start_time, end_time, end_reason,
        media_provider, meeting_id, created_at, updated_at)
      SELECT session_id, 'appt-' || gen_random_uuid(), ${o.clinicId}, 'bench-doctor-' || (g % 40),
        'bench-patient-' || g, 'Bench Patient ' || g, ts, 30, 'COMPLETED', ts, ts + interval '15 minutes',
        'ENDED_BY_DOCTOR', 'embedded', 'meeting-' || session_id, ts - interval '1 day', ts + interval '15 minutes'
      FROM bench_usage
    `.execute(trx);
    // Each session has a doctor and a patient; the last one lacks its patient when `intervals` is odd.
    await sql`
      CREATE TEMP TABLE bench_people ON COMMIT DROP AS
      SELECT ${o.tag} || '-' || g || '-' || who AS attendee_id, session_id, ts, who,
        CASE who WHEN 'd' THEN 'bench-doctor-' || (g % 40) ELSE 'bench-patient-' || g END AS user_id
      FROM bench_usage CROSS JOIN (VALUES ('d'), ('p')) AS w(who)
      WHERE g * 2 - (CASE who WHEN 'd' THEN 1 ELSE 0 END) <= ${o.intervals}::int
    `.execute(trx);
    await sql`
      INSERT INTO attendees (attendee_id, session_id, user_id, user_type, name, status, created_at, updated_at)
      SELECT attendee_id, session_id, user_id, CASE who WHEN 'd' THEN 'DOCTOR' ELSE 'PATIENT' END,
        CASE who WHEN 'd' THEN 'Dr Bench' ELSE 'Bench Patient' END, 'LEFT', ts, ts + interval '15 minutes'
      FROM bench_people
    `.execute(trx);
    await sql`
      INSERT INTO attendance_intervals (attendee_id, session_id, clinic_id, user_id, joined_at, left_at, last_seen_at)
      SELECT attendee_id, session_id, ${o.clinicId}, user_id, ts, ts + interval '15 minutes', ts + interval '15 minutes'
      FROM bench_people
    `.execute(trx);
    // The rollups, by the product's own update (what closing these intervals would have added).
    const closed = await sql<{
      session_id: string;
      clinic_id: string;
      user_id: string;
      joined_at: Date;
      left_at: Date;
    }>`
      SELECT i.session_id, i.clinic_id, i.user_id, i.joined_at, i.left_at
      FROM attendance_intervals i JOIN bench_people p USING (attendee_id) ORDER BY i.id
    `.execute(trx);
    for (let i = 0; i < closed.rows.length; i += 5000) {
      await addClosedToRollups(
        trx,
        closed.rows
          .slice(i, i + 5000)
          .map((r) => ({ ...r, joined_at: new Date(r.joined_at), left_at: new Date(r.left_at) })),
      );
    }
  });
}

export async function analyze(db: VideoDb) {
  await sql`ANALYZE`.execute(db);
}
