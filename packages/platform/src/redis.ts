import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";

/**
 * A Redis connection for state shared by replicas (signalling fan-out, rate-limit counters).
 * Its own entry point (`@clinic/platform/redis`) so that a process without REDIS_URL never
 * loads ioredis.
 *
 * Commands fail at once while the connection is down (no offline queue, one try), and after
 * 2 s when Redis does not answer: a caller answers "try again later" instead of piling work
 * up in memory. The connection itself
 * reconnects forever with a capped backoff, and ioredis re-subscribes its channels after a
 * reconnect.
 */
export interface RedisConnectOptions {
  logger: Pick<Logger, "info" | "warn">;
  /** Shown in logs and as the client name in Redis (`CLIENT LIST`). */
  name: string;
  /** Upper bound of the reconnect backoff; default 2 s. */
  maxReconnectDelayMs?: number;
}

export function connectRedis(url: string, options: RedisConnectOptions): Redis {
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const settings: RedisOptions = {
    connectionName: options.name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5000,
    // A command sent just before Redis went silent (a partition, no reset) would otherwise
    // wait for TCP to give up, minutes later, holding up whatever waits behind it.
    commandTimeout: 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), maxDelay),
  };
  const redis = new Redis(url, settings);
  let down = false;
  redis.on("ready", () => {
    if (down) options.logger.info({ redis: options.name }, "redis connection restored");
    down = false;
  });
  // Logged once per outage; the error carries no credentials (the URL is never logged).
  redis.on("error", (err: Error & { code?: string }) => {
    if (down) return;
    down = true;
    options.logger.warn({ redis: options.name, code: err.code }, "redis connection lost; reconnecting");
  });
  return redis;
}

/** Resolves when the connection is ready (or rejects after `timeoutMs`): start-up checks. */
export async function redisReady(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`redis not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", onReady);
    };
    redis.on("ready", onReady);
  });
}

export type { Redis } from "ioredis";
