import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Database, type DatabaseOptions, openDatabase } from "../db.ts";
import { captureLogs, testDatabase } from "../testing/index.ts";
import { envelope } from "./envelope.ts";
import { type CloudEvent, type EventBus, maxEventBytes } from "./event-bus.ts";
import { InProcessBus } from "./in-process-bus.ts";
import { createOutboxRelay, enqueueEvent, type OutboxTables, outboxBacklog, outboxDdl, outboxRetry } from "./outbox.ts";

// Runs on PGlite, and on real PostgreSQL too when DATABASE_URL is set (CI).
const targets = [
  { label: "PGlite", postgres: false },
  ...(process.env.DATABASE_URL ? [{ label: "PostgreSQL", postgres: true }] : []),
];

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The in-process bus, except that each publish waits at a gate the test opens (a broker slow to confirm). */
class GatedBus implements EventBus {
  readonly kind = "in-process" as const;
  readonly reached = deferred();
  readonly gate = deferred();
  constructor(private readonly inner: InProcessBus) {}
  async publish(event: CloudEvent): Promise<void> {
    this.reached.resolve();
    await this.gate.promise;
    await this.inner.publish(event);
  }
  subscribe: EventBus["subscribe"] = (queue, types, handler) => this.inner.subscribe(queue, types, handler);
  ping = () => this.inner.ping();
  deadLetterCount = (queue: string) => this.inner.deadLetterCount(queue);
  close = () => this.inner.close();
}

