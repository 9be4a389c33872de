import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

/**
 * GET /sessions runs its access row's commit and its page's read side by side (Finding 42): the
 * read may start before the row is committed, the answer never leaves before it.
 */
describe("GET /sessions' access row", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h?.close());

  const rowsOf = async (requestId: string) =>
    (
      await sql<{ outcome: string; action: string }>`
        SELECT outcome, action FROM audit_log WHERE request_id = ${requestId}
      `.execute(h.app.video.database.db)
    ).rows;

  it("answers a doctor with its row committed, and refuses a patient with a DENIED row", async () => {
    const ok = await h.app.inject({ url: "/api/video/sessions?limit=5", headers: await h.auth(users.doctor) });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(await rowsOf(String(ok.headers["x-request-id"]))).toEqual([{ outcome: "ALLOWED", action: "session.list" }]);
    const refused = await h.app.inject({ url: "/api/video/sessions?limit=5", headers: await h.auth(users.patient) });
    expect(refused.statusCode, refused.body).toBe(403);
    expect(await rowsOf(String(refused.headers["x-request-id"]))).toEqual([
      { outcome: "DENIED", action: "session.list" },
    ]);
  });
});

describe.skipIf(!process.env.DATABASE_URL)("GET /sessions' access row and read on PostgreSQL", () => {
  let h: Harness;
  const lockers: pg.Client[] = [];
  beforeAll(async () => {
    h = await createHarness();
    await h.startedSession();
  });
  afterAll(async () => {
    for (const l of lockers) await l.end();
    await h?.close();
  });

  const locker = async () => {
    const l = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await l.connect();
    lockers.push(l);
    await l.query(
      `SET search_path TO ${h.database.options.schema ? pg.escapeIdentifier(h.database.options.schema) : "public"}`,
    );
    return l;
  };
  /** The service's statements naming `table` that wait behind `l`'s locks. */
  const blockedBy = async (l: pg.Client, table: string) =>
    (
      await l.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid)) AND strpos(query, $2) > 0",
        [(l as unknown as { processID: number }).processID, table],
      )
    ).rows.length;

  it("reads the page while the row commits, and answers only after the row is committed", async () => {
    const warm = await h.app.inject({ url: "/api/video/sessions?limit=5", headers: await h.auth(users.doctor) });
    expect(warm.statusCode, warm.body).toBe(200);
    const audit = await locker();
    const counts = await locker();
    await audit.query("BEGIN");
    await audit.query("LOCK TABLE audit_log IN EXCLUSIVE MODE"); // inserts wait, reads do not
    await counts.query("BEGIN");
    await counts.query("LOCK TABLE session_counts IN ACCESS EXCLUSIVE MODE"); // the page's read (its total) waits
    const answer = h.app.inject({ url: "/api/video/sessions?limit=5", headers: await h.auth(users.doctor) });
    let answered = false;
    void answer.finally(() => {
      answered = true;
    });
    // Both wait at once: the read did not wait for the row's commit (one after the other, only
    // the insert would ever wait here).
    let both = false;
    for (let i = 0; i < 500 && !both; i++) {
      both = (await blockedBy(audit, "audit_log")) > 0 && (await blockedBy(counts, "session_counts")) > 0;
      if (!both) await new Promise((r) => setTimeout(r, 10));
    }
    expect(both).toBe(true);
    // The read ends; the row is still not committed, so nothing is answered.
    await counts.query("ROLLBACK");
    await h.app.video.database.db.selectFrom("sessions").select("session_id").limit(1).execute();
    await new Promise((r) => setImmediate(r));
    expect(await blockedBy(audit, "audit_log")).toBe(1);
    expect(answered).toBe(false);
    await audit.query("ROLLBACK");
    const response = await answer;
    expect(response.statusCode, response.body).toBe(200);
    expect(response.body).toBe(warm.body);
    const rows = await sql<{ outcome: string }>`
      SELECT outcome FROM audit_log WHERE request_id = ${String(response.headers["x-request-id"])}
    `.execute(h.app.video.database.db);
    expect(rows.rows).toEqual([{ outcome: "ALLOWED" }]);
  });
});
