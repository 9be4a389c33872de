import type { UsageStatus } from "@clinic/contracts";
import {
  type AttendanceInterval,
  type MonthBounds,
  secondsWithin,
  toMinutes,
  usagePercentage,
  usageStatus,
} from "./usage-calculator.ts";
import { localDate } from "./zoned-calendar.ts";

const dayMs = 86_400_000;

/**
 * Attendee-seconds per local day of the month (index 0 = the 1st) in the month's time zone,
 * each interval cut at the days' starts (a day across a daylight saving change is 23 or 25
 * hours); open intervals count up to `now`. The month's total is their sum.
 */
export function dailySeconds(intervals: AttendanceInterval[], bounds: MonthBounds, now: Date): number[] {
  const starts = bounds.days.map((d) => d.getTime());
  const ends = [...starts.slice(1), bounds.end.getTime()];
  const totals = new Array<number>(starts.length).fill(0);
  for (const interval of intervals) {
    const seconds = secondsWithin(interval, bounds, now);
    if (seconds <= 0) continue;
    // Clip to the month, then walk its days (bounded: a month has at most 31).
    let from = Math.max(interval.joined_at.getTime(), bounds.start.getTime());
    const to = Math.min((interval.left_at ?? now).getTime(), bounds.end.getTime());
    let day = dayIndex(starts, from);
    for (let guard = 0; guard < 32 && from < to && day < starts.length; guard++, day++) {
      const until = Math.min(to, ends[day] ?? to);
      totals[day] = (totals[day] ?? 0) + (until - from) / 1000;
      from = until;
    }
  }
  return totals;
}

/** Index of the local day holding `instant` (the last day whose start is not after it). */
function dayIndex(starts: number[], instant: number): number {
  let day = 0;
  while (day + 1 < starts.length && (starts[day + 1] ?? Number.POSITIVE_INFINITY) <= instant) day++;
  return day;
}

export interface UsageForecast {
  /** Projected attendee-minutes at month end (one decimal). */
  forecast_minutes: number;
  /** The status the projection would reach (same thresholds as `status`). */
  forecast_status: UsageStatus;
  /** The day (YYYY-MM-DD, month's time zone) the free tier is, or is projected to be, exceeded; null if never this month. */
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
    if (running > limitSeconds) exceedsOn = `${bounds.month}-${String(day + 1).padStart(2, "0")}`;
  }
  // Projected: when the rate carries the total past the limit before month end.
  if (exceedsOn === null && forecastSeconds > limitSeconds && ratePerMs > 0) {
    const crossAt = Math.max(now.getTime(), bounds.start.getTime()) + (limitSeconds - usedSeconds) / ratePerMs;
    if (crossAt < bounds.end.getTime()) exceedsOn = localDate(crossAt, bounds.timeZone);
  }
  return {
    forecast_minutes: toMinutes(forecastSeconds),
    forecast_status: usageStatus(usagePercentage(forecastSeconds, limitMinutes)),
    forecast_exceeds_on: exceedsOn,
  };
}
