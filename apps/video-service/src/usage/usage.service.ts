import type { UsageResponse } from "@clinic/contracts";
import { FreeTierExceeded } from "../errors.ts";
import { type Actor, type UsageScope, usageScope } from "../sessions/session-access.ts";
import type { SessionsContext } from "../sessions/sessions-context.ts";
import { type Executor, isoOrNull } from "../tables.ts";
import { sessionsByIds } from "./usage.repository.ts";
import { monthBounds, monthOf, toMinutes, usagePercentage, usageStatus } from "./usage-calculator.ts";
import { forecastUsage } from "./usage-forecast.ts";
import {
  clinicMonthSeconds,
  ensureRollupZone,
  type PageSession,
  personKey,
  type RollupScope,
  sessionRollupPage,
  sessionRollupsBefore,
  sessionRollupsByIds,
  usageSnapshot,
} from "./usage-rollups.repository.ts";
import { type LiveSession, liveUsage } from "./usage-rollups.ts";

type UsageContext = Pick<SessionsContext, "db" | "config" | "now">;

/** One page of the per-session list (`limit` 1–200, `offset` ≥ 0; the route's schema checks them). */
export interface UsagePage {
  limit: number;
  offset: number;
}
export const defaultUsagePage: UsagePage = { limit: 50, offset: 0 };

/** Newest start first, no start last, then by id: the rollups' index order (session_id is COLLATE "C"). */
function pageOrder(
  a: { start_time: Date | null; session_id: string },
  b: { start_time: Date | null; session_id: string },
) {
  if (a.start_time && b.start_time && a.start_time.getTime() !== b.start_time.getTime()) {
    return b.start_time.getTime() - a.start_time.getTime();
  }
  if (a.start_time && !b.start_time) return -1;
  if (!a.start_time && b.start_time) return 1;
  return a.session_id < b.session_id ? -1 : a.session_id > b.session_id ? 1 : 0;
}

/**
 * One page of the month's sessions: those with closed usage (rollups, in index order) merged
 * with those whose only usage so far is an open interval (live, a handful). A live-only
 * session's place is the number of rollup sessions before it plus the live-only ones before
 * it, so only the rollup rows that can land on the page are read.
 */
async function sessionsPage(
  db: Executor,
  scope: RollupScope,
  month: string,
  live: Map<string, LiveSession>,
  page: UsagePage,
) {
  const closedOfLive = await sessionRollupsByIds(db, scope.zone, month, [...live.keys()]);
  const liveOnly = [...live]
    .filter(([id]) => !closedOfLive.sessions.has(id))
    .map(([session_id, s]) => ({ session_id, start_time: s.start_time }))
    .sort(pageOrder);
  const before = await Promise.all(liveOnly.map((l) => sessionRollupsBefore(db, scope, month, l)));
  const from = Math.max(0, page.offset - liveOnly.length);
  const closed = await sessionRollupPage(db, scope, month, from, page.limit + page.offset - from);
  const end = page.offset + page.limit;
  const placed: { at: number; session_id: string; ms: number; attendees: number }[] = [];
  closed.forEach((row, i) => {
    const at = from + i + before.filter((b) => b <= from + i).length;
    if (at >= page.offset && at < end)
      placed.push({ at, session_id: row.session_id, ms: row.ms, attendees: row.attendees });
  });
  liveOnly.forEach((l, j) => {
    const at = (before[j] ?? 0) + j;
    if (at >= page.offset && at < end) placed.push({ at, session_id: l.session_id, ms: 0, attendees: 0 });
  });
  placed.sort((a, b) => a.at - b.at);
  // Open intervals add their time, and their people not already counted in the rollup.
  const rows = placed.map((p) => {
    const open = live.get(p.session_id);
    if (!open) return p;
    const newPeople = [...open.people].filter((u) => !closedOfLive.people.has(personKey(p.session_id, u))).length;
    return { ...p, ms: p.ms + open.ms, attendees: p.attendees + newPeople };
  });
  return { rows, liveOnly: liveOnly.length };
}

/**
 * The page and the session rows it shows. With no open interval in the month (the usual case)
 * the snapshot's page is the page; open intervals may add sessions that only they count
 * (live-only), which shift the page: then it is placed by `sessionsPage` (a few more queries).
 */
