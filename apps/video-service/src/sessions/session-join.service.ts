import type { JoinSessionBody, JoinSessionResponse } from "@clinic/contracts";
import { type AuthUser, compiledOnce, type Param } from "@clinic/platform";
import { refuseJoinWithout } from "../consent/consent.service.ts";
import { SessionNotFound } from "../errors.ts";
import type { Attendee, Meeting } from "../meetings/media-provider.ts";
import type { Executor, VideoTrx } from "../tables.ts";
import { wasAttendeeRemoved } from "./attendee-removals.repository.ts";
import {
  type AttendeeRow,
  type AttendeeWithTimes,
  closeOpenIntervals,
  insertAttendee,
  joinAttendee,
  listAttendees,
  reissueAttendee,
  setAttendeeStatus,
} from "./attendees.repository.ts";
import { admittedBy } from "./media-credentials.service.ts";
import { refuseIfRemoved } from "./participant-control.service.ts";
import type { AllowedAccess } from "./session-access.ts";
import { signallingJoinToken } from "./session-presence.ts";
import { requireTransition } from "./session-state.ts";
import { mediaFields, meetingOf, toAttendee } from "./session-views.ts";
import { findSession, lockSession, type SessionRow, touchInProgress, updateSession } from "./sessions.repository.ts";
import { factsOf } from "./sessions.service.ts";
import { callProvider, type RequestContext, type SessionsContext } from "./sessions-context.ts";

/**
 * POST /sessions/{session_id}/join: the patient joining, or anyone of the two reconnecting.
 * Issues a fresh attendee and join token; the person's previous attendee becomes REPLACED
 * (its connection is closed after commit), so nobody is counted twice.
 *
 * The attendee is created at the media provider first, with no transaction open (a slow
 * provider must not hold a row lock and a pool connection); then one short transaction under
 * the row lock checks the session is still in progress, replaces the previous attendee and
 * records the new one, and reads the answer's attendee list (`recordJoinRows`). Concurrent joins
 * of one person are recorded one after the other there.
 *
 * Chime hands the same person the same attendee while it exists (ExternalUserId is its
 * idempotency token): then the join gets that attendee back and it stays the person's one
 * live entry, neither replaced nor deleted. If recording fails, the attendee is deleted again
 * only once the session is over (`dropUnrecordedAttendee`).
 */
export async function joinSession(
  ctx: SessionsContext,
  req: RequestContext,
  sessionId: string,
  body: JoinSessionBody,
): Promise<JoinSessionResponse> {
  const { user } = req.actor;
  // The session, its latest consent answer and the caller's removal, in one read.
  const session = await findSessionForJoin(ctx.db, sessionId, user.id);
  if (!session) throw new SessionNotFound();
  // The access row commits with the join's transaction (or on its own if the join fails first).
  return ctx.access.allowWithin(req.actor, "join", factsOf(session), async (access) => {
    requireTransition(sessionId, session.status, "join");
    // Telehealth consent before the patient's media starts (TELEHEALTH_CONSENT); never the doctor's.
    if (user.role === "PATIENT") refuseJoinWithout(ctx, sessionId, session.consent_decision);
    // Removed by the doctor (participant control): back only with an invite issued since.
    refuseIfRemoved(session.removed_at, user);
    return recordJoin(ctx, req, session, body, access);
  });
}

/** The session as a join reads it first: with the latest consent decision and the caller's removal, if any. */
async function findSessionForJoin(db: Executor, sessionId: string, userId: string) {
  // Compiled once, a prepared statement on PostgreSQL: parsed and planned once per connection.
  return (await db.executeQuery(findSessionForJoinStatement(db, { sessionId, userId }))).rows[0];
}

const findSessionForJoinStatement = compiledOnce((db: Executor, p: Param<{ sessionId: string; userId: string }>) =>
  db
    .selectFrom("sessions as s")
    .selectAll("s")
    .select((eb) => [
      eb
        .selectFrom("consent_answers as c")
        .select("c.decision")
        .whereRef("c.session_id", "=", "s.session_id")
        .orderBy("c.id", "desc")
        .limit(1)
        .as("consent_decision"),
      eb
        .selectFrom("attendee_removals as r")
        .select("r.removed_at")
        .whereRef("r.session_id", "=", "s.session_id")
        .where("r.user_id", "=", p("userId"))
        .as("removed_at"),
    ])
    .where("s.session_id", "=", p("sessionId")),
);

