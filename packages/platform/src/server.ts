import { randomUUID } from "node:crypto";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import underPressure from "@fastify/under-pressure";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from "fastify";
import helmetHeaders from "helmet";
import pino, { type DestinationStream, type Logger } from "pino";
import { registerCompression } from "./compression.ts";
import { type TrustedProxies, trustedProxies } from "./config.ts";
import { frameworkErrorBody, registerErrorHandling } from "./errors.ts";
import { type LogFormat, logDestination, loggablePath, loggerOptions } from "./logger.ts";
import { registerMetrics } from "./metrics.ts";
import { type ApiServer, registerOpenApi } from "./openapi.ts";
import { registerSerializableResponses } from "./response-schemas.ts";
import { withTimeout } from "./timeout.ts";
import { shutdownTracing } from "./tracing.ts";

export type App = FastifyInstance<
  import("node:http").Server,
  import("node:http").IncomingMessage,
  import("node:http").ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface ServiceOptions {
  name: string;
  title: string;
  version?: string;
  description?: string;
  logLevel?: string;
  /** A ready logger (tests pass one writing to a capture stream). */
  logger?: Logger;
  /** Where logs go when no logger is given; stdout by default. */
  logStream?: DestinationStream;
  /** How logs are written when no logger or stream is given (LOG_FORMAT); JSON by default. */
  logFormat?: LogFormat;
  /**
   * TRUST_PROXY: addresses/CIDRs of the proxies whose X-Forwarded-For is believed (Fastify's
   * `trustProxy`). Forwarded headers from any other peer are ignored, with a warning.
   */
  trustProxy?: string;
  bodyLimit?: number;
  /** Tags shown in Swagger UI, in order. */
  tags?: { name: string; description: string }[];
  /** The OpenAPI document's `servers`: how the API is reached (`serviceServers`). */
  servers?: ApiServer[];
  /** Extra Fastify options (e.g. `trustProxy`). */
  fastify?: Partial<FastifyServerOptions>;
  /**
   * Headers on every response, refusals of malformed requests included (e.g. the video
   * service's `x-served-by: <INSTANCE_ID>`, which replica answered).
   */
  responseHeaders?: Record<string, string>;
  /**
   * Compress JSON answers above 1 KiB (default on). The gateway turns it off: it passes the
   * services' compressed answers through and serves the web app precompressed.
   */
  compress?: boolean;
  /**
   * `GET /metrics` (Prometheus) on this app's own port; default on. The gateway turns it off:
   * its port is public, so its metrics get a listener of their own (`serveMetrics`).
   */
  metricsRoute?: boolean;
  /**
   * MAX_EVENT_LOOP_DELAY_MS: while the event loop's mean delay is above this, requests are
   * refused with 503 UNDER_PRESSURE and Retry-After instead of queueing (`/livez` excepted).
   * 0 turns it off; default 1000.
   */
  maxEventLoopDelayMs?: number;
  /** How often the event-loop delay is measured, in ms (tests shorten it); default 1000. */
  pressureSampleIntervalMs?: number;
}

// The API serves JSON only; Swagger UI needs inline styles/scripts on /docs.
const helmetOptions = { contentSecurityPolicy: false } as const;
/** The same headers, for answers the router sends before any hook runs (`frameworkErrors`). */
const setSecurityHeaders = helmetHeaders(helmetOptions);

/**
 * helmet's headers for these options, read once: they depend on nothing in the request, and
 * running its twelve middlewares per request (what @fastify/helmet does) cost the gateway
 * more than its own routing (issue 14's profile, bench/README.md). Node never sets the
 * `X-Powered-By` helmet removes, so only what it sets is kept.
 */
export const securityHeaders: Readonly<Record<string, string>> = (() => {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: () => undefined,
  };
  setSecurityHeaders(
    {} as import("node:http").IncomingMessage,
    response as unknown as import("node:http").ServerResponse,
    () => undefined,
  );
  return Object.freeze(headers);
})();

