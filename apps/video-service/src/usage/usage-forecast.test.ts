import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AttendanceInterval, monthBounds, summarize } from "./usage-calculator.ts";
import { dailySeconds, forecastUsage } from "./usage-forecast.ts";

const november = monthBounds("2026-11"); // 30 days
const at = (iso: string) => new Date(iso);
/** A synthetic month: `minutes[i]` attendee-minutes on day i + 1. */
const month = (minutes: number[]) => {
  const daily = new Array<number>(30).fill(0);
  minutes.forEach((m, i) => {
    daily[i] = m * 60;
  });
  return daily;
};

describe("forecastUsage: month-end projection from the daily totals", () => {
  it("carries a steady rate over the days left (10 days × 20 min → 600 of 1,000: WARNING)", () => {
    const f = forecastUsage(month(new Array(10).fill(20)), november, at("2026-11-11T00:00:00Z"), 1000);
    expect(f).toEqual({ forecast_minutes: 600, forecast_status: "WARNING", forecast_exceeds_on: null });
  });

  it("says on which day a rising month will pass the free tier", () => {
    // 15 days, 600 minutes → 40 a day → 1,200 at month end; 400 more to the limit → 10 days on.
    const f = forecastUsage(month(new Array(15).fill(40)), november, at("2026-11-16T00:00:00Z"), 1000);
    expect(f).toEqual({ forecast_minutes: 1200, forecast_status: "EXCEEDED", forecast_exceeds_on: "2026-11-26" });
  });

  it("names the day the limit was actually passed once it has been", () => {
    const f = forecastUsage(month([300, 300, 300, 300]), november, at("2026-11-05T00:00:00Z"), 1000);
    expect(f.forecast_exceeds_on).toBe("2026-11-04");
    expect(f.forecast_status).toBe("EXCEEDED");
  });

  it("counts at least one elapsed day, so a call in the first hour is not projected from minutes", () => {
    // 30 minutes by 02:00 on the 1st: rate 30 a day (not 360), 30 + 30 × 29.92 ≈ 927.5.
    const f = forecastUsage(month([30]), november, at("2026-11-01T02:00:00Z"), 1000);
    expect(f.forecast_minutes).toBe(927.5);
    expect(f.forecast_status).toBe("CRITICAL");
    expect(f.forecast_exceeds_on).toBeNull();
  });

  it("is the actual total for a finished month, and zero for one not started", () => {
    const done = forecastUsage(month([100, 0, 250]), november, at("2026-12-15T00:00:00Z"), 1000);
    expect(done).toEqual({ forecast_minutes: 350, forecast_status: "HEALTHY", forecast_exceeds_on: null });
    const future = forecastUsage(month([]), november, at("2026-10-20T00:00:00Z"), 1000);
    expect(future).toEqual({ forecast_minutes: 0, forecast_status: "HEALTHY", forecast_exceeds_on: null });
  });

  it("never projects below what was used, and never a crossing day outside the month", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 30, maxLength: 30 }),
        fc.integer({ min: 0, max: 30 * 24 }),
        fc.integer({ min: 1, max: 5000 }),
        (minutes, hours, limit) => {
          const now = new Date(november.start.getTime() + hours * 3_600_000);
          const elapsedDays = Math.floor(hours / 24);
          const daily = month(minutes.map((m, i) => (i < elapsedDays ? m : 0)));
          const used = daily.reduce((a, b) => a + b, 0) / 60;
          const f = forecastUsage(daily, november, now, limit);
          expect(f.forecast_minutes).toBeGreaterThanOrEqual(Math.round(used * 10) / 10 - 0.05);
          if (f.forecast_exceeds_on) expect(f.forecast_exceeds_on.startsWith("2026-11-")).toBe(true);
          if (f.forecast_status !== "EXCEEDED")
            expect(f.forecast_exceeds_on === null || used * 60 > limit * 60).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("dailySeconds", () => {
  const interval = (joined: string, left: string | null, id = "a"): AttendanceInterval => ({
    session_id: "s",
    attendee_id: id,
    user_id: id,
    joined_at: at(joined),
    left_at: left ? at(left) : null,
  });

  it("cuts an interval at midnight and counts an open one up to now", () => {
    const daily = dailySeconds(
      [interval("2026-11-03T23:50:00Z", "2026-11-04T00:20:00Z"), interval("2026-11-05T10:00:00Z", null, "b")],
      november,
      at("2026-11-05T10:05:00Z"),
    );
    expect(daily).toHaveLength(30);
    expect(daily[2]).toBe(600);
    expect(daily[3]).toBe(1200);
    expect(daily[4]).toBe(300);
  });

  it("keeps only the part inside the month", () => {
    const daily = dailySeconds(
      [interval("2026-10-31T23:00:00Z", "2026-11-01T00:30:00Z")],
      november,
      at("2026-12-01T00:00:00Z"),
    );
    expect(daily[0]).toBe(1800);
    expect(daily.reduce((a, b) => a + b, 0)).toBe(1800);
  });

  it("always sums to the month's total (random joins, leaves and reconnects across days and months)", () => {
    const start = at("2026-10-25T00:00:00Z").getTime();
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            from: fc.integer({ min: 0, max: 45 * 86_400 }),
            length: fc.integer({ min: 1, max: 3 * 86_400 }),
            open: fc.boolean(),
            person: fc.constantFrom("a", "b", "c"),
          }),
          { maxLength: 40 },
        ),
        fc.integer({ min: 0, max: 45 * 86_400 }),
        (pieces, nowOffset) => {
          const now = new Date(start + nowOffset * 1000);
          const intervals = pieces
            .map((p) => ({
              session_id: "s",
              attendee_id: `${p.person}-${p.from}`,
              user_id: p.person,
              joined_at: new Date(start + p.from * 1000),
              left_at: p.open ? null : new Date(start + (p.from + p.length) * 1000),
            }))
            .filter((i) => i.joined_at <= now && (i.left_at === null || i.left_at <= now));
          const daily = dailySeconds(intervals, november, now);
          const total = summarize(intervals, november, now).total_seconds;
          expect(daily.reduce((a, b) => a + b, 0)).toBeCloseTo(total, 6);
        },
      ),
      { numRuns: 300 },
    );
  });
});
