import { describe, expect, it } from "vitest";
import { envelope } from "./envelope.ts";
import { EventBusUnavailableError, EventUnroutableError, maxEventBytes } from "./event-bus.ts";
import { InProcessBus } from "./in-process-bus.ts";
import { migrateOutbox, openOutboxDatabase } from "./outbox.test-support.ts";
import { createOutboxRelay, enqueueEvent, outboxRetry } from "./outbox.ts";

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

  it("refuses an event nobody subscribes to as unroutable, so the outbox keeps it, unparked, for a consumer that starts later", async () => {
    const bus = new InProcessBus();
    const refused = bus.publish(envelope("nobody.listens", "test", {}));
    await expect(refused).rejects.toThrow(/no subscriber/);
    await expect(refused).rejects.toBeInstanceOf(EventUnroutableError);

    const database = await openOutboxDatabase();
    await migrateOutbox(database);
    let t = Date.now();
    const relay = createOutboxRelay({ db: database.db, bus, now: () => new Date(t) });
    const event = envelope("late.consumer", "test", { ok: true });
    await database.db.transaction().execute((trx) => enqueueEvent(trx, event));
    // Tried well past the point where a refused event is parked: it still waits.
    for (let i = 0; i < 2 * outboxRetry.maxAttempts; i++) {
      t += outboxRetry.maxDelayMs;
      await relay.flush();
    }
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

  it("refuses an event larger than maxEventBytes as the event's own fault (neither unroutable nor unavailable)", async () => {
    const bus = new InProcessBus();
    const delivered: string[] = [];
    await bus.subscribe("q", ["big.thing"], async (e) => {
      delivered.push(e.id);
    });
    const big = envelope("big.thing", "test", { note: "x".repeat(maxEventBytes) });
    const refused = bus.publish(big);
    await expect(refused).rejects.toThrow(`event ${big.id} is`);
    await expect(refused).rejects.not.toBeInstanceOf(EventUnroutableError);
    await expect(refused).rejects.not.toBeInstanceOf(EventBusUnavailableError);
    const fits = envelope("big.thing", "test", { note: "x".repeat(maxEventBytes - 1000) });
    await bus.publish(fits);
    await bus.drain();
    expect(delivered).toEqual([fits.id]);
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
