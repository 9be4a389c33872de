import { randomUUID } from "node:crypto";
import { type ServerSignal, type SignalAttendee, SignalCloseCodes } from "@clinic/contracts";
import type { FastifyBaseLogger } from "fastify";
import type { WebSocket } from "ws";
import type { SessionNotifier } from "../sessions/sessions-context.ts";
import {
  type FanoutMessage,
  NODE_TTL_MS,
  type PresenceEntry,
  REFRESH_EVERY_MS,
  type SignalFanout,
} from "./signal-fanout.ts";

export interface SignalConnection {
  socket: WebSocket;
  sessionId: string;
  attendee: SignalAttendee;
  /** Unique per connection: messages between instances name the connection they concern. */
  id: string;
  /** The attendance interval this connection opened (its leave closes that one only). */
  intervalId: number;
}

export const newConnectionId = (): string => randomUUID();

/** Thrown when the other instances cannot be reached: the connect is refused with `unavailable`. */
export class FanoutUnavailableError extends Error {
  constructor(cause?: unknown) {
    super("signalling fan-out unavailable", { cause });
    this.name = "FanoutUnavailableError";
  }
}

export interface SignalHubOptions {
  /** Links this hub to the other instances' (REDIS_URL, or in-process); none = one instance. */
  fanout?: SignalFanout;
  log: FastifyBaseLogger;
}

/**
 * The registry of open signalling connections, by session and attendee. It only routes
 * messages; who attended when is in the database. Relays go only to attendees of the same
 * session (= meeting), never across sessions.
 *
 * Alone, it is all in memory and delivers locally. With a fanout (several instances) it
 * delivers locally first and publishes only what may concern another instance: a relay to an
 * attendee connected elsewhere, broadcasts of sessions with attendees elsewhere, joins and
 * leaves, ends and replacements. For the sessions it holds connections of, it keeps a view of
 * the attendees connected elsewhere (`#remote`), from the presence read at the first connect
 * and the joins and leaves heard since.
 *
 * What a connection changes between instances (subscribing, reading the view, announcing,
 * withdrawing, leaving the channel) runs one step after the other per session: a connection
 * that closes while it is being announced leaves after its announce, never before it.
 */
export class SignalHub implements SessionNotifier {
  readonly #sessions = new Map<string, Map<string, SignalConnection>>();
  readonly #remote = new Map<string, Map<string, PresenceEntry>>();
  /** Sessions whose presence is being read: their messages wait, then apply in order. */
  readonly #snapshotting = new Map<string, FanoutMessage[]>();
  readonly #fanout: SignalFanout | undefined;
  readonly #log: FastifyBaseLogger;
  readonly #pending = new Set<Promise<unknown>>();
  /** Per session, the tail of its queue of changes between instances (`#serial`). */
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Leaves that could not reach the others (Redis down), by connection: told once it is back. */
  readonly #untold = new Map<string, { conn: SignalConnection; announceLeave: boolean }>();
  #timer: NodeJS.Timeout | undefined;
  /** Dead-node pruning waits this long after an outage, for the others to announce themselves again. */
  #pruneAfter = 0;
  #onFanout: ((direction: "out" | "in") => void) | undefined;

