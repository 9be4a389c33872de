import { isoToZonedWallClock } from "../../lib/format.ts";
import type { Usage } from "./api/get-usage.ts";

const dayMs = 86_400_000;

export interface ChartDay {
  day: string;
  /** Attendee-minutes used that day (of the usage's time zone), as the server counted them. */
  minutes: number;
  /** The projected minutes a day from today to month end (the server's forecast spread evenly); null before today. */
  projected: number | null;
}

/**
 * The daily chart's data: the server's per-day minutes, plus a projection line over the days
 * left — the server's month-end forecast (its method: apps/video-service/README.md, "Usage
 * forecast") less what is used, spread over those days. A finished month has no projection.
 */
export function projectionSeries(
  usage: Pick<Usage, "daily" | "forecast_minutes" | "total_attendee_minutes"> & Partial<Pick<Usage, "time_zone">>,
  now: Date,
): ChartDay[] {
  // "Today" on the clinic's calendar: the server's days are days of its time zone.
  const today = isoToZonedWallClock(now, usage.time_zone ?? "UTC").slice(0, 10);
  const last = usage.daily.at(-1)?.date;
  const monthEnd = last ? new Date(`${last}T00:00:00.000Z`).getTime() + dayMs : 0;
  const remainingDays = (monthEnd - now.getTime()) / dayMs;
  const inMonth = usage.daily.some((d) => d.date === today);
  const rate =
    inMonth && remainingDays > 0
      ? Math.max(0, usage.forecast_minutes - usage.total_attendee_minutes) / remainingDays
      : null;
  return usage.daily.map((d) => ({
    day: String(Number(d.date.slice(8, 10))),
    minutes: d.attendee_minutes,
    projected: rate !== null && d.date >= today ? Math.round(rate * 10) / 10 : null,
  }));
}

const dayFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });

/**
 * A warning while the month is on course to pass the free tier but has not yet, with the
 * projected day; null otherwise (an exceeded month says so everywhere already).
 */
export function forecastWarning(
  usage: Pick<Usage, "status" | "forecast_status" | "forecast_exceeds_on" | "forecast_minutes" | "free_tier_limit"> &
    Partial<Pick<Usage, "time_zone">>,
): string | null {
  if (usage.status === "EXCEEDED" || usage.forecast_status !== "EXCEEDED" || !usage.forecast_exceeds_on) return null;
  const when = dayFormat.format(new Date(`${usage.forecast_exceeds_on}T00:00:00.000Z`));
  const minutes = Math.round(usage.forecast_minutes);
  return `At this month's pace the free tier of ${usage.free_tier_limit} attendee-minutes will run out around ${when} (${usage.time_zone ?? "UTC"}): about ${minutes} minutes are projected by month end.`;
}
