import { randomUUID } from "node:crypto";
import { periodicPass } from "@clinic/platform";
import type { FastifyBaseLogger } from "fastify";
import type { VideoDb } from "../tables.ts";
import { type AttemptResult, sendAttempt } from "./webhook-sender.ts";
import { type UrlPolicy, urlForLog } from "./webhook-url.ts";
import { claimDue, finishAttempt, recordEndpointFailure, releaseClaim } from "./webhooks.repository.ts";

/**
 * Sends the webhook outbox (at least once): each pass claims a bounded batch of due
 * deliveries under an attempt lease, POSTs them (webhook-sender.ts) outside any transaction,
 * and records each outcome. A 2xx marks a delivery DELIVERED; anything else schedules the
 * next attempt on the Standard Webhooks schedule for 24 hours, then marks it FAILED.
 */
export interface WebhookWorker {
  start(): void;
  /** Runs a pass now (and once more if one was running); resolves with the attempts made. */
  flush(): Promise<number>;
  /** Stops the timer, aborts attempts in flight (their rows are released untouched) and waits. */
  stop(): Promise<void>;
}

export interface WebhookWorkerOptions {
  db: VideoDb;
  /** The domain clock: when a delivery is due, when it gives up. */
  now: () => Date;
  log: FastifyBaseLogger;
  timeoutMs: number;
  policy: UrlPolicy;
  intervalMs?: number;
  batchSize?: number;
}

const second = 1000;
const hour = 3600 * second;
/**
 * After the 1st, 2nd, … failed attempt (the first is immediate): 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h, 10 h… — Standard Webhooks' recommended schedule.
 */
const retryDelaysMs = [5 * second, 5 * 60 * second, 30 * 60 * second, 2 * hour, 5 * hour, 10 * hour];
/** A delivery is retried for this long after it was created, the last attempt at the limit. */
const retryWindowMs = 24 * hour;

/** When to try again after `attempts` failed attempts, or null: give up (FAILED). */
export function nextAttemptAt(createdAt: Date, attempts: number, at: Date): Date | null {
  const deadline = createdAt.getTime() + retryWindowMs;
  if (at.getTime() >= deadline) return null;
  const delay = retryDelaysMs[Math.min(Math.max(attempts, 1), retryDelaysMs.length) - 1] as number;
  return new Date(Math.min(at.getTime() + delay, deadline));
}

export function createWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { db, log } = options;
  const batchSize = options.batchSize ?? 20;
  const shutdown = new AbortController();

  const batch = async (): Promise<number> => {
    const claimId = randomUUID();
    const claimedAt = options.now();
    // The lease outlives the attempt's own timeout, so only a dead process lets it expire.
    const until = new Date(claimedAt.getTime() + options.timeoutMs + 30 * second);
    const due = await claimDue(db, claimedAt, { claimId, until, limit: batchSize });
    await Promise.all(
      due.map(async (delivery) => {
        const result = await sendAttempt({
          url: delivery.url,
          secret: delivery.secret,
          messageId: delivery.message_id,
          body: delivery.body,
          timeoutMs: options.timeoutMs,
          policy: options.policy,
          signal: shutdown.signal,
        });
        await record(delivery, claimId, result).catch((err: Error) =>
          log.error({ err, messageId: delivery.message_id }, "could not record a webhook attempt"),
        );
      }),
    );
    return due.length;
  };

  /** Batches until fewer than a full one were due (bounded: at most 50 per pass). */
  const pass = async (): Promise<number> => {
    let total = 0;
    for (let i = 0; i < 50 && !loop.stopped; i++) {
      const sent = await batch();
      total += sent;
      if (sent < batchSize) break;
    }
    return total;
  };

  const record = async (
    delivery: Awaited<ReturnType<typeof claimDue>>[number],
    claimId: string,
    result: AttemptResult,
  ) => {
    const at = options.now();
    const attempts = delivery.attempts + 1;
    const where = { webhookId: delivery.webhook_id, messageId: delivery.message_id, url: urlForLog(delivery.url) };
    if (result.ok) {
      await finishAttempt(db, delivery.id, claimId, {
        status: "DELIVERED",
        attempts,
        next_attempt_at: null,
        last_attempt_at: at,
        last_status_code: result.statusCode,
        last_error: null,
        delivered_at: at,
      });
      log.info({ ...where, attempt: attempts, statusCode: result.statusCode }, "webhook delivered");
      return;
    }
    if (result.aborted) return releaseClaim(db, delivery.id, claimId);
    const next = nextAttemptAt(new Date(delivery.created_at), attempts, at);
    await finishAttempt(db, delivery.id, claimId, {
      status: next ? "PENDING" : "FAILED",
      attempts,
      next_attempt_at: next,
      last_attempt_at: at,
      last_status_code: result.statusCode,
      last_error: result.error,
      ...(next ? {} : { failed_at: at }),
    });
    await recordEndpointFailure(db, delivery.webhook_id, { at, statusCode: result.statusCode, error: result.error });
    const facts = { ...where, attempt: attempts, statusCode: result.statusCode, error: result.error };
    if (next) log.warn({ ...facts, nextAttemptAt: next.toISOString() }, "webhook attempt failed; will retry");
    else log.warn(facts, "webhook delivery failed for good after 24 hours of attempts");
  };

  const loop = periodicPass(pass, {
    intervalMs: options.intervalMs ?? 1000,
    onError: (err) => log.warn({ err }, "webhook delivery pass failed"),
  });

  return {
    start() {
      loop.start();
    },
    async flush() {
      if (loop.inFlight) await loop.inFlight.catch(() => 0);
      if (loop.stopped) return 0;
      return loop.run();
    },
    async stop() {
      const stopping = loop.stop(); // no new pass from here on
      shutdown.abort(); // an attempt in flight gives its delivery back
      await stopping;
    },
  };
}
