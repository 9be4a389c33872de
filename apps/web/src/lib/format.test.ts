import { describe, expect, it } from "vitest";
import { freeTierLabel } from "../features/usage/usage-status.ts";
import { formatDateTime, formatTime, isoToZonedWallClock, zonedWallClockToIso } from "./format.ts";

describe("dates on screen name their zone", () => {
  it("formats in the given zone with its name", () => {
    expect(formatDateTime("2026-12-02T13:30:00Z", "Europe/Berlin")).toBe("2 Dec 2026, 14:30 (Europe/Berlin)");
    expect(formatDateTime("2026-12-02T13:30:00Z", "America/New_York")).toBe("2 Dec 2026, 08:30 (America/New_York)");
    expect(formatTime("2026-07-02T12:30:00Z", "Europe/Berlin")).toBe("14:30 (Europe/Berlin)");
    expect(formatDateTime(null, "UTC")).toBe("—");
  });
});

describe("wall clock in the clinic's zone ↔ UTC", () => {
  it("reads a picker value in the clinic's zone, winter and summer", () => {
    expect(zonedWallClockToIso("2026-12-02 14:30:00", "Europe/Berlin")).toBe("2026-12-02T13:30:00.000Z");
    expect(zonedWallClockToIso("2026-07-02 14:30:00", "Europe/Berlin")).toBe("2026-07-02T12:30:00.000Z");
    expect(zonedWallClockToIso("2026-12-02 14:30", "America/New_York")).toBe("2026-12-02T19:30:00.000Z");
    expect(zonedWallClockToIso("2026-12-02 14:30:00", "UTC")).toBe("2026-12-02T14:30:00.000Z");
  });

  it("handles the nights the clocks change", () => {
    // 29 March 2026, 02:30 does not exist in Berlin (02:00 → 03:00): it lands at 03:30 CEST.
    expect(zonedWallClockToIso("2026-03-29 02:30:00", "Europe/Berlin")).toBe("2026-03-29T01:30:00.000Z");
    expect(zonedWallClockToIso("2026-03-29 03:30:00", "Europe/Berlin")).toBe("2026-03-29T01:30:00.000Z");
    expect(zonedWallClockToIso("2026-03-29 01:30:00", "Europe/Berlin")).toBe("2026-03-29T00:30:00.000Z");
    // 25 October 2026: 02:30 happens twice; either reading is 02:30 on the wall.
    const ambiguous = zonedWallClockToIso("2026-10-25 02:30:00", "Europe/Berlin") as string;
    expect(isoToZonedWallClock(ambiguous, "Europe/Berlin")).toBe("2026-10-25 02:30:00");
  });

  it("round-trips an instant through the picker's value", () => {
    const iso = "2026-12-02T13:30:00.000Z";
    expect(isoToZonedWallClock(iso, "Europe/Berlin")).toBe("2026-12-02 14:30:00");
    expect(zonedWallClockToIso(isoToZonedWallClock(iso, "Asia/Kolkata"), "Asia/Kolkata")).toBe(iso);
  });

  it("refuses what is not a date and time", () => {
    expect(zonedWallClockToIso("tomorrow", "Europe/Berlin")).toBeNull();
    expect(zonedWallClockToIso("", "Europe/Berlin")).toBeNull();
  });
});

describe("free tier label", () => {
  it("reads 'Free Tier: <n> %' with at most two decimals", () => {
    expect(freeTierLabel(0.03)).toBe("Free Tier: 0.03 %");
    expect(freeTierLabel(0.0333)).toBe("Free Tier: 0.03 %");
    expect(freeTierLabel(45)).toBe("Free Tier: 45 %");
    expect(freeTierLabel(104.256)).toBe("Free Tier: 104.26 %");
  });
});
