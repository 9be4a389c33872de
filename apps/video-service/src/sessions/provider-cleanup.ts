import { type PeriodicPass, periodicPass } from "@clinic/platform";
import type { Meeting } from "../meetings/media-provider.ts";
import { MediaProviderError } from "../meetings/media-provider-error.ts";
import { findAttendee } from "./attendees.repository.ts";
import {
  claimDueDeletions,
  deferPendingDeletion,
  deletePendingDeletion,
  dropEndedSessions,
  type PendingDeletion,
} from "./provider-deletions.repository.ts";
import { meetingOf } from "./session-views.ts";
import { findSession } from "./sessions.repository.ts";
import type { SessionsContext } from "./sessions-context.ts";

/**
 * Durable provider cleanup after a removal (participant control, issue 12). Under Chime the
 * removed browser's media flows through Amazon's servers with a JoinToken of its own: until
 * DeleteAttendee succeeds it could keep sending. So the removal records a pending deletion per
 * attendee in its own transaction (provider-deletions.repository.ts), tries it at once after
 * the commit, and a periodic pass retries what failed (2 s, 4 s, … at most 60 s apart) until
 * the provider confirms or the session ends. Under the embedded provider deleteAttendee has
 * nothing to do and succeeds: the row goes right after the commit (our own join tokens are
 * refused through attendee_removals).
 */

/** How often the pass looks for due retries. */
export const PROVIDER_CLEANUP_INTERVAL_MS = 5_000;
/** Rows per pass: bounds one pass's provider calls; the rest wait for the next one. */
const batch = 50;
const firstRetryMs = 2_000;
const maxRetryMs = 60_000;

/** The wait after the `attempts`-th failure: 2 s, 4 s, 8 s … capped at 60 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(firstRetryMs * 2 ** Math.max(0, attempts - 1), maxRetryMs);
}

/** Failed attempts, by reason: video_provider_attendee_deletion_failures_total (video-metrics.ts). */
export class ProviderDeletionEvents {
  private readonly listeners: ((reason: string) => void)[] = [];
  observeFailures(listener: (reason: string) => void): void {
    this.listeners.push(listener);
  }
  failed(reason: string): void {
    for (const listener of this.listeners) listener(reason);
  }
}

/** How long an attempt holds its row: the provider's longest call, and a margin. */
export function attemptLeaseMs(ctx: Pick<SessionsContext, "provider">): number {
  return ctx.provider.maxCallMs + 5_000;
}

/**
 * One attempt: on success (or "already gone", which the Chime provider answers as success) the
 * row is deleted; on failure one more attempt is counted and the next is due after the backoff.
 * Never throws; true when the attendee is gone at the provider. Logs ids and codes only.
 */
export async function attemptDeletion(
  ctx: Pick<SessionsContext, "db" | "provider" | "providerDeletions" | "now" | "log">,
  meeting: Meeting,
  row: PendingDeletion,
): Promise<boolean> {
  const ids = { sessionId: row.session_id, attendeeId: row.attendee_id };
  let reason: string;
  let providerError: string | undefined;
  try {
    await ctx.provider.deleteAttendee(meeting, row.attendee_id);
    reason = "";
  } catch (err) {
    const typed = err instanceof MediaProviderError ? err : undefined;
    reason = typed?.reason ?? "UNKNOWN";
    providerError = typed?.detail.provider_error;
    // The meeting is gone at the provider, and with it every attendee of it.
    if (reason === "MEETING_NOT_FOUND") reason = "";
  }
  try {
    if (reason === "") {
      await deletePendingDeletion(ctx.db, row.attendee_id);
      if (row.attempts > 0)
        ctx.log.info({ ...ids, attempts: row.attempts + 1 }, "removed attendee deleted at the provider");
      return true;
    }
    const attempts = row.attempts + 1;
    ctx.providerDeletions.failed(reason);
    await deferPendingDeletion(ctx.db, row.attendee_id, {
      attempts,
      nextAttemptAt: new Date(ctx.now().getTime() + retryDelayMs(attempts)),
      errorCode: reason,
    });
    ctx.log.warn(
      { ...ids, attempts, reason, ...(providerError ? { provider_error: providerError } : {}) },
      "could not delete a removed attendee at the provider; will retry",
    );
  } catch (err) {
    // The row keeps its lease and becomes due when it runs out.
    ctx.log.error({ ...ids, code: (err as { code?: string }).code }, "could not record a provider deletion attempt");
  }
  return false;
}

/**
 * One pass: drops the rows of sessions no longer in progress (ending the meeting deleted every
 * attendee at the provider), then retries up to `batch` due rows. Returns the rows attempted.
 */
export async function retryProviderDeletions(ctx: SessionsContext): Promise<number> {
  const dropped = await dropEndedSessions(ctx.db);
  if (dropped > 0) ctx.log.info({ dropped }, "dropped provider deletions of ended sessions");
  const now = ctx.now();
  const due = await claimDueDeletions(ctx.db, now, new Date(now.getTime() + attemptLeaseMs(ctx)), batch);
  const meetings = new Map<string, Meeting | undefined>();
  for (const row of due) {
    if (!meetings.has(row.session_id)) {
      const session = await findSession(ctx.db, row.session_id);
      meetings.set(
        row.session_id,
        session?.status === "IN_PROGRESS" && session.meeting_id ? meetingOf(session) : undefined,
      );
    }
    const meeting = meetings.get(row.session_id);
    // Ended since the drop above: the meeting's end took the attendee with it.
    if (!meeting) await deletePendingDeletion(ctx.db, row.attendee_id);
    else if (await reissuedSince(ctx, row)) {
      // The doctor re-invited the person and Chime handed their join this same attendee (it
      // still existed): the seat is theirs again by the doctor's decision, not to be deleted.
      await deletePendingDeletion(ctx.db, row.attendee_id);
      ctx.log.info({ sessionId: row.session_id, attendeeId: row.attendee_id }, "removed attendee reissued by a rejoin");
    } else await attemptDeletion(ctx, meeting, row);
  }
  return due.length;
}

/** Whether a join issued the attendee anew after its removal (session-join.service.ts `reissueAttendee`). */
async function reissuedSince(ctx: SessionsContext, row: PendingDeletion): Promise<boolean> {
  const attendee = await findAttendee(ctx.db, row.attendee_id);
  if (!attendee || (attendee.status !== "JOINING" && attendee.status !== "CONNECTED")) return false;
  return new Date(attendee.created_at).getTime() > new Date(row.created_at).getTime();
}

/** Retries pending provider deletions every `intervalMs` (a first pass at once: rows a stopped instance left). */
export function startProviderCleanup(ctx: SessionsContext, intervalMs = PROVIDER_CLEANUP_INTERVAL_MS): PeriodicPass {
  const pass = periodicPass(() => retryProviderDeletions(ctx), {
    intervalMs,
    onError: (err) =>
      ctx.log.error({ code: (err as { code?: string }).code, name: err.name }, "provider cleanup pass failed"),
  });
  pass.start(true);
  return pass;
}
