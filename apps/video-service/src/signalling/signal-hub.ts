import { type ServerSignal, type SignalAttendee, SignalCloseCodes } from "@clinic/contracts";
import type { WebSocket } from "ws";
import type { SessionNotifier } from "../sessions/sessions-context.ts";

export interface SignalConnection {
  socket: WebSocket;
  sessionId: string;
  attendee: SignalAttendee;
}

/**
 * The in-memory registry of open signalling connections in this process, by session and
 * attendee. It only routes messages; who attended when is in the database. Relays go only
 * to attendees registered under the same session (= meeting), never across sessions.
 */
export class SignalHub implements SessionNotifier {
  readonly #sessions = new Map<string, Map<string, SignalConnection>>();

  /** Registers `conn`; returns the connection it replaces (same attendee), if any. */
  add(conn: SignalConnection): SignalConnection | undefined {
    let attendees = this.#sessions.get(conn.sessionId);
    if (!attendees) {
      attendees = new Map();
      this.#sessions.set(conn.sessionId, attendees);
    }
    const previous = attendees.get(conn.attendee.attendee_id);
    attendees.set(conn.attendee.attendee_id, conn);
    return previous;
  }

  /** True when `conn` was the attendee's current connection (and so its leave counts). */
  remove(conn: SignalConnection): boolean {
    const attendees = this.#sessions.get(conn.sessionId);
    if (attendees?.get(conn.attendee.attendee_id) !== conn) return false;
    attendees.delete(conn.attendee.attendee_id);
    if (attendees.size === 0) this.#sessions.delete(conn.sessionId);
    return true;
  }

  /** Registered (authenticated) connections in this process, for the metrics. */
  get connectionCount(): number {
    let count = 0;
    for (const attendees of this.#sessions.values()) count += attendees.size;
    return count;
  }

  attendeesOf(sessionId: string, exceptAttendeeId?: string): SignalAttendee[] {
    return [...(this.#sessions.get(sessionId)?.values() ?? [])]
      .filter((c) => c.attendee.attendee_id !== exceptAttendeeId)
      .map((c) => c.attendee);
  }

  send(conn: SignalConnection, message: ServerSignal): void {
    if (conn.socket.readyState === conn.socket.OPEN) conn.socket.send(JSON.stringify(message));
  }

  /** Sends to one attendee of the sender's session; false when there is no such attendee. */
  relay(from: SignalConnection, toAttendeeId: string, message: ServerSignal): boolean {
    const target = this.#sessions.get(from.sessionId)?.get(toAttendeeId);
    if (!target || target === from) return false;
    this.send(target, message);
    return true;
  }

  broadcast(sessionId: string, message: ServerSignal, exceptAttendeeId?: string): void {
    for (const conn of this.#sessions.get(sessionId)?.values() ?? []) {
      if (conn.attendee.attendee_id !== exceptAttendeeId) this.send(conn, message);
    }
  }

  sessionEnded(sessionId: string, reason: "ENDED_BY_DOCTOR" | "IDLE_TIMEOUT"): void {
    for (const conn of [...(this.#sessions.get(sessionId)?.values() ?? [])]) {
      this.send(conn, { type: "session.ended", session_id: sessionId, reason });
      conn.socket.close(SignalCloseCodes.sessionEnded, "session ended");
    }
  }

  attendeesReplaced(sessionId: string, attendeeIds: string[]): void {
    const attendees = this.#sessions.get(sessionId);
    for (const id of attendeeIds) {
      const conn = attendees?.get(id);
      if (!conn) continue;
      this.send(conn, { type: "replaced" });
      conn.socket.close(SignalCloseCodes.replaced, "replaced by a newer connection");
    }
  }

  isConnectedHere(attendeeId: string): boolean {
    for (const attendees of this.#sessions.values()) if (attendees.has(attendeeId)) return true;
    return false;
  }

  /**
   * Shutdown: unregisters every connection and closes it; returns them so their leaves can
   * be recorded now, while the database is still open (their close events come later and,
   * no longer registered, record nothing twice).
   */
  closeAll(code: number, reason: string): SignalConnection[] {
    const all = [...this.#sessions.values()].flatMap((attendees) => [...attendees.values()]);
    this.#sessions.clear();
    for (const conn of all) conn.socket.close(code, reason);
    return all;
  }
}
