import { clinicTimeZone } from "./clinic-time-zone.ts";

/**
 * Dates and times on screen are in the clinic's time zone (`clinic_time_zone` from
 * GET /api/auth/client-config, see clinic-time-zone.ts) and always say which zone that is:
 * "2 Dec 2026, 14:30 (Europe/Berlin)". A doctor working from another country, or a browser
 * set to the wrong zone, still reads the clinic's times, labelled.
 */
const formats = {
  dateTime: { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  time: { hour: "2-digit", minute: "2-digit", hourCycle: "h23" },
  date: { day: "numeric", month: "short", year: "numeric" },
} satisfies Record<string, Intl.DateTimeFormatOptions>;
type Kind = keyof typeof formats;

const cache = new Map<string, Intl.DateTimeFormat>();
function formatter(kind: Kind, zone: string): Intl.DateTimeFormat {
  const key = `${kind} ${zone}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { ...formats[kind], timeZone: zone });
    cache.set(key, format);
  }
  return format;
}

/** Whether `zone` is an IANA zone this browser knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** "2 Dec 2026, 14:30" in `zone`, without the label (for places that name the zone once). */
export const formatDateTimeIn = (date: Date, zone: string) => formatter("dateTime", zone).format(date);

/** "2 Dec 2026, 14:30 (Europe/Berlin)"; "—" for no value. */
export const formatDateTime = (iso: string | Date | null | undefined, zone = clinicTimeZone.get()) =>
  iso ? `${formatter("dateTime", zone).format(new Date(iso))} (${zone})` : "—";

/** "14:30 (Europe/Berlin)"; "—" for no value. */
export const formatTime = (iso: string | Date | null | undefined, zone = clinicTimeZone.get()) =>
  iso ? `${formatter("time", zone).format(new Date(iso))} (${zone})` : "—";

/** A calendar day (YYYY-MM-DD, already a day of `zone`) as "2 Dec 2026 (Europe/Berlin)". */
export const formatDay = (day: string, zone = clinicTimeZone.get()) =>
  `${formatter("date", "UTC").format(new Date(`${day}T12:00:00.000Z`))} (${zone})`;

/** "14:05 (Europe/Berlin)" on the 24-hour clock ("Draft saved 14:05 (Europe/Berlin)"). */
export const formatClock = (iso: string, zone = clinicTimeZone.get()) => formatTime(iso, zone);

function wallClockParts(date: Date, zone: string) {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).formatToParts(date);
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

/** How far `zone`'s wall clock is ahead of UTC at the instant `ms`. */
function offsetMs(ms: number, zone: string): number {
  const p = wallClockParts(new Date(ms), zone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

const wallClockPattern = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A wall-clock value as the date pickers give it ("2026-12-02 14:30:00", no zone) read in
 * `zone`, as the UTC instant the API takes ("2026-12-02T13:30:00.000Z" for Europe/Berlin).
 * A time skipped by a daylight-saving change (02:30 on the spring-forward night) lands
 * an hour later, as a clock on the wall would show it. null for anything else.
 */
export function zonedWallClockToIso(wall: string, zone: string): string | null {
  const m = wallClockPattern.exec(wall.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(asUtc)) return null;
  // The zone's offset at the guess can differ from the one at the result near a change: twice.
  let utc = asUtc - offsetMs(asUtc, zone);
  utc = asUtc - offsetMs(utc, zone);
  return new Date(utc).toISOString();
}

/** The inverse: an instant as the wall clock in `zone`, "YYYY-MM-DD HH:mm:ss" (the pickers' value). */
export function isoToZonedWallClock(iso: string | Date, zone: string): string {
  const p = wallClockParts(new Date(iso), zone);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** mm:ss, or h:mm:ss past an hour; never negative (clocks of browser and server differ). */
export function formatElapsed(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const pad = (n: number) => String(n).padStart(2, "0");
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(s % 60)}` : `${pad(minutes)}:${pad(s % 60)}`;
}

/** The current month as YYYY-MM in `zone` (the clinic's: usage months are the clinic's). */
export function currentMonth(now = new Date(), zone = clinicTimeZone.get()): string {
  const p = wallClockParts(now, zone);
  return `${p.year}-${String(p.month).padStart(2, "0")}`;
}
