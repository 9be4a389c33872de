import { randomUUID } from "node:crypto";
import type { Generated, Kysely, Transaction } from "kysely";
import { type RawBuilder, sql } from "kysely";
import type { Logger } from "pino";
import { compiledOnce, type Param } from "../db.ts";
import { periodicPass } from "../periodic-pass.ts";
import { eventTracing } from "../tracing.ts";
import { type CloudEvent, type EventBus, EventBusUnavailableError, EventUnroutableError } from "./event-bus.ts";

/**
 * The outbox and inbox tables every publishing/consuming service has, as they stand after its
 * migrations (migrations never import code, so each service's migrations spell them out:
 * the first created the tables, `2026-12-02-060-outbox-parking.sql` added parking, per-aggregate
 * order and the retention indexes). Tests create them from this text.
 */
export const outboxDdl = `
  CREATE TABLE outbox (id bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, type text NOT NULL,
    payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), sent_at timestamptz,
    attempts int NOT NULL DEFAULT 0, last_error text, aggregate_id text, next_attempt_at timestamptz,
    claimed_until timestamptz, claim_id uuid, parked_at timestamptz,
    CONSTRAINT outbox_sent_or_parked CHECK (sent_at IS NULL OR parked_at IS NULL));
  CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;
  CREATE INDEX outbox_unsent_aggregate ON outbox (aggregate_id, id) WHERE sent_at IS NULL AND parked_at IS NULL;
  CREATE INDEX outbox_sent_at ON outbox (sent_at) WHERE sent_at IS NOT NULL;
  CREATE TABLE inbox (event_id uuid NOT NULL, consumer text NOT NULL, type text NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (event_id, consumer));
  CREATE INDEX inbox_processed_at ON inbox (processed_at);`;

export interface OutboxTables {
  outbox: {
    id: Generated<number>;
    event_id: string;
    type: string;
    /** The event's `subject` (the appointment): events of one aggregate leave in order. Null for rows of before. */
    aggregate_id: string | null;
    payload: unknown;
    created_at: Generated<Date>;
    /** Set once the bus confirmed the event; then the row only waits for the retention purge. */
    sent_at: Date | null;
    /**
     * Publishes that failed because of this event, plus the one that went through. Not counted:
     * a bus outage, and no consumer bound for the type yet (the event waits for one).
     */
    attempts: Generated<number>;
    /** The error of the last refused publish (counted or not): its type, code and message, never the event. */
    last_error: string | null;
    /** Not tried again before this (backoff after a failure); null: due. */
    next_attempt_at: Date | null;
    /** A relay publishing the row holds it until then; after that another relay may take it. */
    claimed_until: Date | null;
    claim_id: string | null;
    /** Set aside after `maxAttempts` failures: not tried again until an operator re-queues it. */
    parked_at: Date | null;
  };
  inbox: {
    event_id: string;
    consumer: string;
    type: string;
    processed_at: Generated<Date>;
  };
}

type AnyDb = Kysely<OutboxTables> | Transaction<OutboxTables>;

/** Send attempts of one event that get a span in its trace (tracing on). */
const tracedSendAttempts = 5;

/**
 * Failed publishes of one event before it is parked, and the wait after the first failure
 * (doubled after each further one, at most `maxDelayMs`): 2 s, 4 s … 128 s, so an event the
 * bus refuses for its own sake is parked about four minutes after its first refusal, and its
 * aggregate's later events wait that long behind it. An event no consumer is bound for yet is
 * never parked: it waits as long as it has been in the outbox (2 s … `maxDelayMs`) between tries.
 */
export const outboxRetry = { maxAttempts: 8, firstDelayMs: 2_000, maxDelayMs: 5 * 60_000 } as const;

/**
 * Marks the rows sent (`markSent`). One text whatever the number of ids (`= ANY`): built and
 * compiled once, a prepared statement on PostgreSQL.
 */
const markSentStatement = compiledOnce((db: Kysely<OutboxTables>, p: Param<{ sentAt: Date; ids: number[] }>) =>
  db
    .updateTable("outbox")
    .set((eb) => ({
      sent_at: p("sentAt"),
      attempts: eb("attempts", "+", 1),
      parked_at: null,
      next_attempt_at: null,
      claimed_until: null,
      claim_id: null,
    }))
    .where(sql<boolean>`id = ANY(${p("ids")}::bigint[])`)
    .where("sent_at", "is", null)
    .returning((eb) =>
      eb
        .exists(
          eb
            .selectFrom("outbox as e")
            .select(sql<number>`1`.as("one"))
            .whereRef("e.aggregate_id", "=", "outbox.aggregate_id")
            .whereRef("e.id", ">", "outbox.id")
            .where("e.sent_at", "is", null)
            .where("e.parked_at", "is", null),
        )
        .as("followed"),
    ),
);

