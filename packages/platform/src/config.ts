import { BlockList, isIP } from "node:net";
import { type Static, type TObject, type TSchema, Type } from "typebox";
import { Value } from "typebox/value";

/** Thrown once at start-up with one line per bad variable, so an operator fixes them all in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Reads environment variables against a TypeBox object schema. Values are strings in the
 * environment; integers and booleans are converted, defaults applied, and every failure
 * reported by variable name (never by value: a bad value may be a secret).
 */
export function loadConfig<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): Static<T> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const converted = Value.Convert(schema, Value.Default(schema, raw)) as Record<string, unknown>;
  // Each variable is checked on its own: TypeBox stops collecting errors after a few
  // (Settings.maxErrors), and one union alone can fill that, hiding the other bad variables.
  const required = new Set<string>((schema as { required?: string[] }).required ?? []);
  const problems: string[] = [];
  for (const [name, property] of Object.entries(schema.properties) as [string, ConfigProperty][]) {
    const value = converted[name];
    const described = property.description ? ` (${property.description})` : "";
    if (value === undefined) {
      if (required.has(name)) problems.push(`${name}: is required${described}`);
      continue;
    }
    const [error] = Value.Errors(property, value);
    if (!error) continue;
    // A union reports each branch that failed; naming the allowed values says it better.
    const choices = property.anyOf?.every((s) => s.const !== undefined) ? property.anyOf.map((s) => s.const) : [];
    // A long regular expression says less than the description that follows it.
    const message =
      error.keyword === "pattern" && String(error.params.pattern).length > 40
        ? "is not in the expected form"
        : error.message;
    problems.push(`${name}: ${choices.length ? `must be one of ${choices.join(", ")}` : message}${described}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return converted as Static<T>;
}

type ConfigProperty = TSchema & { description?: string; anyOf?: { const?: unknown }[] };

/**
 * TRUST_PROXY: IPv4 or IPv6 addresses, each with an optional /prefix, comma-separated. Never
 * `true`: that would believe an X-Forwarded-For written by any client, letting it choose the
 * address the rate limits count and the logs record. `trustedProxies` checks each entry.
 */
const proxyEntry = "(?:[0-9]{1,3}(?:\\.[0-9]{1,3}){3}|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*)(?:/[0-9]{1,3})?";
const proxyListPattern = `^\\s*${proxyEntry}(?:\\s*,\\s*${proxyEntry})*\\s*$`;

/** Variables every service shares. Service schemas spread these in. */
export const commonConfig = {
  HOST: Type.String({ default: "0.0.0.0", description: "interface to listen on" }),
  LOG_LEVEL: Type.Union(
    ["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => Type.Literal(l)),
    { default: "info", description: "pino log level" },
  ),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: "^postgres(ql)?://", description: "PostgreSQL URL; unset = embedded PGlite" }),
  ),
  DATABASE_OWNER_URL: Type.Optional(
    Type.String({
      pattern: "^postgres(ql)?://",
      description:
        "PostgreSQL URL of the role that owns the schema and runs migrations (same database as DATABASE_URL, whose role then only gets DML); unset = DATABASE_URL's role does both",
    }),
  ),
  // Set on every PostgreSQL connection by openDatabase (db.ts holds the same defaults); see
  // docs/operations.md "Database timeouts and provider calls".
  DB_STATEMENT_TIMEOUT_MS: Type.Integer({
    minimum: 0,
    maximum: 3_600_000,
    default: 15_000,
    description:
      "PostgreSQL statement_timeout (ms) of every pooled connection: a longer statement is cancelled; 0 = none; migrations run without it",
  }),
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: Type.Integer({
    minimum: 0,
    maximum: 3_600_000,
    default: 30_000,
    description:
      "PostgreSQL idle_in_transaction_session_timeout (ms): a connection idle inside an open transaction this long is closed and its locks released; 0 = none",
  }),
  DATA_DIR: Type.String({ default: ".data", description: "where embedded PGlite keeps its files" }),
  // Read by `requireProductionDatabase` (below) before the rest of the configuration.
  ALLOW_EMBEDDED_DB: Type.Optional(
    Type.Union([Type.Literal("0"), Type.Literal("1")], {
      description: "1: with NODE_ENV=production, start on embedded PGlite when DATABASE_URL is unset (else refused)",
    }),
  ),
  AMQP_URL: Type.Optional(Type.String({ pattern: "^amqps?://", description: "RabbitMQ URL; unset = in-process bus" })),
  JWT_ISSUER: Type.String({ default: "clinic-auth", description: "expected `iss` of access tokens" }),
  JWT_AUDIENCE: Type.String({ default: "clinic-api", description: "expected `aud` of access tokens" }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, default: 65536, description: "largest request body accepted" }),
  MAX_EVENT_LOOP_DELAY_MS: Type.Optional(
    Type.Integer({
      minimum: 0,
      description:
        "mean event-loop delay (ms) above which requests get 503 UNDER_PRESSURE; 0 = never; default 1000 with DATABASE_URL, 0 without",
    }),
  ),
  LOG_FORMAT: Type.Union([Type.Literal("json"), Type.Literal("pretty")], {
    default: "json",
    description: "json (one object per line, for log storage) or pretty (human-readable, development)",
  }),
  TRUST_PROXY: Type.Optional(
    Type.String({
      pattern: proxyListPattern,
      description: "comma-separated addresses/CIDRs of proxies whose X-Forwarded-For is believed; `true` is refused",
    }),
  ),
};

/** The one line a production start without a database prints (stderr), then exits ≠ 0. */
export const productionDatabaseRequired =
  "DATABASE_URL is required when NODE_ENV=production (set ALLOW_EMBEDDED_DB=1 to run on the embedded database anyway)";

/** A ConfigError whose message is that one line (no "Invalid configuration:" heading). */
export class ProductionDatabaseError extends ConfigError {
  constructor() {
    super([productionDatabaseRequired]);
    this.name = "ProductionDatabaseError";
    this.message = productionDatabaseRequired;
  }
}

/**
 * Production never falls back to the embedded database by accident: without DATABASE_URL a
 * service would keep patients' data in a local PGlite directory nobody backs up (and the
 * stack would offer the demo logins). Checked first, by every service's entry point and by
 * the stack, so the operator reads one line about the one thing missing. ALLOW_EMBEDDED_DB=1
 * is the deliberate exception (a demo container, a smoke test).
 */
export function requireProductionDatabase(env: Record<string, string | undefined>): void {
  if (env.NODE_ENV === "production" && !env.DATABASE_URL && env.ALLOW_EMBEDDED_DB !== "1") {
    throw new ProductionDatabaseError();
  }
}

/**
 * SEED_DEMO=1 under NODE_ENV=production: refused, not ignored. The demo accounts' passwords
 * are published in the README; an operator who asked for them in production gets told so.
 */
export function demoSeedProblems(env: Record<string, string | undefined>): string[] {
  return env.NODE_ENV === "production" && env.SEED_DEMO === "1"
    ? ["SEED_DEMO: must not be 1 when NODE_ENV=production (the demo accounts' passwords are public); unset it"]
    : [];
}

/**
 * SEED_DEMO as the services apply it: as set, else on only for embedded development (no
 * DATABASE_URL and not NODE_ENV=production). `demoSeedProblems` refuses 1 in production.
 */
export function demoSeedSetting(env: { SEED_DEMO?: string; DATABASE_URL?: string; NODE_ENV?: string }): "0" | "1" {
  if (env.SEED_DEMO === "0" || env.SEED_DEMO === "1") return env.SEED_DEMO;
  return env.DATABASE_URL || env.NODE_ENV === "production" ? "0" : "1";
}

/**
 * CLINIC_TIME_ZONE (video service; the auth service hands the same value to the web app):
 * the clinic's IANA zone, in which usage months and days are counted.
 */
export const clinicTimeZoneConfig = {
  CLINIC_TIME_ZONE: Type.String({
    default: "UTC",
    description: "IANA time zone of the clinic (e.g. Europe/Berlin): usage months and days are counted in it",
  }),
};

/**
 * CLINIC_TIME_ZONE checked with Intl (what every date computation uses) at start-up, rather
 * than found out as a RangeError on the first usage request. Offsets such as +01:00 are
 * refused: they know no daylight saving time.
 */
export function timeZoneProblems(env: Record<string, string | undefined>): string[] {
  const zone = env.CLINIC_TIME_ZONE;
  if (!zone) return [];
  const problem = ["CLINIC_TIME_ZONE: is not an IANA time zone name (e.g. UTC, Europe/Berlin, America/New_York)"];
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return problem;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return [];
  } catch {
    return problem;
  }
}

/** Services that publish or consume events (an outbox/inbox) spread this in. */
export const eventRetentionConfig = {
  EVENT_RETENTION_DAYS: Type.Integer({
    minimum: 1,
    maximum: 3650,
    default: 7,
    description: "days sent outbox events and processed inbox rows are kept (they hold patient names), then purged",
  }),
};

/** Services that verify access tokens with the auth service's JWKS (AUTH_JWKS_URL) spread this in. */
export const jwksCacheConfig = {
  JWKS_MAX_STALE_HOURS: Type.Integer({
    minimum: 1,
    maximum: 720,
    default: 24,
    description:
      "hours the auth service's keys, once fetched, keep verifying while the JWKS cannot be fetched again; then every request is 503 AUTH_UNAVAILABLE until it can",
  }),
};

/** DB_STATEMENT_TIMEOUT_MS / DB_IDLE_IN_TRANSACTION_TIMEOUT_MS as `openDatabase` options. */
export function databaseTimeouts(config: {
  DB_STATEMENT_TIMEOUT_MS: number;
  DB_IDLE_IN_TRANSACTION_TIMEOUT_MS: number;
}) {
  return {
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  };
}

export interface TrustedProxies {
  /** Fastify's `trustProxy`; empty when no proxy is trusted. */
  list: string[];
  /** Whether a peer address (as the socket reports it) is one of the trusted proxies. */
  trusts(address: string | undefined): boolean;
}

/**
 * TRUST_PROXY read: each entry an IP address or CIDR (the schema's pattern only checks the
 * shape). A bad entry is a ConfigError naming TRUST_PROXY and the entry's position.
 */
export function trustedProxies(value: string | undefined): TrustedProxies {
  const list = (value ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const blocks = new BlockList();
  const problems: string[] = [];
  list.forEach((entry, index) => {
    const [address = "", prefix, ...rest] = entry.split("/");
    const family = isIP(address);
    const max = family === 6 ? 128 : 32;
    const bits = prefix === undefined ? max : /^[0-9]{1,3}$/.test(prefix) ? Number(prefix) : -1;
    if (family === 0 || rest.length > 0 || bits < 0 || bits > max) {
      problems.push(
        `TRUST_PROXY: entry ${index + 1} is not an IP address or CIDR (e.g. 10.0.0.5, 10.0.0.0/8, fd00::/8)`,
      );
      return;
    }
    // 0.0.0.0/0 or ::/0 is `true` under another name: every client could choose its address.
    if (bits === 0) {
      problems.push(`TRUST_PROXY: entry ${index + 1} (${entry}) trusts every address; name the proxies' addresses`);
      return;
    }
    blocks.addSubnet(address, bits, family === 6 ? "ipv6" : "ipv4");
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    list,
    trusts(peer) {
      if (!peer || list.length === 0) return false;
      // An IPv4 client of a dual-stack socket appears as ::ffff:a.b.c.d.
      const address = peer.startsWith("::ffff:") && isIP(peer.slice(7)) === 4 ? peer.slice(7) : peer;
      const family = isIP(address);
      return family !== 0 && blocks.check(address, family === 6 ? "ipv6" : "ipv4");
    },
  };
}

/**
 * MAX_EVENT_LOOP_DELAY_MS as `createService` takes it. Unset, it is 1000 ms with PostgreSQL and
 * off in embedded mode: PGlite runs every query on the event loop itself, so a long query or
 * a neighbour's start-up (the stack runs all services in one process) stalls the loop without
 * the service being overloaded, and shedding would only refuse the next requests.
 */
export function maxEventLoopDelay(config: { MAX_EVENT_LOOP_DELAY_MS?: number; DATABASE_URL?: string }): number {
  return config.MAX_EVENT_LOOP_DELAY_MS ?? (config.DATABASE_URL ? 1000 : 0);
}
