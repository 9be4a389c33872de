import type { AdmitAttendeeResponse, WaitingRoomBody, WaitingRoomResponse } from "@clinic/contracts";
import { withTransaction } from "@clinic/platform";
import { AttendeeNotFound, AttendeeNotInCall, CannotAdmit, SessionNotFound } from "../errors.ts";
import { iso } from "../tables.ts";
import { findAttendee } from "./attendees.repository.ts";
import type { Actor } from "./session-access.ts";
import { requireTransition, transitionsFrom } from "./session-state.ts";
import { findSession, lockSession } from "./sessions.repository.ts";
import { factsOf } from "./sessions.service.ts";
import type { SessionsContext } from "./sessions-context.ts";
import { admit, setAutoAdmit, unadmittedPatients } from "./waiting-room.repository.ts";

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
  // The access row commits with the change (allowWithin): one commit for both.
  const admitted = await ctx.access.allowWithin(actor, "updateWaitingRoom", factsOf(session), (access) =>
    access.transactionCarrying(ctx.db, async (trx, audit) => {
      const at = ctx.now();
      // The update (carrying the access row) takes the row lock and checks the state; only when
      // it did not apply is the session looked at.
      if (!(await setAutoAdmit(trx, sessionId, body.auto_admit, at, waitingRoomStatuses, audit))) {
        const locked = await lockSession(trx, sessionId);
        if (!locked) throw new SessionNotFound();
        requireTransition(sessionId, locked.status, "updateWaitingRoom");
        throw new Error(`session ${sessionId} not updated in a state that allows it`);
      }
      if (!body.auto_admit) return [];
      const waiting = await unadmittedPatients(trx, sessionId);
      for (const userId of new Set(waiting.map((w) => w.user_id))) {
        await admit(trx, { session_id: sessionId, user_id: userId, admitted_at: at, admitted_by: actor.user.id });
      }
      return waiting;
    }),
  );
  if (admitted.length > 0) ctx.notifier.attendeesAdmitted(sessionId, [...new Set(admitted.map((a) => a.user_id))]);
  ctx.notifier.waitingChanged(sessionId);
  return {
    session_id: sessionId,
    auto_admit: body.auto_admit,
    admitted_attendee_ids: admitted.map((a) => a.attendee_id),
  };
}