  constructor(options: SignalHubOptions) {
    this.#fanout = options.fanout;
    this.#log = options.log;
    const fanout = this.#fanout;
    if (!fanout) return;
    fanout.onMessage((sessionId, message) => {
      this.#onFanout?.("in");
      const waiting = this.#snapshotting.get(sessionId);
      if (waiting) waiting.push(message);
      else this.#apply(sessionId, message);
    });
    fanout.onRestored(() => this.#track(this.#restore()));
    this.#timer = setInterval(() => this.#track(this.refreshPresence()), REFRESH_EVERY_MS);
    this.#timer.unref();
  }

  /** Several instances linked (REDIS_URL or in-process), and whether the link is up. */
  get clustered(): boolean {
    return this.#fanout !== undefined;
  }

  /** False while the other instances cannot be reached (new connects are then refused). */
  get fanoutUp(): boolean {
    return this.#fanout?.up ?? true;
  }

  get fanout(): SignalFanout | undefined {
    return this.#fanout;
  }

  /** Counts the messages published and received (metrics). */
  observeFanout(count: (direction: "out" | "in") => void): void {
    this.#onFanout = count;
  }

  /** Registers `conn` here; returns the connection of this process it replaces (same attendee), if any. */
  add(conn: SignalConnection): SignalConnection | undefined {
    let attendees = this.#sessions.get(conn.sessionId);
    if (!attendees) {
      attendees = new Map();
      this.#sessions.set(conn.sessionId, attendees);
    }
    const previous = attendees.get(conn.attendee.attendee_id);
    attendees.set(conn.attendee.attendee_id, conn);
    // Its older connection elsewhere, if any, is replaced: its leave must not reach anyone.
    this.#remote.get(conn.sessionId)?.delete(conn.attendee.attendee_id);
    return previous;
  }

  /**
   * After `add`: makes the connection known to the other instances (which replace their own
   * connection of the same attendee) and returns the attendees connected to the session
   * anywhere, for its `welcome`. Throws FanoutUnavailableError when they cannot be reached.
   */
  async announce(conn: SignalConnection): Promise<SignalAttendee[]> {
    const fanout = this.#fanout;
    if (fanout) {
      const entry: PresenceEntry = {
        node: fanout.node,
        conn: conn.id,
        interval: conn.intervalId,
        attendee: conn.attendee,
      };
      try {
        await this.#serial(conn.sessionId, async () => {
          // Closed or replaced meanwhile: nothing to announce (its leave, if any, is queued next).
          if (!this.isCurrent(conn)) return;
          if (!this.#remote.has(conn.sessionId)) await this.#view(conn.sessionId);
          if (!this.isCurrent(conn)) return;
          await fanout.announce(conn.sessionId, entry);
          await this.#publish(conn.sessionId, { kind: "joined", entry });
        });
      } catch (err) {
        throw new FanoutUnavailableError(err);
      }
      if (!this.isCurrent(conn)) return [];
    }
    const id = conn.attendee.attendee_id;
    this.#broadcastLocal(conn.sessionId, { type: "attendee.joined", attendee: conn.attendee }, id);
    return this.attendeesOf(conn.sessionId, id);
  }

  /** True while `conn` is its attendee's registered connection here. */
  isCurrent(conn: SignalConnection): boolean {
    return this.#sessions.get(conn.sessionId)?.get(conn.attendee.attendee_id) === conn;
  }

