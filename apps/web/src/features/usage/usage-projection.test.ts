import { describe, expect, it } from "vitest";
import { forecastWarning, projectionSeries } from "./usage-projection.ts";

const november = (minutes: Record<number, number>) =>
  Array.from({ length: 30 }, (_, i) => ({
    date: `2026-11-${String(i + 1).padStart(2, "0")}`,
    attendee_minutes: minutes[i + 1] ?? 0,
  }));

describe("projectionSeries", () => {
  it("spreads the rest of the forecast over the days left, from today", () => {
    // 11 Nov 00:00: 20 days left; 600 used, 1,000 forecast → 20 a day on days 11–30.
    const data = projectionSeries(
      { daily: november({ 3: 600 }), total_attendee_minutes: 600, forecast_minutes: 1000 },
      new Date("2026-11-11T00:00:00Z"),
    );
    expect(data).toHaveLength(30);
    expect(data[2]).toEqual({ day: "3", minutes: 600, projected: null });
    expect(data[9]?.projected).toBeNull();
    expect(data[10]).toEqual({ day: "11", minutes: 0, projected: 20 });
    expect(data[29]?.projected).toBe(20);
  });

  it("has no projection for a month that is over or not begun", () => {
    const usage = { daily: november({ 1: 5 }), total_attendee_minutes: 5, forecast_minutes: 5 };
    for (const now of ["2026-12-02T00:00:00Z", "2026-10-02T00:00:00Z"]) {
      expect(projectionSeries(usage, new Date(now)).every((d) => d.projected === null)).toBe(true);
    }
  });
});

describe("forecastWarning", () => {
  const base = {
    status: "WARNING" as const,
    forecast_status: "EXCEEDED" as const,
    forecast_exceeds_on: "2026-11-26",
    forecast_minutes: 1200,
    free_tier_limit: 1000,
  };

  it("warns while the month is on course to pass the free tier, naming the day", () => {
    expect(forecastWarning(base)).toMatch(
      /free tier of 1000 attendee-minutes will run out around (26 Nov|Nov 26).*1200 minutes/,
    );
  });

  it("stays quiet when the forecast is within the tier, or the tier is already exceeded", () => {
    expect(forecastWarning({ ...base, forecast_status: "CRITICAL", forecast_exceeds_on: null })).toBeNull();
    expect(forecastWarning({ ...base, status: "EXCEEDED" })).toBeNull();
  });
});
