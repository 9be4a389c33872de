import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from "fastify";
import fp from "fastify-plugin";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import { forbidden, unauthorized } from "./errors.ts";

export type Role = "DOCTOR" | "PATIENT" | "ADMIN";
export const roles: readonly Role[] = ["DOCTOR", "PATIENT", "ADMIN"];

/** Who is asking, as every route sees it. */
export interface AuthUser {
  id: string;
  role: Role;
  clinic_id: string;
  name: string;
  email: string;
}

/** Only asymmetric algorithms: a shared HS256 secret or `none` is never accepted. */
export const allowedAlgorithms = ["EdDSA", "ES256"];

/**
 * A token whose `kid` is not in the cached JWKS makes the verifier fetch the JWKS again, at
 * most once per this period (tokens with made-up kids must not turn into a stream of
 * fetches). The auth service publishes a rotated key longer than this before signing with it.
 */
export const jwksRefetchCooldownMs = 30_000;

export interface VerifierOptions {
  /** Auth service JWKS URL (fetched lazily, cached, refetched on unknown `kid`). */
  jwksUrl?: string;
  /**
   * A key set instead: fixed (tests, or keys provisioned out of band), or a function giving
   * the current one (the auth service verifying with its own keys, which rotate).
   */
  jwks?: JSONWebKeySet | (() => Promise<JSONWebKeySet>);
  issuer: string;
  audience: string;
}

export type TokenVerifier = (token: string) => Promise<AuthUser>;

function keySetOf(options: VerifierOptions): JWTVerifyGetKey {
  const { jwks } = options;
  if (typeof jwks === "function") {
    // The function returns the same object while the keys are unchanged: build the lookup once per set.
    let cached: { set: JSONWebKeySet; getKey: JWTVerifyGetKey } | undefined;
    return async (header, token) => {
      const set = await jwks();
      if (cached?.set !== set) cached = { set, getKey: createLocalJWKSet(set) };
      return cached.getKey(header, token);
    };
  }
  if (jwks) return createLocalJWKSet(jwks);
  return createRemoteJWKSet(new URL(required(options.jwksUrl, "jwksUrl")), {
    cacheMaxAge: 10 * 60_000,
    cooldownDuration: jwksRefetchCooldownMs,
    timeoutDuration: 5_000,
  });
}

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const keySet = keySetOf(options);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keySet, {
        algorithms: allowedAlgorithms,
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ["sub", "exp", "iat"],
      });
      const role = payload.role as Role;
      if (!roles.includes(role) || typeof payload.clinic_id !== "string" || !payload.sub) {
        throw unauthorized("Access token is missing required claims", "INVALID_TOKEN");
      }
      return {
        id: payload.sub,
        role,
        clinic_id: payload.clinic_id,
        name: typeof payload.name === "string" ? payload.name : "",
        email: typeof payload.email === "string" ? payload.email : "",
      };
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw unauthorized("Access token has expired", "TOKEN_EXPIRED");
      if (err instanceof joseErrors.JOSEError) throw unauthorized("Access token is invalid", "INVALID_TOKEN");
      throw err;
    }
  };
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
}

/**
 * Adds `app.authenticate`. Routes opt in with `onRequest: app.authenticate` (or a plugin-level
 * hook) so public routes such as /health and /docs stay public by construction.
 */
export const authPlugin = fp<{ verify: TokenVerifier }>(
  async (app: FastifyInstance, { verify }) => {
    app.decorateRequest("user", null as unknown as AuthUser);
    app.decorate("authenticate", async (request: FastifyRequest) => {
      request.user = await verify(bearerToken(request));
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
