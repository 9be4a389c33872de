import { randomBytes } from "node:crypto";
import type { ServerSignal, SignalAttendee } from "@clinic/contracts";
import { ConnectLimiter, type Take } from "./connect-limiter.ts";

/**
 * What links the signalling hubs of several video-service instances: a channel per session
 * (what one instance tells the others about that session's connections), a presence record
 * per session (who is connected where, for `welcome` and replacements), each instance's
 * liveness, and connect limits counted for the whole cluster.
 *
 * Two implementations: Redis (redis-fanout.ts, REDIS_URL; separate processes) and in-process
 * (below; several apps of one process, tests without Redis). A single instance without
 * REDIS_URL has none and pays nothing for it.
 */
export interface SignalFanout {
  /** This instance's node id: INSTANCE_ID plus a random part, so a restart is another node. */
  readonly node: string;
  /** False while the link is down (Redis unreachable): new connections are then refused. */
  readonly up: boolean;
  /** Messages of another node about a session this node is subscribed to (never its own). */
  onMessage(handler: (sessionId: string, message: FanoutMessage) => void): void;
  /** After an outage, once messages flow again: what was missed meanwhile must be caught up on. */
  onRestored(handler: () => void): void;
  subscribe(sessionId: string): Promise<void>;
  unsubscribe(sessionId: string): Promise<void>;
  publish(sessionId: string, message: FanoutMessage): Promise<void>;
  /** Records (replaces) the attendee's entry in the session's presence. */
  announce(sessionId: string, entry: PresenceEntry): Promise<void>;
  /** Removes the attendee's entry if it is still this connection's. */
  withdraw(sessionId: string, attendeeId: string, conn: string): Promise<void>;
  /**
   * The session's presence, entries of nodes no longer alive left out (and dropped) — unless
   * `keepDead`: just after an outage, before the others had a chance to refresh their liveness.
   */
  presence(sessionId: string, options?: { keepDead?: boolean }): Promise<PresenceEntry[]>;
  /** Which of `nodes` are alive (refreshed their liveness recently). */
  liveNodes(nodes: string[]): Promise<Set<string>>;
  /** Keeps this node alive and the presence of `sessionIds` (the ones it holds) from expiring. */
  refresh(sessionIds: string[]): Promise<void>;
  /** Connects counted for the whole cluster under `kind` (address, attendee). */
  connectLimiter(kind: string, perMinute: number, now: () => number): ConnectCounter;
  close(): Promise<void>;
}

/** A connect limit; `take` rejects when it cannot be counted (the link is down). */
export interface ConnectCounter {
  take(key: string): Promise<Take>;
}

/** Who is connected where: one per attendee in a session's presence. */
export interface PresenceEntry {
  node: string;
  /** The connection's id: a newer connection of the same attendee has another. */
  conn: string;
  /** Its attendance interval: the database orders two connections of one attendee by it. */
  interval: number;
  attendee: SignalAttendee;
  /** In the waiting room (not admitted yet): nobody is shown it or relays to it. */
  waiting?: boolean;
}

/** What crosses between instances, on the channel of one session. */
export type FanoutMessage =
  /** A connection registered: others of the same attendee are replaced, the rest hear attendee.joined. */
  | { kind: "joined"; entry: PresenceEntry }
  | { kind: "left"; attendee_id: string; conn: string }
  | { kind: "relay"; to: string; message: ServerSignal }
  | { kind: "broadcast"; except?: string; message: ServerSignal }
  | { kind: "ended"; reason: "ENDED_BY_DOCTOR" | "IDLE_TIMEOUT" }
  | { kind: "replaced"; attendee_ids: string[] }
  /** Participant control: the doctor removed these attendees (`removed`, then close 4411). */
  | { kind: "removed"; attendee_ids: string[] }
  /** Waiting room: these people were admitted (their connections leave the waiting room). */
  | { kind: "admitted"; user_ids: string[] }
  /** Waiting room: who waits (or auto-admit) changed; lobbies and positions are read again. */
  | { kind: "waiting" };

/** The envelope on the wire: the sender's node (ignored by it) and the session. */
export type FanoutEnvelope = FanoutMessage & { origin: string; session: string };

export function newNodeId(instanceId: string): string {
  return `${instanceId}/${randomBytes(4).toString("hex")}`;
}

