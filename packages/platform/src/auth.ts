import { hash } from "node:crypto";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from "fastify";
import fp from "fastify-plugin";
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTHeaderParameters,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import type { Registry } from "prom-client";
import { forbidden, unauthorized } from "./errors.ts";
import { remoteJwks } from "./jwks.ts";

export { jwksMaxStaleMs, jwksRefetchCooldownMs, jwksRefreshAfterMs, jwksRetryMaxMs } from "./jwks.ts";

export type Role = "DOCTOR" | "PATIENT" | "ADMIN";
export const roles: readonly Role[] = ["DOCTOR", "PATIENT", "ADMIN"];

/** Who is asking, as every route sees it. */
export interface AuthUser {
  id: string;
  role: Role;
  clinic_id: string;
  name: string;
  email: string;
  /**
   * Set for a token exchanged from an invite link (`scope: "invite"`): the holder is the
   * appointment's patient for that one consultation only. `app.authenticate` refuses such a
   * token unless the route opts in (`config: { allowInvite: true }`), and an opted-in route
   * still checks that the record is this appointment's.
   */
  invite?: {
    appointment_id: string;
    invite_id: string;
    /**
     * When the invite was created (ISO 8601, claim `invite_issued_at`), when the token says: the
     * video service lets a person removed from a call rejoin only with an invite issued after it.
     */
    issued_at?: string;
  };
}

/** The one scope a token may carry today; any other is refused (a token we do not understand grants nothing). */
export const inviteScope = "invite";

/** Only asymmetric algorithms: a shared HS256 secret or `none` is never accepted. */
export const allowedAlgorithms = ["EdDSA", "ES256"];

export interface VerifierOptions {
  /**
   * Auth service JWKS URL: fetched on first use, refreshed every 10 minutes and on an unknown
   * `kid`; while it cannot be fetched the last keys fetched keep verifying, for at most
   * `jwksMaxStaleMs` after their fetch (see jwks.ts).
   */
  jwksUrl?: string;
  /** JWKS_MAX_STALE_HOURS in ms: how long held keys verify without a successful fetch (default 24 h). */
  jwksMaxStaleMs?: number;
  /**
   * A key set instead: fixed (tests, or keys provisioned out of band), or a function giving
   * the current one (the auth service verifying with its own keys, which rotate).
   */
  jwks?: JSONWebKeySet | (() => Promise<JSONWebKeySet>);
  issuer: string;
  audience: string;
  /** The clock of the JWKS cache (refresh, cooldown, retry backoff); token expiry uses jose's. */
  now?: () => Date;
  /** Where the JWKS outage (once) and its end (once) are logged. */
  logger?: FastifyBaseLogger;
  /** Counts failed JWKS fetches (`auth_jwks_refresh_failures_total`). */
  metrics?: Registry;
  /** How many verified tokens to keep (default `verifiedTokenCacheSize`; 0 = verify every time). */
  cacheSize?: number;
}

export type TokenVerifier = (token: string) => Promise<AuthUser>;

/** A verifier; `settled` resolves once no JWKS fetch is under way (a retry in an outage runs in the background). */
export type JwksTokenVerifier = TokenVerifier & { settled(): Promise<void> };

function keySetOf(options: VerifierOptions): { getKey: JWTVerifyGetKey; settled(): Promise<void> } {
  const settled = async () => undefined;
  const { jwks } = options;
  if (typeof jwks === "function") {
    // The function returns the same object while the keys are unchanged: build the lookup once per set.
    let cached: { set: JSONWebKeySet; getKey: JWTVerifyGetKey } | undefined;
    const getKey: JWTVerifyGetKey = async (header, token) => {
      const set = await jwks();
      if (cached?.set !== set) cached = { set, getKey: createLocalJWKSet(set) };
      return cached.getKey(header, token);
    };
    return { getKey, settled };
  }
  if (jwks) return { getKey: createLocalJWKSet(jwks), settled };
  return remoteJwks({
    url: new URL(required(options.jwksUrl, "jwksUrl")).href,
    now: options.now ?? (() => new Date()),
    maxStaleMs: options.jwksMaxStaleMs,
    logger: options.logger,
    metrics: options.metrics,
  });
}

