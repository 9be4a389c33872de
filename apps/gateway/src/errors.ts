import { AppError, toErrorBody } from "@clinic/platform";
import type { FastifyReply } from "fastify";

/**
 * Every refusal the gateway gives, with its status and code, in one place (README "Errors"
 * mirrors this list). Routes and hooks throw these; the platform handler renders
 * `{error, status, code, ...extra}`. WebSocket refusals after the upgrade are close codes
 * (`WebSocketClose` below), since an open socket has no HTTP status left to send.
 */
export class RouteNotFound extends AppError {
  constructor(method: string, path: string) {
    super(404, "ROUTE_NOT_FOUND", `Route ${method} ${path} not found`);
  }
}

/** An upgrade under a prefix whose service takes no WebSocket (only /video has signalling). */
export class WebSocketNotSupported extends AppError {
  constructor(prefix: string) {
    super(400, "WEBSOCKET_NOT_SUPPORTED", `WebSocket connections are not proxied under ${prefix}`);
  }
}

/** One client address already holds GATEWAY_WS_MAX_PER_ADDRESS sockets; refused before the upgrade. */
export class TooManyWebSockets extends AppError {
  /** Seconds, sent as `retry-after` by the platform's error handler. */
  readonly retryAfter = 10;
  constructor(limit: number) {
    super(429, "WEBSOCKET_LIMIT_REACHED", `Too many open WebSocket connections from this address (limit ${limit})`, {
      limit,
    });
  }
}

/** The upstream refused or dropped the connection. */
export class UpstreamUnavailable extends AppError {
  constructor(upstream: string) {
    super(502, "UPSTREAM_UNAVAILABLE", `The ${upstream} service is unavailable, try again shortly`);
  }
}

/** The upstream sent no response headers within UPSTREAM_TIMEOUT_MS. */
export class UpstreamTimeout extends AppError {
  constructor(upstream: string) {
    super(504, "UPSTREAM_TIMEOUT", `The ${upstream} service did not answer in time`);
  }
}

/**
 * Sends an error from a place that answers the reply itself (the proxy library's `onError`)
 * instead of throwing: same body as the error handler, without its "request failed" stack
 * trace for a 5xx that is the upstream's, not ours.
 */
export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  return reply.code(error.status).type("application/json; charset=utf-8").send(toErrorBody(error));
}

/**
 * Close codes the gateway itself gives a proxied WebSocket (RFC 6455 §7.4.1). A close the
 * video service sends (its 44xx codes) passes through unchanged.
 */
export const WebSocketClose = {
  /** A frame over the service's limit (`SIGNAL_MAX_FRAME_BYTES`); sent by `ws` itself. */
  messageTooBig: { code: 1009, reason: "message too big" },
  /** No frame from the client for GATEWAY_WS_IDLE_TIMEOUT_S. */
  idle: { code: 1008, reason: "idle timeout" },
  /** More sent before the upstream accepted than the gateway holds; the client may retry. */
  upstreamNotReady: { code: 1013, reason: "upstream not ready, try again later" },
  /** The upstream could not be reached or failed; sent by the proxy library. */
  upstreamFailed: { code: 1011, reason: "upstream failed" },
  /** The client left before the upstream accepted: the upstream half is closed at once. */
  clientGone: { code: 1001, reason: "client gone" },
} as const;