/** Liveness: a node is dead once it has not refreshed for this long (it refreshes 3 times as often). */
export const NODE_TTL_MS = 30_000;
export const REFRESH_EVERY_MS = 10_000;
/** A session's presence outlives its last holder's refresh by this much, then expires. */
export const PRESENCE_TTL_MS = 120_000;

/**
 * Several video apps of one process as one cluster without Redis (tests, and `npm start`
 * replicas could use it): the same semantics as Redis pub/sub (asynchronous delivery, in
 * order, a node never hears itself), presence and limits kept here in memory.
 */
export interface InProcessSignalCluster {
  /** The fanout of one instance of the cluster. */
  node(instanceId: string): SignalFanout;
}

export function createInProcessSignalCluster(): InProcessSignalCluster {
  const channels = new Map<string, Set<InProcessNode>>();
  const presence = new Map<string, Map<string, PresenceEntry>>();
  const alive = new Set<string>();
  const limiters = new Map<string, ConnectLimiter>();

  class InProcessNode implements SignalFanout {
    readonly node: string;
    readonly up = true;
    #handlers: ((sessionId: string, message: FanoutMessage) => void)[] = [];
    #closed = false;

    constructor(instanceId: string) {
      this.node = newNodeId(instanceId);
      alive.add(this.node);
    }

    onMessage(handler: (sessionId: string, message: FanoutMessage) => void): void {
      this.#handlers.push(handler);
    }

    onRestored(): void {
      // Never down.
    }

    async subscribe(sessionId: string): Promise<void> {
      let set = channels.get(sessionId);
      if (!set) {
        set = new Set();
        channels.set(sessionId, set);
      }
      set.add(this);
    }

    async unsubscribe(sessionId: string): Promise<void> {
      const set = channels.get(sessionId);
      set?.delete(this);
      if (set?.size === 0) channels.delete(sessionId);
    }

    async publish(sessionId: string, message: FanoutMessage): Promise<void> {
      // Serialised as Redis would: the receiver gets a copy, later (and in order).
      const wire = JSON.stringify(message);
      for (const receiver of channels.get(sessionId) ?? []) {
        if (receiver === this) continue;
        setImmediate(() => receiver.#deliver(sessionId, JSON.parse(wire) as FanoutMessage));
      }
    }

    #deliver(sessionId: string, message: FanoutMessage): void {
      if (this.#closed || !channels.get(sessionId)?.has(this)) return;
      for (const handler of this.#handlers) handler(sessionId, message);
    }

    async announce(sessionId: string, entry: PresenceEntry): Promise<void> {
      let entries = presence.get(sessionId);
      if (!entries) {
        entries = new Map();
        presence.set(sessionId, entries);
      }
      entries.set(entry.attendee.attendee_id, structuredClone(entry));
    }

    async withdraw(sessionId: string, attendeeId: string, conn: string): Promise<void> {
      const entries = presence.get(sessionId);
      if (entries?.get(attendeeId)?.conn !== conn) return;
      entries.delete(attendeeId);
      if (entries.size === 0) presence.delete(sessionId);
    }

    async presence(sessionId: string, options: { keepDead?: boolean } = {}): Promise<PresenceEntry[]> {
      return [...(presence.get(sessionId)?.values() ?? [])]
        .filter((e) => options.keepDead || alive.has(e.node))
        .map((e) => structuredClone(e));
    }

    async liveNodes(nodes: string[]): Promise<Set<string>> {
      return new Set(nodes.filter((n) => alive.has(n)));
    }

    async refresh(): Promise<void> {
      if (!this.#closed) alive.add(this.node);
    }

    connectLimiter(kind: string, perMinute: number, now: () => number): ConnectCounter {
      const key = `${kind}/${perMinute}`;
      let limiter = limiters.get(key);
      if (!limiter) {
        limiter = new ConnectLimiter(perMinute, now);
        limiters.set(key, limiter);
      }
      const shared = limiter;
      return { take: async (k) => shared.take(k) };
    }

    async close(): Promise<void> {
      this.#closed = true;
      alive.delete(this.node);
      for (const [sessionId, set] of channels) {
        set.delete(this);
        if (set.size === 0) channels.delete(sessionId);
      }
    }
  }

  return { node: (instanceId) => new InProcessNode(instanceId) };
}
