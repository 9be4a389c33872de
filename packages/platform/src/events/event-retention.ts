import type { Kysely } from "kysely";
import type { Logger } from "pino";
import { type PeriodicPass, periodicPass } from "../periodic-pass.ts";
import type { OutboxTables } from "./outbox.ts";

const dayMs = 24 * 60 * 60_000;

export interface PurgeOptions {
  /** Rows sent/processed before this go. */
  before: Date;
  /** Rows per DELETE statement (short statements, short locks). */
  batchSize?: number;
  /** Statements per table at most in one call; the next call goes on. */
  maxBatches?: number;
}

/**
 * Deletes outbox rows sent and inbox rows processed before `options.before`, in batches. Unsent
 * rows (pending or parked) are never touched. Returns how many rows went from each table.
 */
export async function purgeDeliveredEvents(
  db: Kysely<unknown> | Kysely<OutboxTables>,
  options: PurgeOptions,
): Promise<{ outbox: number; inbox: number }> {
  const outboxDb = db as Kysely<OutboxTables>;
  const { before } = options;
  const batchSize = options.batchSize ?? 1000;
  const maxBatches = options.maxBatches ?? 100;
  const batches = async (deleteBatch: () => Promise<number>) => {
    let total = 0;
    for (let i = 0; i < maxBatches; i++) {
      const deleted = await deleteBatch();
      total += deleted;
      if (deleted < batchSize) break;
    }
    return total;
  };
  // SKIP LOCKED: two replicas purging at once each take other rows instead of waiting.
  const outbox = await batches(async () => {
    const result = await outboxDb
      .deleteFrom("outbox")
      .where("id", "in", (eb) =>
        eb.selectFrom("outbox").select("id").where("sent_at", "<", before).limit(batchSize).forUpdate().skipLocked(),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  });
  const inbox = await batches(async () => {
    const result = await outboxDb
      .deleteFrom("inbox")
      .where(({ eb, refTuple, selectFrom }) =>
        eb(
          refTuple("event_id", "consumer"),
          "in",
          selectFrom("inbox")
            .select(["event_id", "consumer"])
            .where("processed_at", "<", before)
            .limit(batchSize)
            .forUpdate()
            .skipLocked()
            .$asTuple("event_id", "consumer"),
        ),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  });
  return { outbox, inbox };
}

export interface EventRetentionOptions {
  db: Kysely<unknown> | Kysely<OutboxTables>;
  /** EVENT_RETENTION_DAYS: sent outbox rows and processed inbox rows older than this go. */
  retentionDays: number;
  logger?: Logger;
  /** Default hourly. */
  intervalMs?: number;
  now?: () => Date;
  /**
   * The service's own rows that expire with its events, by name (the video service's early
   * appointment changes): each is called in every pass with the same cut-off and returns how
   * many rows it deleted, logged as `<name>Deleted`. The platform knows no service's tables.
   */
  purges?: Record<string, (before: Date) => Promise<number>>;
}

/**
 * The periodic purge of delivered events: sent outbox rows and processed inbox rows hold
 * event data (patient names) that is of no use once delivered; `purges` adds the service's
 * own rows of the same lifetime. A pass runs at start and then every `intervalMs`; it logs
 * counts only.
 */
export function createEventRetention(options: EventRetentionOptions): PeriodicPass {
  const now = options.now ?? (() => new Date());
  return periodicPass(
    async () => {
      const before = new Date(now().getTime() - options.retentionDays * dayMs);
      const deleted = await purgeDeliveredEvents(options.db, { before });
      const counts: Record<string, number> = { outboxDeleted: deleted.outbox, inboxDeleted: deleted.inbox };
      for (const [name, purge] of Object.entries(options.purges ?? {})) counts[`${name}Deleted`] = await purge(before);
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      if (total > 0) {
        options.logger?.info(
          { ...counts, retentionDays: options.retentionDays },
          "delivered events past retention purged",
        );
      }
      return total;
    },
    {
      intervalMs: options.intervalMs ?? 60 * 60_000,
      onError: (err) => options.logger?.warn({ err }, "event retention pass failed"),
    },
  );
}
