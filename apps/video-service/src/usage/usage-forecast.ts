import type { UsageStatus } from "@clinic/contracts";
import {
  type AttendanceInterval,
  type MonthBounds,
  secondsWithin,
  toMinutes,
  usagePercentage,
  usageStatus,
} from "./usage-calculator.ts";

const dayMs = 86_400_000;

/**
 * Attendee-seconds per UTC day of the month (index 0 = the 1st), each interval cut at day
 * boundaries; open intervals count up to `now`. The month's total is their sum.
 */
export function dailySeconds(intervals: AttendanceInterval[], bounds: MonthBounds, now: Date): number[] {
  const days = Math.round((bounds.end.getTime() - bounds.start.getTime()) / dayMs);
  const totals = new Array<number>(days).fill(0);
  for (const interval of intervals) {
    const seconds = secondsWithin(interval, bounds, now);
    if (seconds <= 0) continue;
    // Clip to the month, then walk its days (bounded: a month has at most 31).
    let from = Math.max(interval.joined_at.getTime(), bounds.start.getTime());
    const to = Math.min((interval.left_at ?? now).getTime(), bounds.end.getTime());
    for (let guard = 0; guard < 32 && from < to; guard++) {
      const day = Math.floor((from - bounds.start.getTime()) / dayMs);
      const dayEnd = bounds.start.getTime() + (day + 1) * dayMs;
      const until = Math.min(to, dayEnd);
      totals[day] = (totals[day] ?? 0) + (until - from) / 1000;
      from = until;
    }
  }
  return totals;
}

export interface UsageForecast {
  /** Projected attendee-minutes at month end (one decimal). */
  forecast_minutes: number;
  /** The status the projection would reach (same thresholds as `status`). */
  forecast_status: UsageStatus;
  /** The UTC day (YYYY-MM-DD) the free tier is, or is projected to be, exceeded; null if never this month. */
  forecast_exceeds_on: string | null;
}

/**
 * Month-end projection from the month's daily totals (apps/video-service/README.md, "Usage
 * forecast"): the average daily rate so far — minutes used ÷ days elapsed, counting at least
 * one day so the first hours of a month do not extrapolate a single call to the whole month —
 * carried over the days left. A finished month's forecast is its actual total; a month not
 * started yet is 0.
 */
export function forecastUsage(daily: number[], bounds: MonthBounds, now: Date, limitMinutes: number): UsageForecast {
  const usedSeconds = daily.reduce((sum, s) => sum + s, 0);
  const elapsedMs = Math.min(
    Math.max(now.getTime() - bounds.start.getTime(), 0),
    bounds.end.getTime() - bounds.start.getTime(),
  );
  const remainingMs = Math.max(bounds.end.getTime() - Math.max(now.getTime(), bounds.start.getTime()), 0);
  const ratePerMs = elapsedMs > 0 ? usedSeconds / Math.max(elapsedMs, dayMs) : 0;
  const forecastSeconds = usedSeconds + ratePerMs * remainingMs;
  const limitSeconds = limitMinutes * 60;

  let exceedsOn: string | null = null;
  // Already exceeded: the day the running total went past the limit.
  let running = 0;
  for (let day = 0; day < daily.length && exceedsOn === null; day++) {
    running += daily[day] ?? 0;
    if (running > limitSeconds) exceedsOn = dayOf(bounds, day * dayMs);
  }
  // Projected: when the rate carries the total past the limit before month end.
  if (exceedsOn === null && forecastSeconds > limitSeconds && ratePerMs > 0) {
    const crossAt = Math.max(now.getTime(), bounds.start.getTime()) + (limitSeconds - usedSeconds) / ratePerMs;
    if (crossAt < bounds.end.getTime()) exceedsOn = dayOf(bounds, crossAt - bounds.start.getTime());
  }
  return {
    forecast_minutes: toMinutes(forecastSeconds),
    forecast_status: usageStatus(usagePercentage(forecastSeconds, limitMinutes)),
    forecast_exceeds_on: exceedsOn,
  };
}

function dayOf(bounds: MonthBounds, offsetMs: number): string {
  return new Date(bounds.start.getTime() + offsetMs).toISOString().slice(0, 10);
}
