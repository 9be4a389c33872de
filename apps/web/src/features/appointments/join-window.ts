import { clinicTimeZone } from "../../lib/clinic-time-zone.ts";
import { formatDateTime, formatTime, isoToZonedWallClock } from "../../lib/format.ts";
/**
 * The join window: from `before` minutes before the appointment's start until
 * its scheduled end plus `after` minutes. The server enforces it; the UI mirrors it so that
 * "Start Video" is enabled exactly when starting can succeed.
 */
export interface JoinWindow {
  opensAt: Date;
  closesAt: Date;
}

export type JoinWindowState = "before" | "open" | "after";

export function joinWindow(
  startTime: string | Date,
  durationMinutes: number,
  beforeMin = 10,
  afterMin = 30,
): JoinWindow {
  const start = new Date(startTime).getTime();
  return {
    opensAt: new Date(start - beforeMin * 60_000),
    closesAt: new Date(start + (durationMinutes + afterMin) * 60_000),
  };
}

export function joinWindowState(window: JoinWindow, now: Date): JoinWindowState {
  if (now.getTime() < window.opensAt.getTime()) return "before";
  if (now.getTime() > window.closesAt.getTime()) return "after";
  return "open";
}

/** What `callIsDue` needs of an appointment. */
export interface CallableAppointment {
  video_enabled: boolean;
  status: string;
  start_time: string;
  duration_minutes: number;
}

/**
 * Whether a video call for this appointment is running or can start now (inside its join
 * window): the screens then fetch the call screen ahead of the click.
 */
export function callIsDue(a: CallableAppointment, now: Date, beforeMin = 10, afterMin = 30): boolean {
  if (!a.video_enabled) return false;
  if (a.status === "IN_PROGRESS") return true;
  return (
    a.status === "SCHEDULED" &&
    joinWindowState(joinWindow(a.start_time, a.duration_minutes, beforeMin, afterMin), now) === "open"
  );
}

/** Same calendar day in the clinic's zone (the one the times are shown in). */
const sameDay = (a: Date, b: Date) =>
  isoToZonedWallClock(a, clinicTimeZone.get()).slice(0, 10) ===
  isoToZonedWallClock(b, clinicTimeZone.get()).slice(0, 10);

/** The tooltip for "Start Video": when it opens, or why it cannot. */
export function joinWindowHint(window: JoinWindow, now: Date): string {
  switch (joinWindowState(window, now)) {
    case "before": {
      const at = sameDay(window.opensAt, now) ? formatTime(window.opensAt) : formatDateTime(window.opensAt);
      return `Video opens at ${at}`;
    }
    case "open":
      return `Video is open until ${formatTime(window.closesAt)}`;
    case "after":
      return "The time to start this video consultation has passed";
  }
}
