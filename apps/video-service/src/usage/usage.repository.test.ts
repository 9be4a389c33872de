import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../testing/video-test-harness.ts";
import { intervalsForMonthQuery } from "./usage.repository.ts";
import { monthBounds } from "./usage-calculator.ts";

describe("monthly usage query", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("can be answered from the attendance indexes, without scanning the table", async () => {
    const db = h.app.video.database.db;
    const plan = await db.transaction().execute(async (trx) => {
      // Tables are tiny in tests, so the planner would rightly scan them; forbidding that
      // shows the indexes cover the query's predicates.
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const rows = await intervalsForMonthQuery(trx, "clinic-1", monthBounds("2026-01")).explain();
      return rows.map((r) => String(Object.values(r)[0])).join("\n");
    });
    expect(plan).toContain("attendance_clinic_month");
    expect(plan).toContain("attendance_open");
    expect(plan).not.toMatch(/Seq Scan on attendance_intervals/);
  });
});
