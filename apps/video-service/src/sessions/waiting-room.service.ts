import type { AdmitAttendeeResponse, WaitingRoomBody, WaitingRoomResponse } from "@clinic/contracts";
import { withTransaction } from "@clinic/platform";
import { AttendeeNotFound, AttendeeNotInCall, CannotAdmit, SessionNotFound } from "../errors.ts";
import { iso, type VideoTrx } from "../tables.ts";
import { findAttendee } from "./attendees.repository.ts";
import type { Actor } from "./session-access.ts";
import { requireTransition, transitionsFrom } from "./session-state.ts";
import { findSession, lockSession } from "./sessions.repository.ts";
import { factsOf } from "./sessions.service.ts";
import type { SessionsContext } from "./sessions-context.ts";
import { admit, setAutoAdmit, setAutoAdmitAlone, unadmittedPatients } from "./waiting-room.repository.ts";

/**
 * The waiting room (issue 12), over HTTP: the session's doctor admits a waiting patient, or
 * turns auto-admit on or off. The database holds the admission (per person, so a rejoin keeps
 * it); the signalling hub then lets the person's connection in, on whichever instance holds it.
 */

/** POST /sessions/{id}/attendees/{attendee_id}/admit. Admitting someone admitted already answers their admission. */
export async function admitAttendee(
  ctx: SessionsContext,
  actor: Actor,
  sessionId: string,
  attendeeId: string,
): Promise<AdmitAttendeeResponse> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  await ctx.access.check(actor, "admit", factsOf(session));
  // Under the session's lock, which a connect's admission check takes too (attendance.service.ts).
  const admission = await withTransaction(ctx.db, async (trx) => {
    const locked = await lockSession(trx, sessionId);
    if (!locked) throw new SessionNotFound();
    requireTransition(sessionId, locked.status, "admit");
    const attendee = await findAttendee(trx, attendeeId);
    if (!attendee || attendee.session_id !== sessionId) throw new AttendeeNotFound();
    if (attendee.user_type === "DOCTOR") throw new CannotAdmit("doctor");
    if (attendee.status === "REPLACED") throw new CannotAdmit("replaced");
    // Removed (or gone): admitting them would let a re-invited person skip the waiting room.
    if (attendee.status !== "JOINING" && attendee.status !== "CONNECTED") throw new AttendeeNotInCall();
    return admit(trx, {
      session_id: sessionId,
      user_id: attendee.user_id,
      admitted_at: ctx.now(),
      admitted_by: actor.user.id,
    });
  });
  ctx.notifier.attendeesAdmitted(sessionId, [admission.user_id]);
  ctx.notifier.waitingChanged(sessionId);
  return {
    session_id: sessionId,
    attendee_id: attendeeId,
    user_id: admission.user_id,
    admitted_at: iso(admission.admitted_at),
    admitted_by: admission.admitted_by,
  };
}

/** The states whose waiting room may be changed (session-state.ts). */
const waitingRoomStatuses = transitionsFrom("updateWaitingRoom");

/** PUT /sessions/{id}/waiting-room. Turning auto-admit on lets in whoever waits now. */
export async function updateWaitingRoom(
  ctx: SessionsContext,
  actor: Actor,
  sessionId: string,
  body: WaitingRoomBody,
): Promise<WaitingRoomResponse> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  const admitted = await ctx.access.allowWithin(actor, "updateWaitingRoom", factsOf(session), async (access) => {
    const at = ctx.now();
    // One statement, its own commit, carrying the access row (should it fail, allowWithin writes
    // the row on its own): the row lock, the change, and — turning auto-admit on — only when
    // nobody waits by its snapshot (taken before the lock was granted).
    const alone = await setAutoAdmitAlone(
      ctx.db,
      sessionId,
      body.auto_admit,
      at,
      waitingRoomStatuses,
      access.carried(),
    );
    access.committed();
    if (alone) {
      if (!body.auto_admit) return [];
      // Read after that commit, so it sees every connect committed before the lock was granted
      // (Finding 21); a connect after it admits itself. Nobody: nothing to admit, no transaction.
      if ((await unadmittedPatients(ctx.db, sessionId)).length === 0) return [];
      // Someone's connect committed while the update waited: admitted as the change would have.
      return withTransaction(ctx.db, async (trx) => {
        const locked = await lockSession(trx, sessionId);
        if (!locked || !waitingRoomStatuses.includes(locked.status)) return [];
        return admitWaiting(trx, sessionId, at, actor);
      });
    }
    // Someone waits, or the state refuses: the change and the admissions in one transaction, the
    // waiting patients read after its lock (a removal committed meanwhile holds).
    return withTransaction(ctx.db, async (trx) => {
      if (!(await setAutoAdmit(trx, sessionId, body.auto_admit, at, waitingRoomStatuses))) {
        const locked = await lockSession(trx, sessionId);
        if (!locked) throw new SessionNotFound();
        requireTransition(sessionId, locked.status, "updateWaitingRoom");
        throw new Error(`session ${sessionId} not updated in a state that allows it`);
      }
      return body.auto_admit ? admitWaiting(trx, sessionId, at, actor) : [];
    });
  });
  if (admitted.length > 0) ctx.notifier.attendeesAdmitted(sessionId, [...new Set(admitted.map((a) => a.user_id))]);
  ctx.notifier.waitingChanged(sessionId);
  return {
    session_id: sessionId,
    auto_admit: body.auto_admit,
    admitted_attendee_ids: admitted.map((a) => a.attendee_id),
  };
}

/** Under the session's lock: admits the patients waiting now (read after the lock); returns their attendees. */
async function admitWaiting(trx: VideoTrx, sessionId: string, at: Date, actor: Actor) {
  const waiting = await unadmittedPatients(trx, sessionId);
  for (const userId of new Set(waiting.map((w) => w.user_id))) {
    await admit(trx, { session_id: sessionId, user_id: userId, admitted_at: at, admitted_by: actor.user.id });
  }
  return waiting;
}
