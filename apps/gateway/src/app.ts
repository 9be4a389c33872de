import { SIGNAL_MAX_FRAME_BYTES } from "@clinic/contracts";
import {
  type App,
  createService,
  directServers,
  type LogFormat,
  logDestination,
  loggablePath,
  loggerOptions,
  registerProbes,
} from "@clinic/platform";
import { tracingActive } from "@clinic/platform/tracing";
import cors from "@fastify/cors";
import { LogController } from "fastify";
import pino, { type DestinationStream, type Logger } from "pino";
import { accessLine, createAccessLog } from "./access-log.ts";
import { corsOrigins, docsExposed, type GatewayConfig, upstreamUrls } from "./config.ts";
import { registerDocsPolicy } from "./docs/docs-policy.ts";
import { registerUpstreamHealth } from "./health/upstream-health.ts";
import { registerMetricsPolicy, serveGatewayMetrics } from "./metrics/gateway-metrics.ts";
import { installFastPath } from "./proxy/fast-path.ts";
import { registerUpstreamPools, UpstreamPool } from "./proxy/upstream-pool.ts";
import { registerUpstreamProxies, type UpstreamTarget } from "./proxy/upstream-proxy.ts";
import { preOpenLimits } from "./proxy/websocket-guard.ts";
import { upstreamRoutes } from "./routes.ts";
import { defaultWebDistDir, registerWebApp } from "./web/web-app.ts";

export interface GatewayAppOptions {
  config: GatewayConfig;
  logger?: Logger;
  logStream?: DestinationStream;
  /**
   * Plain reads under a service prefix skip Fastify (`proxy/fast-path.ts`); default on. Off,
   * every request goes through Fastify's routes and hooks (tests compare both).
   */
  fastPath?: boolean;
}

/** How long `/health` waits for each upstream's own `/health`, and a balanced instance's `/readyz` check at most. */
const healthTimeoutMs = 3000;

export async function buildApp(options: GatewayAppOptions): Promise<App> {
  const { config } = options;
  const app = await createService({
    name: "gateway",
    title: "Clinic gateway",
    description:
      "Single origin for the browser: the web app at /, the services under /auth, /appointments, /video " +
      "(prefix stripped; each documents its API at <prefix>/docs, e.g. /video/docs/json).",
    logger: options.logger ?? createGatewayLogger(config.LOG_LEVEL, options.logStream, config.LOG_FORMAT),
    // The platform's request-id rule (a well-formed caller id is kept, so a trace spans
    // client → gateway → service; anything else is replaced) and TRUST_PROXY.
    ...(config.TRUST_PROXY ? { trustProxy: config.TRUST_PROXY } : {}),
    tags: [{ name: "health", description: "Gateway and upstream status" }],
    servers: directServers("gateway", config.PORT),
    // Upstream answers arrive compressed by their service (or small); the web app is precompressed.
    compress: false,
    // The public port: the gateway's metrics are served on GATEWAY_METRICS_PORT instead.
    metricsRoute: false,
    maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS ?? 1000,
    fastify: {
      // Fastify's two lines per request become one (below), with the upstream named.
      logController: new LogController({ disableRequestLogging: true }),
    },
  });

  const logAccess = createAccessLog(app.log as unknown as Logger);
  app.addHook("onResponse", (request, reply, done) => {
    logAccess(accessLine(request, reply));
    done();
  });

  const origins = corsOrigins(config);
  await app.register(cors, {
    origin: origins,
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    exposedHeaders: ["x-request-id", "retry-after"],
    credentials: origins !== "*",
    maxAge: 600,
  });

  registerDocsPolicy(app, docsExposed(config));
  registerMetricsPolicy(app);
  const targets: UpstreamTarget[] = upstreamRoutes.map((route) => {
    const urls = upstreamUrls(config[route.urlVariable]);
    const [url = ""] = urls;
    // One URL is proxied as it always was; several are instances balanced over, with health checks.
    if (urls.length === 1) return { route, url };
    const pool = new UpstreamPool({
      name: route.name,
      urls,
      intervalMs: config.GATEWAY_HEALTH_INTERVAL_MS,
      failureThreshold: config.GATEWAY_HEALTH_FAILURES,
      probeTimeoutMs: Math.min(healthTimeoutMs, config.UPSTREAM_TIMEOUT_MS),
      connectTimeoutMs: config.UPSTREAM_TIMEOUT_MS,
      log: app.log,
    });
    return { route, url, pool };
  });
  registerUpstreamPools(
    app,
    targets.flatMap((target) => (target.pool ? [target.pool] : [])),
  );
  const webApp = await registerWebApp(app, config.WEB_DIST_DIR ?? defaultWebDistDir, config.MEDIA_PROVIDER);
  const forwarders = await registerUpstreamProxies(app, {
    targets,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    webApp,
    webSockets: {
      maxFrameBytes: SIGNAL_MAX_FRAME_BYTES,
      maxPerAddress: config.GATEWAY_WS_MAX_PER_ADDRESS,
      idleTimeoutMs: config.GATEWAY_WS_IDLE_TIMEOUT_S * 1000,
      ...preOpenLimits,
    },
  });
  registerUpstreamHealth(app, targets, Math.min(healthTimeoutMs, config.UPSTREAM_TIMEOUT_MS));
  // Readiness asks no upstream: every replica shares them, so one service down would take
  // all gateways out of rotation and with them the web app and the services still up.
  // `/health` reports the upstreams.
  registerProbes(app, {
    checks: [],
    operationIds: { liveness: "getGatewayLiveness", readiness: "getGatewayReadiness" },
  });
  await serveGatewayMetrics(app, config.GATEWAY_METRICS_PORT, config.GATEWAY_METRICS_HOST);
  // With tracing on, plain reads keep Fastify's path: its instrumentation gives the gateway's
  // span its route and hands the trace on to the service; the fast path does neither.
  if (options.fastPath !== false && !tracingActive()) {
    installFastPath(app, { forwarders, origins, trustProxy: config.TRUST_PROXY, logAccess });
  }
  return app;
}

/**
 * The platform logger plus one rule: a logged `url` loses its query string and any invite
 * token (`loggablePath`). The proxy library logs the upstream WebSocket URL at debug level,
 * and join tokens ride in it.
 */
export function createGatewayLogger(level: string, stream?: DestinationStream, format: LogFormat = "json"): Logger {
  const base = loggerOptions("gateway", level);
  const options = {
    ...base,
    serializers: { ...base.serializers, url: (url: unknown) => loggablePath(String(url)) },
  };
  // JSON to stdout is the platform's synchronous destination, one `write` per line, as
  // bench/README.md Findings 11 and 20 count on (no line lost when the process dies; Finding 31).
  return pino(options, stream ?? logDestination(format));
}
