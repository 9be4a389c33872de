const MINUTE_MS = 60_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Invite lookups allowed per client address: a token bucket of `perMinute`, refilled
 * continuously. Per process (each replica counts its own). Memory stays bounded: the map is
 * kept in order of last use, a bucket untouched for a minute has refilled and is dropped, and
 * past `maxKeys` the longest-unused addresses are forgotten first.
 */
export class AddressLimiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 10_000,
  ) {}

  /** Seconds until the next lookup is allowed: 0 when this one is. */
  take(key: string): number {
    const now = this.now();
    for (const [old, bucket] of this.#buckets) {
      if (now - bucket.at < MINUTE_MS) break; // the rest were used more recently
      this.#buckets.delete(old);
    }
    const previous = this.#buckets.get(key);
    const tokens = previous
      ? Math.min(this.perMinute, previous.tokens + (Math.max(0, now - previous.at) * this.perMinute) / MINUTE_MS)
      : this.perMinute;
    this.#buckets.delete(key); // set again below, at the end: the order is the order of last use
    const allowed = tokens >= 1;
    this.#buckets.set(key, { tokens: allowed ? tokens - 1 : tokens, at: now });
    for (const oldest of this.#buckets.keys()) {
      if (this.#buckets.size <= this.maxKeys) break;
      this.#buckets.delete(oldest);
    }
    return allowed ? 0 : Math.max(1, Math.ceil(((1 - tokens) * MINUTE_MS) / this.perMinute / 1000));
  }
}
