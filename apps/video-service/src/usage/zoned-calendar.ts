/**
 * Calendar arithmetic in the clinic's time zone (CLINIC_TIME_ZONE), with Intl only: the
 * instant a local day or month begins, and the local date of an instant. A local day is
 * 23, 24 or 25 hours long across daylight saving changes, so days are never counted as
 * fixed 86,400,000 ms steps here.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading in `timeZone` at `instant` (ms since the epoch). */
export function localTime(instant: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instant`, in ms (whole seconds). */
function offsetAt(instant: number, timeZone: string): number {
  const t = localTime(instant, timeZone);
  const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return wall - Math.floor(instant / 1000) * 1000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** YYYY-MM-DD of `instant` in `timeZone`. */
export function localDate(instant: number, timeZone: string): string {
  const t = localTime(instant, timeZone);
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;
}

/** YYYY-MM of `instant` in `timeZone`. */
export function localMonth(instant: number, timeZone: string): string {
  return localDate(instant, timeZone).slice(0, 7);
}

/**
 * The first instant of local day `year-month-day` in `timeZone` (`day` may overflow the
 * month, as in Date.UTC). Usually local midnight; when midnight is skipped (zones that
 * change the clock at 00:00) the day begins when the clock jumps, and when midnight occurs
 * twice, at the first one.
 */
export function startOfLocalDay(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  // The offsets in force a day either side: a day holds at most one transition in practice.
  const candidates = [...new Set([offsetAt(wall - 86_400_000, timeZone), offsetAt(wall + 86_400_000, timeZone)])]
    .map((offset) => wall - offset)
    .filter((instant) => instant + offsetAt(instant, timeZone) === wall)
    .sort((a, b) => a - b);
  if (candidates[0] !== undefined) return candidates[0];
  // Midnight does not exist that day: find the jump between the two readings (bounded
  // bisection over at most a day, to the second).
  let low = wall - 86_400_000 - 14 * 3_600_000;
  let high = wall + 14 * 3_600_000;
  for (let i = 0; i < 64 && high - low > 1000; i++) {
    const middle = Math.floor((low + high) / 2000) * 1000;
    if (middle + offsetAt(middle, timeZone) >= wall) high = middle;
    else low = middle;
  }
  return high;
}
