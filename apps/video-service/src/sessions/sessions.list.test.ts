import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { isoOfUtcText } from "./sessions.repository.ts";

describe("isoOfUtcText (the list's times)", () => {
  it("turns PostgreSQL's UTC text into the API's ISO string, milliseconds truncated like Date", () => {
    expect(isoOfUtcText("2026-12-03 07:37:17.123456")).toBe("2026-12-03T07:37:17.123Z");
    expect(isoOfUtcText("2026-12-03 07:37:17.999999")).toBe("2026-12-03T07:37:17.999Z");
    expect(isoOfUtcText("2026-12-03 07:37:17.12")).toBe("2026-12-03T07:37:17.120Z");
    expect(isoOfUtcText("2026-12-03 07:37:17.5")).toBe("2026-12-03T07:37:17.500Z");
    expect(isoOfUtcText("2026-12-03 07:37:17")).toBe("2026-12-03T07:37:17.000Z");
    expect(isoOfUtcText("2026-12-03 07:37:17.000123")).toBe("2026-12-03T07:37:17.000Z");
  });
});

/** GET /sessions: page and total in one statement, times straight from the database as ISO strings. */
describe("GET /sessions", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  const list = async (query: string) => {
    const response = await h.app.inject({ url: `/api/video/sessions?${query}`, headers: await h.auth(users.doctor) });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { total: number; sessions: Record<string, unknown>[] };
  };

  it("answers each time as the exact UTC ISO string with milliseconds, whatever the stored offset or precision", async () => {
    const { body } = await h.startedSession();
    await sql`
      UPDATE sessions SET
        created_at = '2026-03-04 05:06:07.891234+00',
        updated_at = '2026-03-04 07:06:07+02',
        scheduled_start = '2026-03-04 04:59:59.5-01:30',
        start_time = '2026-03-04 06:00:00.000999+00',
        end_time = '2026-12-31 23:59:59.999999+00'
      WHERE session_id = ${body.session_id}
    `.execute(h.app.video.database.db);
    const page = await list("limit=100");
    expect(page.sessions.find((s) => s.session_id === body.session_id)).toMatchObject({
      created_at: "2026-03-04T05:06:07.891Z",
      updated_at: "2026-03-04T05:06:07.000Z",
      scheduled_start_time: "2026-03-04T06:29:59.500Z",
      start_time: "2026-03-04T06:00:00.000Z",
      end_time: "2026-12-31T23:59:59.999Z",
    });
    // The same instants as the session's own page (the driver's Date → toISOString()).
    const details = await h.app.inject({
      url: `/api/video/sessions/${body.session_id}`,
      headers: await h.auth(users.doctor),
    });
    expect(details.json()).toMatchObject({
      start_time: "2026-03-04T06:00:00.000Z",
      end_time: "2026-12-31T23:59:59.999Z",
      created_at: "2026-03-04T05:06:07.891Z",
    });
  });

  it("gives the total with every page, a page past the end included", async () => {
    await h.startedSession();
    const count = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM sessions WHERE doctor_id = ${users.doctor.id} AND clinic_id = 'clinic-1'
    `.execute(h.app.video.database.db);
    const n = Number(count.rows[0]?.n);
    expect(n).toBeGreaterThanOrEqual(2);
    const first = await list("limit=1");
    expect(first).toMatchObject({ total: n });
    expect(first.sessions).toHaveLength(1);
    const last = await list(`limit=1&offset=${n - 1}`);
    expect(last).toMatchObject({ total: n });
    expect(last.sessions).toHaveLength(1);
    const past = await list(`limit=5&offset=${n + 10}&sort=start_time`);
    expect(past).toMatchObject({ total: n, sessions: [] });
    const none = await list("status=CANCELLED");
    expect(none).toMatchObject({ total: 0, sessions: [] });
  });
});