async function pageWithSessions(
  db: Executor,
  scope: RollupScope,
  month: string,
  live: Map<string, LiveSession>,
  page: UsagePage,
  fromSnapshot: PageSession[],
) {
  if (live.size === 0) {
    return {
      rows: fromSnapshot,
      liveOnly: 0,
      sessions: new Map(
        fromSnapshot.flatMap((p) =>
          p.doctor_id === null
            ? []
            : [
                [
                  p.session_id,
                  {
                    doctor_id: p.doctor_id,
                    patient_name: p.patient_name ?? "",
                    start_time: p.session_start,
                    end_time: p.session_end,
                  },
                ] as const,
              ],
        ),
      ),
    };
  }
  const { rows, liveOnly } = await sessionsPage(db, scope, month, live, page);
  const found = await sessionsByIds(
    db,
    rows.map((p) => p.session_id),
  );
  return {
    rows,
    liveOnly,
    sessions: new Map(
      found.map((s) => [
        s.session_id,
        {
          doctor_id: s.doctor_id,
          patient_name: s.patient_name,
          start_time: s.start_time ? new Date(s.start_time) : null,
          end_time: s.end_time ? new Date(s.end_time) : null,
        },
      ]),
    ),
  };
}

/**
 * Usage in one month of the clinic's time zone: attendee-minutes, limit, status, per
 * session. Metering is per clinic; `scope` narrows it to one doctor's own sessions (every
 * figure then counts only those, against the clinic's free tier). Closed intervals come from
 * the rollups (a few rows whatever the month holds), open ones are added live.
 */
async function computeUsage(
  ctx: UsageContext,
  scope: UsageScope,
  month: string,
  page: UsagePage,
): Promise<UsageResponse> {
  const now = ctx.now();
  const limit = ctx.config.FREE_TIER_MINUTES;
  const timeZone = ctx.config.CLINIC_TIME_ZONE;
  const bounds = monthBounds(month, timeZone);
  await ensureRollupZone(ctx.db, timeZone);
  const rollupScope: RollupScope = { zone: timeZone, clinicId: scope.clinicId, doctorId: scope.doctorId };
  // One round trip in the usual case: totals, days, open intervals and the page (with its sessions).
  const snapshot = await usageSnapshot(ctx.db, rollupScope, bounds, page);
  const open = snapshot.open;
  const liveAll = liveUsage(open, bounds, now);
  const live =
    scope.doctorId === undefined
      ? liveAll
      : liveUsage(
          open.filter((i) => i.doctor_id === scope.doctorId),
          bounds,
          now,
        );
  const dailyMs = bounds.days.map((_, i) => {
    const date = `${month}-${String(i + 1).padStart(2, "0")}`;
    return (snapshot.days.get(date) ?? 0) + (live.days.get(date) ?? 0);
  });
  const totalMs = dailyMs.reduce((sum, ms) => sum + ms, 0);
  const daily = dailyMs.map((ms) => ms / 1000);
  const percentage = usagePercentage(totalMs / 1000, limit);
  // The free tier is the clinic's: a doctor's own share does not say whether calls are blocked.
  const clinicPercentage =
    snapshot.clinicMs === undefined ? percentage : usagePercentage((snapshot.clinicMs + liveAll.ms) / 1000, limit);
  const totals = snapshot.totals;
  const {
    rows: pageRows,
    liveOnly,
    sessions: rows,
  } = await pageWithSessions(ctx.db, rollupScope, month, live.sessions, page, snapshot.page);
  const total = toMinutes(totalMs / 1000);
  return {
    month,
    time_zone: timeZone,
    clinic_id: scope.clinicId,
    total_sessions: totals.sessions + liveOnly,
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
    limit: page.limit,
    offset: page.offset,
    sessions: pageRows.map((s) => {
      const row = rows.get(s.session_id);
      const start = row?.start_time ?? null;
      const end = row?.end_time ?? now;
      return {
        session_id: s.session_id,
        // A patient's name only beside their own doctor (an admin sees the clinic's).
        patient_name: row && (scope.doctorId === undefined || row.doctor_id === scope.doctorId) ? row.patient_name : "",
        start_time: isoOrNull(start),
        duration_minutes: start ? toMinutes(Math.max(0, (end.getTime() - start.getTime()) / 1000)) : 0,
        attendees: s.attendees,
        attendee_minutes: toMinutes(s.ms / 1000),
      };
    }),
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
  page: UsagePage = defaultUsagePage,
): Promise<UsageResponse> {
  await ctx.access.check(actor, "readUsage");
  return computeUsage(ctx, usageScope(actor.user), month ?? monthOf(ctx.now(), ctx.config.CLINIC_TIME_ZONE), page);
}

/** USAGE_LIMIT_POLICY=block: no new meetings once the clinic is over its free tier this month. */
export async function assertWithinFreeTier(ctx: UsageContext, clinicId: string, now: Date): Promise<void> {
  if (ctx.config.USAGE_LIMIT_POLICY !== "block") return;
  const seconds = await clinicMonthSeconds(ctx.db, ctx.config.CLINIC_TIME_ZONE, clinicId, now);
  const limit = ctx.config.FREE_TIER_MINUTES;
  if (usageStatus(usagePercentage(seconds, limit)) === "EXCEEDED") {
    throw new FreeTierExceeded(toMinutes(seconds), limit);
  }
}
