import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { busTopology, databaseUrl } from "../support/bus.ts";
import { childDatabase } from "../support/child-database.ts";
import { type System, startSystem } from "../support/system.ts";
import { startVideoChild, type VideoChild } from "../support/video-child.ts";

interface Answer {
  status: number;
  requestId: string | null;
}

/**
 * Group commit of audit rows (apps/video-service/src/audit/audit-batcher.ts): a read is answered
 * only once its audit row is committed. The video service runs in its own process on PostgreSQL
 * and is killed with SIGKILL the moment the last answer arrives; every request that was answered
 * must have its row in audit_log. To make "answered before the commit" visible, the test holds
 * a lock on audit_log for a while: the first batch waits on it in PostgreSQL, the next requests'
 * rows queue behind it in the service — a service that answered before committing would have
 * answered them all by then, and the kill would take the queued rows with it.
 */
describe.skipIf(!databaseUrl)("audit group commit: SIGKILL right after the answers (PostgreSQL)", () => {
  const topology = busTopology("auditkill");
  const database = childDatabase("auditkill_video");
  let system: System;
  let child: VideoChild | undefined;

  beforeAll(async () => {
    system = await startSystem({ bus: await topology.connect(), video: false });
  });
  afterAll(async () => {
    await child?.kill("SIGKILL");
    await system?.close();
    await topology.cleanup();
    await database.drop();
  });

  it("every answered request's audit row is committed", async () => {
    child = await startVideoChild({
      ...database.env(),
      APPOINTMENTS_URL: system.urls.appointments,
      AUTH_JWKS_URL: system.urls.jwks,
      LOG_LEVEL: "warn",
    });
    const url = child.url;
    const token = await system.token("doctor");
    const list = async (): Promise<Answer> => {
      const response = await fetch(`${url}/api/video/sessions?limit=1`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await response.arrayBuffer();
      return { status: response.status, requestId: response.headers.get("x-request-id") };
    };
    // One request first: keys fetched, connections open.
    const warm = await list();
    expect(warm.status).toBe(200);

    const locker = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${database.schema}` });
    await locker.connect();
    let answers: Answer[];
    let answeredWhileLocked: boolean;
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE audit_log IN EXCLUSIVE MODE");
      const first = list();
      await sleep(300); // its batch is now waiting on the lock
      const rest = Array.from({ length: 30 }, () => list());
      const answered = Promise.all([first, ...rest]).then(async (all) => {
        await child?.kill("SIGKILL");
        return all;
      });
      answeredWhileLocked = await Promise.race([answered.then(() => true), sleep(1500).then(() => false)]);
      await locker.query("COMMIT");
      answers = await answered;
    } finally {
      await locker.end();
    }

    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const ids = [warm, ...answers].map((a) => a.requestId as string);
    const rows = await database.query<{ request_id: string }>(
      `SELECT request_id FROM audit_log WHERE action = 'session.list' AND request_id IN (${ids
        .map((id) => `'${id.replace(/'/g, "''")}'`)
        .join(", ")})`,
    );
    const stored = new Set(rows.map((r) => r.request_id));
    expect(
      ids.filter((id) => !stored.has(id)),
      "answered requests without a committed audit row",
    ).toEqual([]);
    expect(answeredWhileLocked, "requests answered while their audit rows could not be written").toBe(false);
  });
});
