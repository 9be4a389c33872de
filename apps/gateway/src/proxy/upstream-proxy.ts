import type { ClientRequest, IncomingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import { type App, type AppError, loggablePath } from "@clinic/platform";
import proxy from "@fastify/http-proxy";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type WebSocket from "ws";
import { sendError, UpstreamTimeout, UpstreamUnavailable, WebSocketNotSupported } from "../errors.ts";
import { servicePathPattern, type UpstreamRoute } from "../routes.ts";
import type { WebApp } from "../web/web-app.ts";
import {
  type Exchange,
  type ForwardTarget,
  forward,
  hasBody,
  type OwnHeaders,
  UpstreamClients,
} from "./upstream-client.ts";
import { isConnectFailure, type UpstreamInstance, type UpstreamPool } from "./upstream-pool.ts";
import { createWebSocketGuard, type WebSocketGuard, type WebSocketLimits } from "./websocket-guard.ts";

export interface UpstreamTarget {
  route: UpstreamRoute;
  /** The upstream's base URL; with several instances, the first. */
  url: string;
  /** Several instances (a comma-separated URL variable): balanced over, with health checks. */
  pool?: UpstreamPool;
}

export interface ProxyOptions {
  targets: UpstreamTarget[];
  timeoutMs: number;
  webApp: WebApp;
  /** Frame size, per-address cap, idle timeout and pre-open budget of proxied WebSockets. */
  webSockets: Omit<WebSocketLimits, "upstreamHandshakeTimeoutMs">;
}

/**
 * One `@fastify/http-proxy` per row of the route table, for its routing, prefix stripping
 * (`/video/api/video/sessions` → `/api/video/sessions`), path validation and WebSocket
 * pass-through (under the limits of `websocket-guard.ts`); HTTP requests are forwarded by
 * our own `handler` over undici (`upstream-client.ts`, see there why). The request id and
 * `x-forwarded-*` headers are set so upstreams log the same id and can build public URLs,
 * and upstream failures leave as 502/504 with the platform's error body. A target with a
 * pool is balanced: see `httpHandler` below.
 */
/**
 * The library's typings model `preHandler` as callback-only and lack
 * `wsClientOptions.rewriteRequestHeaders`, both documented in its README and used here.
 */
const proxyPlugin = proxy as unknown as FastifyPluginAsync<Record<string, unknown>>;

const hiddenFromDocs = () => ({ schema: { hide: true } });

/** Each route's forwarder, built by `registerUpstreamProxies`, for the fast path to share. */
export async function registerUpstreamProxies(app: App, options: ProxyOptions): Promise<RouteForwarder[]> {
  // One guard for every route, so the per-address cap counts all of an address's sockets.
  const webSockets = createWebSocketGuard(
    { ...options.webSockets, upstreamHandshakeTimeoutMs: options.timeoutMs },
    app.log,
  );
  const clients = new UpstreamClients({ timeoutMs: options.timeoutMs });
  app.addHook("onClose", () => clients.close());
  const forwarders: RouteForwarder[] = [];
  for (const target of options.targets) {
    const { route, pool } = target;
    const forwarder = routeForwarder(clients, target);
    forwarders.push(forwarder);
    const { rewritePrefix } = forwarder;
    await app.register(proxyPlugin, {
      ...(pool ? { upstream: "", rewritePrefix } : { upstream: target.url, rewritePrefix }),
      handler: httpHandler(forwarder),
      prefix: route.prefix,
      websocket: route.websocket,
      // reply-from's own "fetching"/"received" lines would double ours (see request-log.ts).
      disableRequestLogging: true,
      // The catch-all proxy routes stay out of the gateway's OpenAPI document: each service
      // documents its own API, with the gateway among its servers.
      config: { upstream: route.name, swaggerTransform: hiddenFromDocs },
      preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
        if (request.raw.headers.upgrade?.toLowerCase() === "websocket") {
          // Without this the library would leave the socket of an upgrade it cannot proxy hanging.
          if (!route.websocket) throw new WebSocketNotSupported(route.prefix);
          // Before the upgrade: a 502 the client can read, rather than an open socket closed with 1011.
          if (pool && !pool.available()) return refuseNoInstance(reply, route);
          webSockets.admit(request);
          // The upgraded socket is hijacked, so onResponse never runs: log the upgrade here.
          request.log.info(
            { method: request.method, path: loggablePath(request.url), status: 101, upstream: route.name },
            "websocket upgrade",
          );
          return;
        }
        if (isWebAppNavigation(request.method, pathOf(request), request.headers, route)) {
          return options.webApp.sendIndex(reply);
        }
        if (pool && !pool.available()) return refuseNoInstance(reply, route);
      },
      // The library asks getUpstream once per HTTP request (handing the pick to our handler)
      // and once per WebSocket upgrade, so both go round robin.
      replyOptions: pool ? { getUpstream: () => pool.next().url } : {},
      wsServerOptions: webSockets.serverOptions,
      wsHooks: webSockets.hooks,
      wsClientOptions: {
        ...webSockets.clientOptions,
        ...(pool ? balancedWebSocket(pool, webSockets.clientOptions.finishRequest) : {}),
        rewriteRequestHeaders: (headers: Record<string, string>, request: FastifyRequest) => {
          const forwarded: Record<string, string> = { ...headers, ...forwardedHeadersOf(request, route) };
          for (const name of ["origin", "user-agent", "authorization"]) {
            const value = request.headers[name];
            if (typeof value === "string") forwarded[name] = value;
          }
          return forwarded;
        },
      },
    });
  }
  return forwarders;
}

