import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import type { AppError } from "@clinic/platform";
import type { FastifyBaseLogger } from "fastify";
import { type Dispatcher, Pool } from "undici";

/**
 * The gateway's HTTP client to its upstreams: one undici `Pool` per upstream origin (each
 * instance of a balanced service has its own), kept-alive connections, the request's body
 * streamed up and the answer's body streamed down straight into the client's socket.
 *
 * Why not `@fastify/reply-from` (what `@fastify/http-proxy` forwards with): it wraps every
 * answer in a Readable stream that Fastify then pipes into the reply, runs the `onSend`
 * hooks over it, copies headers through `reply.header` one by one and parses a URL per
 * request — about half the gateway's CPU per request in front of a trivial upstream
 * (issue 14, bench/README.md Finding 11). Here the answer's headers are written once and
 * each body chunk goes to `res.write` as undici hands it over, with backpressure (undici
 * pauses reading from the upstream socket while the client's is full).
 */
export interface UpstreamClientOptions {
  /** Headers and body-idle timeout (UPSTREAM_TIMEOUT_MS): no headers in time → 504. */
  timeoutMs: number;
  /** Connections per upstream origin at most (as reply-from's default). */
  connections?: number;
}

export class UpstreamClients {
  readonly #pools = new Map<string, Pool>();
  readonly #options: Required<UpstreamClientOptions>;

  constructor(options: UpstreamClientOptions) {
    this.#options = { connections: 128, ...options };
  }

  /** The pool of `origin` (`http://host:port`), created on first use. */
  pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.#options.connections,
        // One request at a time per connection: a POST is never queued behind another
        // request on the same socket, and a slow answer holds up no other.
        pipelining: 1,
        headersTimeout: this.#options.timeoutMs,
        bodyTimeout: this.#options.timeoutMs,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.destroy()));
  }
}

/**
 * One client request as the forwarder sees it, whichever way it came in: through Fastify's
 * routing and hooks (`upstream-proxy.ts`, everything but plain reads) or through the fast
 * path (`fast-path.ts`, plain GET/HEAD under a prefix). The forwarding itself — headers both
 * ways, body streaming, failures — is the same code for both.
 */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The request id (the caller's when well-formed, see the platform's `requestIdOf`). */
  readonly id: string;
  /** The request's body stream, or null when it has none. */
  readonly body: Readable | null;
  /** For warnings about this request (bound to its request id). */
  readonly log: FastifyBaseLogger;
  /** Whether a failed attempt may be sent again: idempotent, and no body stream consumed. */
  readonly replayable: boolean;
  /**
   * The upstream's answer starts: the response is the forwarder's from here on. Sets the
   * gateway's own headers (security, CORS), which the upstream's then override.
   */
  begin(): void;
  /** Answers a refusal of the gateway's own (502/504) when no answer started. */
  refuse(error: AppError): void;
}

/** Where one request goes: the instance's origin and Host, and the path (query included) on it. */
export interface ForwardTarget {
  origin: string;
  host: string;
  path: string;
  /** `x-request-id`, `x-forwarded-*`: set on the upstream request after the client's own headers. */
  extraHeaders: Record<string, string>;
  /** An answer's relative `Location` is rewritten from the upstream's path space to the gateway's. */
  rewriteLocation: (location: string) => string;
  /**
   * Called, with the response still unsent, when no answer started (refused, reset, timed
   * out): retry elsewhere or answer 502/504. One function per route, not a closure per request.
   */
  failed: (error: Error & { code?: string }, exchange: Exchange, target: ForwardTarget) => void;
  /** The caller's own: for a balanced route, the instance tried and whether it is a retry. */
  instance?: unknown;
  retried?: boolean;
}

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) are the connection's, not the message's: never passed
 * on in either direction. `expect` is answered by Node's server itself (100-continue) and
 * undici refuses to send it; `host` is set to the upstream's.
 */
const hopByHopResponse = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "http2-settings",
]);
const hopByHopRequest = new Set([...hopByHopResponse, "expect", "host"]);

/** Header names a `Connection` header lists (also hop-by-hop), lower-cased; none when there is no such header. */
function connectionTokens(value: string | string[] | undefined): string[] | undefined {
  if (typeof value !== "string") return undefined;
  const names: string[] = [];
  for (const token of value.toLowerCase().split(",")) {
    const name = token.trim();
    if (name && name !== "close" && name !== "keep-alive") names.push(name);
  }
  return names.length > 0 ? names : undefined;
}

function requestHeaders(incoming: IncomingHttpHeaders, target: ForwardTarget): string[] {
  const listed = connectionTokens(incoming.connection);
  const flat: string[] = [];
  for (const name in incoming) {
    if (hopByHopRequest.has(name) || listed?.includes(name) || Object.hasOwn(target.extraHeaders, name)) continue;
    const value = incoming[name];
    if (value === undefined) continue;
    if (typeof value === "string") flat.push(name, value);
    else for (const one of value) flat.push(name, one);
  }
  flat.push("host", target.host);
  for (const name in target.extraHeaders) flat.push(name, target.extraHeaders[name] as string);
  return flat;
}

