import { AppError } from "@clinic/platform";
import { closeStaleAttendance } from "./attendance.service.ts";
import { endSession } from "./session-end.service.ts";
import { findIdleSessions } from "./sessions.repository.ts";
import { factsOf } from "./sessions.service.ts";
import type { SessionsContext } from "./sessions-context.ts";

const batch = 100;

/**
 * Ends IN_PROGRESS sessions with nobody connected for IDLE_TIMEOUT_MIN,
 * through the same code path as the doctor's end, with reason IDLE_TIMEOUT. Returns the
 * ids it ended. A session that became busy (or was ended) meanwhile is left alone: the
 * condition is checked again under the row lock.
 */
export async function sweepIdleSessions(ctx: SessionsContext): Promise<string[]> {
  // First the attendance of connections that died with their process, so their sessions
  // can become idle.
  const stale = await closeStaleAttendance(
    ctx.db,
    ctx.now(),
    (sessionId, attendeeId) => ctx.notifier.isConnected(sessionId, attendeeId),
    ctx.webhooks,
  );
  if (stale > 0) ctx.log.warn({ intervals: stale }, "closed attendance of connections lost without a leave");
  const cutoff = new Date(ctx.now().getTime() - ctx.config.IDLE_TIMEOUT_MIN * 60_000);
  const ended: string[] = [];
  for (const sessionId of await findIdleSessions(ctx.db, cutoff, batch)) {
    try {
      const row = await endSession(ctx, sessionId, { reason: "IDLE_TIMEOUT", idleSince: cutoff });
      if (!row) continue;
      await ctx.access.recordSystem("session.end.idle", factsOf(row));
      ended.push(sessionId);
      ctx.log.info({ sessionId }, "idle session ended");
    } catch (err) {
      if (err instanceof AppError && err.status === 409) continue; // ended by the doctor meanwhile
      ctx.log.error({ err, sessionId }, "idle end failed");
    }
  }
  return ended;
}

/** Runs the sweep every `intervalMs`; one pass at a time. Returns a stop function. */
export function startIdleSweeper(ctx: SessionsContext, intervalMs: number): () => Promise<void> {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = sweepIdleSessions(ctx)
      .catch((err: Error) => ctx.log.error({ err }, "idle sweep failed"))
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
