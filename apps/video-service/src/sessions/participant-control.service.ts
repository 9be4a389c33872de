import type { MuteAttendeeResponse, RemoveAttendeeResponse } from "@clinic/contracts";
import { type AuthUser, withTransaction } from "@clinic/platform";
import {
  AttendeeNotFound,
  AttendeeNotInCall,
  CannotControlSelf,
  ParticipantRemoved,
  SessionNotFound,
} from "../errors.ts";
import { type Executor, iso } from "../tables.ts";
import { attendeesOfPerson, findRemoval, recordRemoval } from "./attendee-removals.repository.ts";
import { closeOpenIntervals, findAttendee, setAttendeeStatus } from "./attendees.repository.ts";
import { attemptDeletion, attemptLeaseMs } from "./provider-cleanup.ts";
import { recordPendingDeletions } from "./provider-deletions.repository.ts";
import type { Actor } from "./session-access.ts";
import { requireTransition } from "./session-state.ts";
import { meetingOf } from "./session-views.ts";
import { findSession, lockSession, touchSessionActivity } from "./sessions.repository.ts";
import { factsOf } from "./sessions.service.ts";
import type { SessionsContext } from "./sessions-context.ts";
import { revokeAdmission } from "./waiting-room.repository.ts";

/**
 * Participant control (issue 12): the session's doctor asks a participant's browser to mute its
 * microphone, or removes the participant from the call. Who may is session-access.ts's rule
 * (the session's own doctor, nobody else); both only while the session is in progress.
 */

/**
 * POST /sessions/{session_id}/attendees/{attendee_id}/mute: a `mute.requested` message to the
 * attendee's signalling connection, on whichever instance holds it. A request, not a forced
 * mute: the browser mutes its microphone and says so, and the person may unmute again (as in
 * the common meeting tools; nobody's microphone is controlled remotely).
 */
export async function muteAttendee(
  ctx: SessionsContext,
  actor: Actor,
  sessionId: string,
  attendeeId: string,
): Promise<MuteAttendeeResponse> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  await ctx.access.check(actor, "muteAttendee", factsOf(session));
  requireTransition(sessionId, session.status, "controlAttendee");
  const target = await findAttendee(ctx.db, attendeeId);
  if (!target || target.session_id !== sessionId) throw new AttendeeNotFound();
  if (target.user_id === session.doctor_id) throw new CannotControlSelf("mute");
  if (target.status !== "CONNECTED" && target.status !== "JOINING") throw new AttendeeNotInCall();
  ctx.notifier.muteRequested(sessionId, attendeeId);
  return { session_id: sessionId, attendee_id: attendeeId, status: "REQUESTED", requested_at: iso(ctx.now()) };
}

/**
 * POST /sessions/{session_id}/attendees/{attendee_id}/remove: the attendee's person leaves the
 * call for good. In one transaction under the session's row lock (as join and end take it):
 * every attendee of theirs in the session becomes LEFT, their open attendance closes now, and
 * the removal is recorded — from then on their join tokens no longer connect (recordConnect)
 * and a join needs an invite issued after the removal (`requireNotRemoved`). After the commit
 * their connections, wherever they are, get `removed` and close with 4411 (the others hear
 * `attendee.left`), and under Chime their attendees are deleted at the provider — durably: the
 * pending deletions are recorded in the same transaction and retried until done
 * (provider-cleanup.ts).
 */
export async function removeAttendee(
  ctx: SessionsContext,
  actor: Actor,
  sessionId: string,
  attendeeId: string,
): Promise<RemoveAttendeeResponse> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  const facts = factsOf(session);
  await ctx.access.check(actor, "removeAttendee", facts);
  requireTransition(sessionId, session.status, "controlAttendee");
  const now = ctx.now();
  const { userId, attendees, seats } = await withTransaction(ctx.db, async (trx) => {
    const locked = await lockSession(trx, sessionId);
    if (!locked) throw new SessionNotFound();
    requireTransition(sessionId, locked.status, "controlAttendee");
    const target = await findAttendee(trx, attendeeId);
    if (!target || target.session_id !== sessionId) throw new AttendeeNotFound();
    // The doctor runs the consultation: they end it rather than leave it.
    if (target.user_id === locked.doctor_id) throw new CannotControlSelf("remove");
    const theirs = await attendeesOfPerson(trx, sessionId, target.user_id);
    // Session row, then intervals, then attendees: the order recordLeave and endSession lock in.
    await touchSessionActivity(trx, sessionId, now);
    let closed = 0;
    for (const a of theirs) closed += await closeOpenIntervals(trx, { attendee_id: a.attendee_id }, now);
    await setAttendeeStatus(
      trx,
      theirs.map((a) => a.attendee_id),
      "LEFT",
      now,
      ["JOINING", "CONNECTED"],
    );
    await recordRemoval(trx, {
      session_id: sessionId,
      user_id: target.user_id,
      removed_at: now,
      removed_by: actor.user.id,
    });
    // Back only through the waiting room: a new invite lets them join, the doctor lets them in again.
    await revokeAdmission(trx, sessionId, target.user_id);
    if (closed > 0) await ctx.webhooks.intervalsClosed(trx, locked.clinic_id, now);
    // Under Chime the media flows through Amazon's servers: the seat itself must go, or the
    // removed browser could keep sending until the meeting ends. Recorded with the removal, so
    // a failed or interrupted DeleteAttendee is retried. Replaced attendees were deleted when
    // they were replaced.
    const seats = theirs.filter((a) => a.status !== "REPLACED").map((a) => a.attendee_id);
    await recordPendingDeletions(trx, sessionId, seats, now, new Date(now.getTime() + attemptLeaseMs(ctx)));
    return { userId: target.user_id, attendees: theirs, seats };
  });
  await ctx.access.recordChange(actor, "session.attendee.removed", facts);
  ctx.notifier.attendeesRemoved(
    sessionId,
    attendees.map((a) => a.attendee_id),
  );
  // Someone removed while still waiting leaves the doctor's lobby (and its Admit button) now.
  ctx.notifier.waitingChanged(sessionId);
  // The first attempt at once; a failure leaves the row for the retry pass (the removal is
  // answered 200 either way: it is on record, and the provider cleanup is durable).
  for (const attendee_id of seats) {
    await attemptDeletion(ctx, meetingOf(session), {
      attendee_id,
      session_id: sessionId,
      attempts: 0,
      created_at: now,
    });
  }
  return { session_id: sessionId, attendee_id: attendeeId, user_id: userId, status: "REMOVED", removed_at: iso(now) };
}

/**
 * A join by someone the doctor removed from this session is refused (403 PARTICIPANT_REMOVED),
 * unless they come with an invite issued after the removal (the doctor sent a new link). A
 * patient with an account needs such an invite too: removal is the doctor's decision about
 * this consultation, and only the doctor's new invite reverses it. Called inside the join's
 * transaction (under the session's row lock, which the removal takes as well).
 */
export async function requireNotRemoved(db: Executor, sessionId: string, user: AuthUser): Promise<void> {
  refuseIfRemoved(await findRemoval(db, sessionId, user.id), user);
}

/** `requireNotRemoved` on a removal already read (`removedAt`: the person's, if any). */
export function refuseIfRemoved(removedAt: Date | null | undefined, user: AuthUser): void {
  if (!removedAt) return;
  const invitedAt = user.invite?.issued_at ? Date.parse(user.invite.issued_at) : Number.NaN;
  if (invitedAt > removedAt.getTime()) return;
  throw new ParticipantRemoved();
}