/**
 * One log line per request instead of Fastify's two ("incoming request", then "request
 * completed"): the completed line names the request too (method, path without query, id), so
 * the first line only doubled the serialising, redaction and writing every request pays.
 */
export class OneLinePerRequest extends LogController {
  readonly #plain: Logger | undefined;

  /**
   * With `logger` (the service's), the completed line is written by a sibling of it without
   * pino's redaction: same destination, `service` and other bindings. The line is made here of
   * five fixed keys whose values are the method, the loggable path (`loggablePath`: no query,
   * no invite token), the id, the status and the time — no redact path can name any of them,
   * so redaction could not change a byte; yet the platform's wildcard paths make pino run
   * every value through its redactor, about half the line's cost (issue 14, bench/README.md
   * Finding "Nullable fields and request lines").
   * Errored requests, and everything else logged, still go through the redacting logger.
   */
  constructor(logger?: Logger) {
    super();
    this.#plain = logger && pino({ level: "info", base: null }, streamOf(logger)).child(logger.bindings());
  }

  override incomingRequest(): void {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      reply.log.error({ req: request, res: reply, err: error, responseTime: reply.elapsedTime }, "request errored");
    } else if (this.#plain) {
      // The request's logger decides (the service's level, now, and a route's own `logLevel`).
      if (!(reply.log as unknown as Logger).isLevelEnabled("info")) return;
      const id = String(request.id);
      this.#plain.info(
        {
          reqId: id,
          req: { method: request.method, path: loggablePath(request.url), id },
          res: { statusCode: reply.statusCode },
          responseTime: reply.elapsedTime,
        },
        "request completed",
      );
    } else {
      reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, "request completed");
    }
  }
}

const noBindings = Object.freeze({});
/** A request id pino writes as it is: no character JSON escapes (`requestIdOf`'s ids all are). */
const plainRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Fastify's per-request child logger (`{ reqId }`), made without pino running the id through
 * the platform's redactor: the wildcard redact paths make pino's `child()` redact every binding,
 * strings included (~2 % of the list page's CPU, bench/README.md Finding 32). A child with no
 * bindings, then the same `,"reqId":"…"` pino would have appended — the same lines, byte for byte
 * (no redact path names `reqId`, and such an id needs no escaping). Anything else (a route's own
 * log level or serializers, another id) takes pino's own `child()`.
 */
export function requestChildLogger(logger: FastifyBaseLogger, bindings: object, options: object): FastifyBaseLogger {
  const id = (bindings as { reqId?: unknown }).reqId;
  const chindings = (logger as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym];
  let only = true;
  for (const key in bindings) if (key !== "reqId") only = false;
  for (const _ in options) only = false;
  if (!only || typeof id !== "string" || typeof chindings !== "string" || !plainRequestId.test(id)) {
    return logger.child(bindings as Record<string, unknown>, options as Parameters<FastifyBaseLogger["child"]>[1]);
  }
  const child = logger.child(noBindings);
  (child as unknown as Record<symbol, unknown>)[pino.symbols.chindingsSym] += `,"reqId":"${id}"`;
  return child;
}

/** Where a pino logger writes. */
function streamOf(logger: Logger): DestinationStream {
  return (logger as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym] as DestinationStream;
}

/** Without a stream: JSON to stdout, synchronously (`logDestination`), not pino's asynchronous default. */
export function createLogger(name: string, level = "info", stream: DestinationStream = logDestination("json")): Logger {
  return pino(loggerOptions(name, level), stream);
}

/**
 * A caller's `x-request-id` is kept (so one id follows a request from the browser through the
 * gateway into the services and their audit rows) only when it looks like an id: 8–128
 * letters, digits and `. _ : -`. Anything else — too long, spaces, line breaks — is replaced
 * by a UUID of our own; the gateway's ids are UUIDs, so they always pass.
 */
export const requestIdPattern = /^[A-Za-z0-9._:-]{8,128}$/;

export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === "string" && requestIdPattern.test(header) ? header : randomUUID();
}

