import {
  ConfigError,
  commonConfig,
  demoSeedProblems,
  demoSeedSetting,
  loadConfig,
  timeZoneProblems,
} from "@clinic/platform";
import { type Static, Type } from "typebox";
import { keyEncryptionKeyHelp, parseKeyEncryptionKey } from "./keys/key-encryption.ts";

export const authConfigSchema = Type.Object({
  ...commonConfig,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: "port to listen on" }),
  ACCESS_TOKEN_TTL_SEC: Type.Integer({
    minimum: 60,
    maximum: 3600,
    default: 900,
    description: "access token lifetime",
  }),
  REFRESH_TOKEN_TTL_SEC: Type.Integer({
    minimum: 300,
    maximum: 90 * 86400,
    default: 7 * 86400,
    description: "refresh token lifetime, renewed by each rotation",
  }),
  LOGIN_RATE_LIMIT_MAX: Type.Integer({
    minimum: 1,
    default: 10,
    description: "login attempts per client IP and email within the window",
  }),
  LOGIN_RATE_LIMIT_ADDRESS_MAX: Type.Integer({
    minimum: 1,
    default: 100,
    description: "login attempts per client IP, whatever the email, within the window",
  }),
  LOGIN_RATE_LIMIT_WINDOW_SEC: Type.Integer({ minimum: 1, default: 300, description: "login rate limit window" }),
  REDIS_URL: Type.Optional(
    Type.String({
      pattern: "^rediss?://",
      description:
        "Redis holding the login rate-limit counters, shared by every replica; unset = each process counts in its own memory",
    }),
  ),
  REDIS_KEY_PREFIX: Type.String({
    default: "clinic:",
    pattern: "^[A-Za-z0-9:._-]{1,64}$",
    description: "prefix of every Redis key written (several deployments or test runs on one Redis)",
  }),
  AUTH_SIGNING_KEY: Type.Optional(
    Type.String({ description: "private Ed25519 JWK as JSON; unset = generated once and kept in the database" }),
  ),
  AUTH_KEY_ENCRYPTION_KEY: Type.Optional(
    Type.String({ description: `encrypts the signing keys kept in the database; ${keyEncryptionKeyHelp}` }),
  ),
  SESSION_MAX_HOURS: Type.Integer({
    minimum: 1,
    maximum: 90 * 24,
    default: 12,
    description: "a login lasts at most this long, however often its refresh token is rotated",
  }),
  PUBLIC_WEB_URL: Type.String({
    default: "http://localhost:8000",
    // No trailing slash: links are built as <PUBLIC_WEB_URL>/set-password#<token>.
    pattern: "^https?://[^\\s/?#]+(/[^\\s?#]*[^\\s?#/])?$",
    description: "where people open the web app (no trailing slash); set-password links point there",
  }),
  PASSWORD_LINK_TTL_HOURS: Type.Integer({
    minimum: 1,
    maximum: 720,
    default: 72,
    description: "how long a set-password link works",
  }),
  REFRESH_REUSE_GRACE_S: Type.Integer({
    minimum: 0,
    maximum: 60,
    default: 5,
    description:
      "seconds after its rotation a refresh token presented again gets a sibling token instead of ending the login (concurrent refreshes from tabs); 0 = any reuse ends it",
  }),
  IDLE_LOGOFF_MIN: Type.Integer({
    minimum: 1,
    maximum: 240,
    default: 15,
    description:
      "minutes without activity after which the web app signs out (told to it by GET /api/auth/client-config)",
  }),
  CLINIC_TIME_ZONE: Type.String({
    default: "UTC",
    description: "IANA time zone of the clinic (e.g. Europe/Berlin), in which the web app shows dates",
  }),
  APPOINTMENTS_URL: Type.String({
    pattern: "^https?://",
    default: "http://127.0.0.1:8082",
    description: "the appointments service's base URL: invite links are checked there (POST /api/auth/invite-token)",
  }),
  NODE_ENV: Type.Optional(Type.String({ description: "production: AUTH_KEY_ENCRYPTION_KEY is required" })),
  SEED_DEMO: Type.Optional(
    Type.Union([Type.Literal("0"), Type.Literal("1")], {
      description:
        "seed the demo clinic and users; default 1 without DATABASE_URL, 0 with it; never with NODE_ENV=production",
    }),
  ),
});

export type AuthConfig = Static<typeof authConfigSchema> & { SEED_DEMO: "0" | "1" };

export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  // Checks the schema cannot express, reported together with its own problems.
  const otherProblems = [...keyEncryptionProblems(env), ...timeZoneProblems(env), ...demoSeedProblems(env)];
  let config: Static<typeof authConfigSchema>;
  try {
    config = loadConfig(authConfigSchema, env);
  } catch (err) {
    if (err instanceof ConfigError && otherProblems.length > 0)
      throw new ConfigError([...err.problems, ...otherProblems]);
    throw err;
  }
  if (otherProblems.length > 0) throw new ConfigError(otherProblems);
  // Demo people belong to embedded development; a real database gets them only when asked,
  // production never (demoSeedProblems).
  return { ...config, SEED_DEMO: demoSeedSetting({ ...config, NODE_ENV: env.NODE_ENV }) };
}

/**
 * The private signing key must not sit in plain text in a production database: production
 * needs AUTH_KEY_ENCRYPTION_KEY, unless the key comes from the environment (AUTH_SIGNING_KEY,
 * e.g. out of a secret store) and so is not in the database at all. Values are never echoed.
 */
function keyEncryptionProblems(env: Record<string, string | undefined>): string[] {
  const raw = env.AUTH_KEY_ENCRYPTION_KEY;
  if (raw) return parseKeyEncryptionKey(raw) ? [] : [`AUTH_KEY_ENCRYPTION_KEY: must be ${keyEncryptionKeyHelp}`];
  if (env.NODE_ENV === "production" && !env.AUTH_SIGNING_KEY) {
    return [
      `AUTH_KEY_ENCRYPTION_KEY: is required when NODE_ENV=production (it encrypts the signing keys in the database; ${keyEncryptionKeyHelp})`,
    ];
  }
  return [];
}
