import type { FastifyBaseLogger } from "fastify";
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey, errors as joseErrors } from "jose";
import type { Registry } from "prom-client";
import { AuthUnavailable } from "./errors.ts";
import { counter } from "./metrics.ts";

/**
 * A token whose `kid` is not in the cached JWKS makes the verifier fetch the JWKS again, at
 * most once per this period (tokens with made-up kids must not turn into a stream of
 * fetches). The auth service publishes a rotated key longer than this before signing with it.
 */
export const jwksRefetchCooldownMs = 30_000;
/** The fetched JWKS is refreshed this long after it was fetched (a removed key stops verifying). */
export const jwksRefreshAfterMs = 10 * 60_000;
/** One JWKS fetch gives up after this long. */
export const jwksFetchTimeoutMs = 5_000;
/** After a failed fetch the next one waits 1 s, 2 s, 4 s … up to 60 s (each × 0.5–1, jittered). */
export const jwksRetryBaseMs = 1_000;
export const jwksRetryMaxMs = 60_000;
/**
 * Held keys are trusted for at most this long after the fetch that brought them (default of
 * JWKS_MAX_STALE_HOURS). Beyond it every token is refused with 503 until a fetch succeeds: a
 * key removed (retired, compromised) while fetches kept failing — the auth service down, or
 * the path to it blocked by an attacker — must not verify for ever.
 */
export const jwksMaxStaleMs = 24 * 60 * 60_000;

export interface RemoteJwksOptions {
  url: string;
  now: () => Date;
  logger?: Pick<FastifyBaseLogger, "error" | "warn" | "info" | "debug">;
  /** Held keys verify for at most this long after their fetch (default `jwksMaxStaleMs`). */
  maxStaleMs?: number;
  /** Counts failed fetches as `auth_jwks_refresh_failures_total` on this registry. */
  metrics?: Registry;
}

export interface RemoteJwks {
  getKey: JWTVerifyGetKey;
  /** Resolves once no fetch is under way (a retry during an outage runs beside the requests). */
  settled(): Promise<void>;
}

interface KeySet {
  getKey: JWTVerifyGetKey;
  fetchedAt: number;
}

/**
 * The auth service's JWKS, fetched on first use and kept. The last key set fetched stays in use
 * while fetching fails (the keys are public; a key leaves only when a successful fetch no
 * longer lists it), so an auth-service outage does not stop verification here — for at most
 * `maxStaleMs` after that set was fetched; then every token gets 503 until a fetch succeeds.
 * Failed fetches are retried with exponential backoff, never once per request. jose's
 * `createRemoteJWKSet` is not used: once its cache expires, every verification fails while the
 * JWKS cannot be fetched.
 */
export function remoteJwks(options: RemoteJwksOptions): RemoteJwks {
  const { url, logger } = options;
  const now = () => options.now().getTime();
  const failuresMetric = options.metrics ? refreshFailures(options.metrics) : undefined;
  const maxStaleMs = options.maxStaleMs ?? jwksMaxStaleMs;
  let current: KeySet | undefined;
  /** Failed fetches since the last successful one. */
  let failures = 0;
  /** No fetch before this time (ms) after a failure. */
  let retryAt = 0;
  let pending: Promise<boolean> | undefined;
  /** The held keys are past `maxStaleMs` and refused (logged once until a fetch succeeds). */
  let expired = false;

  async function fetchKeySet(): Promise<KeySet> {
    const response = await fetch(url, {
      headers: { accept: "application/json, application/jwk-set+json" },
      redirect: "manual",
      signal: AbortSignal.timeout(jwksFetchTimeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`JWKS answered HTTP ${response.status}`);
    }
    // createLocalJWKSet refuses anything that is not a key set.
    return { getKey: createLocalJWKSet((await response.json()) as JSONWebKeySet), fetchedAt: now() };
  }

  function failed(err: unknown): false {
    failures += 1;
    failuresMetric?.inc();
    const delay = Math.min(jwksRetryMaxMs, jwksRetryBaseMs * 2 ** (failures - 1));
    retryAt = now() + Math.round(delay * (0.5 + Math.random() / 2));
    const reason = failureReason(err);
    if (failures === 1) {
      logger?.warn(
        {
          jwksUrl: url,
          reason,
          keysFetchedAt: current ? new Date(current.fetchedAt).toISOString() : null,
        },
        current
          ? "auth JWKS cannot be fetched; verifying with the keys fetched before, retrying with backoff"
          : "auth JWKS cannot be fetched and no keys are held; requests are refused with 503 until it can",
      );
    } else {
      logger?.debug({ jwksUrl: url, reason, failures }, "auth JWKS fetch failed again");
    }
    return false;
  }

  /** Fetches unless one is under way (joined) or a retry is not due yet (false at once). */
  function refresh(): Promise<boolean> {
    if (pending) return pending;
    if (now() < retryAt) return Promise.resolve(false);
    const fetching = fetchKeySet().then((keySet) => {
      if (failures > 0) logger?.info({ jwksUrl: url, failedFetches: failures }, "auth JWKS can be fetched again");
      current = keySet;
      failures = 0;
      retryAt = 0;
      expired = false;
      return true;
    }, failed);
    pending = fetching.finally(() => {
      pending = undefined;
    });
    return pending;
  }

  const unavailable = () => new AuthUnavailable(Math.max(1, Math.ceil((retryAt - now()) / 1000)));

  return {
    async getKey(header, token) {
      if (!current && !(await refresh())) throw unavailable();
      if (now() - (current as KeySet).fetchedAt >= maxStaleMs && !(await refresh())) {
        // Too old to trust: a key removed meanwhile would still verify. Refused until a fetch succeeds.
        if (!expired) {
          expired = true;
          logger?.error(
            {
              jwksUrl: url,
              keysFetchedAt: new Date((current as KeySet).fetchedAt).toISOString(),
              maxStaleHours: maxStaleMs / 3_600_000,
            },
            "auth JWKS held keys are too old to trust; requests are refused with 503 until a fetch succeeds",
          );
        }
        throw unavailable();
      }
      const held = current as KeySet;
      if (now() - held.fetchedAt >= jwksRefreshAfterMs) {
        // Healthy: a stale set is replaced before use (a removed key stops verifying on time).
        // In an outage the retry runs beside the request, which uses the last set fetched.
        if (failures === 0) await refresh();
        else void refresh();
      }
      const keys = current as KeySet;
      try {
        return await keys.getKey(header, token);
      } catch (err) {
        if (!(err instanceof joseErrors.JWKSNoMatchingKey)) throw err;
        // An unknown kid (a rotated key): fetch again, unless a fetch succeeded moments ago.
        if (failures === 0 && now() - keys.fetchedAt < jwksRefetchCooldownMs) throw err;
        if (!(await refresh())) throw unavailable();
        return (current as KeySet).getKey(header, token);
      }
    },
    async settled() {
      await pending;
    },
  };
}

/** Why a fetch failed, in words safe to log: "fetch failed (ECONNREFUSED)", "timed out", "JWKS answered HTTP 503". */
function failureReason(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === "TimeoutError") return "timed out";
  const code = (err.cause as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? `${err.message} (${code})` : err.message;
}

const refreshFailuresName = "auth_jwks_refresh_failures_total";

function refreshFailures(registry: Registry) {
  const existing = registry.getSingleMetric(refreshFailuresName);
  if (existing) return existing as ReturnType<typeof counter>;
  return counter(registry, {
    name: refreshFailuresName,
    help: "Failed fetches of the auth service's JWKS (tokens keep verifying with the keys fetched before)",
  });
}
