import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from "node:http";
import type { Readable } from "node:stream";
import type { AppError } from "@clinic/platform";
import type { FastifyBaseLogger } from "fastify";
import { type Dispatcher, Pool } from "undici";
import { PlainClients, type PlainHandler } from "./plain-client.ts";

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
  /** The fast path's plain reads to `http:` upstreams (`plain-client.ts`). */
  readonly plain: PlainClients;

  constructor(options: UpstreamClientOptions) {
    this.#options = { connections: 128, ...options };
    this.plain = new PlainClients({ timeoutMs: options.timeoutMs, connections: this.#options.connections });
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
    this.plain.close();
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
   * A plain read that may go over the gateway's own HTTP/1 client (`plain-client.ts`): the fast
   * path's. Fastify's requests keep undici, which tracing instruments (trace headers, spans).
   */
  readonly plain: boolean;
  /**
   * The upstream's answer starts: the response is the forwarder's from here on. Returns the
   * gateway's own headers (security, CORS; lower-case names, in the order they are sent), which
   * the upstream's then override; the forwarder writes them all in one `writeHead`.
   */
  begin(): OwnHeaders;
  /** Answers a refusal of the gateway's own (502/504) when no answer started. */
  refuse(error: AppError): void;
}

/** The gateway's own headers of an answer: `[name, value]` pairs, names in lower case. */
export type OwnHeaders = readonly (readonly [string, string | number | readonly string[]])[];

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
  // What nearly every peer sends: no header named, nothing to split.
  if (typeof value !== "string" || value === "keep-alive" || value === "close") return undefined;
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
    const method = req.method;
    if (
      exchange.plain &&
      exchange.body === null &&
      (method === "GET" || method === "HEAD") &&
      PlainClients.handles(target.origin) &&
      clients.plain.request(target.origin, { method, path: target.path, headers }, handler)
    ) {
      return;
    }
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
const kListening = Symbol("forwardHandlerListening");
type ProxiedResponse = ServerResponse & { [kHandler]?: ForwardHandler; [kListening]?: boolean };

// Shared listeners (one function for every response, not a closure per request).
function onClientClose(this: ProxiedResponse): void {
  this[kHandler]?.clientClosed();
}
function onClientDrain(this: ProxiedResponse): void {
  this[kHandler]?.resume?.();
}

/**
 * `writeHead`'s flat `[name, value, name, value, …]` list. Several values of one name
 * (set-cookie) stay one array entry: Node sends each as a line of its own, and when something
 * set a header on the response before, `writeHead` merges the list by `setHeader` (where a
 * repeated name would replace the one before).
 */
export type FlatHeaders = (string | string[])[];

function pushHeader(flat: FlatHeaders, name: string, value: string | number | readonly string[]): void {
  flat.push(name, typeof value === "number" ? String(value) : typeof value === "string" ? value : [...value]);
}

/** A frozen list of own headers as `writeHead` takes it, made once (see `preparedOwn`). */
interface PreparedOwn {
  /** `[name, value, …]`, numbers as strings; never handed to Node itself (each answer takes a copy). */
  readonly flat: readonly (string | string[])[];
  /** Where each name's value sits in `flat`. */
  readonly at: ReadonlyMap<string, number>;
  /** Where `x-request-id`'s value sits (the request's id goes there), or -1. */
  readonly id: number;
}

const prepared = new WeakMap<OwnHeaders, PreparedOwn | null>();

/**
 * The flat form of a frozen own-headers list (the fast path's: the same few lists for every
 * request), kept per list; undefined for any other list (Fastify's, made per request) or one
 * naming a header twice, which `onHead` merges header by header as before.
 */
function preparedOwn(own: OwnHeaders): PreparedOwn | undefined {
  if (!Object.isFrozen(own)) return undefined;
  let ready = prepared.get(own);
  if (ready === undefined) {
    const flat: FlatHeaders = [];
    const at = new Map<string, number>();
    for (const [name, value] of own) {
      if (at.has(name)) break;
      pushHeader(flat, name, value);
      at.set(name, flat.length - 1);
    }
    ready = at.size === own.length ? { flat, at, id: at.get("x-request-id") ?? -1 } : null;
    prepared.set(own, ready);
  }
  return ready ?? undefined;
}

function validHeader(name: string, value: string | string[]): boolean {
  try {
    validateHeaderName(name);
    if (typeof value === "string") validateHeaderValue(name, value);
    else for (const one of value) validateHeaderValue(name, one);
    return true;
  } catch {
    return false;
  }
}

/** The headers Node would send, less any it refuses (invalid characters): dropped, not the answer. */
export function validHeaders(flat: FlatHeaders): FlatHeaders {
  const kept: FlatHeaders = [];
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i] as string;
    const value = flat[i + 1] as string | string[];
    if (!validHeader(name, value)) {
      if (typeof value === "string") continue;
      const good = value.filter((one) => validHeader(name, one));
      if (good.length > 0) kept.push(name, good);
      continue;
    }
    kept.push(name, value);
  }
  return kept;
}

/**
 * undici's dispatch handler (its callback interface, the one its HTTP/1 client calls
 * directly: no per-request adapter). The answer goes straight to the `ServerResponse`.
 */