async function recordJoin(
  ctx: SessionsContext,
  req: RequestContext,
  session: SessionRow,
  body: JoinSessionBody,
  access: AllowedAccess,
): Promise<JoinSessionResponse> {
  const { user } = req.actor;
  const sessionId = session.session_id;
  const now = ctx.now();
  let issued: Attendee | undefined;
  let recorded = false;
  let replaced: AttendeeRow[] = [];
  const meeting = meetingOf(session);
  try {
    issued = await callProvider(ctx.provider, "createAttendee", () =>
      ctx.provider.createAttendee(meeting, { session_id: sessionId, external_user_id: user.id }),
    );
    const created = issued;
    const { row, admitted, attendees } = await access.transactionCarrying(ctx.db, async (trx, audit) => {
      // The access row and the session's activity, in the statement that takes the row lock and
      // checks the session is in progress (rolled back with the rest if a check below refuses).
      const activity = { last_activity_at: now, updated_at: now };
      let locked = await touchInProgress(trx, audit, sessionId, now);
      if (!locked) {
        const current = await lockSession(trx, sessionId);
        if (!current) throw new SessionNotFound();
        requireTransition(sessionId, current.status, "join");
        locked = await updateSession(trx, sessionId, activity);
      }
      const row = locked;
      const rows = await recordJoinRows(trx, locked, user, created, body, now);
      replaced = rows.replaced;
      return { row, ...rows };
    });
    recorded = true;
    const attendee = created;
    afterReplace(ctx, sessionId, replaced);
    return {
      session_id: sessionId,
      attendee: {
        attendee_id: attendee.attendee_id,
        join_token: await signallingJoinToken(ctx, row, attendee),
        external_user_id: attendee.external_user_id,
      },
      ...mediaFields(row, attendee, req.signallingBase, ctx, { admitted }),
      session_status: row.status,
      attendees: attendees.map(toAttendee),
    };
  } catch (err) {
    if (issued && !recorded) await dropUnrecordedAttendee(ctx, sessionId, meeting, issued.attendee_id);
    throw err;
  }
}

/** What a join recorded under the session's row lock. */
export interface JoinRows {
  /** Whether the person may have media now (the doctor, auto-admit, or admitted). */
  admitted: boolean;
  /** The session's attendees, the new one included, oldest first (under the lock). */
  attendees: AttendeeWithTimes[];
  /** The person's earlier attendees this join replaced (their connections to close). */
  replaced: AttendeeRow[];
}

/**
 * A join's rows, in the transaction that holds the session's row lock (`locked`, in progress):
 * refuses a removed person (ParticipantRemoved), replaces the person's earlier attendees and
 * records `created`. One statement when nothing is in the new attendee's way (a first join).
 */
