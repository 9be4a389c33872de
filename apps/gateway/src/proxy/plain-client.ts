import { connect, type Socket } from "node:net";

/**
 * The gateway's own HTTP/1.1 client for the fast path's plain reads (`GET`/`HEAD`, no body, a
 * plain `http:` upstream): kept-alive connections per upstream origin, the request written as
 * one string (one `write`), the answer's head parsed here and its body — a `content-length`,
 * `chunked`, or up to the connection's close — handed to the forwarder chunk by chunk, with
 * backpressure. undici's request validation, pool and parser were, with their share of Node's
 * stream code, the largest part of the gateway's CPU per request left (bench/README.md
 * Findings 23 and 27). Everything else — bodies, `https:` upstreams, the requests Fastify
 * routes (tracing instruments undici) — keeps the undici client (`upstream-client.ts`), chosen
 * before anything is sent, never in the middle of an answer.
 *
 * Failures carry the codes the forwarder already maps: the socket's own (`ECONNREFUSED`, … →
 * retried on another instance, then 502), undici's timeout codes (→ 504), anything else 502 —
 * or, once the answer has started, the client's connection cut.
 */
export interface PlainHandler {
  /** The request is on its way; `abort` stops it (the client went away). */
  onConnect(abort: (reason?: Error) => void): void;
  /** The final answer's head: `headers` is `[name, value, name, value, …]` as the upstream wrote them. */
  onHead(statusCode: number, statusText: string, headers: string[], resume: () => void): void;
  /** A piece of the body; false: the client's socket is full, nothing more until `resume`. */
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  /**
   * The body's last piece, and the answer is complete (`onData` then `onComplete` in one: the
   * answer's end written with it, as a small answer whose body came with its head is).
   */
  onLastData(chunk: Buffer): void;
  onError(error: Error): void;
}

export interface PlainRequest {
  method: "GET" | "HEAD";
  /** The path with its query string, as it goes on the request line. */
  path: string;
  /** `[name, value, …]`, `host` included, valid header names and values (the client's, as Node parsed them, and the gateway's). */
  headers: string[];
}

export interface PlainClientOptions {
  /** UPSTREAM_TIMEOUT_MS: no head that long after the request was written → 504; a body idle that long → cut. */
  timeoutMs: number;
  /** How long a connection may take to open (undici's default, 10 s). */
  connectTimeoutMs?: number;
  /** Connections per origin at most; over it the request takes undici's queue instead. */
  connections?: number;
  /** An idle connection is closed after this long, or sooner when the upstream's `keep-alive: timeout` says so. */
  idleMs?: number;
}

/** An error with the code the forwarder maps (see `upstream-proxy.ts`'s `sendUpstreamError`). */
export class PlainClientError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The most a head may take (Node's default `--max-http-header-size`, as undici's). */
const maxHeadBytes = 16 * 1024;
const crlfcrlf = Buffer.from("\r\n\r\n");
const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/;
const token = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

enum State {
  Idle,
  /** Request written, waiting for (the rest of) the head. */
  Head,
  /** Body with a known length left. */
  Length,
  Chunked,
  /** Body until the upstream closes the connection. */
  UntilClose,
}

enum Chunk {
  Size,
  Data,
  DataEnd,
  Trailers,
}

/** One connection to an upstream: one request at a time. */
class Connection {
  readonly socket: Socket;
  readonly origin: OriginPool;
  handler: PlainHandler | undefined;
  state = State.Idle;
  /** Reused for this request (it served one before): a close before any answer may be retried once on a new one. */
  reused = false;
  request: PlainRequest | undefined;
  head: Buffer | undefined;
  remaining = 0;
  chunk = Chunk.Size;
  line = "";
  keepAlive = true;
  isHead = false;
  /** Time (ms, `Date.now()`) the current wait times out at; 0: none. */
  deadline = 0;
  deadlineCode = "";
  /** When the connection went idle. */
  idleSince = 0;
  idleLimit: number;
  connected = false;
  readonly resume = () => {
    if (this.state !== State.Idle && !this.socket.destroyed) {
      this.deadline = Date.now() + this.origin.client.timeoutMs;
      this.socket.resume();
    }
  };
  readonly abort = (reason?: Error) => {
    if (this.handler === undefined) return;
    this.handler = undefined;
    this.state = State.Idle;
    this.socket.destroy(reason);
  };