class ForwardHandler implements Dispatcher.DispatchHandler, PlainHandler {
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
    const res = this.#res;
    // The client went away before the answer was complete: stop the upstream request too.
    if (res.destroyed) {
      abort(new Error("client gone"));
      return;
    }
    res[kHandler] = this;
    // One listener per response, whichever attempt (a retry's handler takes the slot above);
    // left in place when done: it finds no handler then.
    if (res[kListening] !== true) {
      res[kListening] = true;
      res.on("close", onClientClose);
    }
  }

  clientClosed(): void {
    if (!this.#done) this.#abort?.(new Error("client gone"));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText?: string): boolean {
    if (statusCode < 200) return true; // 1xx informational: the final answer follows.
    const headers: string[] = [];
    for (let i = 0; i < rawHeaders.length; i++) headers.push((rawHeaders[i] as Buffer).toString("latin1"));
    this.onHead(statusCode, statusText ?? "", headers, resume);
    return true;
  }

  /** The final answer's head (`headers`: `[name, value, …]` as the upstream wrote them). */
  onHead(statusCode: number, statusText: string, rawHeaders: string[], resume: () => void): void {
    this.#started = true;
    this.resume = resume;
    const res = this.#res;
    const id = this.#exchange.id;
    // The upstream's headers, names in lower case, several of one name (set-cookie) gathered
    // at the first one's place; plain arrays (a handful of headers: a linear search is cheaper
    // than a dictionary object).
    const names: string[] = [];
    const values: (string | string[] | null)[] = [];
    let listed: string[] | undefined;
    for (let i = 0; i < rawHeaders.length; i += 2) {
      const name = (rawHeaders[i] as string).toLowerCase();
      const value = rawHeaders[i + 1] as string;
      if (name === "connection") listed = connectionTokens(value);
      const at = names.indexOf(name);
      if (at < 0) {
        names.push(name);
        values.push(value);
        continue;
      }
      const prior = values[at] as string | string[];
      values[at] = typeof prior === "string" ? [prior, value] : [...prior, value];
    }
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      if (hopByHopResponse.has(name) || listed?.includes(name)) values[i] = null;
    }
    // All headers in one `writeHead` (one validation pass, no header map), in the order the
    // `setHeader` calls of before produced: the gateway's own first (security, CORS), each
    // overridden in place by the upstream's of the same name (as reply-from's copy did), then
    // the upstream's others; `x-request-id` is always the request's id, where it first appears.
    const own = this.#exchange.begin();
    const ready = preparedOwn(own);
    let flat: FlatHeaders;
    let idSet: boolean;
    if (ready !== undefined) {
      // The same list, from the own headers' flat list made once: the upstream's names are
      // looked up in it (a handful) rather than each of the own headers in the upstream's.
      flat = ready.flat.slice();
      idSet = ready.id >= 0;
      if (idSet) flat[ready.id] = id;
      for (let i = 0; i < names.length; i++) {
        const value = values[i];
        if (value === null || value === undefined) continue;
        const name = names[i] as string;
        const at = ready.at.get(name);
        if (name === "x-request-id") {
          if (at === undefined) flat.push(name, id);
          idSet = true;
        } else if (at !== undefined) {
          flat[at] = name === "location" && typeof value === "string" ? this.#target.rewriteLocation(value) : value;
        } else {
          this.#pushUpstream(flat, name, value);
        }
      }
    } else {
      flat = [];
      idSet = false;
      for (let i = 0; i < own.length; i++) {
        const header = own[i] as OwnHeaders[number];
        const name = header[0];
        const at = names.indexOf(name);
        const theirs = at < 0 ? null : values[at];
        if (at >= 0) values[at] = null;
        if (name === "x-request-id") {
          if (!idSet) flat.push(name, id);
          idSet = true;
        } else if (theirs === null || theirs === undefined) {
          pushHeader(flat, name, header[1]);
        } else {
          this.#pushUpstream(flat, name, theirs);
        }
      }
      for (let i = 0; i < names.length; i++) {
        const value = values[i];
        if (value === null || value === undefined) continue;
        const name = names[i] as string;
        if (name === "x-request-id") {
          flat.push(name, id);
          idSet = true;
        } else {
          this.#pushUpstream(flat, name, value);
        }
      }
    }
    if (!idSet) flat.push("x-request-id", id);
    // An HTTP/1 connection whose request body the upstream did not wait for cannot be reused.
    if (!this.#exchange.req.complete) flat.push("connection", "close");
    const message = statusText || undefined;
    try {
      res.writeHead(statusCode, message, flat);
    } catch {
      // A header Node refuses to send (invalid characters) is dropped, not the answer; a
      // refused `writeHead` leaves nothing set.
      res.writeHead(statusCode, message, validHeaders(flat));
    }
  }

  #pushUpstream(flat: FlatHeaders, name: string, value: string | string[]): void {
    if (name === "location" && typeof value === "string") flat.push(name, this.#target.rewriteLocation(value));
    else pushHeader(flat, name, value);
  }

  onData(chunk: Buffer): boolean {
    const res = this.#res;
    if (res.write(chunk)) return true;
    // The client's socket is full: undici pauses reading until `resume` (on drain).
    res.once("drain", onClientDrain);
    return false;
  }

  onComplete(): void {
    this.#finish();
    this.#res.end();
  }

  onLastData(chunk: Buffer): void {
    this.#finish();
    this.#res.end(chunk);
  }

  #finish(): void {
    this.#done = true;
    this.#res[kHandler] = undefined;
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
