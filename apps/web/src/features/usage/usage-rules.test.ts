import { describe, expect, it } from "vitest";
import { dailyMinutes } from "./daily-minutes.ts";
import { usageColours, usageStatusFor, videoBlockedReason } from "./usage-status.ts";

describe("usage thresholds (design.md §5)", () => {
  it.each([
    [0, "HEALTHY"],
    [49.9, "HEALTHY"],
    [50, "WARNING"],
    [79.9, "WARNING"],
    [80, "CRITICAL"],
    [100, "CRITICAL"],
    [100.1, "EXCEEDED"],
  ] as const)("%d %% is %s", (pct, status) => {
    expect(usageStatusFor(pct)).toBe(status);
  });

  it("colours each status: green, yellow, orange, red", () => {
    expect(usageColours).toEqual({ HEALTHY: "green", WARNING: "yellow", CRITICAL: "orange", EXCEEDED: "red" });
  });

  it("blocks video only when EXCEEDED", () => {
    expect(videoBlockedReason("CRITICAL")).toBeNull();
    expect(videoBlockedReason("EXCEEDED")).toMatch(/Free Tier limit exceeded/);
  });
});

describe("dailyMinutes", () => {
  it("sums attendee-minutes per local day and fills every day of the month", () => {
    const noon = (d: number) => new Date(2026, 0, d, 12).toISOString();
    const days = dailyMinutes("2026-01", [
      {
        session_id: "a",
        patient_name: "A",
        start_time: noon(3),
        duration_minutes: 10,
        attendees: 2,
        attendee_minutes: 20,
      },
      {
        session_id: "b",
        patient_name: "B",
        start_time: noon(3),
        duration_minutes: 5,
        attendees: 1,
        attendee_minutes: 5,
      },
      {
        session_id: "c",
        patient_name: "C",
        start_time: noon(31),
        duration_minutes: 1,
        attendees: 2,
        attendee_minutes: 2,
      },
      {
        session_id: "d",
        patient_name: "D",
        start_time: new Date(2026, 1, 1, 12).toISOString(),
        duration_minutes: 9,
        attendees: 1,
        attendee_minutes: 9,
      },
    ]);
    expect(days).toHaveLength(31);
    expect(days[2]).toEqual({ day: "3", minutes: 25 });
    expect(days[30]).toEqual({ day: "31", minutes: 2 });
    expect(days.reduce((s, d) => s + d.minutes, 0)).toBe(27);
  });
});