export async function recordJoinRows(
  trx: VideoTrx,
  locked: SessionRow,
  user: AuthUser,
  created: Attendee,
  body: JoinSessionBody,
  now: Date,
): Promise<JoinRows> {
  const sessionId = locked.session_id;
  const isDoctor = user.role === "DOCTOR";
  // One statement under the row lock (its snapshot taken once the lock was granted: a
  // removal, admission or attendee that committed while the join waited holds) reads the
  // person's removal, admission and attendees in the join's way and, when none is and the
  // person may join, records the new attendee and reads the answer's attendee list with it.
  const step = await joinAttendee(
    trx,
    {
      attendee_id: created.attendee_id,
      session_id: sessionId,
      user_id: user.id,
      user_type: isDoctor ? "DOCTOR" : "PATIENT",
      name: user.name || (isDoctor ? "Doctor" : locked.patient_name),
      device_info: body.device_info ?? null,
      browser_info: body.browser_info ?? null,
      provider_data: JSON.stringify(created.provider_data ?? null),
    },
    now,
    invitedAt(user),
  );
  refuseIfRemoved(step.removedAt, user);
  // A waiting patient's answer withholds Chime's JoinToken (the admission read under the lock).
  const admitted = admittedBy(locked, user.id, step.admissionOnRecord);
  if (step.attendees) return { admitted, attendees: step.attendees, replaced: [] };
  // Attendees in the way (a rejoin; the provider's attendee handed back): nothing was written.
  const { existing } = step;
  const replaced = step.replaceable.filter((a) => a.attendee_id !== created.attendee_id);
  await setAttendeeStatus(
    trx,
    replaced.map((a) => a.attendee_id),
    "REPLACED",
    now,
  );
  for (const old of replaced) await closeOpenIntervals(trx, { attendee_id: old.attendee_id }, now);
  if (existing && existing.session_id === sessionId && existing.user_id === user.id) {
    // The provider handed back the person's attendee (Chime): it is live again, the same place.
    // After a removal whose DeleteAttendee failed, Chime hands a re-invited person (past
    // refuseIfRemoved above) that same attendee: it is issued anew, so the removal, which
    // revokes attendees issued before it, no longer holds against it.
    if (await wasAttendeeRemoved(trx, existing.attendee_id)) await reissueAttendee(trx, existing.attendee_id, now);
    else await setAttendeeStatus(trx, [existing.attendee_id], "JOINING", now, ["LEFT", "REPLACED"]);
  } else {
    await insertAttendee(trx, {
      attendee_id: created.attendee_id,
      session_id: sessionId,
      user_id: user.id,
      user_type: isDoctor ? "DOCTOR" : "PATIENT",
      name: user.name || (isDoctor ? "Doctor" : locked.patient_name),
      status: "JOINING",
      device_info: body.device_info ?? null,
      browser_info: body.browser_info ?? null,
      provider_data: JSON.stringify(created.provider_data ?? null),
      created_at: now,
      updated_at: now,
    });
  }
  // The answer's list, under the lock as on the one-statement path.
  return { admitted, attendees: await listAttendees(trx, sessionId), replaced };
}

/** When the caller's invite was issued (null without one): a join outdates a removal only with a newer invite. */
function invitedAt(user: AuthUser): Date | null {
  const at = user.invite?.issued_at ? Date.parse(user.invite.issued_at) : Number.NaN;
  return Number.isNaN(at) ? null : new Date(at);
}

/**
 * The attendee of a join that was not recorded is deleted at the provider once the session is
 * no longer in progress. While it is, the attendee is left alone: on Chime another join of the
 * same person (or the start, for the doctor) may have been handed this very attendee and
 * recorded it, and one left over is that person's place, handed back at their next join
 * (embedded allocates nothing). Once the session is over nobody can record it any more.
 */
async function dropUnrecordedAttendee(
  ctx: SessionsContext,
  sessionId: string,
  meeting: Meeting,
  attendeeId: string,
): Promise<void> {
  const session = await findSession(ctx.db, sessionId).catch((e: Error) => {
    ctx.log.warn({ err: e, sessionId, attendeeId }, "could not read the session after a failed join");
    return null;
  });
  if (session === null || session?.status === "IN_PROGRESS") return;
  await ctx.provider
    .deleteAttendee(meeting, attendeeId)
    .catch((e: Error) => ctx.log.warn({ err: e, attendeeId }, "could not delete attendee after failed join"));
}

/** The replaced attendees' connections are closed and their provider seats freed (best effort). */
function afterReplace(ctx: SessionsContext, sessionId: string, replaced: AttendeeRow[]): void {
  if (replaced.length === 0) return;
  ctx.notifier.attendeesReplaced(
    sessionId,
    replaced.map((a) => a.attendee_id),
  );
  void findSession(ctx.db, sessionId).then(async (row) => {
    if (!row) return;
    for (const old of replaced) {
      await ctx.provider
        .deleteAttendee(meetingOf(row), old.attendee_id)
        .catch((e: Error) =>
          ctx.log.warn({ err: e, attendeeId: old.attendee_id }, "could not delete replaced attendee"),
        );
    }
  });
}
