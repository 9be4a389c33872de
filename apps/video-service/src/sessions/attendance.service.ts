import { SignalCloseCodes } from "@clinic/contracts";
import { withTransaction } from "@clinic/platform";
import type { JoinTokenClaims } from "../meetings/embedded/join-tokens.ts";
import type { VideoDb } from "../tables.ts";
import type { WebhookEvents } from "../webhooks/webhook-events.ts";
import { wasAttendeeRemoved } from "./attendee-removals.repository.ts";
import {
  type AttendeeRow,
  type ConnectAuditRow,
  type ConnectStep,
  closeOpenIntervals,
  connectAttendee,
  findConnectionState,
  findStaleOpenIntervals,
  setAttendeeStatus,
} from "./attendees.repository.ts";
import { findClinicOfSession, lockSession, touchSessionActivity } from "./sessions.repository.ts";
import { findAdmission } from "./waiting-room.repository.ts";

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
 * `allowedAudit`: the allowed connect's audit row (its actor's role is the attendee's
 * `user_type`), written inside this transaction, so the connect and its record commit together,
 * in one commit (a refusal is the caller's to record).
 *
 * After the session's row lock, one statement (`connectAttendee`) reads the attendee and its
 * removal and, when the connect is allowed, writes its rows: the attendee CONNECTED, the interval
 * opened, the session's activity, the auto-admission, the audit row. A second connection with
 * the same token first closes the first one's interval (with the usage rollups), then writes.
 */
export async function recordConnect(
  db: VideoDb,
  claims: JoinTokenClaims,
  at: Date,
  allowedAudit?: (clinicId: string) => ConnectAuditRow,
): Promise<ConnectResult> {
  return withTransaction(db, async (trx) => {
    // Under the session's row lock, so a connect cannot slip in after an end committed.
    const session = await lockSession(trx, claims.session_id);
    if (!session) return refuse(SignalCloseCodes.sessionNotFound, "session not found", null);
    const refuseIn = (closeCode: number, reason: string) => refuse(closeCode, reason, session.clinic_id);
    if (session.status !== "IN_PROGRESS") return refuseIn(SignalCloseCodes.sessionEnded, "session is not in progress");
    if (session.meeting_id !== claims.meeting_id)
      return refuseIn(SignalCloseCodes.forbidden, "token is for another meeting");
    const audit = allowedAudit?.(session.clinic_id);
    const step = () =>
      connectAttendee(trx, {
        attendeeId: claims.attendee_id,
        sessionId: session.session_id,
        userId: claims.user_id,
        clinicId: session.clinic_id,
        at,
        autoAdmit: session.auto_admit,
        audit,
      });
    // The attendee and whether the doctor removed its person since it was issued, in one read
    // with the connect's writes (made only when it is allowed).
    let found = await step();
    const refusal = refusalOf(found, claims);
    if (refusal) {
      // The statement decides by the same rules: one that wrote for a refused attendee is a bug.
      if (found?.intervalId != null) throw new Error("connect written for a refused attendee");
      return refuseIn(refusal.closeCode, refusal.reason);
    }
    if (!found) throw new Error("unreachable: an allowed attendee was read");
    const attendee = found.attendee;
    if (found.intervalId === null) {
      if (!found.hadOpen) throw new Error("connect not written");
      // A second connection with the same token ends the first one's interval, then connects.
      await closeOpenIntervals(trx, { attendee_id: attendee.attendee_id }, at);
      found = await step();
      if (found?.intervalId == null) throw new Error("connect not written after closing the open interval");
    }
    const allowed = {
      ok: true as const,
      attendee: { ...attendee, status: "CONNECTED" as const },
      clinicId: session.clinic_id,
      intervalId: found.intervalId,
      presenceOnly: session.media_provider === "chime",
      // Decided under the session's lock, which an admit takes too: never half of each.
      admitted: found.admitted,
    };
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

/** Whether the attendee's person is admitted to the session now (a connection's re-check). */
export async function isAdmittedNow(db: VideoDb, sessionId: string, userId: string): Promise<boolean> {
  return (await findAdmission(db, sessionId, userId)) !== undefined;
}

/** Why the attendee read with the connect may not connect, if it may not. */
function refusalOf(
  found: ConnectStep | undefined,
  claims: JoinTokenClaims,
): { closeCode: number; reason: string } | undefined {
  const attendee = found?.attendee;
  if (!found || !attendee || attendee.session_id !== claims.session_id || attendee.user_id !== claims.user_id) {
    return { closeCode: SignalCloseCodes.forbidden, reason: "unknown attendee" };
  }
  if (attendee.status === "REPLACED") return { closeCode: SignalCloseCodes.replaced, reason: "attendee was replaced" };
  // Removed by the doctor (participant control): the join token is revoked, whatever its expiry.
  if (found.removed) return { closeCode: SignalCloseCodes.removed, reason: "removed from the consultation" };
  return undefined;
}

function refuse(closeCode: number, reason: string, clinicId: string | null): ConnectResult {
  return { ok: false, closeCode, reason, clinicId };
}