describe.each(targets)("outbox relay on $label", ({ postgres }) => {
  const target = postgres
    ? testDatabase("platform-outbox")
    : { options: { service: "outbox-test", dataDir: ":memory:" } as DatabaseOptions, drop: async () => undefined };
  let database: Database<OutboxTables>;
  const cleanups: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    database = await openDatabase<OutboxTables>(target.options);
    await database.runScript(outboxDdl);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await database.runScript("DELETE FROM outbox; DELETE FROM inbox;");
  });
  afterAll(async () => {
    await database?.close();
    await target.drop();
  });

  /** An empty outbox, a clock the test moves, a bus with one consumer. */
  async function setup() {
    /** A second handle on the same tables, as a second replica has (PGlite: the one shared handle). */
    const replica = async (): Promise<Database<OutboxTables>> => {
      if (!postgres) return database;
      const other = await openDatabase<OutboxTables>(target.options);
      cleanups.push(() => other.close());
      return other;
    };
    let t = Date.parse("2026-12-02T10:00:00Z");
    const clock = {
      now: () => new Date(t),
      advance: (ms: number) => {
        t += ms;
      },
    };
    const bus = new InProcessBus({ retryDelayMs: 1 });
    cleanups.push(() => bus.close());
    const received: CloudEvent[] = [];
    await bus.subscribe("test", ["thing.happened"], async (event) => {
      received.push(event);
    });
    const db = database.db;
    const enqueue = async (...events: CloudEvent[]) => {
      for (const event of events) await db.transaction().execute((trx) => enqueueEvent(trx, event));
    };
    const row = (event: CloudEvent) =>
      db.selectFrom("outbox").selectAll().where("event_id", "=", event.id).executeTakeFirstOrThrow();
    return { db, replica, clock, bus, received, enqueue, row };
  }
  const ids = (events: CloudEvent[]) => events.map((e) => e.id);

  it("a poison event is parked and later events flow", async () => {
    const { db, clock, bus, received, enqueue, row } = await setup();
    const logs = captureLogs();
    const relay = createOutboxRelay({ db, bus, logger: pino({ level: "info" }, logs.stream), now: clock.now });
    // Its type has a consumer, but the bus refuses the event itself: it is too large.
    const poison = envelope(
      "thing.happened",
      "test",
      { patient_name: "Ada Lovelace", note: "x".repeat(maxEventBytes) },
      "appt-A",
    );
    const other = envelope("thing.happened", "test", { n: 1 }, "appt-B");
    const later = envelope("thing.happened", "test", { n: 2 }, "appt-A");
    const loose = envelope("thing.happened", "test", { n: 3 }); // no subject: no order to keep
    await enqueue(poison, other, later, loose);

    expect(await relay.notify()).toBe(2);
    await bus.drain();
    expect(ids(received).sort()).toEqual([other.id, loose.id].sort());
    expect(await row(poison)).toMatchObject({ attempts: 1, parked_at: null, sent_at: null });

    // Backing off: not tried again before its wait (2 s after the first failure) is over.
    clock.advance(outboxRetry.firstDelayMs - 1);
    expect(await relay.notify()).toBe(0);
    expect((await row(poison)).attempts).toBe(1);
    for (let attempt = 2; attempt <= outboxRetry.maxAttempts; attempt++) {
      // The later event of the same appointment waits behind it until it is parked.
      expect(ids(received)).not.toContain(later.id);
      clock.advance(outboxRetry.maxDelayMs);
      await relay.notify();
      await bus.drain();
      expect((await row(poison)).attempts).toBe(attempt);
    }
    expect(ids(received)).toHaveLength(3);
    expect(received[2]?.id).toBe(later.id);

    const parked = await row(poison);
    expect(parked.parked_at).not.toBeNull();
    expect(parked.sent_at).toBeNull();
    expect(parked.last_error).toMatch(
      new RegExp(`^Error: event ${poison.id} is \\d+ bytes, above the limit of ${maxEventBytes}$`),
    );
    expect(await outboxBacklog(db)).toEqual({ pending: 0, parked: 1 });
    expect(await relay.pending()).toBe(0);

    // Reported once, by id, type and aggregate; never with the event's data.
    const parkedLogs = logs.lines.map((l) => JSON.parse(l)).filter((l) => /parked/.test(l.msg));
    expect(parkedLogs).toHaveLength(1);
    expect(parkedLogs[0]).toMatchObject({
      level: 40,
      eventId: poison.id,
      type: "thing.happened",
      aggregateId: "appt-A",
      attempts: outboxRetry.maxAttempts,
    });
    expect(logs.text()).not.toContain("Ada");

    // Parked means set aside: no relay tries it again, a flush neither.
    clock.advance(60 * 60_000);
    await relay.flush();
    expect((await row(poison)).attempts).toBe(outboxRetry.maxAttempts);

    // Re-queued by an operator (docs/operations.md), it is tried again.
    await db
      .updateTable("outbox")
      .set({ parked_at: null, attempts: 0, next_attempt_at: null })
      .where("event_id", "=", poison.id)
      .where("parked_at", "is not", null)
      .execute();
    expect(await relay.pending()).toBe(1);
    await relay.notify();
    expect((await row(poison)).attempts).toBe(1);
  });

  it("an event no consumer is bound for waits: no attempt counted, never parked, logged once; it goes once one subscribes", async () => {
    const { db, clock, bus, received, enqueue, row } = await setup();
    const logs = captureLogs();
    const relay = createOutboxRelay({ db, bus, logger: pino({ level: "info" }, logs.stream), now: clock.now });
    // The consuming service is not deployed yet (or the broker lost its bindings).
    const waiting = envelope("thing.unrouted", "test", { patient_name: "Ada Lovelace" }, "appt-A");
    const later = envelope("thing.happened", "test", { n: 1 }, "appt-A");
    const other = envelope("thing.happened", "test", { n: 2 }, "appt-B");
    await enqueue(waiting, later, other);

    expect(await relay.notify()).toBe(1);
    await bus.drain();
    expect(ids(received)).toEqual([other.id]);
    // Far longer than parking takes for a refused event (8 attempts, about four minutes).
    for (let i = 0; i < 2 * outboxRetry.maxAttempts; i++) {
      clock.advance(outboxRetry.maxDelayMs);
      expect(await relay.notify()).toBe(0);
    }
    await relay.flush(); // a flush tries it too, and counts nothing either
    expect(await row(waiting)).toMatchObject({
      attempts: 0,
      parked_at: null,
      sent_at: null,
      last_error: "EventUnroutableError: no subscriber for thing.unrouted",
    });
    expect((await row(waiting)).next_attempt_at).not.toBeNull();
    expect(await outboxBacklog(db)).toEqual({ pending: 2, parked: 0 });
    expect(ids(received)).toEqual([other.id]); // its appointment's later event waits behind it
    const said = logs.lines.map((l) => JSON.parse(l)).filter((l) => /no consumer is bound/.test(l.msg));
    expect(said).toEqual([expect.objectContaining({ level: 40, type: "thing.unrouted", eventId: waiting.id })]);
    expect(logs.lines.filter((l) => l.includes("outbox event parked"))).toEqual([]);
    expect(logs.text()).not.toContain("Ada");

    // Its consumer starts: at the next try it goes, then the appointment's later event, in order.
    await bus.subscribe("late", ["thing.unrouted"], async (event) => {
      received.push(event);
    });
    clock.advance(outboxRetry.maxDelayMs);
    expect(await relay.notify()).toBe(2);
    await bus.drain();
    expect(ids(received)).toEqual([other.id, waiting.id, later.id]);
    expect(await row(waiting)).toMatchObject({ attempts: 1, parked_at: null });
    expect(await outboxBacklog(db)).toEqual({ pending: 0, parked: 0 });
    expect(logs.lines.filter((l) => l.includes("a consumer is bound for this event type now"))).toHaveLength(1);
  });

  it("once one event of a waiting type goes out, the others waiting for a consumer go at once, not after their wait", async () => {
    const { db, clock, bus, received, enqueue, row } = await setup();
    const relay = createOutboxRelay({ db, bus, now: clock.now });
    const first = envelope("thing.unrouted", "test", { n: 1 }, "appt-A");
    const second = envelope("thing.unrouted", "test", { n: 2 }, "appt-B");
    await enqueue(first, second);
    expect(await relay.notify()).toBe(0);
    for (const event of [first, second]) {
      expect((await row(event)).next_attempt_at!.getTime()).toBeGreaterThan(clock.now().getTime());
    }
    await bus.subscribe("late", ["thing.unrouted"], async (event) => {
      received.push(event);
    });
    const fresh = envelope("thing.unrouted", "test", { n: 3 }, "appt-C");
    await enqueue(fresh);
    // The same instant: the fresh event is due, goes, and wakes the two waiting ones.
    expect(await relay.notify()).toBe(3);
    await bus.drain();
    expect(ids(received).sort()).toEqual(ids([first, second, fresh]).sort());
  });

  it("keeps each aggregate's order: a later event waits behind a failing one until it is sent, while other aggregates' events flow", async () => {
    const { db, clock, bus, received, enqueue } = await setup();
    const relay = createOutboxRelay({ db, bus, now: clock.now });
    const first = envelope("thing.unrouted", "test", { n: 1 }, "appt-A"); // its consumer is not there yet
    const second = envelope("thing.happened", "test", { n: 2 }, "appt-A");
    const other = envelope("thing.happened", "test", { n: 3 }, "appt-B");
    const third = envelope("thing.happened", "test", { n: 4 }, "appt-A");
    await enqueue(first, second, other, third);

    await relay.notify();
    await bus.drain();
    expect(ids(received)).toEqual([other.id]);
    clock.advance(outboxRetry.firstDelayMs);
    await relay.notify();
    await bus.drain();
    expect(ids(received)).toEqual([other.id]);

    // The consumer of the first event's type starts: the aggregate's events follow in order.
    await bus.subscribe("late", ["thing.unrouted"], async (event) => {
      received.push(event);
    });
    clock.advance(outboxRetry.maxDelayMs);
    expect(await relay.notify()).toBe(3);
    await bus.drain();
    expect(ids(received)).toEqual([other.id, first.id, second.id, third.id]);
    expect(await relay.pending()).toBe(0);
  });

  it("two relays on one table (two replicas) send every event once, each aggregate's in the order written", async () => {
    const { db, replica, clock, bus, received, enqueue } = await setup();
    const aggregates = ["appt-1", "appt-2", "appt-3", "appt-4", "appt-5"];
    const written: CloudEvent[] = [];
    for (let seq = 0; seq < 8; seq++) {
      for (const aggregate of aggregates) written.push(envelope("thing.happened", "test", { seq }, aggregate));
    }
    await enqueue(...written);
    const relays = [
      createOutboxRelay({ db, bus, batchSize: 3, now: clock.now }),
      createOutboxRelay({ db: (await replica()).db, bus, batchSize: 3, now: clock.now }),
    ];
    let sent = 0;
    for (let round = 0; round < 50 && (await relays[0]!.pending()) > 0; round++) {
      const counts = await Promise.all(relays.map((r) => r.notify()));
      sent += counts.reduce((a, b) => a + b, 0);
    }
    await bus.drain();
    expect(sent).toBe(written.length);
    expect(ids(received).sort()).toEqual(ids(written).sort());
    for (const aggregate of aggregates) {
      const seqs = received.filter((e) => e.subject === aggregate).map((e) => (e.data as { seq: number }).seq);
      expect(seqs, aggregate).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
  });

  it("holds no transaction or row lock while the broker has not confirmed", async () => {
    const { db, clock, bus, received, enqueue, row } = await setup();
    const gated = new GatedBus(bus);
    const relay = createOutboxRelay({ db, bus: gated, now: clock.now });
    const event = envelope("thing.happened", "test", {}, "appt-A");
    await enqueue(event);
    const flushing = relay.flush();
    await gated.reached.promise;
    // Another writer changes the claimed row at once (PGlite's single connection would be
    // taken by an open transaction; PostgreSQL's row lock would make this wait).
    const probe = db
      .transaction()
      .execute(async (trx) => {
        await trx.updateTable("outbox").set({ last_error: null }).where("event_id", "=", event.id).execute();
      })
      .then(() => row(event))
      .then((claimed) => ({ claimed: claimed.claimed_until !== null, sent: claimed.sent_at !== null }));
    const blocked = new Promise<"blocked">((resolve) => setTimeout(() => resolve("blocked"), 5000).unref());
    const outcome = await Promise.race([probe, blocked]);
    gated.gate.resolve();
    expect(outcome).toEqual({ claimed: true, sent: false });
    expect(await flushing).toBe(1);
    await bus.drain();
    expect(ids(received)).toEqual([event.id]);
  });

  it("lets another relay take over a claim whose lease ran out (its relay died mid-publish)", async () => {
    const { db, replica, clock, bus, received, enqueue, row } = await setup();
    const stuck = new GatedBus(bus);
    const dying = createOutboxRelay({ db, bus: stuck, now: clock.now, leaseMs: 60_000 });
    const survivor = createOutboxRelay({ db: (await replica()).db, bus, now: clock.now, leaseMs: 60_000 });
    const event = envelope("thing.happened", "test", {}, "appt-A");
    await enqueue(event);
    const hanging = dying.notify();
    await stuck.reached.promise;
    expect(await survivor.notify()).toBe(0); // claimed by the other relay
    clock.advance(60_001);
    expect(await survivor.notify()).toBe(1);
    await bus.drain();
    expect(ids(received)).toEqual([event.id]);
    const sentAt = (await row(event)).sent_at;
    expect(sentAt).not.toBeNull();
    // The first relay's publish goes through after all: at least once (consumers' inboxes
    // drop the copy); the row stays as the survivor marked it.
    stuck.gate.resolve();
    await hanging;
    await bus.drain();
    expect(ids(received)).toEqual([event.id, event.id]);
    expect((await row(event)).sent_at).toEqual(sentAt);
  });

  it("counts a bus outage against no event: nothing backs off or parks, and it goes out once the bus is back", async () => {
    const { db, clock, bus, received, enqueue, row } = await setup();
    const logs = captureLogs();
    const down = new InProcessBus();
    await down.close();
    const relay = createOutboxRelay({ db, bus: down, logger: pino({ level: "info" }, logs.stream), now: clock.now });
    const event = envelope("thing.happened", "test", {}, "appt-A");
    await enqueue(event);
    for (let i = 0; i < outboxRetry.maxAttempts + 2; i++) expect(await relay.flush()).toBe(0);
    expect(await row(event)).toMatchObject({
      attempts: 0,
      parked_at: null,
      next_attempt_at: null,
      claimed_until: null,
      last_error: null,
    });
    // Said once, not once per pass.
    expect(logs.lines.filter((l) => l.includes("event bus unavailable"))).toHaveLength(1);

    const back = createOutboxRelay({ db, bus, now: clock.now });
    expect(await back.notify()).toBe(1);
    await bus.drain();
    expect(ids(received)).toEqual([event.id]);
  });

  describe("claimed at enqueue (relay.enqueue, then sendEnqueued after the commit)", () => {
    it("is published once right after the commit and marked sent; no pass takes it meanwhile or sends it again", async () => {
      const { db, replica, clock, bus, received, row } = await setup();
      const relay = createOutboxRelay({ db, bus, now: clock.now });
      const other = createOutboxRelay({ db: (await replica()).db, bus, now: clock.now });
      const event = envelope("thing.happened", "test", { n: 1 }, "appt-A");
      const enqueued = await db.transaction().execute((trx) => relay.enqueue(trx, event));
      expect(enqueued.claimed).toBeDefined();
      // Claimed in the enqueuing transaction: another replica's pass leaves it alone.
      expect(await other.notify()).toBe(0);
      expect(await relay.sendEnqueued(enqueued)).toBe(1);
      await bus.drain();
      expect(ids(received)).toEqual([event.id]);
      expect(await row(event)).toMatchObject({ attempts: 1, claim_id: null, claimed_until: null });
      expect((await row(event)).sent_at).not.toBeNull();
      clock.advance(60 * 60_000);
      expect(await other.flush()).toBe(0);
      expect(await relay.flush()).toBe(0);
      expect(ids(received)).toEqual([event.id]);
    });

    it("crash between commit and publish: a pass sends it once the claim's lease ran out (at least once)", async () => {
      const { db, replica, clock, bus, received, row } = await setup();
      const crashed = createOutboxRelay({ db, bus, now: clock.now, leaseMs: 30_000 });
      const event = envelope("thing.happened", "test", { n: 1 }, "appt-A");
      // Committed with its claim; the process dies before sendEnqueued.
      await db.transaction().execute((trx) => crashed.enqueue(trx, event));
      const restarted = createOutboxRelay({ db: (await replica()).db, bus, now: clock.now, leaseMs: 30_000 });
      expect(await restarted.notify()).toBe(0);
      clock.advance(30_000);
      expect(await restarted.notify()).toBe(1);
      await bus.drain();
      expect(ids(received)).toEqual([event.id]);
      expect((await row(event)).sent_at).not.toBeNull();
    });

    it("a transaction that rolls back stores and sends nothing", async () => {
      const { db, bus, received } = await setup();
      const relay = createOutboxRelay({ db, bus });
      const event = envelope("thing.happened", "test", { n: 1 }, "appt-A");
      await expect(
        db.transaction().execute(async (trx) => {
          await relay.enqueue(trx, event);
          throw new Error("the change failed");
        }),
      ).rejects.toThrow("the change failed");
      expect(await relay.flush()).toBe(0);
      await bus.drain();
      expect(received).toEqual([]);
      expect(await db.selectFrom("outbox").selectAll().execute()).toEqual([]);
    });

    it("is not claimed while an earlier event of its aggregate is unsent: it follows that one, in order, in one pass", async () => {
      const { db, clock, bus, received, enqueue } = await setup();
      const relay = createOutboxRelay({ db, bus, now: clock.now });
      const first = envelope("thing.happened", "test", { n: 1 }, "appt-A");
      const second = envelope("thing.happened", "test", { n: 2 }, "appt-A");
      const elsewhere = envelope("thing.happened", "test", { n: 3 }, "appt-B");
      await enqueue(first);
      const [late, free] = await db
        .transaction()
        .execute(async (trx) => [await relay.enqueue(trx, second), await relay.enqueue(trx, elsewhere)]);
      expect(late?.claimed).toBeUndefined();
      expect(free?.claimed).toBeDefined();
      // The claimed one goes at once; the other wakes the relay, whose one pass sends both of appt-A in order.
      expect(await relay.sendEnqueued(late!, free!)).toBe(1);
      await relay.flush();
      await bus.drain();
      expect(ids(received.filter((e) => e.subject === "appt-A"))).toEqual([first.id, second.id]);
      expect(ids(received).sort()).toEqual([first.id, second.id, elsewhere.id].sort());
    });

    it("a pass whose batch was not full still sends an aggregate's next event the same pass", async () => {
      const { db, clock, bus, received, enqueue } = await setup();
      const relay = createOutboxRelay({ db, bus, now: clock.now });
      const events = [1, 2, 3].map((n) => envelope("thing.happened", "test", { n }, "appt-A"));
      await enqueue(...events);
      // One per batch (one row per aggregate at a claim): three batches, one notify.
      expect(await relay.notify()).toBe(3);
      await bus.drain();
      expect(ids(received)).toEqual(ids(events));
    });
  });
});
