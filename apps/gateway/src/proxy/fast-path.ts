import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import {
  type App,
  type AppError,
  loggablePath,
  requestIdOf,
  securityHeaders,
  toErrorBody,
  trustedProxies,
} from "@clinic/platform";
import type { FastifyBaseLogger } from "fastify";
import type { AccessLine } from "../access-log.ts";
import type { Exchange, OwnHeaders } from "./upstream-client.ts";
import { isWebAppNavigation, type RouteForwarder } from "./upstream-proxy.ts";

/**
 * The fast path: a plain read under a service prefix (`GET`/`HEAD`, no body, an ordinary
 * path) is forwarded straight from the server's `request` event, before Fastify builds a
 * request, a reply, a child logger and runs its hooks for it. Issue 14's profile (bench/README.md
 * finding 11 and "The gateway's fast path") had that lifecycle as the largest cost left per
 * proxied request.
 *
 * Each duty is done once, here or in Fastify, never both and never skipped:
 * - done here, for the requests taken: the request id (the platform's `requestIdOf`),
 *   security headers (the platform's `securityHeaders`, the same frozen list its hook sets),
 *   CORS headers of an actual request (what `@fastify/cors` sets with the gateway's options;
 *   preflights are `OPTIONS`, never taken), forwarding with `x-forwarded-*`, 502/504 and
 *   retries (`RouteForwarder`, the same code as the Fastify route), the access line (same
 *   fields and logger) and the request histogram (same metric, same `route` label);
 * - left to Fastify, by not taking the request: anything the gateway refuses or answers
 *   itself — shutting down (503), load shedding (503 while under pressure), docs and metrics
 *   policies (any path with `docs`/`metrics`, `%`, `//`, dot segments or unusual characters),
 *   web app navigations, a balanced service with no instance up, forwarded headers from a peer
 *   not in TRUST_PROXY (the platform warns), every method other than GET/HEAD (bodies, content
 *   types, preflights), `upgrade` headers (WebSockets arrive as `upgrade` events anyway) and
 *   every path outside the service prefixes (`/health`, probes, the web app).
 */
