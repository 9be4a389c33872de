import type { FastifyBaseLogger } from "fastify";
import type { Kysely } from "kysely";
import type { Registry } from "prom-client";
import { counter, observedGauge } from "../metrics.ts";
import type { EventBus } from "./event-bus.ts";
import { type OutboxTables, onInboxDuplicate, outboxBacklog, outboxRetry } from "./outbox.ts";

export interface EventMetricsOptions {
  db: Kysely<unknown> | Kysely<OutboxTables>;
  bus: EventBus;
  /** This service's queue and inbox consumer name (services that consume events). */
  consumer?: string;
  log: FastifyBaseLogger;
}

/**
 * The outbox/inbox/bus figures of a service that publishes (and consumes) events, read at
 * scrape time: `outbox_pending_events`, `outbox_parked_events`, `inbox_duplicates_total`,
 * `events_dead_letter_messages`.
 */
export function registerEventMetrics(registry: Registry, options: EventMetricsOptions): void {
  const { db, bus, consumer, log } = options;
  // Both outbox gauges come from one query: a scrape collects every metric at once, so the
  // second joins the query in flight; the next scrape asks again.
  let backlog: Promise<{ pending: number; parked: number }> | undefined;
  const readBacklog = () => {
    backlog ??= outboxBacklog(db).finally(() => {
      backlog = undefined;
    });
    return backlog;
  };
  observedGauge(registry, {
    name: "outbox_pending_events",
    help: "Events committed to the outbox, not yet confirmed by the bus and still being tried",
    read: async () => (await readBacklog()).pending,
    log,
  });
  observedGauge(registry, {
    name: "outbox_parked_events",
    help: `Outbox events set aside after ${outboxRetry.maxAttempts} failed publishes, waiting for an operator (docs/operations.md)`,
    read: async () => (await readBacklog()).parked,
    log,
  });
  if (!consumer) return;

  const duplicates = counter(registry, {
    name: "inbox_duplicates_total",
    help: "Redelivered events the inbox recognised and skipped, by consumer",
    labelNames: ["consumer"],
  });
  duplicates.inc({ consumer }, 0);
  onInboxDuplicate(db, (name) => duplicates.inc({ consumer: name }));

  observedGauge(registry, {
    name: "events_dead_letter_messages",
    help: "Events given up on after repeated handler failures, waiting in the queue's dead-letter queue",
    labelNames: ["queue"],
    read: async () => [{ labels: { queue: consumer }, value: await bus.deadLetterCount(consumer) }],
    log,
  });
}
