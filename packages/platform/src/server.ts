import { randomUUID } from "node:crypto";
import helmet from "@fastify/helmet";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from "fastify";
import helmetHeaders from "helmet";
import pino, { type DestinationStream, type Logger } from "pino";
import { registerCompression } from "./compression.ts";
import { frameworkErrorBody, registerErrorHandling } from "./errors.ts";
import { loggerOptions } from "./logger.ts";
import { type ApiServer, registerOpenApi } from "./openapi.ts";

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
  bodyLimit?: number;
  /** Tags shown in Swagger UI, in order. */
  tags?: { name: string; description: string }[];
  /** The OpenAPI document's `servers`: how the API is reached (`serviceServers`). */
  servers?: ApiServer[];
  /** Extra Fastify options (e.g. `trustProxy`). */
  fastify?: Partial<FastifyServerOptions>;
  /**
   * Compress JSON answers above 1 KiB (default on). The gateway turns it off: it passes the
   * services' compressed answers through and serves the web app precompressed.
   */
  compress?: boolean;
}

// The API serves JSON only; Swagger UI needs inline styles/scripts on /docs.
const helmetOptions = { contentSecurityPolicy: false } as const;
/** The same headers, for answers the router sends before any hook runs (`frameworkErrors`). */
const setSecurityHeaders = helmetHeaders(helmetOptions);

export function createLogger(name: string, level = "info", stream?: DestinationStream): Logger {
  return stream ? pino(loggerOptions(name, level), stream) : pino(loggerOptions(name, level));
}

/**
 * A Fastify instance with the platform's contracts wired in: request ids (taken from
 * `x-request-id` when a gateway set one), schema validation that rejects unknown fields
 * instead of silently dropping them, the `{error,status,code}` error body, security headers
 * and OpenAPI at /docs. Services add their own plugins on top.
 */
export async function createService(options: ServiceOptions): Promise<App> {
  const logger = options.logger ?? createLogger(options.name, options.logLevel, options.logStream);
  const app = Fastify({
    loggerInstance: logger,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
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
    frameworkErrors: (err, request, reply) => {
      const body = frameworkErrorBody(err);
      request.log.info({ code: body.code, status: body.status }, "request refused");
      setSecurityHeaders(request.raw, reply.raw, () => undefined);
      // The reply is typed for no route in particular; any status and body are allowed here.
      return (reply as FastifyReply).code(body.status).header("x-request-id", request.id).send(body);
    },
    ...options.fastify,
  }).withTypeProvider<TypeBoxTypeProvider>();

  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onRequest", async (_request, reply) => {
    if (!closing) return;
    return reply
      .code(503)
      .header("connection", "close")
      .send({ error: "Service is shutting down", status: 503, code: "SHUTTING_DOWN" });
  });

  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  registerErrorHandling(app);
  await app.register(helmet, helmetOptions);
  if (options.compress !== false) await registerCompression(app);
  await registerOpenApi(app, options);
  return app as unknown as App;
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

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

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
