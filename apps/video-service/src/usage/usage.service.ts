import type { UsageResponse } from "@clinic/contracts";
import { FreeTierExceeded } from "../errors.ts";
import type { Actor } from "../sessions/session-access.ts";
import type { SessionsContext } from "../sessions/sessions-context.ts";
import { isoOrNull } from "../tables.ts";
import { intervalsForMonth, sessionsByIds } from "./usage.repository.ts";
import { monthBounds, monthOf, summarize, toMinutes, usagePercentage, usageStatus } from "./usage-calculator.ts";
import { dailySeconds, forecastUsage } from "./usage-forecast.ts";

type UsageContext = Pick<SessionsContext, "db" | "config" | "now">;

/**
 * A clinic's usage in one month: attendee-minutes, limit, status, per session.
 * Metering is per clinic, but a doctor may see only their own patients: other
 * doctors' sessions keep their minutes and lose the patient's name.
 */
async function computeUsage(
  ctx: UsageContext,
  clinicId: string,
  month: string,
  viewer?: Actor["user"],
): Promise<UsageResponse> {
  const now = ctx.now();
  const limit = ctx.config.FREE_TIER_MINUTES;
  const bounds = monthBounds(month);
  const intervals = await intervalsForMonth(ctx.db, clinicId, bounds);
  const usage = summarize(intervals, bounds, now);
  const daily = dailySeconds(intervals, bounds, now);
  const sessions = new Map(
    (
      await sessionsByIds(
        ctx.db,
        usage.sessions.map((s) => s.session_id),
      )
    ).map((s) => [s.session_id, s]),
  );
  const percentage = usagePercentage(usage.total_seconds, limit);
  const total = toMinutes(usage.total_seconds);
  return {
    month,
    clinic_id: clinicId,
    total_sessions: usage.sessions.length,
    total_attendee_minutes: total,
    free_tier_limit: limit,
    usage_percentage: percentage,
    remaining_minutes: Math.max(0, Math.round((limit - total) * 10) / 10),
    status: usageStatus(percentage),
    ...forecastUsage(daily, bounds, now, limit),
    daily: daily.map((seconds, day) => ({
      date: new Date(bounds.start.getTime() + day * 86_400_000).toISOString().slice(0, 10),
      attendee_minutes: toMinutes(seconds),
    })),
    sessions: usage.sessions
      .map((s) => {
        const row = sessions.get(s.session_id);
        const start = row?.start_time ?? null;
        const end = row?.end_time ?? now;
        return {
          session_id: s.session_id,
          patient_name: row && (viewer?.role !== "DOCTOR" || row.doctor_id === viewer.id) ? row.patient_name : "",
          start_time: isoOrNull(start),
          duration_minutes: start ? toMinutes(Math.max(0, (end.getTime() - start.getTime()) / 1000)) : 0,
          attendees: s.attendees,
          attendee_minutes: toMinutes(s.seconds),
        };
      })
      .sort((a, b) => (b.start_time ?? "").localeCompare(a.start_time ?? "")),
  };
}

/** GET /metrics/usage: doctors and admins see their clinic's usage; patients are refused. */
export async function getUsage(
  ctx: UsageContext & Pick<SessionsContext, "access">,
  actor: Actor,
  month: string | undefined,
): Promise<UsageResponse> {
  await ctx.access.check(actor, "readUsage");
  return computeUsage(ctx, actor.user.clinic_id, month ?? monthOf(ctx.now()), actor.user);
}

/** USAGE_LIMIT_POLICY=block: no new meetings once the clinic is over its free tier this month. */
export async function assertWithinFreeTier(ctx: UsageContext, clinicId: string, now: Date): Promise<void> {
  if (ctx.config.USAGE_LIMIT_POLICY !== "block") return;
  // Only the total matters here: skip the per-session details every start would otherwise pay for.
  const bounds = monthBounds(monthOf(now));
  const { total_seconds } = summarize(await intervalsForMonth(ctx.db, clinicId, bounds), bounds, now);
  const limit = ctx.config.FREE_TIER_MINUTES;
  if (usageStatus(usagePercentage(total_seconds, limit)) === "EXCEEDED") {
    throw new FreeTierExceeded(toMinutes(total_seconds), limit);
  }
}
