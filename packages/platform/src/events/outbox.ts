import { type Kysely, sql, type Transaction } from "kysely";
import type { Logger } from "pino";
import { periodicPass } from "../periodic-pass.ts";
import { eventTracing } from "../tracing.ts";
import type { CloudEvent, EventBus } from "./event-bus.ts";

/**
 * The outbox and inbox tables every publishing/consuming service creates in its own
 * migrations (migrations never import code, so this DDL is copied there, not imported):
 *
 *   CREATE TABLE outbox (id bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, type text NOT NULL,
 *     payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz,
 *     attempts int NOT NULL DEFAULT 0, last_error text);
 *   CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
 *   CREATE TABLE inbox (event_id uuid NOT NULL, consumer text NOT NULL, type text NOT NULL,
 *     processed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (event_id, consumer));
 */
export interface OutboxTables {
  outbox: {
    id: import("kysely").Generated<number>;
    event_id: string;
    type: string;
    payload: unknown;
    created_at: import("kysely").Generated<Date>;
    sent_at: Date | null;
    attempts: import("kysely").Generated<number>;
    last_error: string | null;
  };
  inbox: {
    event_id: string;
    consumer: string;
    type: string;
    processed_at: import("kysely").Generated<Date>;
  };
}

type AnyDb = Kysely<OutboxTables> | Transaction<OutboxTables>;

/** Send attempts of one event that get a span in its trace (tracing on). */
const tracedSendAttempts = 5;

/**
 * Stores an event in the same transaction as the state change it describes. With tracing on,
 * the stored event carries the active trace (the request's) as its `traceparent`.
 */
export async function enqueueEvent(
  trx: Transaction<unknown> | Transaction<OutboxTables>,
  event: CloudEvent,
): Promise<void> {
  const stored = eventTracing.enqueued(event);
  await (trx as Transaction<OutboxTables>)
    .insertInto("outbox")
    .values({
      event_id: stored.id,
      type: stored.type,
      payload: JSON.stringify(stored),
      sent_at: null,
      last_error: null,
    })
    .execute();
}

export interface OutboxRelay {
  start(): void;
  /** Wakes the relay now instead of at the next tick (call after a commit that enqueued). */
  notify(): void;
  /** Sends everything pending; resolves when the outbox is empty or the bus refuses. */
  flush(): Promise<number>;
  stop(): Promise<void>;
  pending(): Promise<number>;
}

export interface OutboxRelayOptions {
  db: Kysely<unknown> | Kysely<OutboxTables>;
  bus: EventBus;
  logger?: Logger;
  intervalMs?: number;
  batchSize?: number;
}

/**
 * Moves outbox rows to the bus. A row is marked sent only after `bus.publish` resolved
 * (a broker confirm), so a crash or broker outage leaves it pending and it goes out later:
 * at-least-once. Rows are claimed with SKIP LOCKED so several replicas never send the
 * same row at the same time.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const db = options.db as Kysely<OutboxTables>;
  const intervalMs = options.intervalMs ?? 1000;
  const batchSize = options.batchSize ?? 100;

  const sendBatch = async (): Promise<number> =>
    db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom("outbox")
        .select(["id", "payload", "attempts"])
        .where("sent_at", "is", null)
        .orderBy("id")
        .limit(batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      let sent = 0;
      for (const row of rows) {
        const event = (typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload) as CloudEvent;
        try {
          const send = () => options.bus.publish(event);
          // An event the bus keeps refusing is retried every tick: its first sends are in its
          // trace, later ones only in the log (a trace must not grow by a span a second).
          await (row.attempts < tracedSendAttempts ? eventTracing.publish(event, options.bus.kind, send) : send());
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          await trx
            .updateTable("outbox")
            .set({ attempts: row.attempts + 1, last_error: message })
            .where("id", "=", row.id)
            .execute();
          options.logger?.warn({ eventId: event.id, type: event.type, err }, "outbox publish failed; will retry");
          break; // keep order: later events wait for this one
        }
        await trx
          .updateTable("outbox")
          .set({ sent_at: new Date(), attempts: row.attempts + 1 })
          .where("id", "=", row.id)
          .execute();
        sent++;
      }
      return sent;
    });

  const drain = async (): Promise<number> => {
    let total = 0;
    for (;;) {
      const sent = await sendBatch();
      total += sent;
      if (sent < batchSize) return total;
    }
  };

  const loop = periodicPass(drain, {
    intervalMs,
    // The error object, not its message: the serializer drops a database error's message,
    // which can quote a value.
    onError: (err) => options.logger?.warn({ err }, "outbox relay pass failed"),
  });

  return {
    start() {
      loop.start(true);
    },
    notify() {
      if (!loop.stopped) void loop.run();
    },
    flush: async () => {
      const first = await loop.run();
      return first + (await loop.run());
    },
    stop: () => loop.stop(),
    pending: async () => {
      const row = await db
        .selectFrom("outbox")
        .select(sql<number>`count(*)::int`.as("n"))
        .where("sent_at", "is", null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

/**
 * Runs `effect` at most once per (event, consumer): the inbox row and the effect commit
 * together, so a redelivered event finds its row and is skipped. Returns false on a repeat.
 */
export async function handleOnce<DB>(
  db: Kysely<DB>,
  consumer: string,
  event: CloudEvent,
  effect: (trx: Transaction<DB>) => Promise<void>,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const inserted = await (trx as unknown as AnyDb)
      .insertInto("inbox")
      .values({ event_id: event.id, consumer, type: event.type })
      .onConflict((oc) => oc.columns(["event_id", "consumer"]).doNothing())
      .returning("event_id")
      .executeTakeFirst();
    if (!inserted) {
      duplicateObservers.get(db)?.(consumer);
      return false;
    }
    await effect(trx);
    return true;
  });
}

/** Per database handle, so each app of the embedded stack counts only its own inbox. */
const duplicateObservers = new WeakMap<object, (consumer: string) => void>();

/**
 * Calls `observer` each time `handleOnce` on `db` skips a redelivered event (the inbox
 * already had it): the metrics count duplicates without the event handlers knowing.
 */
export function onInboxDuplicate(db: object, observer: (consumer: string) => void): void {
  duplicateObservers.set(db, observer);
}

/**
 * Unsent outbox events (`pending`), and those among them whose publish has failed at least
 * `failedAttempts` times (`parked`: the relay keeps retrying them; nothing is set aside). One
 * scan of the partial index on unsent rows, so it costs what the backlog is.
 */
export async function outboxBacklog(
  db: Kysely<unknown> | Kysely<OutboxTables>,
  failedAttempts: number,
): Promise<{ pending: number; parked: number }> {
  const row = await (db as Kysely<OutboxTables>)
    .selectFrom("outbox")
    .select([
      sql<number>`count(*)::int`.as("pending"),
      sql<number>`(count(*) FILTER (WHERE attempts >= ${failedAttempts}))::int`.as("parked"),
    ])
    .where("sent_at", "is", null)
    .executeTakeFirstOrThrow();
  return { pending: Number(row.pending), parked: Number(row.parked) };
}
