import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectSignal, type SignalClient, signalUrl } from "../testing/signal-client.ts";
import { createHarness, type Harness } from "../testing/video-test-harness.ts";
import { ProofOfLife } from "./proof-of-life.ts";

describe("proof of life, batched", () => {
  let h: Harness;
  let base: string;
  const open: SignalClient[] = [];
  beforeAll(async () => {
    h = await createHarness();
    base = await h.listen();
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await h.close();
  });

  it("writes the proofs heard together in one statement, stamped with the earliest, open intervals only", async () => {
    const meetings = [await h.meeting(), await h.meeting()];
    for (const m of meetings) {
      for (const token of [m.doctor.join_token, m.patient.join_token]) {
        const client = connectSignal(signalUrl(base, m.sessionId, token));
        open.push(client);
        await client.next("welcome");
      }
    }
    const db = h.app.video.database.db;
    // The real database, with its UPDATE statements counted.
    let updates = 0;
    const counted = new Proxy(db, {
      get(target, key, receiver) {
        if (key === "updateTable") updates++;
        const value = Reflect.get(target, key, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const pending = new Set<Promise<unknown>>();
    const track = <T>(p: Promise<T>): Promise<T> => {
      pending.add(p);
      return p;
    };
    const proofs = new ProofOfLife(counted, h.app.log, track);
    const ids = meetings.flatMap((m) => [m.doctor.attendee_id, m.patient.attendee_id]);
    const first = new Date("2031-01-01T10:00:00.000Z");
    for (const [i, id] of ids.entries()) proofs.heard(id, new Date(first.getTime() + 1000 * (ids.length - i)));
    proofs.heard(ids[1] as string, first);
    for (let i = 0; i < 100 && pending.size === 0; i++) await new Promise((r) => setTimeout(r, 50));
    await Promise.all(pending);
    expect(updates).toBe(1);
    const rows = await db
      .selectFrom("attendance_intervals")
      .select(["attendee_id", "last_seen_at"])
      .where("attendee_id", "in", ids)
      .where("left_at", "is", null)
      .execute();
    expect(rows.map((r) => new Date(r.last_seen_at).toISOString())).toEqual(ids.map(() => first.toISOString()));
    proofs.close();
  });

  it("writes nothing queued once closed", async () => {
    const db = h.app.video.database.db;
    let updates = 0;
    const counted = new Proxy(db, {
      get(target, key, receiver) {
        if (key === "updateTable") updates++;
        const value = Reflect.get(target, key, receiver);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const proofs = new ProofOfLife(counted, h.app.log, (p) => p);
    proofs.heard("att-none", new Date());
    proofs.close();
    await new Promise((r) => setTimeout(r, 400));
    expect(updates).toBe(0);
  });
});
