import { ConfigError, commonConfig, loadConfig } from "@clinic/platform";
import { type Static, Type } from "typebox";

const upstreamUrl = (service: string, fallback: string) =>
  Type.String({ pattern: "^https?://", default: fallback, description: `base URL of the ${service} service` });

/** One base URL, or several (comma-separated) for replicas the gateway balances over. */
const upstreamUrlList = (service: string, fallback: string) =>
  Type.String({
    pattern: "^\\s*https?://[^,\\s]+(\\s*,\\s*https?://[^,\\s]+)*\\s*$",
    default: fallback,
    description: `base URL of the ${service} service, or a comma-separated list of its instances' base URLs (balanced round robin)`,
  });

export const gatewayConfigSchema = Type.Object({
  HOST: commonConfig.HOST,
  LOG_LEVEL: commonConfig.LOG_LEVEL,
  LOG_FORMAT: commonConfig.LOG_FORMAT,
  // A load balancer or TLS terminator in front of the gateway, if any.
  TRUST_PROXY: commonConfig.TRUST_PROXY,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8000, description: "port the gateway listens on" }),
  AUTH_URL: upstreamUrl("auth", "http://127.0.0.1:8080"),
  APPOINTMENTS_URL: upstreamUrl("appointments", "http://127.0.0.1:8082"),
  VIDEO_URL: upstreamUrlList("video", "http://127.0.0.1:8086"),
  CORS_ORIGINS: Type.String({
    default: "http://localhost:8000,http://127.0.0.1:8000",
    pattern: "^\\s*(\\*|https?://[^,\\s]+(\\s*,\\s*https?://[^,\\s]+)*)\\s*$",
    description: "comma-separated browser origins allowed to call the API cross-origin, or *",
  }),
  UPSTREAM_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 10_000,
    description: "how long to wait for an upstream's response headers before answering 504",
  }),
  MAX_EVENT_LOOP_DELAY_MS: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: "mean event-loop delay (ms) above which requests get 503 UNDER_PRESSURE; 0 = never; default 1000",
    }),
  ),
  GATEWAY_METRICS_PORT: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 65535,
      description: "port of the gateway's own Prometheus /metrics listener (never the public PORT); unset = off",
    }),
  ),
  GATEWAY_METRICS_HOST: Type.String({
    default: "127.0.0.1",
    description: "interface of the metrics listener; an internal one only, never the internet",
  }),
  // The same variable as the video service's: with Chime the web app's CSP lets the page reach
  // Chime's media endpoints; otherwise it connects to this origin only.
  MEDIA_PROVIDER: Type.Union([Type.Literal("embedded"), Type.Literal("chime")], {
    default: "embedded",
    description: "the video service's media provider; chime adds *.chime.aws to the web app's CSP connect-src",
  }),
  WEB_DIST_DIR: Type.Optional(Type.String({ description: "built web app to serve at /; default apps/web/dist" })),
  GATEWAY_WS_MAX_PER_ADDRESS: Type.Integer({
    minimum: 1,
    default: 20,
    description: "open WebSocket connections allowed per client address; more are refused with 429",
  }),
  GATEWAY_WS_IDLE_TIMEOUT_S: Type.Integer({
    minimum: 1,
    default: 120,
    description: "close a WebSocket whose client sent nothing (no message, ping or pong) for this long",
  }),
  GATEWAY_HEALTH_INTERVAL_MS: Type.Integer({
    minimum: 100,
    default: 2000,
    description: "pause between two readiness checks (/readyz) of each instance of a service given several URLs",
  }),
  GATEWAY_HEALTH_FAILURES: Type.Integer({
    minimum: 1,
    default: 2,
    description:
      "consecutive failed readiness checks that take an instance out of rotation (a refused connection: at once)",
  }),
  NODE_ENV: Type.Optional(
    Type.String({ description: "production: the API docs are not served (see GATEWAY_EXPOSE_DOCS)" }),
  ),
  GATEWAY_EXPOSE_DOCS: Type.Optional(
    Type.Union([Type.Literal("0"), Type.Literal("1")], {
      description:
        "serve Swagger UI and OpenAPI documents (/docs, /<prefix>/docs); default 1, 0 when NODE_ENV=production",
    }),
  ),
});

export type GatewayConfig = Static<typeof gatewayConfigSchema>;

export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  let config: GatewayConfig | undefined;
  let problems: string[] = [];
  try {
    config = loadConfig(gatewayConfigSchema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems = [...err.problems];
  }
  // The schema checks the form of the list; each URL, and what balancing over them needs, here.
  const video = config?.VIDEO_URL ?? env.VIDEO_URL;
  if (video && !problems.some((p) => p.startsWith("VIDEO_URL:"))) {
    problems.push(...upstreamListProblems("VIDEO_URL", video));
  }
  if (problems.length > 0 || !config) throw new ConfigError(problems);
  return config;
}

/** The base URLs of an upstream variable: one, or each instance of a replicated service. */
export function upstreamUrls(value: string): string[] {
  return value
    .split(",")
    .map((url) => url.trim())
    .filter(Boolean);
}

/**
 * Never the value in a message (a URL may carry credentials): which entry, and why. The
 * instances must differ by host or port only: the prefix rewrite is one per route, and a
 * WebSocket retried on another instance keeps its path and scheme.
 */
function upstreamListProblems(name: string, value: string): string[] {
  const urls = upstreamUrls(value);
  const parsed: URL[] = [];
  for (const [index, url] of urls.entries()) {
    if (!URL.canParse(url)) return [`${name}: entry ${index + 1} is not a valid URL`];
    parsed.push(new URL(url));
  }
  const [first] = parsed;
  if (!first || parsed.length === 1) return [];
  if (new Set(parsed.map((u) => u.host)).size < parsed.length) return [`${name}: an instance is listed twice`];
  if (parsed.some((u) => u.protocol !== first.protocol || u.pathname !== first.pathname)) {
    return [`${name}: every instance needs the same scheme and path (only host and port may differ)`];
  }
  if (parsed.some((u) => u.search || u.hash || u.username || u.password)) {
    return [`${name}: an instance URL with a query, fragment or credentials cannot be balanced`];
  }
  return [];
}

/** Swagger UI and the OpenAPI documents are for developers: off in production unless asked for. */
export function docsExposed(config: Pick<GatewayConfig, "NODE_ENV" | "GATEWAY_EXPOSE_DOCS">): boolean {
  if (config.GATEWAY_EXPOSE_DOCS !== undefined) return config.GATEWAY_EXPOSE_DOCS === "1";
  return config.NODE_ENV !== "production";
}

/** `CORS_ORIGINS` as the CORS plugin wants it: `*` or an exact list (no patterns, no guessing). */
export function corsOrigins(config: Pick<GatewayConfig, "CORS_ORIGINS">): "*" | string[] {
  if (config.CORS_ORIGINS.trim() === "*") return "*";
  const origins = config.CORS_ORIGINS.split(",")
    .map((origin) => origin.trim().replace(/\/$/, ""))
    .filter(Boolean);
  // `*` inside a list would mean "any origin" to the CORS plugin but not to the fast path's copy
  // of its rules (proxy/fast-path.ts): a list is exact, `*` stands alone.
  if (origins.includes("*")) throw new Error("CORS_ORIGINS: `*` must stand alone, not inside a list of origins");
  return origins;
}
