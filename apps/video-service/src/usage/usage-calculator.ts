import type { UsageStatus } from "@clinic/contracts";

/**
 * Attendee-minutes, pure: for every attendance interval, (leave − join),
 * summed. Chime bills the same way: two people for 10 minutes is 20. Months are UTC
 * calendar months. Seconds are summed exactly; minutes are shown with one decimal
 * (rounded half up) so short test calls are not inflated to a whole minute each, and the
 * status thresholds compare the exact figure.
 */
export interface AttendanceInterval {
  session_id: string;
  attendee_id: string;
  user_id: string;
  joined_at: Date;
  /** null while the attendee is still connected: counted up to `now`. */
  left_at: Date | null;
}

export interface MonthBounds {
  start: Date;
  end: Date;
}

export function monthBounds(month: string): MonthBounds {
  const [year, mm] = month.split("-").map(Number) as [number, number];
  return { start: new Date(Date.UTC(year, mm - 1, 1)), end: new Date(Date.UTC(year, mm, 1)) };
}

export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** Cuts [joined, left) at each UTC month boundary, so every piece lies inside one month. */
export function splitByMonth(joined: Date, left: Date): { joined_at: Date; left_at: Date }[] {
  const pieces: { joined_at: Date; left_at: Date }[] = [];
  let from = joined;
  // Bounded: one piece per month spanned (an interval is never years long; cap at 120).
  for (let i = 0; i < 120 && from < left; i++) {
    const boundary = monthBounds(monthOf(from)).end;
    const to = boundary < left ? boundary : left;
    pieces.push({ joined_at: from, left_at: to });
    from = to;
  }
  if (pieces.length === 0) pieces.push({ joined_at: joined, left_at: left });
  return pieces;
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
