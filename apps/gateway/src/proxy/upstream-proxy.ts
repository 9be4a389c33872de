import type { App } from "@clinic/platform";
import proxy from "@fastify/http-proxy";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { sendError, UpstreamTimeout, UpstreamUnavailable, WebSocketNotSupported } from "../errors.ts";
import { servicePathPattern, type UpstreamRoute } from "../routes.ts";
import type { WebApp } from "../web/web-app.ts";
import { createWebSocketGuard, type WebSocketLimits } from "./websocket-guard.ts";

export interface UpstreamTarget {
  route: UpstreamRoute;
  url: string;
}

export interface ProxyOptions {
  targets: UpstreamTarget[];
  timeoutMs: number;
  webApp: WebApp;
  /** Frame size, per-address cap, idle timeout and pre-open budget of proxied WebSockets. */
  webSockets: Omit<WebSocketLimits, "upstreamHandshakeTimeoutMs">;
}

/**
 * One `@fastify/http-proxy` per row of the route table. The prefix is stripped
 * (`/video/api/video/sessions` → `/api/video/sessions`), the request id and
 * `x-forwarded-*` headers are set so upstreams log the same id and can build public
 * URLs, and upstream failures leave as 502/504 with the platform's error body. WebSockets
 * pass through under the limits of `websocket-guard.ts`.
 */
/**
 * The library's typings model `preHandler` as callback-only and lack
 * `wsClientOptions.rewriteRequestHeaders`, both documented in its README and used here.
 */
const proxyPlugin = proxy as unknown as FastifyPluginAsync<Record<string, unknown>>;

const hiddenFromDocs = () => ({ schema: { hide: true } });

export async function registerUpstreamProxies(app: App, options: ProxyOptions): Promise<void> {
  // One guard for every route, so the per-address cap counts all of an address's sockets.
  const webSockets = createWebSocketGuard(
    { ...options.webSockets, upstreamHandshakeTimeoutMs: options.timeoutMs },
    app.log,
  );
  for (const target of options.targets) {
    const { route } = target;
    await app.register(proxyPlugin, {
      upstream: target.url,
      prefix: route.prefix,
      rewritePrefix: "",
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
          webSockets.admit(request);
          // The upgraded socket is hijacked, so onResponse never runs: log the upgrade here.
          request.log.info(
            { method: request.method, path: pathOf(request), status: 101, upstream: route.name },
            "websocket upgrade",
          );
          return;
        }
        if (isWebAppNavigation(request, route)) return options.webApp.sendIndex(reply);
      },
      replyOptions: {
        timeout: options.timeoutMs,
        // reply-from retries GETs answered 503 up to ten times by default; an upstream that
        // says it is unavailable should be believed at once, not hammered.
        retryDelay: () => null,
        rewriteRequestHeaders: (request: FastifyRequest, headers: Record<string, string>) => ({
          ...headers,
          ...forwardedHeaders(request, route),
        }),
        onError: (reply: FastifyReply, { error }: { error: Error & { statusCode?: number } }) =>
          sendUpstreamError(reply, route, error),
      },
      wsServerOptions: webSockets.serverOptions,
      wsHooks: webSockets.hooks,
      wsClientOptions: {
        ...webSockets.clientOptions,
        rewriteRequestHeaders: (headers: Record<string, string>, request: FastifyRequest) => {
          const forwarded: Record<string, string> = { ...headers, ...forwardedHeaders(request, route) };
          for (const name of ["origin", "user-agent", "authorization"]) {
            const value = request.headers[name];
            if (typeof value === "string") forwarded[name] = value;
          }
          return forwarded;
        },
      },
    });
  }
}

export function pathOf(request: FastifyRequest): string {
  return request.url.split("?")[0] ?? request.url;
}

function forwardedHeaders(request: FastifyRequest, route: UpstreamRoute): Record<string, string> {
  const priorFor = request.headers["x-forwarded-for"];
  const peer = request.raw.socket?.remoteAddress ?? request.ip;
  return {
    "x-request-id": request.id,
    "x-forwarded-prefix": route.prefix,
    // The chain grows by the peer that sent us this request (with TRUST_PROXY, request.ip is
    // already the client named in priorFor; appending it would name it twice).
    "x-forwarded-for": typeof priorFor === "string" && priorFor ? `${priorFor}, ${peer}` : peer,
    // A proxy in front of us (TLS terminator) knows the public scheme and host better than we do.
    "x-forwarded-proto": headerOr(request, "x-forwarded-proto", request.protocol),
    "x-forwarded-host": headerOr(request, "x-forwarded-host", request.headers.host ?? ""),
  };
}

function headerOr(request: FastifyRequest, name: string, fallback: string): string {
  const value = request.headers[name];
  return typeof value === "string" && value ? value : fallback;
}

/**
 * A browser navigation to a path under a service prefix that is not the service's own
 * (`/api/*`, `/docs`, `/health`) is a page of the web app (e.g. after a reload on
 * `/appointments/today`), so it gets index.html instead of the service's 404.
 */
function isWebAppNavigation(request: FastifyRequest, route: UpstreamRoute): boolean {
  if (request.method !== "GET") return false;
  const rest = pathOf(request).slice(route.prefix.length) || "/";
  if (servicePathPattern.test(rest)) return false;
  const accept = request.headers.accept ?? "";
  return request.headers["sec-fetch-mode"] === "navigate" || accept.startsWith("text/html");
}

function sendUpstreamError(reply: FastifyReply, route: UpstreamRoute, error: Error & { statusCode?: number }) {
  const refusal = error.statusCode === 504 ? new UpstreamTimeout(route.name) : new UpstreamUnavailable(route.name);
  reply.request.log.warn({ upstream: route.name, code: refusal.code, cause: causeCode(error) }, "upstream failed");
  return sendError(reply, refusal);
}

function causeCode(error: Error): string | undefined {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error as { code?: string }).code;
}
