import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AttendanceInterval, monthBounds, splitByUtcDay, summarize } from "./usage-calculator.ts";
import { dailySeconds, forecastUsage } from "./usage-forecast.ts";
import { localDate, startOfLocalDay } from "./zoned-calendar.ts";

const hour = 3_600_000;

/** The local reading of an instant, straight from Intl (the reference the module must agree with). */
function wall(instant: number, timeZone: string): string {
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  }).format(instant);
}

const nextMonth = (month: string) => {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
};

const zones = ["Europe/Berlin", "America/New_York"] as const;
const months = fc
  .tuple(fc.integer({ min: 2020, max: 2035 }), fc.integer({ min: 1, max: 12 }))
  .map(([y, m]) => `${y}-${String(m).padStart(2, "0")}`);

describe("months and days in the clinic's time zone", () => {
  it.each(zones)("%s: a month starts at local midnight on the 1st, and so does each of its days", (zone) => {
    fc.assert(
      fc.property(months, (month) => {
        const bounds = monthBounds(month, zone);
        expect(wall(bounds.start.getTime(), zone)).toBe(`${month}-01 00:00:00`);
        expect(wall(bounds.end.getTime(), zone)).toBe(`${nextMonth(month)}-01 00:00:00`);
        // The instant before belongs to the month before: nothing falls between two months.
        expect(wall(bounds.start.getTime() - 1000, zone).slice(0, 7)).not.toBe(month);
        bounds.days.forEach((day, i) => {
          expect(wall(day.getTime(), zone)).toBe(`${month}-${String(i + 1).padStart(2, "0")} 00:00:00`);
        });
        // Days are 23, 24 or 25 hours; together exactly the month.
        const edges = [...bounds.days.map((d) => d.getTime()), bounds.end.getTime()];
        const lengths = edges.slice(1).map((end, i) => (end - (edges[i] ?? end)) / hour);
        for (const length of lengths) expect([23, 24, 25]).toContain(length);
        expect(lengths.reduce((a, b) => a + b, 0) * hour).toBe(bounds.end.getTime() - bounds.start.getTime());
      }),
      { numRuns: 60 },
    );
  });

  it("has the daylight saving days: 23 hours in spring, 25 in autumn", () => {
    const length = (month: string, zone: string, day: number) => {
      const b = monthBounds(month, zone);
      const end = b.days[day] ?? b.end;
      return (end.getTime() - (b.days[day - 1]?.getTime() ?? 0)) / hour;
    };
    expect(length("2026-03", "Europe/Berlin", 29)).toBe(23);
    expect(length("2026-10", "Europe/Berlin", 25)).toBe(25);
    expect(length("2026-03", "America/New_York", 8)).toBe(23);
    expect(length("2026-11", "America/New_York", 1)).toBe(25);
    expect(monthBounds("2026-03", "Europe/Berlin").start.toISOString()).toBe("2026-02-28T23:00:00.000Z");
    expect(monthBounds("2026-04", "Europe/Berlin").start.toISOString()).toBe("2026-03-31T22:00:00.000Z");
    expect(monthBounds("2026-11", "America/New_York").end.toISOString()).toBe("2026-12-01T05:00:00.000Z");
  });

  it("starts a day whose midnight is skipped when the clock jumps (America/Santiago, 00:00 → 01:00)", () => {
    expect(new Date(startOfLocalDay(2026, 9, 6, "America/Santiago")).toISOString()).toBe("2026-09-06T04:00:00.000Z");
    expect(localDate(Date.UTC(2026, 8, 6, 3, 59, 59), "America/Santiago")).toBe("2026-09-05");
    expect(monthBounds("2026-09", "America/Santiago").days).toHaveLength(30);
  });

  it("is UTC by default, as before", () => {
    expect(monthBounds("2026-02")).toMatchObject({
      start: new Date("2026-02-01T00:00:00Z"),
      end: new Date("2026-03-01T00:00:00Z"),
      timeZone: "UTC",
    });
  });
});

describe("an interval across a month boundary of the clinic's zone", () => {
  it.each(zones)("%s: each month counts exactly its part, stored split at UTC midnights or not", (zone) => {
    fc.assert(
      fc.property(
        months,
        // From three days before the month's end to a day after it, up to three days long.
        fc.integer({ min: -72 * 60, max: 24 * 60 }),
        fc.integer({ min: 1, max: 72 * 60 }),
        (month, startMinute, minutes) => {
          const first = monthBounds(month, zone);
          const second = monthBounds(nextMonth(month), zone);
          const third = monthBounds(nextMonth(nextMonth(month)), zone);
          const joined = new Date(first.end.getTime() + startMinute * 60_000);
          const left = new Date(joined.getTime() + minutes * 60_000);
          const overlap = (b: { start: Date; end: Date }) =>
            Math.max(0, Math.min(left.getTime(), b.end.getTime()) - Math.max(joined.getTime(), b.start.getTime())) /
            1000;
          const now = new Date(left.getTime() + hour);
          const asStored = splitByUtcDay(joined, left).map(
            (p, i): AttendanceInterval => ({
              session_id: "s",
              attendee_id: "a",
              user_id: `u${i}`,
              ...p,
            }),
          );
          const whole: AttendanceInterval[] = [
            { session_id: "s", attendee_id: "a", user_id: "u", joined_at: joined, left_at: left },
          ];
          for (const intervals of [asStored, whole]) {
            const parts = [first, second, third].map((b) => summarize(intervals, b, now).total_seconds);
            expect(parts).toEqual([overlap(first), overlap(second), overlap(third)]);
            expect(parts.reduce((a, b) => a + b, 0)).toBe(minutes * 60);
            // The days of each month share its part out, each day its own overlap.
            for (const b of [first, second]) {
              const daily = dailySeconds(intervals, b, now);
              expect(daily).toHaveLength(b.days.length);
              const edges = [...b.days, b.end];
              daily.forEach((seconds, i) => {
                expect(seconds).toBe(overlap({ start: edges[i] as Date, end: edges[i + 1] as Date }));
              });
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("names the day the free tier is passed in the clinic's zone", () => {
    // 23:30 UTC on 14 March is 00:30 on the 15th in Berlin: the call passes a 10-minute tier on the 15th there.
    const march = monthBounds("2026-03", "Europe/Berlin");
    const call: AttendanceInterval[] = [
      {
        session_id: "s",
        attendee_id: "a",
        user_id: "u",
        joined_at: new Date("2026-03-14T23:30:00Z"),
        left_at: new Date("2026-03-14T23:50:00Z"),
      },
    ];
    const now = new Date("2026-03-15T00:00:00Z");
    const daily = dailySeconds(call, march, now);
    expect(daily[14]).toBe(1200);
    expect(forecastUsage(daily, march, now, 10).forecast_exceeds_on).toBe("2026-03-15");
  });
});
