import { randomBytes } from "node:crypto";
import { scanKeys } from "@clinic/platform/testing";

type RedisClient = ReturnType<typeof import("@clinic/platform/redis").connectRedis>;

const quiet = { info: () => undefined, warn: () => undefined };

/**
 * A REDIS_KEY_PREFIX of this run only on the shared Redis (other runs and tests use the same
 * server), its keys deleted afterwards by prefix — never FLUSHALL. Also reads what the video
 * service's replicas record there (key layout: apps/video-service/src/signalling/redis-fanout.ts).
 */
export class RedisScratch {
  readonly prefix: string;
  #redis: RedisClient | undefined;

  constructor(
    private readonly url: string,
    label: string,
  ) {
    this.prefix = `bench-${label}-${randomBytes(4).toString("hex")}:`;
  }

  async #client(): Promise<RedisClient> {
    if (this.#redis) return this.#redis;
    // Loaded only by the scenarios that use Redis, as the services do.
    const { connectRedis, redisReady } = await import("@clinic/platform/redis");
    const redis = connectRedis(this.url, { logger: quiet, name: "bench-scratch" });
    this.#redis = redis;
    await redisReady(redis);
    return redis;
  }

  /**
   * Which instance (INSTANCE_ID) holds each attendee's signalling connection of a session, as
   * the cluster records it (`<prefix>signal:presence:<session>`: attendee id → {node, …}, node
   * = `<INSTANCE_ID>/<random>`). An attendee not connected is absent.
   */
  async placement(sessionId: string): Promise<Map<string, string>> {
    const redis = await this.#client();
    const raw = await redis.hgetall(`${this.prefix}signal:presence:${sessionId}`);
    const placed = new Map<string, string>();
    for (const [attendeeId, value] of Object.entries(raw)) {
      const node = (JSON.parse(value) as { node?: unknown }).node;
      if (typeof node === "string") placed.set(attendeeId, node.slice(0, node.lastIndexOf("/")));
    }
    return placed;
  }

  /** Deletes every key under the prefix (bounded: 1,000 SCAN pages), then disconnects. */
  async cleanup(): Promise<number> {
    let deleted = 0;
    try {
      const redis = await this.#client();
      const keys = await scanKeys(redis, this.prefix);
      for (let i = 0; i < keys.length; i += 500) deleted += await redis.del(...keys.slice(i, i + 500));
    } finally {
      this.#redis?.disconnect();
      this.#redis = undefined;
    }
    return deleted;
  }
}
