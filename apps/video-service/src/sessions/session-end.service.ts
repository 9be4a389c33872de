import { type EndSessionBody, type EndSessionResponse, EventTypes } from "@clinic/contracts";
import { makeEvent, withTransaction } from "@clinic/platform";
import { SessionNotFound } from "../errors.ts";
import { type EndReason, outboxTrx, type VideoTrx } from "../tables.ts";
import { sessionEndedEndpoints } from "../webhooks/webhook-events.ts";
import { closeIntervals, hasOpenInterval, leaveSessionAndLockOpenIntervals } from "./attendees.repository.ts";
import type { AllowedAccess, CarriedAudit } from "./session-access.ts";
import { requireTransition } from "./session-state.ts";
import { durationSeconds, meetingOf } from "./session-views.ts";
import {
  endInProgress,
  findSession,
  lockSession,
  type SessionRow,
  updateSession,
  updateSessionInStatus,
} from "./sessions.repository.ts";
import { factsOf } from "./sessions.service.ts";
import type { RequestContext, SessionsContext } from "./sessions-context.ts";

export interface EndInput {
  reason: EndReason;
  notes?: string | undefined;
  quality_rating?: number | undefined;
  /** Idle auto-end only: end only if still nobody connected and no activity since this time. */
  idleSince?: Date;
  /** The doctor's end: their access row commits with the end (`SessionAccess.allowWithin`). */
  access?: AllowedAccess;
}

/**
 * Ends a session, for the doctor and the idle sweeper alike: under the row
 * lock, IN_PROGRESS → COMPLETED, end_time and duration stamped, every open attendance
 * interval closed, and `appointment.consultation.completed` enqueued in the same
 * transaction. After commit, everyone connected gets `session.ended` and the meeting ends.
 * Returns null when an idle end found the session busy again.
 */
export async function endSession(ctx: SessionsContext, sessionId: string, input: EndInput): Promise<SessionRow | null> {
  // The doctor's access row rides on the end's first statement (`endInProgress`).
  const inTransaction = <T>(fn: (trx: VideoTrx, audit?: CarriedAudit) => Promise<T>) =>
    input.access ? input.access.transactionCarrying(ctx.db, fn) : withTransaction(ctx.db, (trx) => fn(trx));
  const ended = await inTransaction(async (trx, audit) => {
    const now = ctx.now();
    const ending = {
      status: "COMPLETED" as const,
      end_time: now,
      end_reason: input.reason,
      ...(input.notes !== undefined ? { notes: input.notes } : {}),
      ...(input.quality_rating !== undefined ? { quality_rating: input.quality_rating } : {}),
      last_activity_at: now,
      updated_at: now,
    };
    // The doctor's end: the update itself takes the row lock and checks IN_PROGRESS. An idle end
    // looks at the session under the lock first; so does an end the update did not apply to.
    let ended = input.idleSince
      ? undefined
      : audit
        ? await endInProgress(trx, audit, sessionId, ending)
        : await updateSessionInStatus(trx, sessionId, "IN_PROGRESS", ending);
    if (!ended) {
      const locked = await lockSession(trx, sessionId);
      if (!locked) throw new SessionNotFound();
      requireTransition(sessionId, locked.status, "end");
      if (input.idleSince) {
        const open = await hasOpenInterval(trx, sessionId);
        if (open || (locked.last_activity_at && locked.last_activity_at >= input.idleSince)) return null;
      }
      ended = await updateSession(trx, sessionId, ending);
    }
    // Notes sent with the end are the final notes: a draft written during the call gives way.
    const open = await leaveSessionAndLockOpenIntervals(trx, sessionId, now, input.notes !== undefined);
    await closeIntervals(trx, open, now);
    const seconds = durationSeconds(ended, now);
    // Claimed for this instance's relay in this transaction: published right after the commit.
    // The webhook endpoints' read rides on it (after the row lock, as a statement of its own did).
    const enqueued = await ctx.relay.enqueue(
      outboxTrx(trx),
      // Subject: the appointment, so `completed` never overtakes its `started` in the outbox.
      makeEvent(
        EventTypes.consultationCompleted,
        "video-service",
        {
          appointment_id: ended.appointment_id,
          session_id: sessionId,
          clinic_id: ended.clinic_id,
          doctor_id: ended.doctor_id,
          started_at: ended.start_time!.toISOString(),
          ended_at: now.toISOString(),
          duration_seconds: seconds,
          duration_minutes: Math.round(seconds / 60),
        },
        ended.appointment_id,
      ),
      sessionEndedEndpoints(ended.clinic_id),
    );
    await ctx.webhooks.sessionEnded(trx, ended, now, enqueued.carried);
    return { row: ended, enqueued };
  });
  if (!ended) return null;
  const { row, enqueued } = ended;
  void ctx.relay.sendEnqueued(enqueued);
  ctx.notifier.sessionEnded(sessionId, input.reason);
  await ctx.provider.endMeeting(meetingOf(row)).catch((err: Error) =>
    // The session is over in our records either way; a meeting left open at the provider
    // ends by itself once empty (Chime: 5 minutes), so this is logged, not failed.
    ctx.log.warn({ err, sessionId }, "could not end the meeting at the media provider"),
  );
  return row;
}

/** POST /sessions/{session_id}/end, by the appointment's doctor. */
export async function endSessionByDoctor(
  ctx: SessionsContext,
  req: RequestContext,
  sessionId: string,
  body: EndSessionBody,
): Promise<EndSessionResponse> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  const row = (await ctx.access.allowWithin(req.actor, "end", factsOf(session), (access) =>
    endSession(ctx, sessionId, { reason: "ENDED_BY_DOCTOR", ...body, access }),
  ))!;
  const seconds = durationSeconds(row, row.end_time!);
  return {
    session_id: row.session_id,
    appointment_id: row.appointment_id,
    status: row.status,
    start_time: row.start_time!.toISOString(),
    end_time: row.end_time!.toISOString(),
    duration_minutes: Math.round(seconds / 60),
    duration_seconds: seconds,
    notes: row.notes,
    quality_rating: row.quality_rating,
    // The appointment moves to COMPLETED through the event published with this change.
    appointment_status: "COMPLETED",
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
