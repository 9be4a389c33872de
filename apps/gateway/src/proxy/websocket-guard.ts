import type { ClientRequest } from "node:http";
import type { FastifyBaseLogger, FastifyRequest } from "fastify";
import WebSocket from "ws";
import { TooManyWebSockets, WebSocketClose } from "../errors.ts";

export interface WebSocketLimits {
  /** Largest frame a client may send: the video service's own limit (`SIGNAL_MAX_FRAME_BYTES`). */
  maxFrameBytes: number;
  /** Open sockets per client address (GATEWAY_WS_MAX_PER_ADDRESS). */
  maxPerAddress: number;
  /** Silence from the client after which its socket is closed (GATEWAY_WS_IDLE_TIMEOUT_S). */
  idleTimeoutMs: number;
  /** How long the upstream may take to accept its half (UPSTREAM_TIMEOUT_MS). */
  upstreamHandshakeTimeoutMs: number;
  /** Frames (messages, pings, pongs) held for a client before the upstream accepts... */
  preOpenMaxFrames: number;
  /** ...and their bytes. Beyond either, the client is closed with 1013. */
  preOpenMaxBytes: number;
}

/**
 * A browser sends one or two frames before the upstream half is open (its media state); 32
 * frames or 256 KiB is far beyond that and bounds what one socket can make the gateway hold.
 */
export const preOpenLimits = { preOpenMaxFrames: 32, preOpenMaxBytes: 256 * 1024 } as const;

/** The proxy library's hook signature (`wsHooks` in @fastify/http-proxy's README). */
type Hook = (context: unknown, source: WebSocket, target: WebSocket, message?: { data: WebSocket.RawData }) => void;

export interface WebSocketGuard {
  /** Called before the upgrade: refuses (throws 429) an address already at its cap, else counts it. */
  admit(request: FastifyRequest): void;
  /** `wsServerOptions`: the frame limit, and client sockets that enforce the rest. */
  serverOptions: { maxPayload: number; WebSocket: typeof WebSocket };
  /** `wsClientOptions` additions: the upstream half must open in time. */
  clientOptions: {
    handshakeTimeout: number;
    /** ws calls it with two arguments; `send` ends (sends) the upgrade request, later for a balanced route. */
    finishRequest: (request: ClientRequest, socket: WebSocket, send?: (request: ClientRequest) => void) => void;
  };
  /** `wsHooks`. */
  hooks: { onIncomingMessage: Hook; onConnect: Hook };
}

/**
 * The limits on proxied WebSockets that @fastify/http-proxy has no option for, done through
 * the options it does have: `wsServerOptions` (ws's `maxPayload`, answered by ws itself with
 * 1009 before the frame is read, and ws's documented `WebSocket` class option for the client
 * half) and `wsHooks`. The library forwards a client frame as soon as the upstream opens
 * and keeps everything sent before in memory; the client half counts that and the hooks drop
 * the upstream half when it is exceeded.
 */
export function createWebSocketGuard(limits: WebSocketLimits, log: FastifyBaseLogger): WebSocketGuard {
  const openPerAddress = new Map<string, number>();

  class GuardedSocket extends WebSocket {
    /** Set by `onConnect`: from then on frames go straight through and are not held. */
    upstreamOpen = false;
    /** Set when the pre-open budget was exceeded; the upstream half is then dropped. */
    overflowed = false;
    #held = { frames: 0, bytes: 0 };
    #idle: NodeJS.Timeout | undefined;

    // ws's server creates its client sockets as `new WebSocket(null, undefined, options)`.
    constructor(address: null, protocols: undefined, options: WebSocket.ClientOptions) {
      super(address as never, protocols, options);
      // Registered before the library's own listeners, so they run first for every frame.
      this.on("message", (data: WebSocket.RawData) => this.#received("message", byteLength(data)));
      this.on("ping", (data: Buffer) => this.#received("ping", data.length));
      this.on("pong", () => this.#received("pong", 0));
      this.on("close", () => clearTimeout(this.#idle));
      this.#armIdleTimer();
    }

    #received(kind: "message" | "ping" | "pong", bytes: number) {
      this.#armIdleTimer();
      if (this.overflowed) {
        // Messages now go nowhere (the hook below dropped the upstream half), but the library
        // would still queue a ping or pong for it: a client flooding past our close is cut off.
        if (kind !== "message") this.terminate();
        return;
      }
      if (this.upstreamOpen) return;
      this.#held.frames++;
      this.#held.bytes += bytes;
      if (this.#held.frames > limits.preOpenMaxFrames || this.#held.bytes > limits.preOpenMaxBytes) {
        this.overflowed = true;
        log.warn(
          { ...this.#held, code: WebSocketClose.upstreamNotReady.code },
          "websocket closed: too much before upstream open",
        );
        this.close(WebSocketClose.upstreamNotReady.code, WebSocketClose.upstreamNotReady.reason);
      }
    }

    #armIdleTimer() {
      clearTimeout(this.#idle);
      this.#idle = setTimeout(() => {
        if (this.readyState !== this.OPEN) return;
        log.info({ code: WebSocketClose.idle.code, idle_s: limits.idleTimeoutMs / 1000 }, "websocket closed: idle");
        this.close(WebSocketClose.idle.code, WebSocketClose.idle.reason);
      }, limits.idleTimeoutMs).unref();
    }
  }

  return {
    admit(request) {
      const address = request.ip;
      const open = openPerAddress.get(address) ?? 0;
      if (open >= limits.maxPerAddress) {
        const refusal = new TooManyWebSockets(limits.maxPerAddress);
        // No address in the log: it identifies a patient's device as much as a name would.
        request.log.warn({ code: refusal.code, open }, "websocket refused");
        throw refusal;
      }
      openPerAddress.set(address, open + 1);
      // One upgrade per TCP connection: the socket's end is the WebSocket's (or the refused upgrade's).
      request.raw.socket.once("close", () => {
        const left = (openPerAddress.get(address) ?? 1) - 1;
        if (left > 0) openPerAddress.set(address, left);
        else openPerAddress.delete(address);
      });
    },
    serverOptions: { maxPayload: limits.maxFrameBytes, WebSocket: GuardedSocket as unknown as typeof WebSocket },
    clientOptions: {
      handshakeTimeout: limits.upstreamHandshakeTimeoutMs,
      // ws's hook on the upstream half as it is created: the library waits for its `open` once
      // per frame held, up to the pre-open budget, which is no listener leak.
      finishRequest: (request, socket, send = (upgrade) => upgrade.end()) => {
        socket.setMaxListeners(limits.preOpenMaxFrames + 10);
        send(request);
      },
    },
    hooks: {
      // Runs for each client message before the library forwards or queues it.
      onIncomingMessage(_context, source, target) {
        if (source instanceof GuardedSocket && source.overflowed && target.readyState === target.CONNECTING) {
          // Whatever was queued for the upstream is dropped with it; later sends go nowhere.
          target.terminate();
        }
      },
      // Runs when the upstream half opens, before anything queued is sent.
      onConnect(_context, source, target) {
        if (!(source instanceof GuardedSocket)) return;
        if (source.readyState !== source.OPEN) {
          // The library leaves an upstream half that opens after its client left; close it.
          target.close(WebSocketClose.clientGone.code, WebSocketClose.clientGone.reason);
          return;
        }
        source.upstreamOpen = true;
      },
    },
  };
}

function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}
