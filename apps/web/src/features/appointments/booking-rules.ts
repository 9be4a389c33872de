import { isoToZonedWallClock, zonedWallClockToIso } from "../../lib/format.ts";

/** What the booking and reschedule forms check before sending (the server checks again). */
export interface WhenFields {
  /** The picker's wall-clock value ("YYYY-MM-DD HH:mm:ss", in the clinic's zone), or null. */
  start: string | null;
  durationMinutes: number | string;
}

export const minDuration = 5;
export const maxDuration = 480;

export function whenProblems(
  fields: WhenFields,
  zone: string,
  now: Date,
): { start?: string; duration?: string; startIso?: string } {
  const problems: { start?: string; duration?: string; startIso?: string } = {};
  const duration = Number(fields.durationMinutes);
  if (!Number.isInteger(duration) || duration < minDuration || duration > maxDuration)
    problems.duration = `Enter a whole number of minutes from ${minDuration} to ${maxDuration}.`;
  if (!fields.start) {
    problems.start = "Choose the date and time.";
    return problems;
  }
  const iso = zonedWallClockToIso(fields.start, zone);
  if (!iso) problems.start = "Choose the date and time.";
  else if (new Date(iso).getTime() < now.getTime()) problems.start = "Choose a time in the future.";
  return problems;
}

/** The picker's earliest day: today in the clinic's zone. */
export const todayIn = (zone: string, now = new Date()) => isoToZonedWallClock(now, zone).slice(0, 10);