/**
 * The enqueue's insert (the relay's `enqueue`): claimed unless an earlier event of the aggregate
 * waits (unsent, not parked). Built and compiled once, a prepared statement on PostgreSQL.
 */
const enqueueStatement = (carry?: CarriedRead<unknown>) =>
  compiledOnce(
    (
      db: Kysely<OutboxTables>,
      p: Param<{
        eventId: string;
        type: string;
        aggregateId: string | null;
        payload: string;
        claimId: string;
        claimedUntil: Date;
        [carried: `carried${number}`]: unknown;
      }>,
    ) => ({
      compile: () =>
        sql<{ id: number; claimed: boolean; created_at: Date; carried?: unknown }>`
      WITH earlier AS (
        SELECT EXISTS (SELECT 1 FROM outbox e WHERE e.aggregate_id = ${p("aggregateId")}::text
                       AND e.sent_at IS NULL AND e.parked_at IS NULL) AS waiting)
      INSERT INTO outbox (event_id, type, aggregate_id, payload, claim_id, claimed_until)
      SELECT ${p("eventId")}::uuid, ${p("type")}::text, ${p("aggregateId")}::text, ${p("payload")}::jsonb,
             CASE WHEN waiting THEN NULL ELSE ${p("claimId")}::uuid END,
             CASE WHEN waiting THEN NULL ELSE ${p("claimedUntil")}::timestamptz END
      FROM earlier
      RETURNING id, claim_id IS NOT NULL AS claimed, created_at${
        carry ? sql`, (${carry.build((i) => p(`carried${i}`))}) AS carried` : sql``
      }`.compile(db),
    }),
  );
const enqueueClaimedStatement = enqueueStatement();
/** One compiled statement per carried read's name. */
const enqueueCarryingStatements = new Map<string, ReturnType<typeof enqueueStatement>>();

/**
 * A read that rides on `OutboxRelay.enqueue`'s insert (one round trip where there were two),
 * for a transaction that would read it right after the enqueue anyway: a scalar subquery
 * evaluated once, under the insert's snapshot (taken when the statement starts, so after every
 * lock the transaction's earlier statements took), its value in `EnqueuedEvent.carried`.
 * `build(value)` gives its SQL, `value(i)` standing for `values[i]`; the text must be the same
 * at every call with the same `name` (it is compiled once per name).
 */
export interface CarriedRead<R> {
  name: string;
  build(value: (i: number) => unknown): RawBuilder<R>;
  values: readonly unknown[];
}

/**
 * Stores an event in the same transaction as the state change it describes. With tracing on,
 * the stored event carries the active trace (the request's) as its `traceparent`. The event's
 * `subject` is its aggregate: the relay sends one aggregate's events in the order written.
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
      aggregate_id: stored.subject ?? null,
      payload: JSON.stringify(stored),
      sent_at: null,
      last_error: null,
    })
    .execute();
}

/**
 * An event stored by `OutboxRelay.enqueue`: claimed for that relay in the enqueuing
 * transaction (`claimed`), or left for its passes when an earlier event of its aggregate waited.
 */
export interface EnqueuedEvent<R = unknown> {
  readonly claimed?: { row: ClaimedOutboxRow; claimId: string };
  /** The `CarriedRead`'s value; absent when the relay was stopping (the caller reads it itself). */
  readonly carried?: R;
}

export interface OutboxRelay {
  start(): void;
  /**
   * `enqueueEvent`, with the row claimed for this relay in the same statement (lease as a
   * pass's claim) unless an earlier event of its aggregate is still unsent: then the relay's
   * passes send it in order, as any other row. Call `sendEnqueued` after the commit.
   */
  enqueue<R = unknown>(
    trx: Transaction<unknown> | Transaction<OutboxTables>,
    event: CloudEvent,
    carry?: CarriedRead<R>,
  ): Promise<EnqueuedEvent<R>>;
  /**
   * After the commit of the transaction that ran `enqueue`: publishes the events it claimed at
   * once and marks them sent (no claim statement, no pass), and wakes the relay for any it did
   * not claim. Never call it for a transaction that rolled back. Resolves with how many went out.
   * If the process dies first, the claim's lease runs out and a pass sends the event (at least once).
   */
  sendEnqueued(...events: EnqueuedEvent[]): Promise<number>;
  /**
   * Wakes the relay now instead of at the next tick (call after a commit that enqueued).
   * Resolves with what the pass sent (the pass in flight, when one is); 0 once stopped.
   */
  notify(): Promise<number>;
  /**
   * Sends everything pending now, events waiting out a backoff included (each tried once);
   * resolves with how many went out. For shutdown and tests.
   */
  flush(): Promise<number>;
  stop(): Promise<void>;
  /** Unsent events that are not parked. */
  pending(): Promise<number>;
}