  constructor(origin: OriginPool, socket: Socket) {
    this.origin = origin;
    this.socket = socket;
    this.idleLimit = origin.client.idleMs;
    socket.setNoDelay(true);
    socket.on("data", (data: Buffer) => this.#onData(data));
    socket.on("error", () => {}); // `close` follows with what is needed.
    socket.on("close", () => this.#onClose());
  }

  send(request: PlainRequest, handler: PlainHandler): void {
    this.request = request;
    this.handler = handler;
    this.idleSince = 0;
    this.state = State.Head;
    this.head = undefined;
    this.isHead = request.method === "HEAD";
    this.deadline = Date.now() + this.origin.client.timeoutMs;
    this.deadlineCode = "UND_ERR_HEADERS_TIMEOUT";
    // `connection: keep-alive` as undici writes it, so an upstream sees the same headers either way.
    let text = `${request.method} ${request.path} HTTP/1.1\r\nconnection: keep-alive\r\n`;
    const headers = request.headers;
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
    this.socket.write(`${text}\r\n`, "latin1");
    handler.onConnect(this.abort);
  }

  timedOut(now: number): void {
    if (this.state === State.Idle) {
      // Idle in the pool (not still connecting, nor between two uses).
      if (this.idleSince > 0 && now - this.idleSince >= this.idleLimit) this.origin.drop(this);
      return;
    }
    // Paused by backpressure: the client is slow, not the upstream (undici's body timeout also waits then).
    if (this.deadline === 0 || now < this.deadline || this.socket.isPaused()) return;
    const code = this.deadlineCode;
    this.#fail(
      new PlainClientError(code, code === "UND_ERR_HEADERS_TIMEOUT" ? "Headers Timeout Error" : "Body Timeout Error"),
    );
  }

  #fail(error: Error): void {
    const handler = this.handler;
    this.handler = undefined;
    this.state = State.Idle;
    this.origin.forget(this);
    this.socket.destroy();
    handler?.onError(error);
  }