/** How long a peer that sends forwarded headers without being trusted is not warned about again. */
const forwardedWarningIntervalMs = 10 * 60_000;
/** Peers remembered for that; beyond it the oldest is forgotten (and may be warned about again). */
const forwardedWarningPeers = 1000;

/**
 * Warns when `X-Forwarded-For` / `Forwarded` arrive from a peer outside TRUST_PROXY: the
 * headers are ignored (the peer's own address counts), which is right for a client that
 * wrote them and a misconfiguration for a proxy — the log says which. Once per peer per
 * interval, in bounded memory.
 */
function warnUntrustedForwarding(app: FastifyInstance, proxies: TrustedProxies): void {
  const warned = new Map<string, number>();
  // Callback style, as the other per-request hooks: an async hook costs a promise per request.
  app.addHook("onRequest", (request, _reply, done) => {
    if (request.headers["x-forwarded-for"] === undefined && request.headers.forwarded === undefined) return done();
    const peer = request.raw.socket?.remoteAddress ?? "unknown";
    if (proxies.trusts(peer)) return done();
    const now = Date.now();
    const last = warned.get(peer);
    if (last !== undefined && now - last < forwardedWarningIntervalMs) return done();
    warned.delete(peer);
    if (warned.size >= forwardedWarningPeers) warned.delete(warned.keys().next().value as string);
    warned.set(peer, now);
    request.log.warn(
      { peer, trustProxy: proxies.list.length > 0 ? proxies.list.join(",") : "unset" },
      "forwarded headers from a peer not in TRUST_PROXY ignored; if it is a proxy, add its address to TRUST_PROXY",
    );
    done();
  });
}

/**
 * A Fastify instance with the platform's contracts wired in: request ids (the caller's
 * `x-request-id` when well-formed, see `requestIdOf`), schema validation that rejects unknown fields
 * instead of silently dropping them, the `{error,status,code}` error body, security headers
 * and OpenAPI at /docs. Services add their own plugins on top.
 */
export async function createService(options: ServiceOptions): Promise<App> {
  const logger =
    options.logger ??
    createLogger(options.name, options.logLevel, options.logStream ?? logDestination(options.logFormat ?? "json"));
  const proxies = trustedProxies(options.trustProxy);
  const app = Fastify({
    loggerInstance: logger,
    // Our rule, not Fastify's (which takes any header value as the id): see requestIdOf.
    requestIdHeader: false,
    genReqId: (req) => requestIdOf(req.headers["x-request-id"]),
    ...(proxies.list.length > 0 ? { trustProxy: proxies.list } : {}),
    bodyLimit: options.bodyLimit ?? 65536,
    ajv: {
      customOptions: {
        removeAdditional: false,
        coerceTypes: "array",
        useDefaults: true,
        allErrors: false,
      },
    },
    // Requests that still arrive while closing (on kept-alive connections) get our error body
    // from the hook below, not Fastify's own `{error,message,statusCode}`.
    return503OnClosing: false,
    logController: new OneLinePerRequest(logger),
    childLoggerFactory: requestChildLogger,
    frameworkErrors: (err, request, reply) => {
      const body = frameworkErrorBody(err);
      request.log.info({ code: body.code, status: body.status }, "request refused");
      setSecurityHeaders(request.raw, reply.raw, () => undefined);
      // The reply is typed for no route in particular; any status and body are allowed here.
      return (reply as FastifyReply)
        .code(body.status)
        .headers({ ...options.responseHeaders, "x-request-id": request.id })
        .send(body);
    },
    ...options.fastify,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Before any route is added: nullable fields serialized without an `anyOf` per value.
  registerSerializableResponses(app);
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", (_request, reply, done) => {
    if (!closing) return done();
    // Answered here: done() is not called, so nothing after this hook runs.
    reply
      .code(503)
      .header("connection", "close")
      .send({ error: "Service is shutting down", status: 503, code: "SHUTTING_DOWN" });
  });

  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
    if (options.responseHeaders) reply.headers(options.responseHeaders);
  });
  warnUntrustedForwarding(app, proxies);
  registerErrorHandling(app);
  // Every answer, errors and 404s included (onRequest runs for all of them).
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
  registerMetrics(app, { service: options.name, route: options.metricsRoute !== false });
  await registerUnderPressure(app, options);
  if (options.compress !== false) await registerCompression(app);
  await registerOpenApi(app, options);
  return app as unknown as App;
}

