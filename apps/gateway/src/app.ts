import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { type App, createService, directServers, loggerOptions } from "@clinic/platform";
import cors from "@fastify/cors";
import { LogController } from "fastify";
import pino, { type DestinationStream, type Logger } from "pino";
import { corsOrigins, type GatewayConfig } from "./config.ts";
import { registerUpstreamHealth } from "./health/upstream-health.ts";
import { pathOf, registerUpstreamProxies, type UpstreamTarget } from "./proxy/upstream-proxy.ts";
import { upstreamRoutes } from "./routes.ts";
import { defaultWebDistDir, registerWebApp } from "./web/web-app.ts";

export interface GatewayAppOptions {
  config: GatewayConfig;
  logger?: Logger;
  logStream?: DestinationStream;
}

/** A client-supplied request id is kept (so a trace spans client → gateway → service) when it is sane. */
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;

/** How long `/health` waits for each upstream's own `/health`. */
const healthTimeoutMs = 3000;

export async function buildApp(options: GatewayAppOptions): Promise<App> {
  const { config } = options;
  const app = await createService({
    name: "gateway",
    title: "Clinic gateway",
    description:
      "Single origin for the browser: the web app at /, the services under /auth, /appointments, /video " +
      "(prefix stripped; each documents its API at <prefix>/docs, e.g. /video/docs/json).",
    logger: options.logger ?? createGatewayLogger(config.LOG_LEVEL, options.logStream),
    tags: [{ name: "health", description: "Gateway and upstream status" }],
    servers: directServers("gateway", config.PORT),
    // Upstream answers arrive compressed by their service (or small); the web app is precompressed.
    compress: false,
    fastify: {
      // Fastify's two lines per request become one (below), with the upstream named.
      logController: new LogController({ disableRequestLogging: true }),
      requestIdHeader: false,
      genReqId: (req: IncomingMessage) => {
        const given = req.headers["x-request-id"];
        return typeof given === "string" && requestIdPattern.test(given) ? given : randomUUID();
      },
    },
  });

  app.addHook("onResponse", async (request, reply) => {
    const upstream = (request.routeOptions.config as { upstream?: string }).upstream ?? "gateway";
    request.log.info(
      {
        method: request.method,
        // Never the query string: WebSocket join tokens travel in it.
        path: pathOf(request),
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime),
        upstream,
      },
      "request",
    );
  });

  const origins = corsOrigins(config);
  await app.register(cors, {
    origin: origins,
    methods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    exposedHeaders: ["x-request-id", "retry-after"],
    credentials: origins !== "*",
    maxAge: 600,
  });

  const targets: UpstreamTarget[] = upstreamRoutes.map((route) => ({ route, url: config[route.urlVariable] }));
  const webApp = await registerWebApp(app, config.WEB_DIST_DIR ?? defaultWebDistDir);
  await registerUpstreamProxies(app, { targets, timeoutMs: config.UPSTREAM_TIMEOUT_MS, webApp });
  registerUpstreamHealth(app, targets, Math.min(healthTimeoutMs, config.UPSTREAM_TIMEOUT_MS));
  return app;
}

/**
 * The platform logger plus one rule: a logged `url` loses its query string. The proxy
 * library logs the upstream WebSocket URL at debug level, and join tokens ride in it.
 */
export function createGatewayLogger(level: string, stream?: DestinationStream): Logger {
  const base = loggerOptions("gateway", level);
  const options = {
    ...base,
    serializers: { ...base.serializers, url: (url: unknown) => String(url).split("?")[0] },
  };
  return stream ? pino(options, stream) : pino(options);
}
