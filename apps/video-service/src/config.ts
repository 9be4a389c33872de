import { hostname } from "node:os";
import { IceServer } from "@clinic/contracts";
import {
  ConfigError,
  clinicTimeZoneConfig,
  commonConfig,
  eventRetentionConfig,
  jwksCacheConfig,
  loadConfig,
  timeZoneProblems,
} from "@clinic/platform";
import { type Static, Type } from "typebox";
import { Value } from "typebox/value";
import type { TurnSettings } from "./meetings/embedded/turn-credentials.ts";

export const videoConfigSchema = Type.Object({
  ...commonConfig,
  ...eventRetentionConfig,
  ...jwksCacheConfig,
  ...clinicTimeZoneConfig,
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8086, description: "port to listen on" }),
  PUBLIC_URL: Type.Optional(
    Type.String({
      pattern: "^https?://",
      description: "browser-facing base URL incl. any gateway prefix, e.g. https://clinic.example/video",
    }),
  ),
  APPOINTMENTS_URL: Type.String({
    pattern: "^https?://",
    default: "http://127.0.0.1:8082",
    description: "appointments service base URL",
  }),
  APPOINTMENTS_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 3000 }),
  AUTH_JWKS_URL: Type.String({
    pattern: "^https?://",
    default: "http://127.0.0.1:8080/api/auth/.well-known/jwks.json",
    description: "auth service JWKS",
  }),
  MEDIA_PROVIDER: Type.Union([Type.Literal("embedded"), Type.Literal("chime")], {
    default: "embedded",
    description: "embedded | chime",
  }),
  ICE_SERVERS: Type.String({ default: "[]", description: "JSON array of RTCIceServer objects" }),
  TURN_URLS: Type.Optional(
    Type.String({
      description:
        "comma-separated turn:/turns: URLs of a TURN server (coturn); each person gets their own ephemeral credential for them (embedded media)",
    }),
  ),
  TURN_SECRET: Type.Optional(
    Type.String({
      minLength: 1,
      description: "the TURN server's shared secret (coturn static-auth-secret); required with TURN_URLS",
    }),
  ),
  TURN_TTL_S: Type.Integer({
    minimum: 60,
    maximum: 86_400,
    default: 3600,
    description: "seconds a TURN credential stays valid (handed out on every start and join)",
  }),
  ICE_TRANSPORT_POLICY: Type.Union([Type.Literal("all"), Type.Literal("relay")], {
    default: "all",
    description: "all | relay: browsers use only the TURN relay (strict firewalls); relay requires TURN_URLS",
  }),
  FREE_TIER_MINUTES: Type.Integer({ minimum: 1, default: 1000, description: "attendee-minutes per clinic per month" }),
  USAGE_LIMIT_POLICY: Type.Union([Type.Literal("block"), Type.Literal("warn")], {
    default: "block",
    description: "block | warn",
  }),
  TELEHEALTH_CONSENT: Type.Union([Type.Literal("required"), Type.Literal("off")], {
    default: "required",
    description: "required: a patient joins only after giving telehealth consent; off: no consent step",
  }),
  JOIN_WINDOW_BEFORE_MIN: Type.Integer({ minimum: 0, maximum: 1440, default: 10 }),
  JOIN_WINDOW_AFTER_MIN: Type.Integer({ minimum: 0, maximum: 1440, default: 30 }),
  IDLE_TIMEOUT_MIN: Type.Integer({ minimum: 1, maximum: 1440, default: 15 }),
  IDLE_SWEEP_INTERVAL_SEC: Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
  JOIN_TOKEN_TTL_SEC: Type.Integer({ minimum: 30, maximum: 86_400, default: 600 }),
  DB_POOL_SIZE: Type.Integer({
    minimum: 1,
    maximum: 200,
    default: 10,
    description:
      "PostgreSQL connections this instance opens at most (the pg pool); audit rows of concurrent requests share one (group commit)",
  }),
  SIGNAL_CONNECTS_PER_MINUTE: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    default: 60,
    description:
      "signalling connects allowed per client address and per attendee in any minute (a browser reconnects at most once a second)",
  }),
  JOIN_TOKEN_PRIVATE_JWK: Type.Optional(
    Type.String({
      description:
        "Ed25519 private JWK (JSON) signing join tokens; unset = a fresh key per start (required with REDIS_URL)",
    }),
  ),
  REDIS_URL: Type.Optional(
    Type.String({
      pattern: "^rediss?://",
      description:
        "Redis URL: instances relay signalling, presence and connect limits through it (several replicas); unset = one instance, in memory",
    }),
  ),
  REDIS_KEY_PREFIX: Type.String({
    pattern: "^[A-Za-z0-9:._-]{1,64}$",
    default: "clinic:",
    description: "prefix of every Redis key and channel of this deployment (letters, digits, : . _ -)",
  }),
  INSTANCE_ID: Type.Optional(
    Type.String({
      pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$",
      description: "this instance's name in x-served-by, /health and logs; default video-<hostname>-<pid>",
    }),
  ),
  AWS_REGION: Type.Optional(Type.String({ pattern: "^[a-z]{2}(-[a-z]+)+-\\d$", description: "Chime media region" })),
  NODE_ENV: Type.Optional(Type.String({ description: "production: webhook URLs must be https" })),
  WEBHOOK_ALLOW_PRIVATE: Type.Union([Type.Literal("0"), Type.Literal("1")], {
    default: "0",
    description: "1: webhook URLs may point at private/loopback addresses (on under npm start only)",
  }),
  WEBHOOK_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60_000, default: 10_000 }),
});
export type VideoConfig = Static<typeof videoConfigSchema>;