/**
 * 401 for a token that does not verify against the keys held (bad signature, expired, wrong
 * claims); 503 AUTH_UNAVAILABLE (`AuthUnavailable`) when its key is unknown and the JWKS cannot
 * be fetched, since then the token may well be good, and when the held keys are too old to trust.
 */
export function createTokenVerifier(options: VerifierOptions): JwksTokenVerifier {
  const keySet = keySetOf(options);
  const cache = new VerifiedTokenCache(options.cacheSize ?? verifiedTokenCacheSize);
  /** The key the current set gives for a cached token now; undefined when it gives none (or cannot say). */
  const currentKey = async (hit: VerifiedToken): Promise<unknown> => {
    try {
      // The header alone picks the key (kid, alg); a compact JWS has no unprotected header.
      return await keySet.getKey(hit.header, { payload: "", signature: "" });
    } catch {
      return undefined;
    }
  };
  const verify = async (token: string): Promise<AuthUser> => {
    const hit = cache.get(token);
    // A token verified before is taken again only until its `exp`, and only while the current key
    // set still gives the very key object that verified it: a key removed, or any new JWKS fetched
    // (every ten minutes), means verifying in full again — with the JWKS cache's own staleness
    // refusal (503), which this lookup runs too.
    if (hit) {
      const key = Date.now() < hit.expiresAt ? await currentKey(hit) : undefined;
      if (key !== undefined && key === hit.key) return copyOf(hit.user);
      cache.delete(token);
    }
    let usedKey: unknown;
    const getKey: JWTVerifyGetKey = async (header, parts) => {
      const key = await keySet.getKey(header, parts);
      usedKey = key;
      return key;
    };
    const { user, expiresAt } = await verifyInFull(token, getKey, options);
    if (usedKey !== undefined) {
      cache.set(token, { user, key: usedKey, header: decodeProtectedHeader(token) as JWTHeaderParameters, expiresAt });
    }
    return copyOf(user);
  };
  return Object.assign(verify, { settled: keySet.settled });
}

/** Signature, algorithm, issuer, audience, expiry and claims: what a token must pass to be used at all. */
async function verifyInFull(
  token: string,
  getKey: JWTVerifyGetKey,
  options: VerifierOptions,
): Promise<{ user: AuthUser; expiresAt: number }> {
  try {
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: allowedAlgorithms,
      issuer: options.issuer,
      audience: options.audience,
      requiredClaims: ["sub", "exp", "iat"],
    });
    const expiresAt = (payload.exp as number) * 1000;
    const role = payload.role as Role;
    if (!roles.includes(role) || typeof payload.clinic_id !== "string" || !payload.sub) {
      throw unauthorized("Access token is missing required claims", "INVALID_TOKEN");
    }
    const user: AuthUser = {
      id: payload.sub,
      role,
      clinic_id: payload.clinic_id,
      name: typeof payload.name === "string" ? payload.name : "",
      email: typeof payload.email === "string" ? payload.email : "",
    };
    if (payload.scope === undefined) return { user, expiresAt };
    // An invite token names its appointment and invite, and is a patient's; anything else
    // under a scope is not a token we issued.
    const { appointment_id: appointmentId, invite_id: inviteId } = payload;
    if (
      payload.scope !== inviteScope ||
      role !== "PATIENT" ||
      typeof appointmentId !== "string" ||
      typeof inviteId !== "string"
    ) {
      throw unauthorized("Access token is invalid", "INVALID_TOKEN");
    }
    const issuedAt = payload.invite_issued_at;
    if (issuedAt !== undefined && (typeof issuedAt !== "string" || Number.isNaN(Date.parse(issuedAt)))) {
      throw unauthorized("Access token is invalid", "INVALID_TOKEN");
    }
    const invite = {
      appointment_id: appointmentId,
      invite_id: inviteId,
      ...(issuedAt !== undefined ? { issued_at: issuedAt } : {}),
    };
    return { user: { ...user, invite }, expiresAt };
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw unauthorized("Access token has expired", "TOKEN_EXPIRED");
    if (err instanceof joseErrors.JOSEError) throw unauthorized("Access token is invalid", "INVALID_TOKEN");
    throw err;
  }
}

/** Each caller gets its own copy: a request that changed its `request.user` changes no other's. */
const copyOf = (user: AuthUser): AuthUser => (user.invite ? { ...user, invite: { ...user.invite } } : { ...user });

