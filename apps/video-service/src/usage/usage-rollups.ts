import type { MonthBounds } from "./usage-calculator.ts";
import { localTime, startOfLocalDay } from "./zoned-calendar.ts";

/**
 * The pure half of the usage rollups (usage-rollups.repository.ts): an attendance interval
 * cut into the local days of a time zone, in whole milliseconds. A day is the one whose
 * start (`startOfLocalDay`, as `monthBounds` and `dailySeconds` use) is the last not after
 * the instant, so the rollups and a direct computation from intervals agree to the
 * millisecond, across daylight saving changes too.
 */
export interface DayPart {
  /** YYYY-MM-DD in the zone. */
  day: string;
  /** YYYY-MM in the zone. */
  month: string;
  ms: number;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** The local day holding `instant`: [year, month, day] normalised, with its start and the next day's. */
function dayAt(instant: number, timeZone: string) {
  const t = localTime(instant, timeZone);
  let date = new Date(Date.UTC(t.year, t.month - 1, t.day));
  const startOf = (d: Date) => startOfLocalDay(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), timeZone);
  const shift = (d: Date, days: number) => new Date(d.getTime() + days * 86_400_000);
  // The wall-clock date and the day's boundaries differ only where midnight is skipped or
  // repeated: step to the day whose [start, next start) holds the instant (at most one step).
  for (let i = 0; i < 2; i++) {
    if (instant < startOf(date)) date = shift(date, -1);
    else if (instant >= startOf(shift(date, 1))) date = shift(date, 1);
    else break;
  }
  const key = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  return { day: key, month: key.slice(0, 7), next: startOf(shift(date, 1)) };
}

/** [from, to) (ms since the epoch) as milliseconds per local day of `timeZone`; empty parts left out. */
export function splitByLocalDay(from: number, to: number, timeZone: string): DayPart[] {
  const parts: DayPart[] = [];
  let at = from;
  // Bounded: one part per day spanned (a closed interval lies inside one UTC day, so 1 or 2;
  // an open one read live may span more), at most ten years' worth.
  for (let guard = 0; guard < 3660 && at < to; guard++) {
    const { day, month, next } = dayAt(at, timeZone);
    const until = Math.min(to, next > at ? next : to);
    parts.push({ day, month, ms: until - at });
    at = until;
  }
  return parts;
}

/** An open interval as read live (usage-rollups.repository.ts `openIntervals`). */
export interface OpenLike {
  session_id: string;
  user_id: string;
  joined_at: Date;
  start_time: Date | null;
}

export interface LiveSession {
  start_time: Date | null;
  ms: number;
  people: Set<string>;
}

/**
 * The still-open intervals' share of the month, counted up to `now`, in whole milliseconds
 * per local day and per session (the rollups hold only closed intervals).
 */
export function liveUsage(open: OpenLike[], bounds: MonthBounds, now: Date) {
  const days = new Map<string, number>();
  const sessions = new Map<string, LiveSession>();
  let ms = 0;
  for (const interval of open) {
    const from = Math.max(interval.joined_at.getTime(), bounds.start.getTime());
    const to = Math.min(now.getTime(), bounds.end.getTime());
    if (to <= from) continue;
    const entry = sessions.get(interval.session_id) ?? { start_time: interval.start_time, ms: 0, people: new Set() };
    for (const part of splitByLocalDay(from, to, bounds.timeZone)) {
      days.set(part.day, (days.get(part.day) ?? 0) + part.ms);
      entry.ms += part.ms;
      ms += part.ms;
    }
    entry.people.add(interval.user_id);
    sessions.set(interval.session_id, entry);
  }
  return { days, sessions, ms };
}
