import type { CallQualityReport, CallQualitySummary } from "@clinic/contracts";
import { InvalidQualityReport, InvalidSessionTransition, SessionNotFound } from "../errors.ts";
import { upsertCallQuality } from "./call-quality.repository.ts";
import type { Actor } from "./session-access.ts";
import { toCallQualityReport } from "./session-views.ts";
import { findSession, type SessionRow } from "./sessions.repository.ts";
import { factsOf } from "./sessions.service.ts";
import type { SessionsContext } from "./sessions-context.ts";

/**
 * How long after the end a summary is still taken: the browser sends it at hang-up, and the
 * doctor's end (or the other side's) may reach the server first.
 */
export const QUALITY_REPORT_GRACE_MS = 10 * 60_000;

/** POST /sessions/{id}/quality: the caller's own side's summary, stored once per side (a resend replaces it). */
export async function reportCallQuality(
  ctx: SessionsContext,
  actor: Actor,
  sessionId: string,
  body: CallQualitySummary,
): Promise<CallQualityReport> {
  const session = await findSession(ctx.db, sessionId);
  if (!session) throw new SessionNotFound();
  const view = await ctx.access.check(actor, "reportCallQuality", factsOf(session));
  requireOpenForReports(session, ctx.now());
  // Parts of the call cannot outlast it (the schema bounds each figure alone).
  if (body.relay_seconds > body.call_seconds || body.audio_only_seconds > body.call_seconds)
    throw new InvalidQualityReport("relay_seconds and audio_only_seconds cannot exceed call_seconds");
  const row = await upsertCallQuality(ctx.db, {
    session_id: sessionId,
    // The access rule allows only the session's doctor ("full") and its patient.
    side: view === "full" ? "DOCTOR" : "PATIENT",
    reported_by: actor.user.id,
    rtt_ms_median: body.rtt_ms_median,
    packet_loss_pct: body.packet_loss_pct,
    outgoing_kbps_median: body.outgoing_kbps_median,
    incoming_kbps_median: body.incoming_kbps_median,
    sent_resolution: body.sent_resolution,
    relay_seconds: body.relay_seconds,
    audio_only_seconds: body.audio_only_seconds,
    call_seconds: body.call_seconds,
    reported_at: ctx.now(),
  });
  return toCallQualityReport(row);
}

/** While the call runs, and for a grace period after it ended; never before it started. */
function requireOpenForReports(session: SessionRow, now: Date): void {
  if (session.status === "IN_PROGRESS") return;
  if (session.status === "COMPLETED") {
    const endedAt = session.end_time?.getTime() ?? 0;
    if (now.getTime() - endedAt <= QUALITY_REPORT_GRACE_MS) return;
    throw new InvalidSessionTransition(
      "QUALITY_REPORT_CLOSED",
      "The session ended too long ago to take a quality report",
      session.session_id,
      session.status,
    );
  }
  const [code, message] =
    session.status === "CREATED"
      ? ["SESSION_NOT_STARTED", "The session has not been started yet"]
      : ["SESSION_CANCELLED", "The session was cancelled"];
  throw new InvalidSessionTransition(code, message, session.session_id, session.status);
}