export interface FastPathOptions {
  forwarders: RouteForwarder[];
  /** `CORS_ORIGINS` as `corsOrigins` reads it. */
  origins: "*" | string[];
  trustProxy: string | undefined;
  logAccess: (line: AccessLine) => void;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** How many requests the fast path took (the rest went to Fastify): for tests and debugging. */
export interface FastPathStats {
  taken: number;
}

declare module "fastify" {
  interface FastifyInstance {
    /** Set when the fast path is installed (`proxy/fast-path.ts`). */
    fastPath?: FastPathStats;
  }
}

/**
 * Printable, unencoded, no empty or dot segment, no `docs`/`metrics` in any case: a path whose
 * routing Fastify and the proxy library would leave as it is, and no policy would refuse.
 */
const plainPath = /^(?!.*(?:\/\/|\/\.|docs|metrics))\/[A-Za-z0-9\-_.~!$&'()*+,;=:@/]*$/i;

/** The histogram the platform registers (`http_request_duration_seconds`). */
interface DurationHistogram {
  observe(labels: { method: string; route: string; status_code: number }, seconds: number): void;
}

/**
 * Puts the fast path in front of Fastify's own `request` listener on `app.server`: requests it
 * does not take go to Fastify untouched. `app.inject()` (light-my-request) never reaches the
 * server, so it always exercises Fastify's path.
 */
export function installFastPath(app: App, options: FastPathOptions): FastPathStats {
  const server = app.server;
  const listeners = server.listeners("request") as RequestListener[];
  const [fastify] = listeners;
  if (listeners.length !== 1 || !fastify) throw new Error("fast path: expected Fastify's one request listener");
  const duration = app.metrics.getSingleMetric("http_request_duration_seconds") as unknown as
    | DurationHistogram
    | undefined;
  if (!duration) throw new Error("fast path: the platform's request histogram is missing");

  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  // Load shedding's state (@fastify/under-pressure), when it is on; its 503 is Fastify's.
  const pressure = app as unknown as { isUnderPressure?: () => boolean };
  const proxies = trustedProxies(options.trustProxy);
  const cors = corsHeaders(options.origins);
  // Frozen: the forwarder makes the flat `writeHead` form of each list once (`preparedOwn`).
  const own = Object.freeze(Object.entries(securityHeaders).concat(cors.fixed));
  const shared: Shared = { log: app.log, own, withOrigin: new Map(), duration, logAccess: options.logAccess };
  const routes = options.forwarders.map((forwarder) => ({
    forwarder,
    prefix: forwarder.route.prefix,
    name: forwarder.route.name,
    // The route template Fastify would have matched, for the histogram's label.
    // (`/video` and `/video/` are one route, `/video`; below it, `/video/*`).
    labels: { exact: forwarder.route.prefix, wildcard: `${forwarder.route.prefix}/*` },
  }));
  const stats: FastPathStats = { taken: 0 };
  app.decorate("fastPath", stats);

  /** The route of a request the fast path takes, or undefined: Fastify's then. */
  const routeOf = (path: string) => {
    for (const route of routes) {
      const { prefix } = route;
      if (path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47)) {
        return route;
      }
    }
    return undefined;
  };

  const take = (req: IncomingMessage): boolean => {
    if (closing) return false;
    const method = req.method;
    if (method !== "GET" && method !== "HEAD") return false;
    const headers = req.headers;
    if (headers.upgrade !== undefined || headers["transfer-encoding"] !== undefined) return false;
    const length = headers["content-length"];
    if (length !== undefined && length !== "0") return false;
    if (
      (headers["x-forwarded-for"] !== undefined || headers.forwarded !== undefined) &&
      !proxies.trusts(req.socket.remoteAddress)
    ) {
      return false;
    }
    if (req.socket.remoteAddress === undefined) return false;
    return pressure.isUnderPressure?.() !== true;
  };

  const fast: RequestListener = (req, res) => {
    const url = req.url ?? "";
    if (!take(req) || url.charCodeAt(0) !== 47) return fastify(req, res);
    const query = url.indexOf("?");
    const path = query < 0 ? url : url.slice(0, query);
    if (!plainPath.test(path)) return fastify(req, res);
    const route = routeOf(path);
    if (!route) return fastify(req, res);
    const { forwarder, prefix } = route;
    const method = req.method as string;
    if (isWebAppNavigation(method, path, req.headers, forwarder.route)) return fastify(req, res);
    const pool = forwarder.pool;
    if (pool && !pool.available()) return fastify(req, res);

    stats.taken++;
    const id = requestIdOf(req.headers["x-request-id"]);
    const label = path.length <= prefix.length + 1 ? route.labels.exact : route.labels.wildcard;
    const exchange = new FastExchange(req, res, id, shared, cors.allowOrigin(req), route.name, label, path);
    // One listener function for every response: the exchange rides on the response.
    (res as AnsweredResponse)[kExchange] = exchange;
    res.on("finish", onFinish);
    // The path on the upstream, as the proxy library would make it (the prefix rewritten).
    const dest = forwarder.rewritePrefix + path.slice(prefix.length) || "/";
    forwarder.send(exchange, query < 0 ? dest : dest + url.slice(query), pool?.next());
  };

  server.removeListener("request", fastify);
  server.on("request", fast);
  return stats;
}

/**
 * What `@fastify/cors` sets on an actual (not preflight) request with the gateway's options
 * (`app.ts`): a list of origins reflects an allowed `Origin` and varies by it, with
 * credentials; `*` allows any origin without credentials. Both expose `x-request-id` and
 * `retry-after`. The options must stay those of `app.ts` (a test compares both paths).
 */
function corsHeaders(origins: "*" | string[]): {
  fixed: [string, string][];
  allowOrigin: (req: IncomingMessage) => string | undefined;
} {
  const exposed: [string, string] = ["access-control-expose-headers", "x-request-id, retry-after"];
  if (origins === "*") {
    return {
      fixed: [["access-control-allow-origin", "*"], exposed],
      allowOrigin: () => undefined,
    };
  }
  const allowed = new Set(origins);
  return {
    fixed: [["vary", "Origin"], ["access-control-allow-credentials", "true"], exposed],
    allowOrigin: (req) => {
      const origin = req.headers.origin;
      return origin !== undefined && allowed.has(origin) ? origin : undefined;
    },
  };
}

/** What every fast exchange of one gateway shares. */
interface Shared {
  /** The service logger; a child with the request id is made only when something is logged. */
  log: FastifyBaseLogger;
  /** Security headers and the fixed CORS headers, as `[name, value]`. */
  own: readonly [string, string][];
  /** `own` and an allowed origin's `access-control-allow-origin`, per origin (only those of CORS_ORIGINS). */
  withOrigin: Map<string, OwnHeaders>;
  duration: DurationHistogram;
  logAccess: (line: AccessLine) => void;
}

const kExchange = Symbol("fastExchange");
type AnsweredResponse = ServerResponse & { [kExchange]?: FastExchange };

/** The answer is sent: histogram and access line (one function for every response, no closure per request). */
function onFinish(this: AnsweredResponse): void {
  const exchange = this[kExchange];
  this[kExchange] = undefined;
  exchange?.finished();
}

/** A request on the fast path, as the forwarder sees it (see `Exchange`). */
class FastExchange implements Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly id: string;
  readonly body = null;
  readonly replayable = true;
  readonly plain = true;
  readonly #shared: Shared;
  readonly #origin: string | undefined;
  readonly #upstream: string;
  /** The route template Fastify would have matched, for the histogram. */
  readonly #label: string;
  /** The path without the query string. */
  readonly #path: string;
  readonly #started = performance.now();
  #log: FastifyBaseLogger | undefined;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    shared: Shared,
    origin: string | undefined,
    upstream: string,
    label: string,
    path: string,
  ) {
    this.req = req;
    this.res = res;
    this.id = id;
    this.#shared = shared;
    this.#origin = origin;
    this.#upstream = upstream;
    this.#label = label;
    this.#path = path;
  }

  get log(): FastifyBaseLogger {
    this.#log ??= this.#shared.log.child({ reqId: this.id });
    return this.#log;
  }

  begin(): OwnHeaders {
    const { own, withOrigin } = this.#shared;
    const origin = this.#origin;
    if (origin === undefined) return own;
    let headers = withOrigin.get(origin);
    if (headers === undefined) {
      headers = Object.freeze([...own, ["access-control-allow-origin", origin] as const]);
      withOrigin.set(origin, headers);
    }
    return headers;
  }

  finished(): void {
    const ms = performance.now() - this.#started;
    const status = this.res.statusCode;
    const method = this.req.method as string;
    this.#shared.duration.observe({ method, route: this.#label, status_code: status }, ms / 1000);
    this.#shared.logAccess({
      reqId: this.id,
      method,
      // Never the query string nor an invite link's token, as on Fastify's path.
      path: this.#path.includes("/join/") ? loggablePath(this.#path) : this.#path,
      status,
      duration_ms: Math.round(ms),
      upstream: this.#upstream,
    });
  }

  refuse(error: AppError): void {
    const res = this.res;
    if (res.headersSent) return;
    const body = JSON.stringify(toErrorBody(error));
    for (const [name, value] of this.begin()) res.setHeader(name, value as string);
    res.statusCode = error.status;
    res.setHeader("content-type", "application/json; charset=utf-8");
    res.setHeader("x-request-id", this.id);
    res.setHeader("content-length", Buffer.byteLength(body));
    res.end(body);
  }
}