/** What the library hands a `handler`: its reply options, with `getUpstream` fixed to its pick when balanced. */
interface HandlerOptions {
  getUpstream?: (request: FastifyRequest, base: string) => string;
}

/** The path the instances of a pool share (the config checks they do), which the prefix is rewritten to. */
function basePath(pool: UpstreamPool): string {
  const first = pool.instances[0]?.target;
  return first && first.pathname !== "/" ? first.pathname : "";
}

const absoluteUrl = /^https?:\/\//;

/**
 * How one route forwards an HTTP request, whichever path it came in by (Fastify's routes
 * below, or the fast path for plain reads, `fast-path.ts`): to the single upstream, or to
 * the instance picked for it; a request whose connection was refused is sent to another
 * instance when it is replayable (idempotent, no body to replay: nothing reached the refused
 * instance, and the request's stream is not consumed); otherwise `502`/`504`.
 */
export interface RouteForwarder {
  readonly route: UpstreamRoute;
  readonly pool: UpstreamPool | undefined;
  /** The path on the upstream the route's prefix is rewritten to (`""`: the upstream's root). */
  readonly rewritePrefix: string;
  /** `path` is the upstream path with the client's query string; `instance` the pick of a balanced route. */
  send(exchange: Exchange, path: string, instance: UpstreamInstance | undefined): void;
}

export function routeForwarder(clients: UpstreamClients, target: UpstreamTarget): RouteForwarder {
  const { route, pool } = target;
  const rewritePrefix = pool ? basePath(pool) : "";
  // URL's origin and host are getters that build a string each time: read once.
  const address = (url: URL) => ({ origin: url.origin, host: url.host });
  const single = address(new URL(target.url));
  const addresses = new Map(pool?.instances.map((instance) => [instance, address(instance.target)]));
  // A relative Location from the upstream names a path in its space: back into the gateway's.
  const rewriteLocation = (location: string) =>
    absoluteUrl.test(location) ? location : location.replace(rewritePrefix, route.prefix);
  // Per route, not per request: one function, called with the request's target.
  const failed: ForwardTarget["failed"] = (error, exchange, tried) => {
    const instance = tried.instance as UpstreamInstance | undefined;
    if (pool && instance && isConnectFailure(error)) {
      pool.refused(instance, causeCode(error));
      const other = !tried.retried && exchange.replayable ? pool.pick(instance) : undefined;
      if (other) {
        exchange.log.info({ upstream: route.name, cause: causeCode(error) }, "request retried on another instance");
        forward(clients, exchange, {
          ...tried,
          ...(addresses.get(other) ?? address(other.target)),
          instance: other,
          retried: true,
        });
        return;
      }
    }
    sendUpstreamError(exchange, route, error);
  };
  return {
    route,
    pool,
    rewritePrefix,
    send(exchange, path, instance) {
      const upstream = (instance && addresses.get(instance)) || single;
      forward(clients, exchange, {
        origin: upstream.origin,
        host: upstream.host,
        path,
        extraHeaders: forwardedHeaders(exchange.req.headers, exchange.id, peerOf(exchange), schemeOf(exchange), route),
        rewriteLocation,
        failed,
        instance,
        retried: false,
      });
    },
  };
}