export interface OutboxRelayOptions {
  db: Kysely<unknown> | Kysely<OutboxTables>;
  bus: EventBus;
  logger?: Logger;
  intervalMs?: number;
  /** Rows claimed at once (at most one per aggregate), published concurrently. */
  batchSize?: number;
  /** Failed publishes before an event is parked (default `outboxRetry.maxAttempts`). */
  maxAttempts?: number;
  /** Wait after the first failed publish, doubled after each further one (default `outboxRetry`). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /**
   * How long a claim keeps other relays off a row (default 30 s): above a publish's timeout
   * (10 s, batches publish concurrently), and how long the events a crashed relay was
   * publishing wait before another relay, or the restarted one, sends them.
   */
  leaseMs?: number;
  /** The relay's clock (tests move it past backoffs and leases). */
  now?: () => Date;
}

export interface ClaimedOutboxRow {
  id: number;
  event_id: string;
  type: string;
  aggregate_id: string | null;
  payload: unknown;
  attempts: number;
  created_at: Date;
}

/** Batches one pass claims at most; the next pass (a tick or a notify) goes on. */
const maxBatchesPerPass = 100;

/**
 * Moves outbox rows to the bus, at least once, in order per aggregate:
 *
 * - A pass claims due rows in one short statement (FOR UPDATE SKIP LOCKED, a lease in
 *   `claimed_until`), publishes them with no transaction open, then marks each sent or failed
 *   in its own statement. A batch that was not full ends the pass unless marking it sent (the
 *   mark-sent statement says so) or parking a row made a later event of its aggregate due: rows written
 *   meanwhile come with their own `notify`, so no pass ends on a claim that finds nothing. Another relay (a second replica) skips claimed rows, and takes them
 *   over when a lease ran out (its holder died): the event may then go out twice, which the
 *   consumers' inboxes absorb.
 * - A row is claimable only when no earlier row of its aggregate is still unsent and not
 *   parked, so the events of one appointment leave in the order written, whichever relay
 *   sends them; other aggregates are not held up.
 * - A publish the bus refuses for this event (a nack, too large, not serialisable) counts as
 *   an attempt and backs off; after `maxAttempts` the row is parked (`parked_at`, `last_error`,
 *   a warning) and its aggregate's later events go on.
 * - An event no consumer is bound for yet (EventUnroutableError: its service not started yet,
 *   a broker that lost its definitions) counts no attempt and is never parked: it is tried
 *   again after a wait as long as its age (2 s … `maxRetryDelayMs`) until a consumer binds,
 *   and its aggregate's later events wait behind it. Logged once per type until it is routed.
 * - A bus that is unavailable (EventBusUnavailableError) counts against no event: the pass
 *   stops and the next tick tries again.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const db = options.db as Kysely<OutboxTables>;
  const intervalMs = options.intervalMs ?? 1000;
  const batchSize = options.batchSize ?? 100;
  const maxAttempts = options.maxAttempts ?? outboxRetry.maxAttempts;
  const firstDelayMs = options.retryDelayMs ?? outboxRetry.firstDelayMs;
  const maxDelayMs = options.maxRetryDelayMs ?? outboxRetry.maxDelayMs;
  const leaseMs = options.leaseMs ?? 30_000;
  const now = options.now ?? (() => new Date());
  const log = options.logger;
  let busDown = false;
  /** Event types refused as unroutable and not sent since (each logged once). */
  const unroutableTypes = new Set<string>();

  const claim = async (exclude: number[], ignoreBackoff: boolean) => {
    const at = now();
    const claimId = randomUUID();
    const rows = await db
      .updateTable("outbox")
      .set({ claim_id: claimId, claimed_until: new Date(at.getTime() + leaseMs) })
      .where("id", "in", (eb) => {
        let due = eb
          .selectFrom("outbox as o")
          .select("o.id")
          .where("o.sent_at", "is", null)
          .where("o.parked_at", "is", null)
          .where((w) => w.or([w("o.claimed_until", "is", null), w("o.claimed_until", "<=", at)]))
          .where((w) =>
            w.or([
              w("o.aggregate_id", "is", null),
              w.not(
                w.exists(
                  w
                    .selectFrom("outbox as e")
                    .select(sql<number>`1`.as("one"))
                    .whereRef("e.aggregate_id", "=", "o.aggregate_id")
                    .whereRef("e.id", "<", "o.id")
                    .where("e.sent_at", "is", null)
                    .where("e.parked_at", "is", null),
                ),
              ),
            ]),
          );
        if (!ignoreBackoff) {
          due = due.where((w) => w.or([w("o.next_attempt_at", "is", null), w("o.next_attempt_at", "<=", at)]));
        }
        if (exclude.length > 0) due = due.where("o.id", "not in", exclude);
        return due.orderBy("o.id").limit(batchSize).forUpdate().skipLocked();
      })
      .returning(["id", "event_id", "type", "aggregate_id", "payload", "attempts", "created_at"])
      .execute();
    return { claimId, rows: rows.map((r) => ({ ...r, id: Number(r.id) })).sort((a, b) => a.id - b.id) };
  };

  const publish = async (row: ClaimedOutboxRow): Promise<void> => {
    const event = (typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload) as CloudEvent;
    const send = () => options.bus.publish(event);
    // An event the bus keeps refusing is retried for minutes: its first sends are in its
    // trace, later ones only in the log.
    await (row.attempts < tracedSendAttempts ? eventTracing.publish(event, options.bus.kind, send) : send());
  };

  /**
   * Marks the rows sent; answers whether a later event of one of their aggregates is waiting
   * (committed, unsent, not parked): it is due now, so the pass goes on for it.
   */
  const markSent = async (ids: number[]): Promise<boolean> => {
    if (ids.length === 0) return false;
    const { rows } = await db.executeQuery(markSentStatement(db, { sentAt: now(), ids }));
    return rows.some((r) => r.followed);
  };

  /** Gives rows back untried (the bus was unavailable): no attempt counted, due at once. */
  const release = async (ids: number[], claimId: string) => {
    if (ids.length === 0) return;
    await db
      .updateTable("outbox")
      .set({ claimed_until: null, claim_id: null })
      .where("id", "in", ids)
      .where("claim_id", "=", claimId)
      .execute();
  };

  const markFailed = async (row: ClaimedOutboxRow, claimId: string, err: unknown) => {
    const attempts = row.attempts + 1;
    const at = now();
    const park = attempts >= maxAttempts;
    const delayMs = Math.min(firstDelayMs * 2 ** Math.min(attempts - 1, 30), maxDelayMs);
    const error = describeError(err);
    const updated = await db
      .updateTable("outbox")
      .set({
        attempts,
        last_error: error,
        next_attempt_at: park ? null : new Date(at.getTime() + delayMs),
        parked_at: park ? at : null,
        claimed_until: null,
        claim_id: null,
      })
      .where("id", "=", row.id)
      .where("claim_id", "=", claimId) // a relay that took over after our lease ran out decides
      .where("sent_at", "is", null)
      .executeTakeFirst();
    const meta = { eventId: row.event_id, type: row.type, aggregateId: row.aggregate_id, attempts, error };
    if (!park) {
      log?.warn({ ...meta, retryInMs: delayMs }, "outbox publish failed; will retry");
    } else if (Number(updated.numUpdatedRows) > 0) {
      // Once per row: only the relay whose claim parked it says so.
      log?.warn(meta, "outbox event parked after repeated publish failures; later events of its aggregate go on");
      return true;
    }
    return false;
  };

  /**
   * No consumer is bound for the row's type yet: no attempt counted, never parked. Tried again
   * after a wait as long as the event has been in the outbox (2 s, 4 s … as with failures, at
   * most `maxDelayMs`), so a consumer that starts late gets a recent event at once and an old
   * backlog costs a few publishes per `maxDelayMs`.
   */
  const markUnroutable = async (row: ClaimedOutboxRow, claimId: string, err: unknown) => {
    const at = now();
    const ageMs = at.getTime() - new Date(row.created_at).getTime();
    const delayMs = Math.min(Math.max(ageMs, firstDelayMs), maxDelayMs);
    await db
      .updateTable("outbox")
      .set({
        last_error: describeError(err),
        next_attempt_at: new Date(at.getTime() + delayMs),
        claimed_until: null,
        claim_id: null,
      })
      .where("id", "=", row.id)
      .where("claim_id", "=", claimId)
      .where("sent_at", "is", null)
      .execute();
    if (!unroutableTypes.has(row.type)) {
      unroutableTypes.add(row.type);
      log?.warn(
        { type: row.type, eventId: row.event_id, error: describeError(err) },
        "no consumer is bound for this event type yet; its events wait in the outbox (never parked) until one is",
      );
    }
  };

  /** A consumer is bound for `type` now: its events waiting for one are due at once, not after their wait. */
  const wakeWaiting = async (type: string) => {
    const woken = await db
      .updateTable("outbox")
      .set({ next_attempt_at: null })
      .where("type", "=", type)
      .where("sent_at", "is", null)
      .where("parked_at", "is", null)
      .where("last_error", "like", "EventUnroutableError:%") // describeError of markUnroutable
      .executeTakeFirst();
    log?.info(
      { type, waiting: Number(woken.numUpdatedRows) },
      "a consumer is bound for this event type now; its waiting events follow",
    );
  };

  /** One batch: publish concurrently (one row per aggregate), record each outcome. */
  const sendBatch = async (rows: ClaimedOutboxRow[], claimId: string) => {
    const results = await Promise.allSettled(rows.map(publish));
    const sent: number[] = [];
    const untried: number[] = [];
    const failed: number[] = [];
    const routedAgain: string[] = [];
    /** A row of this batch was parked: its aggregate's later events are due now. */
    let parked = false;
    let unavailable: unknown;
    for (const [i, result] of results.entries()) {
      const row = rows[i] as ClaimedOutboxRow;
      if (result.status === "fulfilled") {
        sent.push(row.id);
        if (unroutableTypes.delete(row.type)) routedAgain.push(row.type);
      } else if (result.reason instanceof EventBusUnavailableError) {
        untried.push(row.id);
        unavailable ??= result.reason;
      } else if (result.reason instanceof EventUnroutableError) {
        failed.push(row.id); // not tried again in this pass either
        await markUnroutable(row, claimId, result.reason);
      } else {
        failed.push(row.id);
        if (await markFailed(row, claimId, result.reason)) parked = true;
      }
    }
    const followed = await markSent(sent);
    await release(untried, claimId);
    for (const type of routedAgain) await wakeWaiting(type);
    if (unavailable && !busDown) log?.warn({ err: unavailable }, "event bus unavailable; outbox events wait for it");
    if (!unavailable && busDown && sent.length > 0) log?.info("event bus available again; sending the outbox");
    if (unavailable) busDown = true;
    else if (sent.length > 0) busDown = false;
    return {
      sent: sent.length,
      failed,
      unavailable: unavailable !== undefined,
      // Rows may be due that this batch's claim could not take: a later event of an aggregate
      // just sent or parked, or events of a type routed again.
      moreDue: followed || parked || routedAgain.length > 0,
    };
  };

  const drain = async (ignoreBackoff: boolean): Promise<number> => {
    let total = 0;
    // Rows that failed in this pass are not tried twice in it (a flush ignores their backoff).
    const failed: number[] = [];
    for (let batch = 0; batch < maxBatchesPerPass; batch++) {
      const { claimId, rows } = await claim(failed, ignoreBackoff);
      if (rows.length === 0) break;
      const outcome = await sendBatch(rows, claimId);
      total += outcome.sent;
      failed.push(...outcome.failed);
      if (outcome.unavailable) break;
      // A batch that was not full took every row due at its claim; rows written since come
      // with their own notify (periodicPass runs another pass), so no empty claim is spent on
      // them — only on rows this batch's sends made due.
      if (rows.length < batchSize && !outcome.moreDue) break;
    }
    return total;
  };

  /** Sends of claimed-at-enqueue events in flight: `flush` waits for them. */
  const sending = new Set<Promise<unknown>>();

  const enqueue = async <R = unknown>(
    trx: Transaction<unknown> | Transaction<OutboxTables>,
    event: CloudEvent,
    carry?: CarriedRead<R>,
  ): Promise<EnqueuedEvent<R>> => {
    // Stopping (shutdown): stored unclaimed, for the closing flush or the next start to send.
    if (loop.stopped) {
      await enqueueEvent(trx, event);
      return {};
    }
    const stored = eventTracing.enqueued(event);
    const at = now();
    const claimId = randomUUID();
    const aggregateId = stored.subject ?? null;
    // Claimed unless an earlier event of the aggregate waits (unsent, not parked): the same
    // order rule as a pass's claim. A row without an aggregate is always claimed. The lease runs
    // from here, not from the commit: a transaction held longer than the lease lets a pass
    // send the event too — a duplicate, which consumers' inboxes absorb (at least once).
    let statement = enqueueClaimedStatement;
    const params: Parameters<typeof statement>[1] = {
      eventId: stored.id,
      type: stored.type,
      aggregateId,
      payload: JSON.stringify(stored),
      claimId,
      claimedUntil: new Date(at.getTime() + leaseMs),
    };
    if (carry) {
      statement = enqueueCarryingStatements.get(carry.name) ?? enqueueStatement(carry as CarriedRead<unknown>);
      enqueueCarryingStatements.set(carry.name, statement);
      carry.values.forEach((value, i) => {
        params[`carried${i}`] = value;
      });
    }
    const { rows } = await (trx as Transaction<OutboxTables>).executeQuery(
      statement(trx as Transaction<OutboxTables>, params),
    );
    const row = rows[0];
    const carried = carry ? { carried: row?.carried as R } : {};
    if (!row?.claimed) return carried;
    return {
      ...carried,
      claimed: {
        claimId,
        row: {
          id: Number(row.id),
          event_id: stored.id,
          type: stored.type,
          aggregate_id: aggregateId,
          payload: stored,
          attempts: 0,
          created_at: row.created_at,
        },
      },
    };
  };

  const sendClaimed = async (row: ClaimedOutboxRow, claimId: string): Promise<number> => {
    const outcome = await sendBatch([row], claimId);
    // A later event of the aggregate became due: a pass sends it. (Refused untried, the bus
    // down: the row was given back, and the next tick tries again.)
    if (outcome.moreDue && !loop.stopped) void loop.run();
    return outcome.sent;
  };

  const loop = periodicPass(() => drain(false), {
    intervalMs,
    // The error object, not its message: the serializer drops a database error's message,
    // which can quote a value.
    onError: (err) => log?.warn({ err }, "outbox relay pass failed"),
  });

  return {
    start() {
      loop.start(true);
    },
    notify() {
      return loop.stopped ? Promise.resolve(0) : loop.run();
    },
    enqueue,
    async sendEnqueued(...events) {
      let total = 0;
      let unclaimed = false;
      const sends: Promise<void>[] = [];
      for (const e of events) {
        if (!e.claimed) {
          unclaimed = true;
          continue;
        }
        const send = sendClaimed(e.claimed.row, e.claimed.claimId)
          .then((n) => {
            total += n;
          })
          // As a failed pass: the row keeps its claim until the lease runs out, then a pass sends it.
          .catch((err: Error) => log?.warn({ err }, "outbox send after commit failed"));
        sending.add(send);
        void send.finally(() => sending.delete(send));
        sends.push(send);
      }
      if (unclaimed && !loop.stopped) void loop.run();
      await Promise.all(sends);
      return total;
    },
    flush: async () => {
      await loop.inFlight;
      await Promise.all(sending);
      return drain(true);
    },
    stop: () => loop.stop(),
    pending: async () => (await outboxBacklog(db)).pending,
  };
}

