import { SignalCloseCodes } from "@clinic/contracts";
import { withTransaction } from "@clinic/platform";
import type { JoinTokenClaims } from "../meetings/embedded/join-tokens.ts";
import type { VideoDb, VideoTrx } from "../tables.ts";
import type { WebhookEvents } from "../webhooks/webhook-events.ts";
import { findAttendeeAndRemoval, wasAttendeeRemoved } from "./attendee-removals.repository.ts";
import {
  type AttendeeRow,
  closeOpenIntervals,
  findConnectionState,
  findStaleOpenIntervals,
  openInterval,
  setAttendeeStatus,
} from "./attendees.repository.ts";
import { findClinicOfSession, lockSession, touchSessionActivity } from "./sessions.repository.ts";
import { admit, findAdmission } from "./waiting-room.repository.ts";

/**
 * Attendance from the server's point of view: an interval opens when an
 * attendee's signalling connection is established and closes when it closes (or its
 * heartbeat stops, or the session ends). The database is the record; the signalling hub's
 * in-memory registry only routes messages.
 */
export type ConnectResult =
  | {
      ok: true;
      attendee: AttendeeRow;
      clinicId: string;
      intervalId: number;
      /** A Chime meeting: the socket carries presence only, media goes through Chime. */
      presenceOnly: boolean;
      /** Waiting room (issue 12): false while the doctor has not admitted this patient. */
      admitted: boolean;
    }
  | { ok: false; closeCode: number; reason: string; clinicId: string | null };

/**
 * `recordAllowed`: writes the allowed connect's audit row inside this transaction, so the
 * connect and its record commit together, in one commit (a refusal is the caller's to record).
 */
export async function recordConnect(
  db: VideoDb,
  claims: JoinTokenClaims,
  at: Date,
  recordAllowed?: (trx: VideoTrx, allowed: Extract<ConnectResult, { ok: true }>) => Promise<void>,
): Promise<ConnectResult> {
  return withTransaction(db, async (trx) => {
    // Under the session's row lock, so a connect cannot slip in after an end committed.
    const session = await lockSession(trx, claims.session_id);
    if (!session) return refuse(SignalCloseCodes.sessionNotFound, "session not found", null);
    const refuseIn = (closeCode: number, reason: string) => refuse(closeCode, reason, session.clinic_id);
    if (session.status !== "IN_PROGRESS") return refuseIn(SignalCloseCodes.sessionEnded, "session is not in progress");
    if (session.meeting_id !== claims.meeting_id)
      return refuseIn(SignalCloseCodes.forbidden, "token is for another meeting");
    // The attendee and whether the doctor removed its person since it was issued, in one read.
    const found = await findAttendeeAndRemoval(trx, claims.attendee_id);
    const attendee = found?.attendee;
    if (!attendee || attendee.session_id !== claims.session_id || attendee.user_id !== claims.user_id) {
      return refuseIn(SignalCloseCodes.forbidden, "unknown attendee");
    }
    if (attendee.status === "REPLACED") return refuseIn(SignalCloseCodes.replaced, "attendee was replaced");
    // Removed by the doctor (participant control): the join token is revoked, whatever its expiry.
    if (found.removed) return refuseIn(SignalCloseCodes.removed, "removed from the consultation");
    // A second connection with the same token ends the first one's interval.
    await closeOpenIntervals(trx, { attendee_id: attendee.attendee_id }, at);
    await setAttendeeStatus(trx, [attendee.attendee_id], "CONNECTED", at);
    const intervalId = await openInterval(trx, {
      attendee_id: attendee.attendee_id,
      session_id: session.session_id,
      clinic_id: session.clinic_id,
      user_id: attendee.user_id,
      joined_at: at,
    });
    await touchSessionActivity(trx, session.session_id, at);
    // Decided under the session's lock, which an admit takes too: never half of each.
    const admitted = await admissionAtConnect(trx, session, attendee, at);
    const allowed = {
      ok: true as const,
      attendee: { ...attendee, status: "CONNECTED" as const },
      clinicId: session.clinic_id,
      intervalId,
      presenceOnly: session.media_provider === "chime",
      admitted,
    };
    await recordAllowed?.(trx, allowed);
    return allowed;
  });
}

/**
 * `webhooks`: when given, a closed interval checks the clinic's usage thresholds in the same
 * transaction. `intervalId`: the leave of one connection closes only the interval it opened;
 * when that one was already closed (a newer connection of the attendee, maybe on another
 * instance, closed it and holds the open one) the attendee stays as it is.
 */