/** The TCP peer that sent the request (the next hop, not the client behind a proxy). */
function peerOf(exchange: Exchange): string {
  return exchange.req.socket?.remoteAddress ?? "";
}

/** The scheme of the connection the request came in on (what Fastify's `request.protocol` says without a trusted proxy). */
function schemeOf(exchange: Exchange): string {
  return (exchange.req.socket as { encrypted?: boolean } | undefined)?.encrypted ? "https" : "http";
}

/** A request that came through Fastify's routing and hooks, as the forwarder sees it. */
class FastifyExchange implements Exchange {
  readonly #request: FastifyRequest;
  readonly #reply: FastifyReply;
  readonly body: Readable | null;
  constructor(request: FastifyRequest, reply: FastifyReply) {
    this.#request = request;
    this.#reply = reply;
    const req = request.raw;
    // The body as Fastify left it: the proxy's content-type parsers hand the raw stream over
    // (request.body); a request with a body but no content type was not parsed at all.
    this.body =
      req.method === "GET" || req.method === "HEAD"
        ? null
        : request.body instanceof Readable
          ? request.body
          : hasBody(req.headers)
            ? req
            : null;
  }
  get req() {
    return this.#request.raw;
  }
  get res() {
    return this.#reply.raw;
  }
  get id() {
    return this.#request.id;
  }
  get log() {
    return this.#request.log;
  }
  /** Fastify's path keeps undici (tracing instruments it). */
  readonly plain = false;
  get replayable() {
    return replayable(this.#request);
  }
  begin(): OwnHeaders {
    // What Fastify would have sent with a reply: the onRequest hooks' headers (security, CORS).
    // onResponse hooks (access line, metrics) still run when the answer is finished.
    const reply = this.#reply;
    reply.hijack();
    const own = reply.getHeaders();
    const headers: [string, string | number | readonly string[]][] = [];
    for (const name in own) {
      const value = own[name];
      if (value !== undefined) headers.push([name.toLowerCase(), value as string | number | string[]]);
    }
    return headers;
  }
  refuse(error: AppError): void {
    sendError(this.#reply, error);
  }
}

/**
 * The proxy's `handler` for HTTP requests that came through Fastify (the library's own would
 * be `reply.from`): `dest` is the path on the upstream (prefix stripped, validated by the
 * library), the query string is passed on as the client wrote it. For a balanced route the
 * library has already asked `getUpstream` (our round-robin pick).
 */
function httpHandler(forwarder: RouteForwarder) {
  const { pool } = forwarder;
  return (request: FastifyRequest, reply: FastifyReply, dest: string, options: HandlerOptions): undefined => {
    const url = request.raw.url ?? "";
    const query = url.indexOf("?");
    const instance = pool
      ? (options.getUpstream && pool.byUrl(options.getUpstream(request, ""))) || pool.next()
      : undefined;
    // The library hands `/video?x=1` an empty path: the upstream's root, as for `/video`.
    const path = dest || "/";
    forwarder.send(new FastifyExchange(request, reply), query >= 0 ? path + url.slice(query) : path, instance);
    // Nothing returned: Fastify would send it; the answer is written when the upstream's arrives.
    return undefined;
  };
}

/**
 * The WebSocket half of the balancing: the library opens the upstream socket only after it has
 * accepted the client's, and has no hook for its failure, so the retry happens one layer
 * down, in the TCP connection ws asks for (`createConnection`, see `UpstreamPool.connect`);
 * the upgrade request is sent once that connection stands, with the Host of the instance
 * reached.
 */
function balancedWebSocket(pool: UpstreamPool, finishRequest: WebSocketGuard["clientOptions"]["finishRequest"]) {
  return {
    createConnection: pool.connect,
    finishRequest: (request: ClientRequest, socket: WebSocket) =>
      finishRequest(request, socket, (upgrade) => pool.sendWhenConnected(upgrade)),
  };
}

/** Whether a request can be sent again: idempotent (RFC 9110 §9.2.2) and without a body stream to replay. */
function replayable(request: FastifyRequest): boolean {
  return ["GET", "HEAD", "OPTIONS", "PUT", "DELETE"].includes(request.method) && request.body == null;
}

export function pathOf(request: FastifyRequest): string {
  return request.url.split("?")[0] ?? request.url;
}

function forwardedHeadersOf(request: FastifyRequest, route: UpstreamRoute): Record<string, string> {
  const peer = request.raw.socket?.remoteAddress ?? request.ip;
  return forwardedHeaders(request.headers, request.id, peer, request.protocol, route);
}

/**
 * The headers the gateway adds to a forwarded request: its id, the prefix, and the
 * `x-forwarded-*` chain. `peer` is the TCP peer that sent us the request.
 */
export function forwardedHeaders(
  headers: IncomingHttpHeaders,
  requestId: string,
  peer: string,
  scheme: string,
  route: UpstreamRoute,
): Record<string, string> {
  const priorFor = headers["x-forwarded-for"];
  return {
    "x-request-id": requestId,
    "x-forwarded-prefix": route.prefix,
    // The chain grows by the peer that sent us this request (with TRUST_PROXY, request.ip is
    // already the client named in priorFor; appending it would name it twice).
    "x-forwarded-for": typeof priorFor === "string" && priorFor ? `${priorFor}, ${peer}` : peer,
    // A proxy in front of us (TLS terminator) knows the public scheme and host better than we do.
    "x-forwarded-proto": headerOr(headers, "x-forwarded-proto", scheme),
    "x-forwarded-host": headerOr(headers, "x-forwarded-host", headers.host ?? ""),
  };
}

function headerOr(headers: IncomingHttpHeaders, name: string, fallback: string): string {
  const value = headers[name];
  return typeof value === "string" && value ? value : fallback;
}

/**
 * A browser navigation to a path under a service prefix that is not the service's own
 * (`/api/*`, `/docs`, `/health`) is a page of the web app (e.g. after a reload on
 * `/appointments/today`), so it gets index.html instead of the service's 404.
 */
export function isWebAppNavigation(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  route: UpstreamRoute,
): boolean {
  if (method !== "GET") return false;
  const rest = path.slice(route.prefix.length) || "/";
  if (servicePathPattern.test(rest)) return false;
  const accept = headers.accept ?? "";
  return headers["sec-fetch-mode"] === "navigate" || accept.startsWith("text/html");
}

/** undici's codes for "no answer in time": no connection (UPSTREAM_TIMEOUT_MS is the headers' and body's). */
const timeoutCodes = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

function sendUpstreamError(exchange: Exchange, route: UpstreamRoute, error: Error & { code?: string }): void {
  const refusal = timeoutCodes.has(error.code ?? "")
    ? new UpstreamTimeout(route.name)
    : new UpstreamUnavailable(route.name);
  exchange.log.warn({ upstream: route.name, code: refusal.code, cause: causeCode(error) }, "upstream failed");
  exchange.refuse(refusal);
}

/** A balanced route whose every instance is out of rotation: 502 at once, none is tried. */
function refuseNoInstance(reply: FastifyReply, route: UpstreamRoute) {
  const refusal = new UpstreamUnavailable(route.name);
  reply.request.log.warn({ upstream: route.name, code: refusal.code, instances_up: 0 }, "upstream failed");
  return sendError(reply, refusal);
}

function causeCode(error: Error): string | undefined {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as { code?: string }).code;
}