/** What `last_error` keeps of a failure: the error's type, code and message (never the event). */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return "publish failed";
  const code = (err as { code?: unknown }).code;
  const text = `${err.name}${typeof code === "string" || typeof code === "number" ? ` ${code}` : ""}: ${err.message}`;
  return text.slice(0, 500);
}

/**
 * Runs `effect` at most once per (event, consumer): the inbox row and the effect commit
 * together, so a redelivered event finds its row and is skipped. Returns false on a repeat.
 * The row is kept for the retention period (`purgeDeliveredEvents`), far longer than any
 * broker redelivery.
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
 * Unsent outbox events still being tried (`pending`), and those set aside after repeated
 * publish failures (`parked`). One scan of the partial index on unsent rows, so it costs
 * what the backlog is.
 */
export async function outboxBacklog(
  db: Kysely<unknown> | Kysely<OutboxTables>,
): Promise<{ pending: number; parked: number }> {
  const row = await (db as Kysely<OutboxTables>)
    .selectFrom("outbox")
    .select([
      sql<number>`(count(*) FILTER (WHERE parked_at IS NULL))::int`.as("pending"),
      sql<number>`(count(*) FILTER (WHERE parked_at IS NOT NULL))::int`.as("parked"),
    ])
    .where("sent_at", "is", null)
    .executeTakeFirstOrThrow();
  return { pending: Number(row.pending), parked: Number(row.parked) };
}