export async function recordLeave(
  db: VideoDb,
  attendeeId: string,
  sessionId: string,
  at: Date,
  webhooks?: Pick<WebhookEvents, "intervalsClosed">,
  intervalId?: number,
): Promise<void> {
  await withTransaction(db, async (trx) => {
    // The session row first, as `endSession` locks it (session → intervals → attendees):
    // the other order deadlocked a leave against a concurrent end on PostgreSQL.
    await touchSessionActivity(trx, sessionId, at);
    const closed = await closeOpenIntervals(
      trx,
      intervalId === undefined ? { attendee_id: attendeeId } : { attendee_id: attendeeId, id: intervalId },
      at,
    );
    if (intervalId === undefined || closed > 0) {
      await setAttendeeStatus(trx, [attendeeId], "LEFT", at, ["CONNECTED", "JOINING"]);
    }
    if (closed > 0 && webhooks) {
      const clinicId = await findClinicOfSession(trx, sessionId);
      if (clinicId) await webhooks.intervalsClosed(trx, clinicId, at);
    }
  });
}

/**
 * Re-checked right after a connection is registered: an end or a re-join that committed
 * between recordConnect and the registration could not reach this connection, so the
 * connection learns it here instead of staying open in a finished session.
 */
export type ConnectionCheck =
  | { ok: true }
  | { ok: false; closeCode: number; endReason: "ENDED_BY_DOCTOR" | "IDLE_TIMEOUT" | null };

export async function recheckConnection(db: VideoDb, attendeeId: string, sessionId: string): Promise<ConnectionCheck> {
  const row = await findConnectionState(db, attendeeId, sessionId);
  if (!row) return { ok: false, closeCode: SignalCloseCodes.forbidden, endReason: null };
  if (row.session_status !== "IN_PROGRESS") {
    return { ok: false, closeCode: SignalCloseCodes.sessionEnded, endReason: row.end_reason ?? "ENDED_BY_DOCTOR" };
  }
  if (row.attendee_status === "REPLACED") return { ok: false, closeCode: SignalCloseCodes.replaced, endReason: null };
  if (await wasAttendeeRemoved(db, attendeeId))
    return { ok: false, closeCode: SignalCloseCodes.removed, endReason: null };
  return { ok: true };
}

/** How long an open interval may go unheard before the sweeper treats its connection as dead. */
export const STALE_ATTENDANCE_MS = 90_000;

/**
 * Closes intervals whose connection died without a goodbye (the process holding it crashed
 * or was killed): not heard from for STALE_ATTENDANCE_MS and not connected to this process
 * nor, with replicas, to a live instance (the signalling presence says so).
 * Each is closed at its last sign of life, so no minutes are invented.
 */
export async function closeStaleAttendance(
  db: VideoDb,
  now: Date,
  isConnected: (sessionId: string, attendeeId: string) => Promise<boolean>,
  webhooks?: Pick<WebhookEvents, "intervalsClosed">,
): Promise<number> {
  const stale = await findStaleOpenIntervals(db, new Date(now.getTime() - STALE_ATTENDANCE_MS), 500);
  let closed = 0;
  for (const interval of stale) {
    if (await isConnected(interval.session_id, interval.attendee_id)) continue;
    await recordLeave(db, interval.attendee_id, interval.session_id, new Date(interval.last_seen_at), webhooks);
    closed++;
  }
  return closed;
}

/**
 * The waiting room: the doctor is always in; a patient is in once admitted (per person, so a
 * rejoin keeps it) or, while the doctor has auto-admit on, admitted now.
 */
async function admissionAtConnect(
  trx: VideoTrx,
  session: { session_id: string; auto_admit: boolean },
  attendee: AttendeeRow,
  at: Date,
): Promise<boolean> {
  if (attendee.user_type === "DOCTOR") return true;
  if (await findAdmission(trx, session.session_id, attendee.user_id)) return true;
  if (!session.auto_admit) return false;
  await admit(trx, { session_id: session.session_id, user_id: attendee.user_id, admitted_at: at, admitted_by: "auto" });
  return true;
}

/** Whether the attendee's person is admitted to the session now (a connection's re-check). */
export async function isAdmittedNow(db: VideoDb, sessionId: string, userId: string): Promise<boolean> {
  return (await findAdmission(db, sessionId, userId)) !== undefined;
}

function refuse(closeCode: number, reason: string, clinicId: string | null): ConnectResult {
  return { ok: false, closeCode, reason, clinicId };
}
