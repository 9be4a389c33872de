import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../testing/video-test-harness.ts";
import type { AuditEntry } from "./audit.repository.ts";
import { createAuditBatcher } from "./audit-batcher.ts";

const entry = (requestId: string, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  actor_id: "doc-1",
  actor_role: "DOCTOR",
  clinic_id: "clinic-1",
  action: "session.list",
  outcome: "ALLOWED",
  session_id: null,
  appointment_id: null,
  request_id: requestId,
  ...overrides,
});

describe("audit group commit (audit-batcher.ts)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  /** The transaction ids (xmin) of the rows with these request ids: one per commit that wrote them. */
  const commitsOf = async (prefix: string) => {
    const rows = await sql<{ request_id: string; tx: string }>`
      SELECT request_id, xmin::text AS tx FROM audit_log WHERE request_id LIKE ${`${prefix}%`}
    `.execute(h.app.video.database.db);
    return { ids: rows.rows.map((r) => r.request_id).sort(), commits: new Set(rows.rows.map((r) => r.tx)).size };
  };

  it("writes the rows of concurrent callers in one statement, each caller settling after it", async () => {
    const batcher = createAuditBatcher(h.app.video.database.db);
    const ids = Array.from({ length: 25 }, (_, i) => `batch-a-${String(i).padStart(2, "0")}`);
    const settled: string[] = [];
    await Promise.all(ids.map((id) => batcher.append(entry(id)).then(() => settled.push(id))));
    expect(settled).toHaveLength(25);
    const { ids: stored, commits } = await commitsOf("batch-a-");
    expect(stored).toEqual(ids);
    expect(commits).toBe(1);
  });

  it("splits at its row limit, and rows arriving during a write form the next batch", async () => {
    const batcher = createAuditBatcher(h.app.video.database.db, 10);
    const first = Array.from({ length: 25 }, (_, i) => batcher.append(entry(`batch-b-${i}`)));
    await Promise.resolve();
    const later = batcher.append(entry("batch-b-late"));
    await Promise.all([...first, later]);
    const { ids, commits } = await commitsOf("batch-b-");
    expect(ids).toHaveLength(26);
    expect(commits).toBeGreaterThanOrEqual(3);
  });

  it("fails every caller of a batch that could not be written, and none of its rows is stored", async () => {
    const batcher = createAuditBatcher(h.app.video.database.db);
    const good = batcher.append(entry("batch-c-good"));
    // The table's CHECK refuses this row, so the whole statement fails.
    const bad = batcher.append(entry("batch-c-bad", { outcome: "MAYBE" as AuditEntry["outcome"] }));
    await expect(good).rejects.toThrow();
    await expect(bad).rejects.toThrow();
    expect((await commitsOf("batch-c-")).ids).toEqual([]);
    // The next batch is written as usual.
    await batcher.append(entry("batch-c-after"));
    expect((await commitsOf("batch-c-")).ids).toEqual(["batch-c-after"]);
  });
});
