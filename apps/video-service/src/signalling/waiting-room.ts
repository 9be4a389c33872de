import type { WaitingAttendee } from "@clinic/contracts";
import type { FastifyBaseLogger } from "fastify";
import { doctorNameOf, sessionWaitingFacts, type WaitingRow, waitingFor } from "../sessions/waiting-room.repository.ts";
import type { VideoDb } from "../tables.ts";
import type { SignalConnection, SignalHub } from "./signal-hub.ts";

/**
 * What the waiting room tells people (issue 12), read from the database so every instance
 * tells the same: a waiting patient their place among the patients waiting for the same
 * doctor (`waiting`), the session's doctor who waits and whether auto-admit is on (`lobby`).
 *
 * Told again when the session's waiting changes (a connect, a leave, an admit: the hub's
 * `waitingChanged`, on every instance holding a connection of the session) and, because a
 * place also moves when a patient of the doctor's *other* session is let in or leaves, every
 * REFRESH_MS for the patients waiting here. A message is sent only when what it says changed.
 */
export const WAITING_REFRESH_MS = 5_000;

interface Waiter {
  doctorId: string;
  doctorName: string;
  position: number | undefined;
}

export class WaitingRoom {
  readonly #waiters = new Map<SignalConnection, Waiter>();
  /** What each doctor connection was last told, so an unchanged lobby is not sent again. */
  readonly #lobbies = new WeakMap<SignalConnection, string>();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly db: VideoDb,
    private readonly hub: SignalHub,
    private readonly log: FastifyBaseLogger,
    private readonly track: <T>(p: Promise<T>) => Promise<T>,
    refreshMs = WAITING_REFRESH_MS,
  ) {
    hub.onWaitingChanged((sessionId) => this.#run(this.sessionChanged(sessionId)));
    this.#timer = setInterval(() => this.#run(this.refresh()), refreshMs);
    this.#timer.unref();
  }

  /** A connection just welcomed: a waiting patient learns their place, the doctor the lobby. */
  async connected(conn: SignalConnection): Promise<void> {
    if (conn.waiting) {
      const facts = await sessionWaitingFacts(this.db, conn.sessionId);
      if (!facts) return;
      const doctorId = facts.doctor_id;
      const doctorName = (await doctorNameOf(this.db, conn.sessionId)) ?? "the doctor";
      this.#waiters.set(conn, { doctorId, doctorName, position: undefined });
      // Everyone of this session (the doctor's lobby) on every instance, and this patient's place.
      this.hub.waitingChanged(conn.sessionId);
      return;
    }
    if (conn.attendee.user_type === "DOCTOR") await this.#tellLobby(conn.sessionId, [conn]);
  }

  /** The session's waiting changed: its doctor's lobby here, and the places of this doctor's waiting patients here. */
  async sessionChanged(sessionId: string): Promise<void> {
    const doctors = this.hub
      .connections()
      .filter((c) => c.sessionId === sessionId && c.attendee.user_type === "DOCTOR" && this.hub.isCurrent(c));
    if (doctors.length > 0) await this.#tellLobby(sessionId, doctors);
    const doctorIds = new Set<string>();
    for (const [conn, waiter] of this.#waiters) if (conn.sessionId === sessionId) doctorIds.add(waiter.doctorId);
    if (doctorIds.size === 0) {
      // Nobody waits here at all: no place to tell, so the session's doctor need not be read.
      this.#prune();
      if (this.#waiters.size === 0) return;
      const facts = await sessionWaitingFacts(this.db, sessionId);
      if (facts) doctorIds.add(facts.doctor_id);
    }
    for (const doctorId of doctorIds) await this.#tellPlaces(doctorId);
  }

  /** Every waiting patient here, by doctor (their places may move because of another session). */
  async refresh(): Promise<void> {
    this.#prune();
    const doctorIds = new Set([...this.#waiters.values()].map((w) => w.doctorId));
    for (const doctorId of doctorIds) await this.#tellPlaces(doctorId);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #prune(): void {
    for (const conn of this.#waiters.keys()) {
      if (!conn.waiting || !this.hub.isCurrent(conn)) this.#waiters.delete(conn);
    }
  }

  async #tellPlaces(doctorId: string): Promise<void> {
    this.#prune();
    const mine = [...this.#waiters].filter(([, w]) => w.doctorId === doctorId);
    if (mine.length === 0) return;
    const order = placesOf(await waitingFor(this.db, { doctorId }));
    for (const [conn, waiter] of mine) {
      if (!conn.waiting || !this.hub.isCurrent(conn)) continue;
      // Not in the list yet (its interval is being read meanwhile): last in line.
      const position = order.get(`${conn.sessionId}/${conn.attendee.user_id}`) ?? order.size + 1;
      if (position === waiter.position) continue;
      waiter.position = position;
      this.hub.send(conn, { type: "waiting", position, doctor_name: waiter.doctorName });
    }
  }

  async #tellLobby(sessionId: string, doctors: SignalConnection[]): Promise<void> {
    const [facts, rows] = await Promise.all([
      sessionWaitingFacts(this.db, sessionId),
      waitingFor(this.db, { sessionId }),
    ]);
    const seen = new Set<string>();
    const waiting: WaitingAttendee[] = [];
    for (const row of rows) {
      if (seen.has(row.user_id)) continue;
      seen.add(row.user_id);
      // Only connections that still wait: one admitted meanwhile is past the lobby.
      if (this.hub.isAdmitted(sessionId, row.attendee_id)) continue;
      waiting.push({ attendee_id: row.attendee_id, name: row.name, since: row.since.toISOString() });
    }
    const lobby = { type: "lobby" as const, auto_admit: facts?.auto_admit ?? false, waiting };
    const text = JSON.stringify(lobby);
    for (const conn of doctors) {
      if (this.#lobbies.get(conn) === text) continue;
      this.#lobbies.set(conn, text);
      this.hub.send(conn, lobby);
    }
  }

  #run(p: Promise<void>): void {
    void this.track(p.catch((err: Error) => this.log.warn({ err }, "could not update the waiting room")));
  }
}

/** 1-based place of each (session, person) in the doctor's line: longest waiting first, a person once. */
function placesOf(rows: WaitingRow[]): Map<string, number> {
  const places = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.session_id}/${row.user_id}`;
    if (!places.has(key)) places.set(key, places.size + 1);
  }
  return places;
}
