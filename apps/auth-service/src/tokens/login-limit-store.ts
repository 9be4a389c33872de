import { createHash } from "node:crypto";
import { withTimeout } from "@clinic/platform";
import type { Redis } from "@clinic/platform/redis";
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { FastifyBaseLogger } from "fastify";

/**
 * Where the login rate limit counts with REDIS_URL: in Redis, shared by every replica of the
 * auth service, so the limit holds however a load balancer spreads the attempts.
 *
 * While Redis does not answer (down, or no reply within `timeoutMs`), each replica counts in
 * its own memory instead, until Redis answers again. Neither failing open (no limit at all:
 * whoever can upset Redis could guess passwords freely) nor failing closed (every clinician
 * refused a login during a Redis outage): the limit still holds per replica, so an attacker
 * gains at most one window's allowance per replica.
 */
export interface LoginLimitStoreOptions {
  redis: Redis;
  /** Key prefix, e.g. `clinic:auth:login-limit:`; each route's counters get their own part. */
  prefix: string;
  log: FastifyBaseLogger;
  /** How long to wait for Redis before counting locally; default 1 s. */
  timeoutMs?: number;
  /** Most keys kept in memory while counting locally (oldest dropped first); default 10 000. */
  localKeys?: number;
}

/** INCR, the window started by the first attempt; a key somehow left without expiry gets one. */
const incrementScript = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`;

type Count = { current: number; ttl: number };

/** The `store` option of @fastify/rate-limit (it instantiates the class, then a child per limit). */
export function loginLimitStore(options: LoginLimitStoreOptions): FastifyRateLimitStoreCtor {
  const timeoutMs = options.timeoutMs ?? 1000;
  const localKeys = options.localKeys ?? 10_000;
  // One outage, one warning (and one line when it is over), however many logins meanwhile.
  let degraded = false;

  const redisIncrement = async (key: string, windowMs: number): Promise<Count> => {
    const reply = await withTimeout(options.redis.eval(incrementScript, 1, key, windowMs), timeoutMs);
    const [current, ttl] = reply as [number, number];
    return { current, ttl };
  };

  class LoginLimitStore implements FastifyRateLimitStore {
    readonly #key: string;
    readonly #local = new Map<string, { current: number; resetAt: number }>();

    /** The plugin passes its settings first (unused here); children pass their key. */
    constructor(_settings?: unknown, key = options.prefix) {
      this.#key = key;
    }

    incr(key: string, callback: (error: Error | null, result?: Count) => void, timeWindow: number): void {
      // Hashed: Redis holds no client address in clear (the per-address limit keys on it).
      const hashed = createHash("sha256").update(key).digest("base64url");
      redisIncrement(this.#key + hashed, timeWindow).then(
        (count) => {
          if (degraded) options.log.info("login rate limit counting in Redis again");
          degraded = false;
          callback(null, count);
        },
        (err: Error & { code?: string }) => {
          // Not the error itself: a Redis reply error carries the command's arguments (the key).
          if (!degraded) {
            options.log.warn(
              { code: err.code ?? err.name },
              "login rate limit: Redis unavailable, counting in this process's memory until it answers",
            );
          }
          degraded = true;
          callback(null, this.#localIncrement(key, timeWindow));
        },
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore["child"]>[0]): FastifyRateLimitStore {
      // As the plugin's own Redis store: each route's counters under their own part of the key.
      // (The plugin passes the limit's settings, the route under `routeInfo`; its types say otherwise.)
      const route = (routeOptions as { routeInfo?: { method?: unknown; url?: string } }).routeInfo;
      return new LoginLimitStore(undefined, `${this.#key}${String(route?.method ?? "")}${route?.url ?? ""}-`);
    }

    #localIncrement(key: string, windowMs: number): Count {
      const now = Date.now();
      let entry = this.#local.get(key);
      if (!entry || entry.resetAt <= now) {
        entry = { current: 0, resetAt: now + windowMs };
        this.#local.delete(key);
        if (this.#local.size >= localKeys) {
          const oldest = this.#local.keys().next();
          if (!oldest.done) this.#local.delete(oldest.value);
        }
        this.#local.set(key, entry);
      }
      entry.current += 1;
      return { current: entry.current, ttl: entry.resetAt - now };
    }
  }

  return LoginLimitStore;
}
