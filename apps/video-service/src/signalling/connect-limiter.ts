import ipaddr from "ipaddr.js";

const MINUTE_MS = 60_000;

export interface Take {
  allowed: boolean;
  /** The first refusal since the key last had a connect left: worth one log line, not one per attempt. */
  firstRefusal: boolean;
}

interface Bucket {
  tokens: number;
  at: number;
  refused: boolean;
}

/**
 * Connects allowed per key (a client address, an attendee): a token bucket holding
 * `perMinute` connects, refilled continuously, so the N+1-th connect within a minute is
 * refused and a steady client never is. Per process (each replica counts its own).
 *
 * Memory stays bounded: the map is kept in order of last use, a bucket untouched for a
 * minute has refilled (it is the same as none) and is dropped, and past `maxKeys` the
 * longest-unused keys are forgotten first.
 */
export class ConnectLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
    private readonly maxKeys = 10_000,
  ) {}

  take(key: string): Take {
    const now = this.now();
    this.#expire(now);
    const previous = this.#buckets.get(key);
    const tokens = previous
      ? Math.min(this.perMinute, previous.tokens + (Math.max(0, now - previous.at) * this.perMinute) / MINUTE_MS)
      : this.perMinute;
    this.#buckets.delete(key); // set again below, at the end: the order is the order of last use
    const allowed = tokens >= 1;
    const firstRefusal = !allowed && !previous?.refused;
    this.#buckets.set(key, { tokens: allowed ? tokens - 1 : tokens, at: now, refused: !allowed });
    for (const oldest of this.#buckets.keys()) {
      if (this.#buckets.size <= this.maxKeys) break;
      this.#buckets.delete(oldest);
    }
    return { allowed, firstRefusal };
  }

  /** Keys currently remembered (for tests of the bound). */
  get size(): number {
    return this.#buckets.size;
  }

  #expire(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.at < MINUTE_MS) return; // the rest were used more recently
      this.#buckets.delete(key);
    }
  }
}

/**
 * The key a client address is counted under: an IPv4 address as is (an IPv4-mapped IPv6
 * one too), an IPv6 address by its /64, since one subscriber is usually given a whole /64
 * and could otherwise pick a fresh address for every connect.
 */
export function addressKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip;
  const parsed = ipaddr.process(ip);
  if (parsed.kind() === "ipv4") return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(":")}::/64`;
}
