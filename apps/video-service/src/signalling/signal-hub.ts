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
  /** A Chime meeting's client: attendance and control only, no offer/answer/ice relays. */
  presenceOnly?: boolean;
  /**
   * In the waiting room (issue 12): a patient the doctor has not admitted yet. Nobody hears of
   * them (no attendee.joined, not in anyone's welcome), they hear of nobody, and they may send
   * nothing but heartbeats. Cleared when the doctor admits them (`attendeesAdmitted`).
   */
  waiting?: boolean;
  /**
   * Who this connection's `welcome` named first (SIGNAL_WELCOME_PEER): where its frames
   * addressed to that placeholder go; null when it named nobody, unset before `welcome`.
   */
  welcomePeer?: string | null;
}

/** Shown to the others: an admitted attendee (an entry of an instance that predates the waiting room counts as one). */
const visible = (e: { waiting?: boolean } | undefined): boolean => e !== undefined && e.waiting !== true;

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
  #onWaiting: ((sessionId: string) => void) | undefined;

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
      const entry = this.#entryOf(conn, fanout.node);
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
    // A patient in the waiting room meets nobody: no one hears of them, and they are offered no one.
    if (conn.waiting) return [];
    this.#broadcastLocal(conn.sessionId, { type: "attendee.joined", attendee: conn.attendee }, id);
    return this.attendeesOf(conn.sessionId, id);
  }

  #entryOf(conn: SignalConnection, node: string): PresenceEntry {
    return {
      node,
      conn: conn.id,
      interval: conn.intervalId,
      attendee: conn.attendee,
      ...(conn.waiting ? { waiting: true } : {}),
    };
  }

  /** Whether `attendeeId` of the session is admitted (not in the waiting room), here or elsewhere; false if unknown. */
  isAdmitted(sessionId: string, attendeeId: string): boolean {
    const local = this.#sessions.get(sessionId)?.get(attendeeId);
    if (local) return visible(local);
    return visible(this.#remote.get(sessionId)?.get(attendeeId));
  }

  /**
   * The session's doctor admitted these people (the database has it): each of their
   * connections here leaves the waiting room — the others hear attendee.joined, here and on
   * the other instances, and the patient gets `admitted` with whom to offer to. The other
   * instances do the same for the connections they hold.
   */
  attendeesAdmitted(sessionId: string, userIds: string[]): void {
    this.#admitLocal(sessionId, userIds);
    this.#publishQuietly(sessionId, { kind: "admitted", user_ids: userIds });
  }

  /** Who waits (or auto-admit) changed in the session: the lobby and positions are told again, everywhere. */
  waitingChanged(sessionId: string): void {
    this.#onWaiting?.(sessionId);
    this.#publishQuietly(sessionId, { kind: "waiting" });
  }

  /** The waiting room's hook (waiting-room.ts): who waits in `sessionId` changed, here or on another instance. */
  onWaitingChanged(listener: (sessionId: string) => void): void {
    this.#onWaiting = listener;
  }

  #admitLocal(sessionId: string, userIds: string[]): void {
    const users = new Set(userIds);
    for (const conn of [...(this.#sessions.get(sessionId)?.values() ?? [])]) {
      if (!conn.waiting || !users.has(conn.attendee.user_id)) continue;
      conn.waiting = false;
      const id = conn.attendee.attendee_id;
      const introduce = () => {
        if (!this.isCurrent(conn)) return;
        this.#broadcastLocal(sessionId, { type: "attendee.joined", attendee: conn.attendee }, id);
        this.send(conn, { type: "admitted", attendees: this.attendeesOf(sessionId, id) });
      };
      const fanout = this.#fanout;
      if (!fanout) {
        introduce();
        continue;
      }
      // The other instances learn of the admitted entry before the patient is told to offer:
      // its offers, published after, reach an instance that already shows it.
      const entry = this.#entryOf(conn, fanout.node);
      this.#track(
        this.#serial(sessionId, async () => {
          if (!this.isCurrent(conn)) return;
          await fanout.announce(sessionId, entry);
          await this.#publish(sessionId, { kind: "joined", entry });
        })
          .catch((err: Error) =>
            this.#log.warn({ err, sessionId }, "could not tell the other instances of an admission"),
          )
          .finally(introduce),
      );
    }
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
    if (visible(conn))
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
    // Those in the waiting room are nobody's to offer to.
    const all = [...(local?.values() ?? [])].filter(visible).map((c) => c.attendee);
    for (const entry of this.#remote.get(sessionId)?.values() ?? []) {
      if (!local?.has(entry.attendee.attendee_id) && visible(entry)) all.push(entry.attendee);
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
      if (target === from || !visible(target)) return false;
      this.send(target, message);
      return true;
    }
    if (!visible(this.#remote.get(from.sessionId)?.get(toAttendeeId))) return false;
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
   * Participant control: to the attendee's connection here, or published on the session's
   * channel for the instance holding it (a relay needs no connection of the session here).
   */
  muteRequested(sessionId: string, attendeeId: string): void {
    const message: ServerSignal = { type: "mute.requested", by: "DOCTOR" };
    const conn = this.#sessions.get(sessionId)?.get(attendeeId);
    if (conn) this.send(conn, message);
    else this.#publishQuietly(sessionId, { kind: "relay", to: attendeeId, message });
  }

  /**
   * Participant control: removed in the database (which refuses their tokens from now on);
   * their connections, here and elsewhere, are told and closed with 4411, and the others hear
   * `attendee.left`. A connection that registers meanwhile is closed by its own re-check.
   */
  attendeesRemoved(sessionId: string, attendeeIds: string[]): void {
    this.#removeLocal(sessionId, attendeeIds);
    this.#publishQuietly(sessionId, { kind: "removed", attendee_ids: attendeeIds });
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
        // Shown once admitted: a new connection, or the same one leaving the waiting room.
        const alreadyShown = visible(known) && known?.conn === entry.conn;
        if (visible(entry) && !alreadyShown)
          this.#broadcastLocal(sessionId, { type: "attendee.joined", attendee: entry.attendee }, id);
        else if (!visible(entry) && visible(known))
          this.#broadcastLocal(sessionId, { type: "attendee.left", attendee_id: id });
        return;
      }
      case "left": {
        const view = this.#remote.get(sessionId);
        const known = view?.get(message.attendee_id);
        if (known?.conn !== message.conn) return;
        view?.delete(message.attendee_id);
        if (local?.has(message.attendee_id) || !visible(known)) return; // connected here now, or never shown
        this.#broadcastLocal(sessionId, { type: "attendee.left", attendee_id: message.attendee_id });
        return;
      }
      case "relay": {
        const target = local?.get(message.to);
        // Checked here too, not only where it was sent: a waiting attendee gets no media
        // offers whatever the sender's instance believed (a control message still reaches it).
        const media =
          message.message.type === "offer" || message.message.type === "answer" || message.message.type === "ice";
        if (target && !(media && !visible(target))) this.send(target, message.message);
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
      case "removed":
        this.#removeLocal(sessionId, message.attendee_ids);
        return;
      case "admitted":
        this.#admitLocal(sessionId, message.user_ids);
        return;
      case "waiting":
        this.#onWaiting?.(sessionId);
        return;
    }
  }

  #broadcastLocal(sessionId: string, message: ServerSignal, exceptAttendeeId?: string): void {
    for (const conn of this.#sessions.get(sessionId)?.values() ?? []) {
      // The waiting room hears nothing of the call (its end and replacement are sent directly).
      if (conn.attendee.attendee_id !== exceptAttendeeId && visible(conn)) this.send(conn, message);
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
      const seen = view?.get(id);
      if (view?.delete(id) && !attendees?.has(id) && visible(seen))
        this.#broadcastLocal(sessionId, { type: "attendee.left", attendee_id: id });
      const conn = attendees?.get(id);
      if (!conn) continue;
      this.send(conn, { type: "replaced" });
      // Unregistered at once, as a removal is: the newer connection's `welcome` (which may come
      // before the old browser answers the close) must not list the replaced attendee, whom the
      // newcomer would then offer to. Its attendance was closed by the join that replaced it.
      this.remove(conn);
      conn.socket.close(SignalCloseCodes.replaced, "replaced by a newer connection");
    }
  }

  /**
   * As `#replaceLocal`, with `removed` and 4411; the connection is unregistered at once (the
   * others hear `attendee.left` now, not when the removed browser answers the close), and cut
   * if it does not answer the close within 2 s. Its attendance was closed by the removal.
   */
  #removeLocal(sessionId: string, attendeeIds: string[]): void {
    const view = this.#remote.get(sessionId);
    for (const id of attendeeIds) {
      const conn = this.#sessions.get(sessionId)?.get(id);
      // Only someone shown is told gone: a removed attendee who was still waiting was never shown.
      const seen = view?.get(id);
      if (view?.delete(id) && !conn && visible(seen))
        this.#broadcastLocal(sessionId, { type: "attendee.left", attendee_id: id });
      if (!conn) continue;
      this.send(conn, { type: "removed" });
      this.remove(conn);
      conn.socket.close(SignalCloseCodes.removed, "removed from the consultation by the doctor");
      setTimeout(() => conn.socket.terminate(), 2000).unref();
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
          if (visible(e)) this.#broadcastLocal(sessionId, { type: "attendee.left", attendee_id: id });
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
          const entry = this.#entryOf(conn, fanout.node);
          await fanout.announce(sessionId, entry);
          await this.#publish(sessionId, { kind: "joined", entry });
        }
        if (!this.#sessions.has(sessionId)) return;
        const before = this.#remote.get(sessionId) ?? new Map<string, PresenceEntry>();
        await this.#view(sessionId);
        const after = this.#remote.get(sessionId) ?? new Map<string, PresenceEntry>();
        if (!this.#sessions.has(sessionId)) return;
        // Only admitted attendees were (or are) shown; the waiting room is nobody's business here.
        const shown = (e: PresenceEntry | undefined) => (visible(e) ? e?.conn : undefined);
        for (const [id, e] of before) {
          if (shown(e) && shown(after.get(id)) !== shown(e))
            this.#broadcastLocal(sessionId, { type: "attendee.left", attendee_id: id });
        }
        for (const [id, e] of after) {
          if (shown(e) && shown(before.get(id)) !== shown(e))
            this.#broadcastLocal(sessionId, { type: "attendee.joined", attendee: e.attendee }, id);
        }
        this.#onWaiting?.(sessionId);
      }).catch((err: Error) => this.#log.warn({ err, sessionId }, "could not catch up on a session after the outage"));
    }
  }
}
