import type { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import {
  idPattern,
  SIGNAL_AUTH_TIMEOUT_MS,
  SIGNAL_HEARTBEAT_TIMEOUT_MS,
  type SignalAttendee,
  SignalAuthSchema,
  SignalCloseCodes,
} from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { FastifyBaseLogger, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { Compile } from "typebox/compile";
import type { RawData, WebSocket } from "ws";
import type { JoinTokens } from "../meetings/embedded/join-tokens.ts";
import { isAdmittedNow, recheckConnection, recordConnect, recordLeave } from "../sessions/attendance.service.ts";
import { isIntervalOpen } from "../sessions/attendees.repository.ts";
import type { SessionAccess, SignalConnectAttempt } from "../sessions/session-access.ts";
import type { VideoDb } from "../tables.ts";
import type { WebhookEvents } from "../webhooks/webhook-events.ts";
import { allowedConnectRow } from "./connect-audit.ts";
import { addressKey, ConnectLimiter, type Take } from "./connect-limiter.ts";
import { ProofOfLife } from "./proof-of-life.ts";
import type { ConnectCounter } from "./signal-fanout.ts";
import { newConnectionId, type SignalConnection, type SignalHub } from "./signal-hub.ts";
import { handleSignal, type RateWindow } from "./signal-messages.ts";
import { WaitingRoom } from "./waiting-room.ts";

/** Well inside STALE_ATTENDANCE_MS (90 s), with clients sending a heartbeat every 10 s. */
const TOUCH_EVERY_MS = 20_000;
/** Frames a socket may send while it is being authenticated; kept, then handled in order. */
const EARLY_FRAMES = 50;
/** The first frame of a socket opened without `?token` (contracts: SIGNAL_AUTH_TIMEOUT_MS). */
const signalAuth = Compile(SignalAuthSchema);

/** A tokenless socket closed by its client before its first frame (firstFrameToken). */
const closedBeforeAuth = Symbol("closedBeforeAuth");

/** The join token of an auth frame, or null (not JSON, not `{type: "auth", token}`). */
function tokenOfAuthFrame(data: RawData): string | null {
  try {
    const message: unknown = JSON.parse(data.toString());
    return signalAuth.Check(message) ? message.token : null;
  } catch {
    return null;
  }
}

/**
 * A registered connection and what this module keeps for it, on one object: the handlers and
 * the heartbeat sweep are shared by every socket (a socket holds no closure or timer of its own).
 */
interface LiveConnection extends SignalConnection, RateWindow {
  /** Real time (ms) of its last frame: the heartbeat sweep closes it when silent for the timeout. */
  heardAt: number;
  /** Clock time (ms) of its last proof of life handed to the database (every TOUCH_EVERY_MS at most). */
  touchedAt: number;
}

export interface SignallingOptions {
  db: VideoDb;
  hub: SignalHub;
  joinTokens: JoinTokens;
  /** Audits every connect, refused tokens included (session-access.ts). */
  access: SessionAccess;
  now: () => Date;
  /** SIGNAL_CONNECTS_PER_MINUTE: per client address and per attendee (default 60), for the whole cluster with replicas. */
  connectsPerMinute?: number;
  heartbeatTimeoutMs?: number;
  /** Database writes started by connection events, awaited on shutdown. */
  pending: Set<Promise<unknown>>;
  /** A leave closes an interval: usage thresholds are checked in its transaction. */
  webhooks?: Pick<WebhookEvents, "intervalsClosed">;
}

/**
 * `GET /sessions/{session_id}/signal?token=<join token>` (WebSocket), the embedded provider's
 * signalling (protocol: contracts/src/signalling.ts). Without `?token` the socket's first
 * frame carries it (`{type: "auth", token}`, within SIGNAL_AUTH_TIMEOUT_MS): the same checks,
 * limits and audit follow, in the same order. After the upgrade the HTTP error handler no
 * longer applies: refusals are close codes (SignalCloseCodes).
 */
export function signallingRoutes(options: SignallingOptions) {
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? SIGNAL_HEARTBEAT_TIMEOUT_MS;
  // A socket silent before it authenticates is no better than one silent after.
  const authTimeoutMs = Math.min(SIGNAL_AUTH_TIMEOUT_MS, heartbeatTimeoutMs);
  // A connect costs a token check, an audit row and a transaction: bounded per address
  // (before anything else, so forged tokens cannot flood the audit log) and per attendee.
  const connectsPerMinute = options.connectsPerMinute ?? 60;
  const clock = () => options.now().getTime();
  const { hub } = options;
  // With replicas the counts are the cluster's (in Redis), else this process's.
  const limiter = (kind: "address" | "attendee"): ConnectCounter => {
    if (hub.fanout) return hub.fanout.connectLimiter(kind, connectsPerMinute, clock);
    const local = new ConnectLimiter(connectsPerMinute, clock);
    return { take: async (key) => local.take(key) };
  };
  const byAddress = limiter("address");
  const byAttendee = limiter("attendee");
  const tooMany = (socket: WebSocket, log: FastifyBaseLogger, take: Take, counted: "address" | "attendee") => {
    if (take.firstRefusal) log.warn({ counted, connectsPerMinute }, "signalling connects over the limit refused");
    socket.close(SignalCloseCodes.tryAgainLater, "too many connects, try again later");
  };
  // Redis unreachable: nothing can be counted nor reach the other instances. Refused (fail
  // closed) with a code the browser retries with backoff; ioredis logs the outage once.
  const unavailable = (socket: WebSocket, log: FastifyBaseLogger) => {
    log.debug("signalling connect refused: fan-out unavailable");
    socket.close(SignalCloseCodes.unavailable, "signalling temporarily unavailable, try again");
  };
  const take = (counter: ConnectCounter, key: string) => counter.take(key).catch(() => null);
  const track = <T>(p: Promise<T>): Promise<T> => {
    options.pending.add(p);
    void p.finally(() => options.pending.delete(p)).catch(() => undefined);
    return p;
  };

  return async function register(app: App) {
    const waitingRoom = new WaitingRoom(options.db, hub, app.log, track);
    const proofOfLife = new ProofOfLife(options.db, app.log, track);
    /** Sockets being authenticated: their frames wait here (then handled in order). */
    const early = new WeakMap<WebSocket, RawData[]>();
    /** Sockets opened without `?token`, waiting for their auth frame. */
    const awaitingAuth = new WeakMap<WebSocket, (data: RawData) => void>();
    /** A socket's connection once it is welcomed. */
    const connectionOf = new WeakMap<WebSocket, LiveConnection>();
    /** Connections the heartbeat sweep watches: registered and not yet closed. */
    const live = new Set<LiveConnection>();

    // One sweep for every socket (not a timer per socket, re-armed on every frame): a
    // connection silent for the timeout is closed within a tenth of it.
    const sweep = setInterval(
      () => {
        const now = Date.now();
        for (const conn of live) if (now - conn.heardAt >= heartbeatTimeoutMs) silent(conn);
      },
      Math.max(25, Math.min(1000, heartbeatTimeoutMs / 10)),
    );
    sweep.unref();
    app.addHook("onClose", async () => {
      clearInterval(sweep);
      proofOfLife.close();
      waitingRoom.close();
    });

    // Shared by every socket (`this` is the socket): no closure per connection.
    function onFrame(this: WebSocket, data: RawData): void {
      const auth = awaitingAuth.get(this);
      if (auth) {
        auth(data);
        return;
      }
      const waiting = early.get(this);
      if (waiting) {
        if (waiting.length < EARLY_FRAMES) waiting.push(data);
        return;
      }
      const conn = connectionOf.get(this);
      if (conn) frame(conn, data);
    }
    function onSocketError(this: WebSocket, err: Error): void {
      app.log.warn({ err, sessionId: connectionOf.get(this)?.sessionId }, "signalling socket error");
      this.terminate();
    }
    function onSocketClose(this: WebSocket): void {
      const conn = connectionOf.get(this);
      if (conn) closed(conn);
    }

    function frame(conn: LiveConnection, data: RawData): void {
      const nowMs = Date.now();
      conn.heardAt = nowMs;
      // Proof of life in the database, so another process can tell a dead connection from a live one.
      const at = options.now();
      if (at.getTime() - conn.touchedAt >= TOUCH_EVERY_MS) {
        conn.touchedAt = at.getTime();
        proofOfLife.heard(conn.attendee.attendee_id, at);
      }
      handleSignal(hub, conn, data, nowMs, app.log);
    }

    /** Silent for the heartbeat timeout. */
    function silent(conn: LiveConnection): void {
      // A silent peer will not answer the closing handshake either: record the leave now (30 s
      // after its last sign of life), not when ws gives up on the handshake.
      closed(conn);
      conn.socket.close(SignalCloseCodes.heartbeatTimeout, "heartbeat timeout");
      setTimeout(() => conn.socket.terminate(), 2000).unref();
    }

    /** The socket closed (or went silent): the leave is recorded once, by its current connection. */
    function closed(conn: LiveConnection): void {
      live.delete(conn);
      // Not registered (any more): replaced by a newer connection of the same attendee.
      // Otherwise the others hear attendee.left (hub.remove), here and on other instances.
      if (!hub.remove(conn)) return;
      void track(
        recordLeave(
          options.db,
          conn.attendee.attendee_id,
          conn.sessionId,
          options.now(),
          options.webhooks,
          conn.intervalId,
        )
          // Left the waiting room: the doctor's lobby and the others' places change (once recorded).
          .then(() => conn.waiting && hub.waitingChanged(conn.sessionId))
          .catch((err: Error) =>
            app.log.error({ err, attendeeId: conn.attendee.attendee_id }, "could not record leave"),
          ),
      );
    }

    // After a Redis outage the messages sent meanwhile are lost: each connection held here is
    // checked against the database (bounded: the connections of this instance).
    hub.fanout?.onRestored(() => {
      void track(
        (async () => {
          for (const conn of hub.connections()) {
            await recheck(conn, "session changed while the instances were apart").catch((err: Error) =>
              app.log.warn({ err, sessionId: conn.sessionId }, "could not re-check a connection after the outage"),
            );
          }
        })(),
      );
    });
    app.get(
      "/sessions/:session_id/signal",
      {
        websocket: true,
        // @fastify/websocket hides WebSocket routes from the OpenAPI document (OpenAPI 3.0 cannot
        // describe one); the id names it wherever the route is listed.
        schema: {
          operationId: "connectSignalling",
          tags: ["signalling"],
          summary:
            "WebSocket signalling: WebRTC negotiation (embedded) or the Chime client's presence socket (authenticated by the join token)",
          security: [],
          params: Type.Object({ session_id: Type.String() }),
          querystring: Type.Object({ token: Type.Optional(Type.String()) }),
        },
      },
      (socket: WebSocket, request) => {
        // @fastify/websocket's own error listener holds the upgrade's request and reply for as
        // long as the socket lives; this module's shared one does what it did (log, terminate).
        socket.removeAllListeners("error");
        socket.on("error", onSocketError);
        // Likewise the upgrade's response object stays on the TCP socket (`_httpMessage`) and,
        // through its listeners, holds the request, the reply, the request's logger and headers
        // (the join token among them): detached, as ws owns the socket now.
        const tcp = request.raw.socket as Socket & { _httpMessage?: ServerResponse | null };
        tcp._httpMessage?.detachSocket(tcp);
        // Frames that arrive while we authenticate are kept, not lost.
        early.set(socket, []);
        socket.on("message", onFrame);
        void track(
          connect(socket, request).catch((err: Error) => {
            request.log.error({ err }, "signalling connect failed");
            socket.close(1011, "internal error");
          }),
        );
      },
    );

    async function connect(socket: WebSocket, request: FastifyRequest): Promise<void> {
      const log = request.log;
      const { session_id: sessionId } = request.params as { session_id: string };
      const { token: queryToken } = request.query as { token?: string };
      const attempt: SignalConnectAttempt = { sessionId, requestId: String(request.id), clientAddress: request.ip };
      if (!hub.fanoutUp) return unavailable(socket, log);
      const fromAddress = await take(byAddress, addressKey(request.ip));
      if (!fromAddress) return unavailable(socket, log);
      if (!fromAddress.allowed) return tooMany(socket, log, fromAddress, "address");
      if (!idPattern.session.test(sessionId))
        return socket.close(SignalCloseCodes.sessionNotFound, "session not found");
      // No `?token`: the socket's first frame carries it (opened while the browser's join was
      // under way); none within the time, or not an auth frame, is a missing token.
      const fromFrame = queryToken === undefined ? await firstFrameToken(socket) : null;
      // Closed before its first frame (the join was refused, the page went elsewhere, a Chime
      // call): nothing was presented, so there is no decision to record.
      if (fromFrame === closedBeforeAuth) return;
      const token = queryToken ?? fromFrame;
      // Missing, forged or expired: on record as an anonymous attempt (the error, which
      // may carry the token's claims, is not logged).
      const claims = token ? await options.joinTokens.verify(token).catch(() => null) : null;
      if (!claims) {
        await options.access.recordSignalConnect(attempt, "DENIED");
        return socket.close(SignalCloseCodes.invalidToken, "invalid or expired join token");
      }
      const withToken = await take(byAttendee, claims.attendee_id);
      if (!withToken) return unavailable(socket, log);
      if (!withToken.allowed) return tooMany(socket, log, withToken, "attendee");
      const holder = { ...attempt, userId: claims.user_id };
      if (claims.session_id !== sessionId) {
        await options.access.recordSignalConnect(holder, "DENIED");
        return socket.close(SignalCloseCodes.forbidden, "token is for another session");
      }
      // Connecting shows who else is in the meeting: a read of session data, on record — an
      // allowed connect's row committed with the connect itself (one commit before `welcome`),
      // a refused one on its own, before the close.
      const result = await recordConnect(options.db, claims, options.now(), (clinicId) =>
        allowedConnectRow(holder, clinicId),
      );
      if (!result.ok) {
        await options.access.recordSignalConnect({ ...holder, clinicId: result.clinicId }, "DENIED");
        return socket.close(result.closeCode, result.reason);
      }
      const now = Date.now();
      const conn: LiveConnection = {
        socket,
        // The token's copy (checked equal above): the path parameter is a slice of the request
        // URL, which would keep the whole URL, join token included, for as long as the socket lives.
        sessionId: claims.session_id,
        id: newConnectionId(),
        intervalId: result.intervalId,
        presenceOnly: result.presenceOnly,
        // The waiting room: a patient the doctor has not admitted meets nobody yet.
        waiting: !result.admitted,
        attendee: {
          attendee_id: result.attendee.attendee_id,
          user_id: result.attendee.user_id,
          user_type: result.attendee.user_type,
          name: result.attendee.name,
          status: "CONNECTED",
        },
        heardAt: now,
        touchedAt: options.now().getTime(),
        windowStart: now,
        inWindow: 0,
      };
      if (!(await open(conn, claims.session_id))) return;
      const frames = early.get(socket) ?? [];
      early.delete(socket);
      // Replayed before the recheck below, on purpose: the offer sent at socket open is on the
      // Join click's path. The window is the one frames sent right after `welcome` always had —
      // a removal or end committed meanwhile reaches the recheck a round trip later and closes
      // the socket; the recipient is an admitted attendee of the same session either way.
      for (const data of frames) frame(conn, data);
      await waitingRoom.connected(conn);
      await recheck(conn, "session changed while connecting");
    }

    /**
     * The join token of the socket's first frame (one kept already, or the next); null when that
     * frame is not an auth frame or none came in time; `closedBeforeAuth` when the socket closed first.
     */
    function firstFrameToken(socket: WebSocket): Promise<string | null | typeof closedBeforeAuth> {
      const kept = early.get(socket)?.shift();
      if (kept !== undefined) return Promise.resolve(tokenOfAuthFrame(kept));
      if (socket.readyState !== socket.OPEN) return Promise.resolve(closedBeforeAuth);
      return new Promise((resolve) => {
        const settle = (result: string | null | typeof closedBeforeAuth) => {
          clearTimeout(timer);
          awaitingAuth.delete(socket);
          socket.off("close", closedMeanwhile);
          resolve(result);
        };
        const closedMeanwhile = () => settle(closedBeforeAuth);
        const timer = setTimeout(() => settle(null), authTimeoutMs);
        awaitingAuth.set(socket, (data) => settle(tokenOfAuthFrame(data)));
        socket.once("close", closedMeanwhile);
      });
    }

    /** Registers the connection and sends `welcome`; false when it closed (or was refused) meanwhile. */
    async function open(conn: LiveConnection, sessionId: string): Promise<boolean> {
      const previous = hub.add(conn);
      if (previous) {
        hub.send(previous, { type: "replaced" });
        previous.socket.close(SignalCloseCodes.replaced, "replaced by a newer connection");
      }
      if (conn.socket.readyState !== conn.socket.OPEN) {
        closed(conn);
        return false;
      }
      live.add(conn);
      conn.socket.on("close", onSocketClose);
      // Its close from now on records the leave (frames still wait in `early` until welcome).
      connectionOf.set(conn.socket, conn);
      // The others hear attendee.joined; with replicas, the other instances learn of it (and
      // close an older connection of this attendee they hold) and say who is connected there.
      let attendees: SignalAttendee[];
      try {
        attendees = await hub.announce(conn);
      } catch (err) {
        app.log.warn({ err }, "signalling connect refused: fan-out unavailable");
        conn.socket.close(SignalCloseCodes.unavailable, "signalling temporarily unavailable, try again");
        return false;
      }
      if (!hub.isCurrent(conn)) return false;
      // Whom the client offers to first: its frames sent before `welcome` (SIGNAL_WELCOME_PEER) go there.
      const self = conn.attendee.attendee_id;
      conn.welcomePeer = attendees.find((a) => a.attendee_id !== self && a.status === "CONNECTED")?.attendee_id ?? null;
      hub.send(conn, { type: "welcome", session_id: sessionId, attendee_id: self, attendees });
      return true;
    }
  };

  /**
   * An end or a replacement that committed while `conn` was being registered (or, with
   * replicas, while the other instances could not tell this one) reaches it here: the
   * database is the record. A connection whose interval another connection of the same
   * attendee closed was superseded (without a leave: the newer one holds the attendance).
   */
  async function recheck(conn: SignalConnection, reason: string): Promise<void> {
    const check = await recheckConnection(options.db, conn.attendee.attendee_id, conn.sessionId);
    if (check.ok) {
      if (hub.clustered && !(await isIntervalOpen(options.db, conn.intervalId))) hub.supersede(conn);
      // Admitted while it was connecting (or while the instances were apart): let in now.
      else if (conn.waiting && (await isAdmittedNow(options.db, conn.sessionId, conn.attendee.user_id))) {
        hub.attendeesAdmitted(conn.sessionId, [conn.attendee.user_id]);
        hub.waitingChanged(conn.sessionId);
      }
      return;
    }
    if (check.endReason) {
      hub.send(conn, { type: "session.ended", session_id: conn.sessionId, reason: check.endReason });
    } else if (check.closeCode === SignalCloseCodes.replaced) {
      hub.send(conn, { type: "replaced" });
    } else if (check.closeCode === SignalCloseCodes.removed) {
      hub.send(conn, { type: "removed" });
    }
    conn.socket.close(check.closeCode, reason);
  }
}