  /**
   * Unregisters `conn`; true when it was the attendee's current connection (and so its leave
   * counts): the others then hear `attendee.left`, here and on the other instances.
   */
  remove(conn: SignalConnection): boolean {
    if (!this.#unregister(conn)) return false;
    this.#broadcastLocal(conn.sessionId, { type: "attendee.left", attendee_id: conn.attendee.attendee_id });
    this.#depart(conn);
    return true;
  }

  /** Registered (authenticated) connections in this process, for the metrics. */
  get connectionCount(): number {
    let count = 0;
    for (const attendees of this.#sessions.values()) count += attendees.size;
    return count;
  }

  /** The session's attendees connected here and (clustered) elsewhere, but `exceptAttendeeId`. */
  attendeesOf(sessionId: string, exceptAttendeeId?: string): SignalAttendee[] {
    const local = this.#sessions.get(sessionId);
    const all = [...(local?.values() ?? [])].map((c) => c.attendee);
    for (const entry of this.#remote.get(sessionId)?.values() ?? []) {
      if (!local?.has(entry.attendee.attendee_id)) all.push(entry.attendee);
    }
    return all.filter((a) => a.attendee_id !== exceptAttendeeId);
  }

  send(conn: SignalConnection, message: ServerSignal): void {
    if (conn.socket.readyState === conn.socket.OPEN) conn.socket.send(JSON.stringify(message));
  }

  /**
   * Sends to one attendee of the sender's session, here or (clustered) on its instance; false
   * when there is no such attendee. A relay that cannot cross to the other instance is
   * reported to the sender as an `UNAVAILABLE` error.
   */
  relay(from: SignalConnection, toAttendeeId: string, message: ServerSignal): boolean {
    const target = this.#sessions.get(from.sessionId)?.get(toAttendeeId);
    if (target) {
      if (target === from) return false;
      this.send(target, message);
      return true;
    }
    if (!this.#remote.get(from.sessionId)?.has(toAttendeeId)) return false;
    this.#publish(from.sessionId, { kind: "relay", to: toAttendeeId, message }).catch(() => {
      this.send(from, {
        type: "error",
        code: "UNAVAILABLE",
        message: "The message could not reach the other attendee; it is being retried by reconnecting",
      });
    });
    return true;
  }

  broadcast(sessionId: string, message: ServerSignal, exceptAttendeeId?: string): void {
    this.#broadcastLocal(sessionId, message, exceptAttendeeId);
    if ((this.#remote.get(sessionId)?.size ?? 0) === 0) return;
    this.#publishQuietly(sessionId, {
      kind: "broadcast",
      message,
      ...(exceptAttendeeId ? { except: exceptAttendeeId } : {}),
    });
  }

  sessionEnded(sessionId: string, reason: "ENDED_BY_DOCTOR" | "IDLE_TIMEOUT"): void {
    this.#endLocal(sessionId, reason);
    // Whoever holds the session's other connections: the end is in the database, so an
    // instance that misses this message closes them when it catches up after the outage.
    this.#publishQuietly(sessionId, { kind: "ended", reason });
  }

  attendeesReplaced(sessionId: string, attendeeIds: string[]): void {
    this.#replaceLocal(sessionId, attendeeIds);
    this.#publishQuietly(sessionId, { kind: "replaced", attendee_ids: attendeeIds });
    this.#forgetQuietly(sessionId, attendeeIds);
  }

  /**
   * Drops replaced attendees from the shared presence too: held by an instance that died,
   * their entries would otherwise be read back by any instance building its view of the
   * session until that instance's liveness lapses. (Their connects are refused anyway.)
   */
  #forgetQuietly(sessionId: string, attendeeIds: string[]): void {
    const fanout = this.#fanout;
    if (!fanout) return;
    const forget = async () => {
      const replaced = new Set(attendeeIds);
      for (const entry of await fanout.presence(sessionId, { keepDead: true })) {
        if (replaced.has(entry.attendee.attendee_id)) {
          await fanout.withdraw(sessionId, entry.attendee.attendee_id, entry.conn);
        }
      }
    };
    this.#track(
      this.#serial(sessionId, forget).catch((err: Error) =>
        this.#log.warn({ err, sessionId }, "could not drop replaced attendees from the presence"),
      ),
    );
  }

  /** Connected here, or (clustered) on a live instance; assumed so when that cannot be known. */
  async isConnected(sessionId: string, attendeeId: string): Promise<boolean> {
    if (this.#sessions.get(sessionId)?.has(attendeeId)) return true;
    const fanout = this.#fanout;
    if (!fanout) return false;
    try {
      return (await fanout.presence(sessionId)).some((e) => e.attendee.attendee_id === attendeeId);
    } catch {
      return true; // closing a live attendance would lose minutes; it waits for Redis instead
    }
  }

  /** The connections registered here (catching up after an outage). */
  connections(): SignalConnection[] {
    return [...this.#sessions.values()].flatMap((attendees) => [...attendees.values()]);
  }

  /**
   * Closes `conn` without a leave: a newer connection of the same attendee took over (on
   * another instance), as `add` does for one of this process.
   */
  supersede(conn: SignalConnection): void {
    if (!this.#unregister(conn)) return;
    this.send(conn, { type: "replaced" });
    conn.socket.close(SignalCloseCodes.replaced, "replaced by a newer connection");
    this.#depart(conn, false);
  }

  /**
   * Shutdown: unregisters every connection and closes it; returns them so their leaves can
   * be recorded now, while the database is still open (their close events come later and,
   * no longer registered, record nothing twice).
   */
  closeAll(code: number, reason: string): SignalConnection[] {
    const all = this.connections();
    for (const conn of all) {
      this.#unregister(conn);
      conn.socket.close(code, reason);
      this.#depart(conn);
    }
    return all;
  }

  /** Waits for the messages to the other instances in flight. */
  async settle(): Promise<void> {
    for (let i = 0; i < 20 && this.#pending.size > 0; i++) await Promise.allSettled([...this.#pending]);
  }

  /** Stops the refresh timer and waits for messages in flight (then the fanout may close). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.settle();
  }

  #unregister(conn: SignalConnection): boolean {
    const attendees = this.#sessions.get(conn.sessionId);
    if (attendees?.get(conn.attendee.attendee_id) !== conn) return false;
    attendees.delete(conn.attendee.attendee_id);
    if (attendees.size === 0) this.#sessions.delete(conn.sessionId);
    return true;
  }

  /** The other instances hear that `conn` is gone (after its announce); the session's channel is left with its last connection. */
  #depart(conn: SignalConnection, announceLeave = true): void {
    if (!this.#fanout) return;
    const { sessionId } = conn;
    this.#track(
      this.#serial(sessionId, () => this.#leave(conn, announceLeave)).catch((err: Error) =>
        this.#log.warn({ err, sessionId }, "could not tell the other instances about a leave"),
      ),
    );
  }

  async #leave(conn: SignalConnection, announceLeave: boolean): Promise<void> {
    const fanout = this.#fanout!;
    const { sessionId } = conn;
    try {
      await fanout.withdraw(sessionId, conn.attendee.attendee_id, conn.id);
      if (announceLeave)
        await this.#publish(sessionId, { kind: "left", attendee_id: conn.attendee.attendee_id, conn: conn.id });
      this.#untold.delete(conn.id);
    } catch (err) {
      // Else the others would keep it in their views (and presence) for as long as the session lasts.
      this.#untold.set(conn.id, { conn, announceLeave });
      throw err;
    } finally {
      // The session's last connection here: its view and channel go (unless one arrived meanwhile).
      if (!this.#sessions.has(sessionId)) {
        this.#remote.delete(sessionId);
        await fanout.unsubscribe(sessionId);
      }
    }
  }

  /**
   * Subscribes to the session and reads who is connected elsewhere; messages meanwhile wait.
   * Runs in the session's queue, for a session with connections here.
   */
  async #view(sessionId: string): Promise<void> {
    const fanout = this.#fanout!;
    const waiting: FanoutMessage[] = [];
    this.#snapshotting.set(sessionId, waiting);
    try {
      await fanout.subscribe(sessionId);
      // Just after an outage the others may not have refreshed their liveness yet: not taken
      // for dead before the same grace as the pruning (refreshPresence).
      const entries = await fanout.presence(sessionId, { keepDead: Date.now() < this.#pruneAfter });
      const local = this.#sessions.get(sessionId);
      // Every connection here closed meanwhile: no view (their leaves, queued next, leave the channel).
      if (!local) return;
      const view = new Map<string, PresenceEntry>();
      for (const e of entries) {
        if (e.node === fanout.node) continue;
        // An older connection of an attendee connected here is being replaced without a leave:
        // not "elsewhere" (a newer one is, until this one is superseded).
        const mine = local.get(e.attendee.attendee_id);
        if (mine && mine.intervalId >= e.interval) continue;
        view.set(e.attendee.attendee_id, e);
      }
      this.#remote.set(sessionId, view);
    } finally {
      if (this.#snapshotting.get(sessionId) === waiting) this.#snapshotting.delete(sessionId);
    }
    for (const message of waiting) this.#apply(sessionId, message);
  }

  /** A message of another instance about `sessionId`. */
  #apply(sessionId: string, message: FanoutMessage): void {
    const local = this.#sessions.get(sessionId);
    switch (message.kind) {
      case "joined": {
        const { entry } = message;
        const id = entry.attendee.attendee_id;
        const mine = local?.get(id);
        // The database ordered the two connections (their intervals): the older one goes, without a leave.
        if (mine && mine.id !== entry.conn) {
          if (mine.intervalId > entry.interval) return;
          this.supersede(mine);
        }
        const view = this.#remote.get(sessionId);
        if (!view) return; // nobody of this session here (any more)
        const known = view.get(id);
        view.set(id, entry);
        if (known?.conn !== entry.conn)
          this.#broadcastLocal(sessionId, { type: "attendee.joined", attendee: entry.attendee }, id);
        return;
      }
      case "left": {
        const view = this.#remote.get(sessionId);
        if (view?.get(message.attendee_id)?.conn !== message.conn) return;
        view.delete(message.attendee_id);
        if (local?.has(message.attendee_id)) return; // connected here now
        this.#broadcastLocal(sessionId, { type: "attendee.left", attendee_id: message.attendee_id });
        return;
      }
      case "relay": {
        const target = local?.get(message.to);
        if (target) this.send(target, message.message);
        return;
      }
      case "broadcast":
        this.#broadcastLocal(sessionId, message.message, message.except);
        return;
      case "ended":
        this.#endLocal(sessionId, message.reason);
        return;
      case "replaced":
        this.#replaceLocal(sessionId, message.attendee_ids);
        return;
    }
  }

  #broadcastLocal(sessionId: string, message: ServerSignal, exceptAttendeeId?: string): void {
    for (const conn of this.#sessions.get(sessionId)?.values() ?? []) {
      if (conn.attendee.attendee_id !== exceptAttendeeId) this.send(conn, message);
    }
  }

  #endLocal(sessionId: string, reason: "ENDED_BY_DOCTOR" | "IDLE_TIMEOUT"): void {
    for (const conn of [...(this.#sessions.get(sessionId)?.values() ?? [])]) {
      this.send(conn, { type: "session.ended", session_id: sessionId, reason });
      conn.socket.close(SignalCloseCodes.sessionEnded, "session ended");
    }
  }

  #replaceLocal(sessionId: string, attendeeIds: string[]): void {
    const attendees = this.#sessions.get(sessionId);
    const view = this.#remote.get(sessionId);
    for (const id of attendeeIds) {
      // Replaced in the database, which is authoritative: seen elsewhere, it is gone for this
      // instance's clients now, not when its instance says so (a crashed one never will).
      // Its own leave, if it comes, then finds nothing to remove and is not told twice.
      if (view?.delete(id) && !attendees?.has(id))
        this.#broadcastLocal(sessionId, { type: "attendee.left", attendee_id: id });
      const conn = attendees?.get(id);
      if (!conn) continue;
      this.send(conn, { type: "replaced" });
      conn.socket.close(SignalCloseCodes.replaced, "replaced by a newer connection");
    }
  }

  async #publish(sessionId: string, message: FanoutMessage): Promise<void> {
    const fanout = this.#fanout;
    if (!fanout) return;
    this.#onFanout?.("out");
    await fanout.publish(sessionId, message);
  }

  /** A publish whose failure is only logged: the database has the change, and catching up after an outage applies it. */
  #publishQuietly(sessionId: string, message: FanoutMessage): void {
    if (!this.#fanout) return;
    this.#track(
      this.#publish(sessionId, message).catch((err: Error) =>
        this.#log.warn({ err, sessionId, kind: message.kind }, "could not tell the other instances"),
      ),
    );
  }

  /** Runs `task` after the session's earlier changes between instances (whatever their outcome). */
  #serial<T>(sessionId: string, task: () => Promise<T>): Promise<T> {
    const run = (this.#queues.get(sessionId) ?? Promise.resolve()).then(task);
    const tail = run.catch(() => undefined);
    this.#queues.set(sessionId, tail);
    void tail.then(() => {
      if (this.#queues.get(sessionId) === tail) this.#queues.delete(sessionId);
    });
    return run;
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /**
   * Every REFRESH_EVERY_MS (tests run one at once): this node stays alive and its sessions'
   * presence does not expire; attendees of instances that died (no liveness) are gone for the
   * others here.
   */
  async refreshPresence(): Promise<void> {
    const fanout = this.#fanout!;
    if (!fanout.up) return;
    try {
      await fanout.refresh([...this.#sessions.keys()]);
      if (Date.now() < this.#pruneAfter) return;
      const nodes = new Set<string>();
      for (const view of this.#remote.values()) for (const e of view.values()) nodes.add(e.node);
      if (nodes.size === 0) return;
      const live = await fanout.liveNodes([...nodes]);
      for (const [sessionId, view] of this.#remote) {
        for (const [id, e] of view) {
          if (live.has(e.node)) continue;
          view.delete(id);
          this.#broadcastLocal(sessionId, { type: "attendee.left", attendee_id: id });
        }
      }
    } catch (err) {
      this.#log.warn({ err }, "signalling presence refresh failed");
    }
  }

  /**
   * After an outage (messages may have been lost): the leaves that could not be told are told;
   * this node's connections are announced again, presence and channel — the others may have
   * taken this node for dead meanwhile (its liveness lapsed) and dropped its attendees; a
   * connection they know already changes nothing there —; and each session's view is read
   * again, its differences told to the attendees here. The database check of the connections
   * themselves (ended, replaced) is the caller's (`onRestored` in signalling.routes.ts).
   */
  async #restore(): Promise<void> {
    const fanout = this.#fanout!;
    this.#pruneAfter = Date.now() + NODE_TTL_MS;
    for (const { conn, announceLeave } of [...this.#untold.values()]) {
      await this.#serial(conn.sessionId, () => this.#leave(conn, announceLeave)).catch((err: Error) =>
        this.#log.warn({ err, sessionId: conn.sessionId }, "could not tell the other instances about a leave"),
      );
    }
    for (const sessionId of [...this.#sessions.keys()]) {
      await this.#serial(sessionId, async () => {
        for (const conn of [...(this.#sessions.get(sessionId)?.values() ?? [])]) {
          if (!this.isCurrent(conn)) continue;
          const entry: PresenceEntry = {
            node: fanout.node,
            conn: conn.id,
            interval: conn.intervalId,
            attendee: conn.attendee,
          };
          await fanout.announce(sessionId, entry);
          await this.#publish(sessionId, { kind: "joined", entry });
        }
        if (!this.#sessions.has(sessionId)) return;
        const before = this.#remote.get(sessionId) ?? new Map<string, PresenceEntry>();
        await this.#view(sessionId);
        const after = this.#remote.get(sessionId) ?? new Map<string, PresenceEntry>();
        if (!this.#sessions.has(sessionId)) return;
        for (const [id, e] of before) {
          if (after.get(id)?.conn !== e.conn)
            this.#broadcastLocal(sessionId, { type: "attendee.left", attendee_id: id });
        }
        for (const [id, e] of after) {
          if (before.get(id)?.conn !== e.conn)
            this.#broadcastLocal(sessionId, { type: "attendee.joined", attendee: e.attendee }, id);
        }
      }).catch((err: Error) => this.#log.warn({ err, sessionId }, "could not catch up on a session after the outage"));
    }
  }
}