/** Every bad variable in one message, ICE_SERVERS' JSON included. */
export function loadVideoConfig(env: Record<string, string | undefined> = process.env): VideoConfig {
  const problems: string[] = [];
  let config: VideoConfig | undefined;
  for (const step of [
    () => {
      config = loadConfig(videoConfigSchema, env);
    },
    () => parseIceServers(env.ICE_SERVERS || "[]"),
    () => {
      const zone = timeZoneProblems(env);
      if (zone.length > 0) throw new ConfigError(zone);
    },
    () => turnSettings(env),
    () => {
      // Replicas verify the join tokens each other signs: one key for all, or none can start.
      if (env.REDIS_URL && !env.JOIN_TOKEN_PRIVATE_JWK) {
        throw new ConfigError([
          "JOIN_TOKEN_PRIVATE_JWK: is required with REDIS_URL (every instance must verify the join tokens the others sign)",
        ]);
      }
    },
  ]) {
    try {
      step();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return config;
}

/** INSTANCE_ID when unset: the host and process, made to fit its pattern. */
export function defaultInstanceId(): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .slice(0, 40);
  return `video-${host}-${process.pid}`;
}

/** ICE_SERVERS parsed and checked (an RTCIceServer[]); throws a ConfigError naming the variable. */
export function parseIceServers(raw: string): IceServer[] {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new ConfigError(["ICE_SERVERS: must be a JSON array of {urls, username?, credential?}"]);
  }
  if (!Value.Check(Type.Array(IceServer), value)) {
    throw new ConfigError(["ICE_SERVERS: must be a JSON array of {urls, username?, credential?}"]);
  }
  return value;
}

/**
 * TURN_URLS, TURN_SECRET, TURN_TTL_S and ICE_TRANSPORT_POLICY checked together: the TURN
 * settings (undefined without TURN). Throws a ConfigError naming every problem.
 */
export function turnSettings(
  env: Pick<Partial<VideoConfig>, "TURN_URLS" | "TURN_SECRET" | "ICE_TRANSPORT_POLICY"> & {
    TURN_TTL_S?: number | string | undefined;
  },
): TurnSettings | undefined {
  const problems: string[] = [];
  const urls = (env.TURN_URLS ?? "")
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "");
  const bad = urls.filter((u) => !/^turns?:[^\s]+$/.test(u));
  if (bad.length > 0) problems.push("TURN_URLS: each entry must be a turn: or turns: URL (comma-separated)");
  if (urls.length > 0 && !env.TURN_SECRET) problems.push("TURN_SECRET: is required with TURN_URLS");
  if (urls.length === 0 && env.TURN_SECRET) problems.push("TURN_URLS: is required with TURN_SECRET");
  if (env.ICE_TRANSPORT_POLICY === "relay" && urls.length === 0) {
    problems.push(
      "ICE_TRANSPORT_POLICY: relay requires TURN_URLS and TURN_SECRET (there is nothing else to relay through)",
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (urls.length === 0 || !env.TURN_SECRET) return undefined;
  const ttl = Number(env.TURN_TTL_S ?? 3600);
  return { urls, secret: env.TURN_SECRET, ttlSeconds: Number.isInteger(ttl) ? ttl : 3600 };
}
