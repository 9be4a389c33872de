import type { UsageStatus } from "@clinic/contracts";

import { localMonth, startOfLocalDay } from "./zoned-calendar.ts";

/**
 * Attendee-minutes, pure: for every attendance interval, (leave − join),
 * summed. Chime bills the same way: two people for 10 minutes is 20. Months and days are
 * calendar months and days in the clinic's time zone (CLINIC_TIME_ZONE, default UTC).
 * Seconds are summed exactly; minutes are shown with one decimal (rounded half up) so short
 * test calls are not inflated to a whole minute each, and the status thresholds compare the
 * exact figure.
 */
export interface AttendanceInterval {
  session_id: string;
  attendee_id: string;
  user_id: string;
  joined_at: Date;
  /** null while the attendee is still connected: counted up to `now`. */
  left_at: Date | null;
}

/** A calendar month in a time zone, as instants. */
export interface MonthBounds {
  /** The first instant of the month (local midnight of the 1st). */
  start: Date;
  /** The first instant of the next month. */
  end: Date;
  /** YYYY-MM. */
  month: string;
  timeZone: string;
  /** The first instant of each local day of the month, in order (28 to 31 of them). */
  days: Date[];
}

/** `month` (YYYY-MM) in `timeZone`: its start, end and the start of each of its days. */
export function monthBounds(month: string, timeZone = "UTC"): MonthBounds {
  const [year, mm] = month.split("-").map(Number) as [number, number];
  const length = new Date(Date.UTC(year, mm, 0)).getUTCDate();
  const days = Array.from({ length }, (_, i) => new Date(startOfLocalDay(year, mm, i + 1, timeZone)));
  return {
    start: days[0] ?? new Date(startOfLocalDay(year, mm, 1, timeZone)),
    end: new Date(startOfLocalDay(year, mm + 1, 1, timeZone)),
    month,
    timeZone,
    days,
  };
}

/** The month (YYYY-MM) `date` falls in, in `timeZone`. */
export function monthOf(date: Date, timeZone = "UTC"): string {
  return localMonth(date.getTime(), timeZone);
}

const dayMs = 86_400_000;

/**
 * Cuts [joined, left) at each UTC midnight, so every stored interval lies inside one UTC
 * day. Storage stays independent of CLINIC_TIME_ZONE (a clinic may change it): any zone's
 * month begins within 14 hours of a UTC midnight, so the intervals counting in a month are
 * those that joined from one day before its start (usage.repository.ts).
 */
export function splitByUtcDay(joined: Date, left: Date): { joined_at: Date; left_at: Date }[] {
  const pieces: { joined_at: Date; left_at: Date }[] = [];
  let from = joined;
  // Bounded: one piece per day spanned, at most ten years' worth (the last takes the rest).
  for (let i = 0; i < 3660 && from < left; i++) {
    const boundary = new Date((Math.floor(from.getTime() / dayMs) + 1) * dayMs);
    const to = boundary < left && i < 3659 ? boundary : left;
    pieces.push({ joined_at: from, left_at: to });
    from = to;
  }
  if (pieces.length === 0) pieces.push({ joined_at: joined, left_at: left });
  return pieces;
}

/** Whether [joined, left) lies inside one UTC day (no split needed). */
export function withinOneUtcDay(joined: Date, left: Date): boolean {
  return Math.floor(joined.getTime() / dayMs) === Math.floor((left.getTime() - 1) / dayMs) || left <= joined;
}

/** Seconds of `interval` that fall inside `bounds`, open intervals counted up to `now`. */
export function secondsWithin(interval: AttendanceInterval, bounds: MonthBounds, now: Date): number {
  const end = interval.left_at ?? now;
  const from = Math.max(interval.joined_at.getTime(), bounds.start.getTime());
  const to = Math.min(end.getTime(), bounds.end.getTime());
  return to > from ? (to - from) / 1000 : 0;
}

export interface SessionUsage {
  session_id: string;
  seconds: number;
  /** Distinct people (a reconnect is the same person). */
  attendees: number;
}

export interface MonthUsage {
  total_seconds: number;
  sessions: SessionUsage[];
}

export function summarize(intervals: AttendanceInterval[], bounds: MonthBounds, now: Date): MonthUsage {
  const bySession = new Map<string, { seconds: number; people: Set<string> }>();
  let total = 0;
  for (const interval of intervals) {
    const seconds = secondsWithin(interval, bounds, now);
    if (seconds <= 0) continue;
    total += seconds;
    const entry = bySession.get(interval.session_id) ?? { seconds: 0, people: new Set<string>() };
    entry.seconds += seconds;
    entry.people.add(interval.user_id);
    bySession.set(interval.session_id, entry);
  }
  const sessions = [...bySession].map(([session_id, e]) => ({
    session_id,
    seconds: e.seconds,
    attendees: e.people.size,
  }));
  return { total_seconds: total, sessions };
}

/** Seconds → minutes with one decimal, rounded half up. */
export function toMinutes(seconds: number): number {
  return Math.round(seconds / 6) / 10;
}

/**
 * Percentage of the free tier, to two decimals. The status is judged on this same rounded
 * figure, so a clinic is never shown "EXCEEDED" beside a usage of exactly 100 %.
 */
export function usagePercentage(seconds: number, limitMinutes: number): number {
  return Math.round((seconds / 60 / limitMinutes) * 10_000) / 100;
}

/** HEALTHY < 50 % ≤ WARNING < 80 % ≤ CRITICAL ≤ 100 % < EXCEEDED. */
export function usageStatus(percentage: number): UsageStatus {
  if (percentage > 100) return "EXCEEDED";
  if (percentage >= 80) return "CRITICAL";
  if (percentage >= 50) return "WARNING";
  return "HEALTHY";
}