/** Default number of verified tokens kept (`VerifierOptions.cacheSize`). */
export const verifiedTokenCacheSize = 10_000;

interface VerifiedToken {
  user: AuthUser;
  /** The key object that verified the signature (compared by identity on every use). */
  key: unknown;
  header: JWTHeaderParameters;
  /** The token's `exp`, ms. */
  expiresAt: number;
}

/**
 * Tokens that verified, least recently used first, keyed by the SHA-256 of the token (the token
 * itself is not kept as a key). Bounded: the oldest entry goes when it is full.
 */
class VerifiedTokenCache {
  private readonly entries = new Map<string, VerifiedToken>();
  constructor(private readonly max: number) {}
  private static key(token: string): string {
    // One-shot: the same digest as createHash().update().digest(), without the Hash object (~2× cheaper).
    return hash("sha256", token, "base64url");
  }
  get(token: string): VerifiedToken | undefined {
    if (this.max <= 0) return undefined;
    const key = VerifiedTokenCache.key(token);
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }
  set(token: string, entry: VerifiedToken): void {
    if (this.max <= 0) return;
    const key = VerifiedTokenCache.key(token);
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
  }
  delete(token: string): void {
    this.entries.delete(VerifiedTokenCache.key(token));
  }
}

/**
 * The verifier a service behind the auth service uses, from its configuration (AUTH_JWKS_URL,
 * JWKS_MAX_STALE_HOURS, JWT_ISSUER, JWT_AUDIENCE), logging and counting through its app.
 */
export function serviceTokenVerifier(
  config: { AUTH_JWKS_URL: string; JWKS_MAX_STALE_HOURS: number; JWT_ISSUER: string; JWT_AUDIENCE: string },
  app: { log: FastifyBaseLogger; metrics: Registry },
): JwksTokenVerifier {
  return createTokenVerifier({
    jwksUrl: config.AUTH_JWKS_URL,
    jwksMaxStaleMs: config.JWKS_MAX_STALE_HOURS * 3_600_000,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    logger: app.log,
    metrics: app.metrics,
  });
}

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`createTokenVerifier: ${name} is required`);
  return value;
}

/** Pulls the bearer token out of `Authorization`; 401 when missing or malformed. */
export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const match = header ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header) : null;
  if (!match?.[1]) throw unauthorized("Missing or malformed Authorization header (expected 'Bearer <token>')");
  return match[1];
}

declare module "fastify" {
  interface FastifyInstance {
    /** onRequest hook: verifies the bearer token and sets `request.user`. */
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
  interface FastifyRequest {
    user: AuthUser;
  }
  interface FastifyContextConfig {
    /**
     * This route also serves invite-scoped tokens (invite links). Off by default: an invite
     * holder reaches only the few routes of their own consultation that say so.
     */
    allowInvite?: boolean;
  }
}

/** 403 for an invite-scoped token on a route that did not opt in. */
export const inviteScopeRefusal = () => forbidden("This link only opens its own consultation", "INVITE_SCOPE");

/**
 * Adds `app.authenticate`. Routes opt in with `onRequest: app.authenticate` (or a plugin-level
 * hook) so public routes such as /health and /docs stay public by construction. An
 * invite-scoped token is refused (403 INVITE_SCOPE) unless the route's config has
 * `allowInvite: true`: secure by default, a new route never serves invite holders by accident.
 */
export const authPlugin = fp<{ verify: TokenVerifier }>(
  async (app: FastifyInstance, { verify }) => {
    app.decorateRequest("user", null as unknown as AuthUser);
    app.decorate("authenticate", async (request: FastifyRequest) => {
      const user = await verify(bearerToken(request));
      if (user.invite && request.routeOptions.config?.allowInvite !== true) throw inviteScopeRefusal();
      request.user = user;
    });
  },
  { name: "clinic-auth" },
);

/** preHandler guard: 403 unless the caller has one of `allowed`. */
export function requireRole(...allowed: Role[]): preHandlerHookHandler {
  return async (request) => {
    if (!allowed.includes(request.user.role)) {
      throw forbidden(`This action requires the role ${allowed.join(" or ")}`);
    }
  };
}