  #onClose(): void {
    this.origin.forget(this);
    const handler = this.handler;
    if (handler === undefined) return;
    this.handler = undefined;
    const state = this.state;
    this.state = State.Idle;
    if (state === State.UntilClose) {
      handler.onComplete();
      return;
    }
    // A kept-alive connection the upstream closed as the request went out: nothing was
    // answered, the request is a plain read, so it goes once more on a new connection.
    if (state === State.Head && this.head === undefined && this.reused && this.request) {
      this.origin.client.request(this.origin.name, this.request, handler, true);
      return;
    }
    handler.onError(
      new PlainClientError("UND_ERR_SOCKET", state === State.Head ? "other side closed" : "answer cut short"),
    );
  }

  #onData(data: Buffer): void {
    if (this.state === State.Head) {
      const head = this.head === undefined ? data : Buffer.concat([this.head, data]);
      const end = head.indexOf(crlfcrlf);
      if (end < 0) {
        if (head.length > maxHeadBytes) {
          this.#fail(new PlainClientError("UND_ERR_HEADERS_OVERFLOW", "head too large"));
          return;
        }
        this.head = head;
        return;
      }
      this.head = undefined;
      if (end > maxHeadBytes) {
        this.#fail(new PlainClientError("UND_ERR_HEADERS_OVERFLOW", "head too large"));
        return;
      }
      if (!this.#onHead(head.toString("latin1", 0, end))) return;
      data = head.subarray(end + 4);
      if (this.state === State.Head) {
        // 1xx: another head follows.
        if (data.length > 0) this.#onData(data);
        return;
      }
      if (this.state === State.Idle) {
        if (data.length > 0) this.#fail(new PlainClientError("UND_ERR_SOCKET", "bytes after the answer"));
        return;
      }
      if (data.length === 0) return;
    }
    const handler = this.handler;
    if (handler === undefined) {
      // Bytes nobody asked for: the connection is out of step.
      this.origin.forget(this);
      this.socket.destroy();
      return;
    }
    this.deadline = Date.now() + this.origin.client.timeoutMs;
    if (this.state === State.Length) {
      if (data.length > this.remaining) {
        this.#fail(new PlainClientError("UND_ERR_SOCKET", "bytes after the answer"));
        return;
      }
      if (data.length === this.remaining) {
        this.remaining = 0;
        this.#complete(data);
        return;
      }
      this.remaining -= data.length;
      if (!handler.onData(data)) this.socket.pause();
      return;
    }
    if (this.state === State.UntilClose) {
      if (!handler.onData(data)) this.socket.pause();
      return;
    }
    if (this.state === State.Chunked) this.#chunked(data, handler);
  }

  /** Parses the head; false when it failed the request. */
  #onHead(text: string): boolean {
    const lines = text.split("\r\n");
    const status = statusLine.exec(lines[0] as string);
    if (!status) {
      this.#fail(new PlainClientError("HPE_INVALID_CONSTANT", "not an HTTP/1 answer"));
      return false;
    }
    const code = Number(status[2]);
    const headers: string[] = [];
    let length = -1;
    let chunked = false;
    let encoded = false;
    let keepAlive = status[1] === "1";
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i] as string;
      const colon = line.indexOf(":");
      const name = colon > 0 ? line.slice(0, colon) : "";
      if (!token.test(name)) {
        // Folded lines, no colon, spaces before it: undici's parser refuses them too.
        this.#fail(new PlainClientError("HPE_INVALID_HEADER_TOKEN", "invalid header"));
        return false;
      }
      const value = line.slice(colon + 1).trim();
      headers.push(name, value);
      switch (name.length) {
        case 10:
          if (name.toLowerCase() === "connection") {
            const lower = value.toLowerCase();
            if (/(^|,)\s*close\s*(,|$)/.test(lower)) keepAlive = false;
            else if (/(^|,)\s*keep-alive\s*(,|$)/.test(lower)) keepAlive = true;
          } else if (name.toLowerCase() === "keep-alive") {
            const hint = /timeout=(\d+)/i.exec(value);
            // As undici: a second less than the upstream says, for the trip.
            if (hint) this.idleLimit = Math.min(this.origin.client.idleMs, Number(hint[1]) * 1000 - 1000);
          }
          break;
        case 14:
          if (name.toLowerCase() === "content-length") {
            if (!/^\d{1,15}$/.test(value) || (length >= 0 && length !== Number(value))) {
              this.#fail(new PlainClientError("HPE_UNEXPECTED_CONTENT_LENGTH", "invalid content-length"));
              return false;
            }
            length = Number(value);
          }
          break;
        case 17:
          if (name.toLowerCase() === "transfer-encoding") {
            encoded = true;
            // Only `chunked` last frames the body; anything else runs to the close.
            chunked = /(^|,)\s*chunked\s*$/i.test(value);
          }
          break;
      }
    }
    if (code < 200) {
      if (code === 101) {
        this.#fail(new PlainClientError("UND_ERR_SOCKET", "unexpected upgrade"));
        return false;
      }
      return true; // Informational: the final answer follows.
    }
    // A message with both is not reused (request smuggling's shape); the encoding frames it.
    if (encoded && length >= 0) keepAlive = false;
    this.keepAlive = keepAlive;
    const handler = this.handler as PlainHandler;
    const noBody = this.isHead || code === 204 || code === 304;
    if (noBody) this.state = State.Idle;
    else if (encoded) {
      this.state = chunked ? State.Chunked : State.UntilClose;
      this.chunk = Chunk.Size;
      this.line = "";
      if (!chunked) this.keepAlive = false;
    } else if (length >= 0) {
      this.state = length === 0 ? State.Idle : State.Length;
      this.remaining = length;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
    this.deadlineCode = "UND_ERR_BODY_TIMEOUT";
    this.deadline = Date.now() + this.origin.client.timeoutMs;
    handler.onHead(code, status[3] ?? "", headers, this.resume);
    if (this.handler !== handler) return false; // The client went away meanwhile.
    if (this.state === State.Idle) this.#complete();
    return true;
  }

  #chunked(data: Buffer, handler: PlainHandler): void {
    let at = 0;
    let more = true;
    while (at < data.length) {
      if (this.chunk === Chunk.Data) {
        const take = Math.min(this.remaining, data.length - at);
        more = handler.onData(data.subarray(at, at + take)) && more;
        if (this.handler !== handler) return;
        at += take;
        this.remaining -= take;
        if (this.remaining === 0) {
          this.chunk = Chunk.DataEnd;
          this.line = "";
        }
        continue;
      }
      // A line: the chunk's size, the CRLF after its data, or a trailer.
      const lf = data.indexOf(10, at);
      const piece = data.toString("latin1", at, lf < 0 ? data.length : lf);
      at = lf < 0 ? data.length : lf + 1;
      this.line += piece;
      if (this.line.length > maxHeadBytes) {
        this.#fail(new PlainClientError("HPE_INVALID_CHUNK_SIZE", "chunk line too long"));
        return;
      }
      if (lf < 0) break;
      const line = this.line.endsWith("\r") ? this.line.slice(0, -1) : "\u0000";
      this.line = "";
      if (line === "\u0000") {
        this.#fail(new PlainClientError("HPE_LF_EXPECTED", "bare LF in chunked body"));
        return;
      }
      if (this.chunk === Chunk.DataEnd) {
        if (line !== "") {
          this.#fail(new PlainClientError("HPE_STRICT", "no CRLF after a chunk"));
          return;
        }
        this.chunk = Chunk.Size;
      } else if (this.chunk === Chunk.Size) {
        const size = /^([0-9A-Fa-f]{1,12})[ \t]*(;.*)?$/.exec(line);
        if (!size) {
          this.#fail(new PlainClientError("HPE_INVALID_CHUNK_SIZE", "invalid chunk size"));
          return;
        }
        this.remaining = Number.parseInt(size[1] as string, 16);
        this.chunk = this.remaining === 0 ? Chunk.Trailers : Chunk.Data;
      } else if (line === "") {
        // The empty line after the trailers (dropped, as the undici path drops them): done.
        if (at < data.length) {
          this.#fail(new PlainClientError("UND_ERR_SOCKET", "bytes after the answer"));
          return;
        }
        this.#complete();
        return;
      }
    }
    if (!more) this.socket.pause();
  }

  /** The answer is complete; `last`: its body's last piece, not yet handed over. */
  #complete(last?: Buffer): void {
    const handler = this.handler;
    this.handler = undefined;
    this.request = undefined;
    this.state = State.Idle;
    this.deadline = 0;
    if (this.keepAlive && !this.socket.destroyed) {
      this.socket.resume();
      this.reused = true;
      this.origin.release(this);
    } else {
      this.origin.forget(this);
      this.socket.destroy();
    }
    if (last === undefined) handler?.onComplete();
    else handler?.onLastData(last);
  }
}