/** Seconds a client is told to wait when the service sheds load. */
const pressureRetryAfterSec = 5;

/**
 * Load shedding (@fastify/under-pressure): a stalled event loop answers 503 at once, in the
 * platform's error shape, rather than letting every request time out behind it.
 */
async function registerUnderPressure(app: FastifyInstance, options: ServiceOptions): Promise<void> {
  const maxEventLoopDelay = options.maxEventLoopDelayMs ?? 1000;
  if (maxEventLoopDelay <= 0) return;
  const sampleInterval = options.pressureSampleIntervalMs ?? 1000;
  // Start-up (migrations, module loading) stalls the loop without any load to shed: samples
  // taken before the app was ready, and the first one after, do not count.
  let settledAt = Number.POSITIVE_INFINITY;
  app.addHook("onReady", async () => {
    settledAt = Date.now() + 2 * sampleInterval;
  });
  await app.register(underPressure, {
    maxEventLoopDelay,
    sampleInterval,
    // The plugin sends what the handler returns (undefined lets the request through); its
    // typings only allow void. Not logged one by one (a flood while overloaded): the request
    // log and the metrics show the 503s.
    pressureHandler: ((_request: FastifyRequest, reply: FastifyReply) => {
      if (Date.now() < settledAt) return undefined;
      reply.code(503).header("retry-after", String(pressureRetryAfterSec));
      return {
        error: "The service is overloaded; try again shortly",
        status: 503,
        code: "UNDER_PRESSURE",
      };
    }) as unknown as (request: FastifyRequest, reply: FastifyReply) => void,
  });
}

export interface HealthCheck {
  name: string;
  check: () => Promise<void>;
}

/**
 * `GET /health`: 200 when every check passes, 503 with the failing ones named otherwise.
 * `operationId` names it in the service's OpenAPI document (e.g. `getAuthHealth`).
 */
export function registerHealth(app: App, service: string, checks: HealthCheck[], operationId: string): void {
  app.get(
    "/health",
    { schema: { operationId, tags: ["health"], security: [], summary: "Liveness and dependency status" } },
    async (_request, reply) => {
      const results: Record<string, "UP" | "DOWN"> = {};
      await Promise.all(
        checks.map(async ({ name, check }) => {
          results[name] = await withTimeout(check(), 2000).then(
            () => "UP" as const,
            () => "DOWN" as const,
          );
        }),
      );
      const up = Object.values(results).every((s) => s === "UP");
      return reply.status(up ? 200 : 503).send({ status: up ? "UP" : "DOWN", service, checks: results });
    },
  );
}

export { withTimeout };

/**
 * Listens, then closes gracefully on SIGTERM/SIGINT: Fastify stops accepting, lets in-flight
 * requests finish and runs onClose hooks (outbox flush, bus and database close).
 */
export async function listen(app: App, port: number, host: string): Promise<string> {
  const address = await app.listen({ port, host });
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    // Node closes idle keep-alive connections once, when closing starts; a connection busy at
    // that moment goes idle a moment later and would hold the close open until its keep-alive
    // timeout (Fastify: 72 s). Closing idle ones again until the server is closed lets
    // in-flight requests finish and nobody wait on an idle socket.
    const idle = setInterval(() => app.server.closeIdleConnections(), 100).unref();
    try {
      await app.close();
      clearInterval(idle);
      // Spans still buffered go out now (a no-op with tracing off); a collector that is down
      // must not turn a clean stop into a failed one.
      await shutdownTracing().catch(() => undefined);
      clearTimeout(force);
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, "shutdown failed");
      process.exit(1);
    }
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
  return address;
}