/**
 * Forwards the exchange's request to the upstream and streams its answer to the client: the
 * gateway's own headers (`exchange.begin`) and the request id are written with the upstream's
 * headers. `target.failed` is called when no answer started; a failure in the middle of a
 * body cuts the client's connection, the only honest signal left.
 */
export function forward(clients: UpstreamClients, exchange: Exchange, target: ForwardTarget): void {
  const req = exchange.req;
  const handler = new ForwardHandler(exchange, target);
  try {
    const headers = requestHeaders(req.headers, target);
    clients
      .pool(target.origin)
      .dispatch({ path: target.path, method: req.method ?? "GET", headers, body: exchange.body }, handler);
  } catch (error) {
    // Invalid headers (undici validates them before anything is sent).
    handler.onError(error as Error);
  }
}

export function hasBody(headers: IncomingHttpHeaders): boolean {
  const length = headers["content-length"];
  return (length !== undefined && length !== "0") || headers["transfer-encoding"] !== undefined;
}

const kHandler = Symbol("forwardHandler");
type ProxiedResponse = ServerResponse & { [kHandler]?: ForwardHandler };

// Shared listeners (one function for every response, not a closure per request).
function onClientClose(this: ProxiedResponse): void {
  this[kHandler]?.clientClosed();
}
function onClientDrain(this: ProxiedResponse): void {
  this[kHandler]?.resume?.();
}

/**
 * undici's dispatch handler (its callback interface, the one its HTTP/1 client calls
 * directly: no per-request adapter). The answer goes straight to the `ServerResponse`.
 */
class ForwardHandler implements Dispatcher.DispatchHandler {
  readonly #exchange: Exchange;
  readonly #res: ProxiedResponse;
  readonly #target: ForwardTarget;
  #abort: ((reason?: Error) => void) | undefined;
  resume: (() => void) | undefined;
  #started = false;
  #done = false;

  constructor(exchange: Exchange, target: ForwardTarget) {
    this.#exchange = exchange;
    this.#res = exchange.res;
    this.#target = target;
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.#abort = abort;
    // The client went away before the answer was complete: stop the upstream request too.
    if (this.#res.destroyed) {
      abort(new Error("client gone"));
      return;
    }
    this.#res[kHandler] = this;
    this.#res.once("close", onClientClose);
  }

  clientClosed(): void {
    if (!this.#done) this.#abort?.(new Error("client gone"));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText?: string): boolean {
    if (statusCode < 200) return true; // 1xx informational: the final answer follows.
    this.#started = true;
    this.resume = resume;
    const res = this.#res;
    // The gateway's own headers (security, CORS) first: the upstream's override them.
    this.#exchange.begin();
    // The upstream's headers win over those (as reply-from's copy did); several of one name
    // (set-cookie) are kept apart.
    // No prototype: a header named like one of Object's properties is just a header.
    const upstream: Record<string, string | string[]> = Object.create(null);
    let listed: string[] | undefined;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = (rawHeaders[i] as Buffer).toString("latin1").toLowerCase();
      const value = (rawHeaders[i + 1] as Buffer).toString("latin1");
      if (name === "connection") listed = connectionTokens(value);
      const prior = upstream[name];
      upstream[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
    }
    for (const name in upstream) {
      if (hopByHopResponse.has(name) || listed?.includes(name)) continue;
      let value = upstream[name] as string | string[];
      if (name === "location" && typeof value === "string") value = this.#target.rewriteLocation(value);
      try {
        res.setHeader(name, value);
      } catch {
        // A header Node refuses to send (invalid characters) is dropped, not the answer.
      }
    }
    res.setHeader("x-request-id", this.#exchange.id);
    // An HTTP/1 connection whose request body the upstream did not wait for cannot be reused.
    if (!this.#exchange.req.complete) res.setHeader("connection", "close");
    res.statusCode = statusCode;
    if (statusText) res.statusMessage = statusText;
    res.on("drain", onClientDrain);
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.#res.write(chunk);
  }

  onComplete(): void {
    this.#finish();
    this.#res.end();
  }

  #finish(): void {
    this.#done = true;
    const res = this.#res;
    res[kHandler] = undefined;
    res.removeListener("close", onClientClose);
    if (this.#started) res.removeListener("drain", onClientDrain);
  }

  onError(error: Error): void {
    this.#finish();
    if (this.#res.destroyed) return;
    if (this.#started) {
      // Headers (and perhaps part of the body) are out: cutting the connection is the only
      // way left to tell the client its answer is incomplete.
      this.#exchange.log.warn({ cause: (error as { code?: string }).code }, "upstream answer cut short");
      this.#res.destroy(error);
      return;
    }
    this.#target.failed(error, this.#exchange, this.#target);
  }
}