/** The connections to one origin: idle ones reused last-in first-out (the warmest). */
class OriginPool {
  readonly name: string;
  readonly client: PlainClients;
  readonly host: string;
  readonly port: number;
  readonly idle: Connection[] = [];
  readonly all = new Set<Connection>();

  constructor(client: PlainClients, name: string, host: string, port: number) {
    this.client = client;
    this.name = name;
    this.host = host;
    this.port = port;
  }

  release(connection: Connection): void {
    connection.idleSince = Date.now();
    this.idle.push(connection);
  }

  /** Out of the pool (closed or closing). */
  forget(connection: Connection): void {
    this.all.delete(connection);
    const at = this.idle.indexOf(connection);
    if (at >= 0) this.idle.splice(at, 1);
  }

  drop(connection: Connection): void {
    this.forget(connection);
    connection.socket.destroy();
  }

  /** A new connection for `request`; connect failures go to the handler with the socket's code. */
  open(request: PlainRequest, handler: PlainHandler): void {
    const socket = connect({ host: this.host, port: this.port });
    const connection = new Connection(this, socket);
    this.all.add(connection);
    const timer = setTimeout(() => {
      socket.removeListener("error", failed);
      this.forget(connection);
      socket.destroy();
      handler.onError(new PlainClientError("UND_ERR_CONNECT_TIMEOUT", "Connect Timeout Error"));
    }, this.client.connectTimeoutMs);
    const failed = (error: Error) => {
      clearTimeout(timer);
      this.forget(connection);
      handler.onError(error);
    };
    socket.once("error", failed);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeListener("error", failed);
      connection.connected = true;
      connection.send(request, handler);
    });
  }
}

export class PlainClients {
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly connections: number;
  readonly idleMs: number;
  readonly #origins = new Map<string, OriginPool>();
  #sweeper: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: PlainClientOptions) {
    this.timeoutMs = options.timeoutMs;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.connections = options.connections ?? 128;
    this.idleMs = options.idleMs ?? 4_000;
  }

  /** Whether `origin` is one this client serves: plain `http:`, host and port. */
  static handles(origin: string): boolean {
    return origin.startsWith("http://");
  }

  /**
   * Sends `request` to `origin` (`http://host:port`) on an idle connection or a new one.
   * False, nothing sent: every connection to it is busy (the caller uses undici's queue).
   */
  request(origin: string, request: PlainRequest, handler: PlainHandler, fresh = false): boolean {
    if (this.#closed) {
      handler.onError(new PlainClientError("UND_ERR_DESTROYED", "client closed"));
      return true;
    }
    let pool = this.#origins.get(origin);
    if (pool === undefined) {
      const url = new URL(origin);
      const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
      pool = new OriginPool(this, origin, host, Number(url.port) || 80);
      this.#origins.set(origin, pool);
      this.#sweep();
    }
    const idle = fresh ? undefined : pool.idle.pop();
    if (idle !== undefined) {
      idle.send(request, handler);
      return true;
    }
    if (!fresh && pool.all.size >= this.connections) return false;
    pool.open(request, handler);
    return true;
  }

  /** One timer for every connection: timeouts of requests in flight and idle connections' age. */
  #sweep(): void {
    if (this.#sweeper !== undefined) return;
    const every = Math.max(10, Math.min(250, Math.floor(this.timeoutMs / 10)));
    this.#sweeper = setInterval(() => {
      const now = Date.now();
      for (const pool of this.#origins.values()) for (const connection of [...pool.all]) connection.timedOut(now);
    }, every);
    this.#sweeper.unref();
  }

  /** Closes every connection (the gateway's `onClose`, after the server drained). */
  close(): void {
    this.#closed = true;
    clearInterval(this.#sweeper);
    for (const pool of this.#origins.values()) {
      for (const connection of [...pool.all]) connection.socket.destroy();
      pool.all.clear();
      pool.idle.length = 0;
    }
    this.#origins.clear();
  }
}
