import { describe, expect, it } from "vitest";
import { envelope } from "./envelope.ts";
import { InProcessBus } from "./in-process-bus.ts";
import { migrateOutbox, openOutboxDatabase } from "./outbox.test-support.ts";
import { createOutboxRelay, enqueueEvent } from "./outbox.ts";

describe("InProcessBus", () => {
  it("delivers a copy of each event to every subscriber of its type, after publish returns", async () => {
    const bus = new InProcessBus();
    const seen: string[] = [];
    await bus.subscribe("a", ["x.happened"], async (e) => {
      seen.push(`a:${e.id}`);
      (e.data as { n: number }).n = 99; // must not leak into b's copy
    });
    await bus.subscribe("b", ["x.happened"], async (e) => {
      seen.push(`b:${(e.data as { n: number }).n}`);
    });
    const event = envelope("x.happened", "test", { n: 1 });
    await bus.publish(event);
    expect(seen).toEqual([]);
    await bus.drain();
    expect(seen.sort()).toEqual([`a:${event.id}`, "b:1"]);
  });

  it("refuses an event nobody subscribes to, so the outbox keeps it for a consumer that starts later", async () => {
    const bus = new InProcessBus();
    await expect(bus.publish(envelope("nobody.listens", "test", {}))).rejects.toThrow(/no subscriber/);

    const database = await openOutboxDatabase();
    await migrateOutbox(database);
    const relay = createOutboxRelay({ db: database.db, bus });
    const event = envelope("late.consumer", "test", { ok: true });
    await database.db.transaction().execute((trx) => enqueueEvent(trx, event));
    await relay.flush();
    expect(await relay.pending()).toBe(1);

    const received: string[] = [];
    await bus.subscribe("late", ["late.consumer"], async (e) => {
      received.push(e.id);
    });
    await relay.flush();
    await bus.drain();
    expect(received).toEqual([event.id]);
    expect(await relay.pending()).toBe(0);
    await relay.stop();
    await database.close();
  });

  it("retries a failing handler and dead-letters the event after the last attempt", async () => {
    const bus = new InProcessBus({ maxAttempts: 3, retryDelayMs: 1 });
    let calls = 0;
    await bus.subscribe("q", ["boom"], async () => {
      calls++;
      throw new Error("handler failed");
    });
    const event = envelope("boom", "test", {});
    await bus.publish(event);
    await bus.drain();
    expect(calls).toBe(3);
    expect(bus.deadLetters).toEqual([{ queue: "q", event, error: "handler failed" }]);
  });
});
