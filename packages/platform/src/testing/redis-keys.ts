import type { Redis } from "ioredis";

const quiet = { info: () => undefined, warn: () => undefined };

/** Every key under `prefix` (bounded: `maxPages` SCAN pages of 500). */
export async function scanKeys(redis: Redis, prefix: string, maxPages = 1000): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  for (let page = 0; page < maxPages; page++) {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    keys.push(...batch);
    cursor = next;
    if (cursor === "0") break;
  }
  return keys;
}

/**
 * Deletes a test's or a bench run's keys, by its own prefix, never FLUSHALL: other test files
 * share the server. Returns how many were deleted. ioredis is loaded only when called.
 */
export async function deleteRedisKeys(url: string, prefix: string): Promise<number> {
  const { connectRedis, redisReady } = await import("../redis.ts");
  const redis = connectRedis(url, { logger: quiet, name: "test-cleanup" });
  try {
    await redisReady(redis);
    const keys = await scanKeys(redis, prefix);
    let deleted = 0;
    for (let i = 0; i < keys.length; i += 500) deleted += await redis.del(...keys.slice(i, i + 500));
    return deleted;
  } finally {
    redis.disconnect();
  }
}
