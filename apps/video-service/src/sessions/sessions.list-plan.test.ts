import { testDatabase } from "@clinic/platform/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

/**
 * GET /sessions' first page is a prepared statement PostgreSQL plans once per connection (its
 * generic plan), not anew for every request: its LIMIT is in the text (sessions.repository.ts
 * `listStatement`). With `LIMIT $n OFFSET $m` and a doctor of many sessions, the generic plan
 * looked ten times dearer than a custom one, so every execution was planned again.
 */
describe.skipIf(!process.env.DATABASE_URL)("GET /sessions' first page on PostgreSQL", () => {
  let h: Harness;
  beforeAll(async () => {
    const database = testDatabase("video-service");
    // One connection: the statements' plan counters (pg_prepared_statements) are per connection.
    h = await createHarness({ database: { ...database, options: { ...database.options, poolSize: 1 } } });
    const doctor = users.doctor;
    await sql`
      INSERT INTO sessions (session_id, appointment_id, clinic_id, doctor_id, patient_id, patient_name,
        scheduled_start, scheduled_duration_minutes, status, created_at, updated_at)
      SELECT 'plan-' || g, 'plan-appt-' || g, ${doctor.clinic_id}, ${doctor.id}, 'pat-' || g, 'Patient ' || g,
        timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute', 30, 'CREATED',
        timestamptz '2026-01-01 00:00:00+00' + g * interval '1 minute', timestamptz '2026-01-01 00:00:00+00'
      FROM generate_series(1, 3000) g
    `.execute(h.app.video.database.db);
    await sql`ANALYZE sessions`.execute(h.app.video.database.db);
  });
  afterAll(() => h?.close());

  it("reuses one plan for the first page and still answers every other page", async () => {
    const headers = await h.auth(users.doctor);
    for (let k = 0; k < 12; k++) {
      const page = await h.app.inject({ url: "/api/video/sessions?limit=20", headers });
      expect(page.statusCode, page.body).toBe(200);
      expect(page.json()).toMatchObject({ total: 3000, limit: 20, offset: 0 });
      expect(page.json().sessions[0].session_id).toBe("plan-3000");
    }
    const plans = await sql<{ generic_plans: string; custom_plans: string }>`
      SELECT generic_plans, custom_plans FROM pg_prepared_statements
      WHERE statement LIKE '%FROM sessions WHERE doctor_id = $1 AND clinic_id = $2 ORDER BY%'
    `.execute(h.app.video.database.db);
    expect(plans.rows).toHaveLength(1);
    expect(Number(plans.rows[0]?.generic_plans)).toBeGreaterThan(0);
    // A later page: the parameterised statement, the same rows as the first page's continuation.
    const second = await h.app.inject({ url: "/api/video/sessions?limit=20&offset=20", headers });
    expect(second.json().sessions[0].session_id).toBe("plan-2980");
    expect(second.json()).toMatchObject({ total: 3000, limit: 20, offset: 20 });
  });
});
