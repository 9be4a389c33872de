import { randomBytes } from "node:crypto";
import amqp, { type Channel, type ChannelModel } from "amqplib";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type Database, openDatabase } from "../db.ts";
import { testDatabase } from "../testing/index.ts";
import { createEventBus } from "./create-event-bus.ts";
import { envelope } from "./envelope.ts";
import { type CloudEvent, EventBusUnavailableError, EventUnroutableError, maxEventBytes } from "./event-bus.ts";
import { createOutboxRelay, enqueueEvent, type OutboxTables, outboxBacklog, outboxDdl, outboxRetry } from "./outbox.ts";
import { ATTEMPT_HEADER, RabbitMqBus, type RabbitMqBusOptions } from "./rabbitmq-bus.ts";

const url = process.env.AMQP_URL;
/** `vi.waitFor` bounded in time, so a broken bus fails the test, not hangs it. */
const bounded = { timeout: 15_000, interval: 50 };

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

// CI sets AMQP_URL, so these run there against the real broker; locally without a broker they
// cannot run (the in-process bus has its own tests).
describe.skipIf(!url)(`RabbitMQ bus on a real broker${url ? "" : " (skipped: AMQP_URL is not set)"}`, () => {
  const run = randomBytes(4).toString("hex");
  const exchange = `test.events.${run}`;
  const queues: string[] = [];
  const buses: RabbitMqBus[] = [];
  let admin: ChannelModel;
  let raw: Channel;

  const queueName = (label: string) => {
    const name = `test-${run}-${label}`;
    queues.push(name, `${name}.dlq`);
    return name;
  };
  const connect = async (extra: Partial<RabbitMqBusOptions> = {}) => {
    const bus = await RabbitMqBus.connect({
      url: url!,
      exchange,
      retryDelayMs: 20,
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000 },
      ...extra,
    });
    buses.push(bus);
    return bus;
  };

  beforeAll(async () => {
    admin = await amqp.connect(url!);
    raw = await admin.createChannel();
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });
  afterAll(async () => {
    for (const q of queues) await raw.deleteQueue(q);
    await raw.deleteExchange(exchange);
    await raw.deleteExchange(`${exchange}.dlx`);
    await admin.close();
  });

  it("publishes persistent CloudEvents with a confirm and delivers them to each bound queue", async () => {
    const bus = await connect();
    const queue = queueName("basic");
    const seen: CloudEvent[] = [];
    await bus.subscribe(queue, ["thing.happened"], async (e) => {
      seen.push(e);
    });
    // A second service's queue, read raw to check the message properties on the wire.
    const inspect = queueName("inspect");
    await raw.assertQueue(inspect, { durable: true });
    await raw.bindQueue(inspect, exchange, "thing.happened");

    const event = envelope("thing.happened", "test", { n: 1 });
    await bus.publish(event);
    await bus.publish(envelope("other.type", "test", { n: 2 })).catch(() => undefined);

    await vi.waitFor(() => expect(seen.map((e) => e.id)).toEqual([event.id]), bounded);
    expect(seen[0]).toEqual(event);
    const msg = await raw.get(inspect, { noAck: true });
    if (!msg) throw new Error("the inspect queue received nothing");
    expect(msg.properties).toMatchObject({
      deliveryMode: 2,
      messageId: event.id,
      type: "thing.happened",
      contentType: "application/cloudevents+json",
    });
    await expect(bus.ping()).resolves.toBeUndefined();
  });

  it("rejects a publish no queue is bound for as unroutable, so the outbox keeps the event for a consumer to come", async () => {
    const bus = await connect();
    const refused = bus.publish(envelope("nobody.listens", "test", {}));
    await expect(refused).rejects.toThrow(/no queue is bound/);
    // Not the event's fault (never parked) and not the bus being unavailable (other types flow).
    await expect(refused).rejects.toBeInstanceOf(EventUnroutableError);
    await expect(refused).rejects.not.toBeInstanceOf(EventBusUnavailableError);
  });

  it("refuses an event too large, or whose type is no routing key, as the event's own fault, and stays connected", async () => {
    const bus = await connect();
    const queue = queueName("own-fault");
    const seen: string[] = [];
    await bus.subscribe(queue, ["thing.big"], async (e) => {
      seen.push(e.id);
    });
    for (const event of [
      envelope("thing.big", "test", { note: "x".repeat(maxEventBytes) }),
      envelope("t".repeat(256), "test", {}), // amqplib throws on it, which read as "channel closed" before
    ]) {
      const refused = bus.publish(event);
      await expect(refused).rejects.toThrow(`event ${event.id}`);
      await expect(refused).rejects.not.toBeInstanceOf(EventBusUnavailableError);
      await expect(refused).rejects.not.toBeInstanceOf(EventUnroutableError);
    }
    expect(bus.connected).toBe(true);
    const fits = envelope("thing.big", "test", { note: "x".repeat(1000) });
    await bus.publish(fits);
    await vi.waitFor(() => expect(seen).toEqual([fits.id]), bounded);
  });

  it("retries a failing handler and dead-letters the message after maxAttempts", async () => {
    const bus = await connect({ maxAttempts: 3 });
    const queue = queueName("poison");
    let calls = 0;
    await bus.subscribe(queue, ["thing.poison"], async () => {
      calls++;
      throw new Error("handler keeps failing");
    });
    const event = envelope("thing.poison", "test", {});
    await bus.publish(event);

    let dead: amqp.GetMessage | false = false;
    await vi.waitFor(async () => {
      dead = await raw.get(`${queue}.dlq`, { noAck: true });
      expect(dead).not.toBe(false);
    }, bounded);
    const message = dead as unknown as amqp.GetMessage;
    expect(calls).toBe(3);
    expect(JSON.parse(message.content.toString())).toEqual(event);
    expect(message.properties.headers?.[ATTEMPT_HEADER]).toBe(3);
    expect(message.properties.headers?.["x-death"]).toBeDefined();
    expect((await raw.checkQueue(queue)).messageCount).toBe(0);
  });

  it("delivers once a handler recovers, and dead-letters unreadable messages without calling it", async () => {
    const bus = await connect({ maxAttempts: 5 });
    const queue = queueName("flaky");
    const calls: string[] = [];
    await bus.subscribe(queue, ["thing.flaky"], async (e) => {
      calls.push(e.id);
      if (calls.length < 3) throw new Error("transient");
    });
    const event = envelope("thing.flaky", "test", {});
    await bus.publish(event);
    raw.publish(exchange, "thing.flaky", Buffer.from("{not json"), { persistent: true });

    await vi.waitFor(async () => {
      expect(calls).toEqual([event.id, event.id, event.id]);
      expect((await raw.checkQueue(`${queue}.dlq`)).messageCount).toBe(1);
    }, bounded);
    const dead = await raw.get(`${queue}.dlq`, { noAck: true });
    expect(dead === false ? null : dead.content.toString()).toBe("{not json");
  });

  it("acks only after the handler resolves: a delivery in flight when the connection drops comes again", async () => {
    const bus = await connect();
    const queue = queueName("ack");
    const gate = deferred();
    const deliveries: string[] = [];
    await bus.subscribe(queue, ["thing.ack"], async (e) => {
      deliveries.push(e.id);
      if (deliveries.length === 1) await gate.promise;
    });
    const event = envelope("thing.ack", "test", {});
    await bus.publish(event);
    await vi.waitFor(() => expect(deliveries).toHaveLength(1), bounded);

    bus.severConnectionForTests();
    gate.resolve(); // the handler "commits" after the link died: its ack cannot reach the broker
    await vi.waitFor(() => expect(deliveries).toEqual([event.id, event.id]), bounded);
    await vi.waitFor(async () => expect((await raw.checkQueue(queue)).messageCount).toBe(0), bounded);
  });

  it("declares its queue again and resumes consuming when the broker cancels the consumer", async () => {
    const bus = await connect();
    const queue = queueName("cancelled");
    const seen: string[] = [];
    await bus.subscribe(queue, ["thing.cancelled"], async (e) => {
      seen.push(e.id);
    });
    await raw.deleteQueue(queue); // an operator's mistake; the broker cancels our consumer
    const event = envelope("thing.cancelled", "test", {});
    await vi.waitFor(async () => {
      await bus.publish(event); // rejected (unroutable, or disconnected) until the queue is back
    }, bounded);
    await vi.waitFor(() => expect(seen).toEqual([event.id]), bounded);
  });

  it("closes gracefully: waits for the handler in flight and acks it before closing", async () => {
    const bus = await connect();
    const queue = queueName("close");
    const gate = deferred();
    let finished = false;
    await bus.subscribe(queue, ["thing.close"], async () => {
      await gate.promise;
      finished = true;
    });
    await bus.publish(envelope("thing.close", "test", {}));
    await vi.waitFor(async () => expect((await raw.checkQueue(queue)).messageCount).toBe(0), bounded);
    const closing = bus.close();
    setTimeout(gate.resolve, 100);
    await closing;
    expect(finished).toBe(true);
    await expect(bus.ping()).rejects.toThrow();
    expect((await raw.checkQueue(queue)).messageCount).toBe(0);
  });

  describe("the outbox relay on the broker (fake clock)", () => {
    let database: Database<OutboxTables>;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const target = testDatabase("platform-bus-relay");
      drop = target.drop;
      database = await openDatabase<OutboxTables>(target.options);
      await database.runScript(outboxDdl);
    });
    afterAll(async () => {
      await database.close();
      await drop();
    });

    it("parks a poison event (too large) and later events flow; an event no queue is bound for waits, unparked, until its queue is", async () => {
      const bus = await connect();
      const queue = queueName("relay");
      const received: string[] = [];
      await bus.subscribe(queue, ["thing.relayed"], async (e) => {
        received.push(e.id);
      });
      let t = Date.now();
      const relay = createOutboxRelay({ db: database.db, bus, now: () => new Date(t) });
      const poison = envelope("thing.relayed", "test", { note: "x".repeat(maxEventBytes) }, "appt-A");
      const afterPoison = envelope("thing.relayed", "test", { n: 1 }, "appt-A");
      const waiting = envelope("thing.unbound", "test", { n: 2 }, "appt-B");
      const afterWaiting = envelope("thing.relayed", "test", { n: 3 }, "appt-B");
      for (const event of [poison, afterPoison, waiting, afterWaiting]) {
        await database.db.transaction().execute((trx) => enqueueEvent(trx, event));
      }
      const row = (event: CloudEvent) =>
        database.db.selectFrom("outbox").selectAll().where("event_id", "=", event.id).executeTakeFirstOrThrow();

      for (let i = 0; i < 2 * outboxRetry.maxAttempts; i++) {
        await relay.notify();
        t += outboxRetry.maxDelayMs;
      }
      expect(await row(poison)).toMatchObject({ attempts: outboxRetry.maxAttempts, sent_at: null });
      expect((await row(poison)).parked_at).not.toBeNull();
      expect(await row(waiting)).toMatchObject({
        attempts: 0,
        parked_at: null,
        sent_at: null,
        last_error: "EventUnroutableError: no queue is bound for routing key thing.unbound",
      });
      await vi.waitFor(() => expect(received).toEqual([afterPoison.id]), bounded);
      expect(await outboxBacklog(database.db)).toEqual({ pending: 2, parked: 1 });

      // The consuming service starts and binds its queue: the waiting event goes, then the one behind it.
      const late = queueName("late");
      await bus.subscribe(late, ["thing.unbound"], async (e) => {
        received.push(e.id);
      });
      t += outboxRetry.maxDelayMs;
      expect(await relay.notify()).toBe(2);
      await vi.waitFor(() => expect(received).toHaveLength(3), bounded);
      expect(new Set(received)).toEqual(new Set([afterPoison.id, waiting.id, afterWaiting.id]));
      expect(await outboxBacklog(database.db)).toEqual({ pending: 0, parked: 1 });
    });
  });

  describe("when the broker connection is severed", () => {
    let database: Database<OutboxTables>;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const target = testDatabase("platform-bus");
      drop = target.drop;
      database = await openDatabase<OutboxTables>(target.options);
      await database.runScript(outboxDdl);
    });
    afterAll(async () => {
      await database.close();
      await drop();
    });

    it("reconnects, resumes subscriptions, and loses no outbox event published during the outage", async () => {
      // A first reconnect delay long enough to observe the outage from the test.
      const bus = await connect({ reconnect: { initialDelayMs: 1500, maxDelayMs: 3000 } });
      const queue = queueName("outage");
      const received = new Set<string>();
      await bus.subscribe(queue, ["thing.outage"], async (e) => {
        received.add(e.id);
      });
      const relay = createOutboxRelay({ db: database.db, bus, intervalMs: 50 });
      relay.start();
      const ids: string[] = [];
      const enqueue = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const event = envelope("thing.outage", "test", { i: ids.length });
          ids.push(event.id);
          await database.db.transaction().execute((trx) => enqueueEvent(trx, event));
          relay.notify();
        }
      };
      try {
        await enqueue(10);
        bus.severConnectionForTests();
        await vi.waitFor(() => expect(bus.connected).toBe(false), { timeout: 1000, interval: 50 });
        await expect(bus.ping()).rejects.toThrow(/not connected/);
        await expect(bus.publish(envelope("thing.outage", "test", {}))).rejects.toThrow(EventBusUnavailableError);
        await enqueue(10); // written while the broker is unreachable
        await vi.waitFor(() => expect(bus.connected).toBe(true), bounded);
        await enqueue(10); // and after the reconnect
        await vi.waitFor(async () => {
          expect(await relay.pending()).toBe(0);
          expect([...received].sort()).toEqual([...ids].sort());
        }, bounded);
        await expect(bus.ping()).resolves.toBeUndefined();
        // The outage counted against no event: each went out at its first counted attempt.
        const rows = await database.db.selectFrom("outbox").select(["attempts", "parked_at"]).execute();
        expect(rows.filter((r) => r.attempts !== 1 || r.parked_at !== null)).toEqual([]);
      } finally {
        await relay.stop();
      }
    });
  });
});

describe("createEventBus", () => {
  it("uses the in-process bus when no AMQP_URL is configured", async () => {
    const bus = await createEventBus({ amqpUrl: undefined });
    expect(bus.kind).toBe("in-process");
    await bus.close();
  });

  it("fails start-up with the broker's error when RabbitMQ stays unreachable past connectTimeoutMs", async () => {
    await expect(
      createEventBus({
        amqpUrl: "amqp://guest:guest@127.0.0.1:1",
        connectTimeoutMs: 300,
        reconnect: { initialDelayMs: 50 },
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });

  it.skipIf(!url)("uses RabbitMQ when AMQP_URL is configured", async () => {
    const exchange = `test.events.${randomBytes(4).toString("hex")}`;
    const bus = await createEventBus({ amqpUrl: url, exchange });
    expect(bus.kind).toBe("rabbitmq");
    await bus.ping();
    await bus.close();
    const admin = await amqp.connect(url!);
    const channel = await admin.createChannel();
    await channel.deleteExchange(exchange);
    await channel.deleteExchange(`${exchange}.dlx`);
    await admin.close();
  });
});
