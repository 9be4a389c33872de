import type { UsageResponse } from "@clinic/contracts";
import { FreeTierExceeded } from "../errors.ts";
import { type Actor, type UsageScope, usageScope } from "../sessions/session-access.ts";
import type { SessionsContext } from "../sessions/sessions-context.ts";
import { isoOrNull } from "../tables.ts";
import { intervalsForMonth, sessionsByIds } from "./usage.repository.ts";
import { monthBounds, monthOf, summarize, toMinutes, usagePercentage, usageStatus } from "./usage-calculator.ts";
import { dailySeconds, forecastUsage } from "./usage-forecast.ts";

type UsageContext = Pick<SessionsContext, "db" | "config" | "now">;

/**
 * Usage in one month of the clinic's time zone: attendee-minutes, limit, status, per
 * session. Metering is per clinic; `scope` narrows it to one doctor's own sessions (every
 * figure then counts only those, against the clinic's free tier).
 */
async function computeUsage(ctx: UsageContext, scope: UsageScope, month: string): Promise<UsageResponse> {
  const now = ctx.now();
  const limit = ctx.config.FREE_TIER_MINUTES;
  const timeZone = ctx.config.CLINIC_TIME_ZONE;
  const bounds = monthBounds(month, timeZone);
  const clinicIntervals = await intervalsForMonth(ctx.db, scope.clinicId, bounds);
  const sessions = new Map(
    (await sessionsByIds(ctx.db, [...new Set(clinicIntervals.map((i) => i.session_id))])).map((s) => [s.session_id, s]),
  );
  const intervals =
    scope.doctorId === undefined
      ? clinicIntervals
      : clinicIntervals.filter((i) => sessions.get(i.session_id)?.doctor_id === scope.doctorId);
  const usage = summarize(intervals, bounds, now);
  const daily = dailySeconds(intervals, bounds, now);
  const percentage = usagePercentage(usage.total_seconds, limit);
  // The free tier is the clinic's: a doctor's own share does not say whether calls are blocked.
  const clinicPercentage =
    scope.doctorId === undefined
      ? percentage
      : usagePercentage(summarize(clinicIntervals, bounds, now).total_seconds, limit);
  const total = toMinutes(usage.total_seconds);
  return {
    month,
    time_zone: timeZone,
    clinic_id: scope.clinicId,
    total_sessions: usage.sessions.length,
    total_attendee_minutes: total,
    free_tier_limit: limit,
    usage_percentage: percentage,
    remaining_minutes: Math.max(0, Math.round((limit - total) * 10) / 10),
    status: usageStatus(percentage),
    clinic_status: usageStatus(clinicPercentage),
    ...forecastUsage(daily, bounds, now, limit),
    daily: daily.map((seconds, day) => ({
      date: `${month}-${String(day + 1).padStart(2, "0")}`,
      attendee_minutes: toMinutes(seconds),
    })),
    sessions: usage.sessions
      .map((s) => {
        const row = sessions.get(s.session_id);
        const start = row?.start_time ?? null;
        const end = row?.end_time ?? now;
        return {
          session_id: s.session_id,
          // A patient's name only beside their own doctor (an admin sees the clinic's).
          patient_name:
            row && (scope.doctorId === undefined || row.doctor_id === scope.doctorId) ? row.patient_name : "",
          start_time: isoOrNull(start),
          duration_minutes: start ? toMinutes(Math.max(0, (end.getTime() - start.getTime()) / 1000)) : 0,
          attendees: s.attendees,
          attendee_minutes: toMinutes(s.seconds),
        };
      })
      .sort((a, b) => (b.start_time ?? "").localeCompare(a.start_time ?? "")),
  };
}

/**
 * GET /metrics/usage: an admin gets the clinic's usage, a doctor their own sessions' (the
 * access module says which); patients are refused. The default month is the current one in
 * the clinic's time zone.
 */
export async function getUsage(
  ctx: UsageContext & Pick<SessionsContext, "access">,
  actor: Actor,
  month: string | undefined,
): Promise<UsageResponse> {
  await ctx.access.check(actor, "readUsage");
  return computeUsage(ctx, usageScope(actor.user), month ?? monthOf(ctx.now(), ctx.config.CLINIC_TIME_ZONE));
}

/** USAGE_LIMIT_POLICY=block: no new meetings once the clinic is over its free tier this month. */
export async function assertWithinFreeTier(ctx: UsageContext, clinicId: string, now: Date): Promise<void> {
  if (ctx.config.USAGE_LIMIT_POLICY !== "block") return;
  // Only the total matters here: skip the per-session details every start would otherwise pay for.
  const timeZone = ctx.config.CLINIC_TIME_ZONE;
  const bounds = monthBounds(monthOf(now, timeZone), timeZone);
  const { total_seconds } = summarize(await intervalsForMonth(ctx.db, clinicId, bounds), bounds, now);
  const limit = ctx.config.FREE_TIER_MINUTES;
  if (usageStatus(usagePercentage(total_seconds, limit)) === "EXCEEDED") {
    throw new FreeTierExceeded(toMinutes(total_seconds), limit);
  }
}
