import { describe, expect, it } from "vitest";
import {
  type AttendanceInterval,
  monthBounds,
  splitByUtcDay,
  summarize,
  toMinutes,
  usagePercentage,
  usageStatus,
} from "./usage-calculator.ts";

const at = (iso: string) => new Date(iso);
const interval = (user: string, joined: string, left: string | null, session = "s1"): AttendanceInterval => ({
  session_id: session,
  attendee_id: `a-${user}-${joined}`,
  user_id: user,
  joined_at: at(joined),
  left_at: left ? at(left) : null,
});
const jan = monthBounds("2026-01");
const now = at("2026-02-10T00:00:00Z");

describe("attendee-minutes", () => {
  it("two attendees for 10 minutes = 20", () => {
    const usage = summarize(
      [
        interval("doc", "2026-01-25T14:00:00Z", "2026-01-25T14:10:00Z"),
        interval("pat", "2026-01-25T14:00:00Z", "2026-01-25T14:10:00Z"),
      ],
      jan,
      now,
    );
    expect(toMinutes(usage.total_seconds)).toBe(20);
    expect(usage.sessions).toEqual([{ session_id: "s1", seconds: 1200, attendees: 2 }]);
  });

  it("a third attendee joining for the last 5 minutes makes 25", () => {
    const usage = summarize(
      [
        interval("doc", "2026-01-25T14:00:00Z", "2026-01-25T14:10:00Z"),
        interval("pat", "2026-01-25T14:00:00Z", "2026-01-25T14:10:00Z"),
        interval("relative", "2026-01-25T14:05:00Z", "2026-01-25T14:10:00Z"),
      ],
      jan,
      now,
    );
    expect(toMinutes(usage.total_seconds)).toBe(25);
    expect(usage.sessions[0]?.attendees).toBe(3);
  });

  it("sums the intervals of a reconnecting attendee and counts them as one person", () => {
    const usage = summarize(
      [
        interval("doc", "2026-01-25T14:00:00Z", "2026-01-25T14:04:00Z"),
        interval("doc", "2026-01-25T14:05:00Z", "2026-01-25T14:10:00Z"),
        interval("pat", "2026-01-25T14:00:00Z", "2026-01-25T14:10:00Z"),
      ],
      jan,
      now,
    );
    expect(toMinutes(usage.total_seconds)).toBe(19);
    expect(usage.sessions[0]?.attendees).toBe(2);
  });

  it("counts an interval crossing a month boundary in each month for its part", () => {
    const crossing = [interval("doc", "2026-01-31T23:50:00Z", "2026-02-01T00:20:00Z")];
    expect(toMinutes(summarize(crossing, jan, now).total_seconds)).toBe(10);
    expect(toMinutes(summarize(crossing, monthBounds("2026-02"), now).total_seconds)).toBe(20);
    expect(summarize(crossing, monthBounds("2025-12"), now).sessions).toEqual([]);
  });

  it("counts a still-open interval up to now", () => {
    const open = [interval("doc", "2026-02-09T23:30:00Z", null)];
    expect(toMinutes(summarize(open, monthBounds("2026-02"), now).total_seconds)).toBe(30);
  });

  it("splits an interval at each UTC midnight when it is stored (December into January)", () => {
    const pieces = splitByUtcDay(at("2025-12-30T23:00:00Z"), at("2026-01-01T01:00:00Z"));
    expect(pieces.map((p) => [p.joined_at.toISOString(), p.left_at.toISOString()])).toEqual([
      ["2025-12-30T23:00:00.000Z", "2025-12-31T00:00:00.000Z"],
      ["2025-12-31T00:00:00.000Z", "2026-01-01T00:00:00.000Z"],
      ["2026-01-01T00:00:00.000Z", "2026-01-01T01:00:00.000Z"],
    ]);
    expect(splitByUtcDay(at("2026-01-05T10:00:00Z"), at("2026-01-05T10:30:00Z"))).toHaveLength(1);
  });

  it("shows minutes with one decimal, rounded half up", () => {
    expect(toMinutes(0)).toBe(0);
    expect(toMinutes(20)).toBe(0.3);
    expect(toMinutes(3)).toBe(0.1);
    expect(toMinutes(89)).toBe(1.5);
  });
});

describe("usage status thresholds (FREE_TIER_MINUTES = 1000)", () => {
  it.each([
    [0, "HEALTHY"],
    [499.9, "HEALTHY"],
    [500, "WARNING"],
    [799.9, "WARNING"],
    [800, "CRITICAL"],
    [1000, "CRITICAL"],
    [1000.1, "EXCEEDED"],
    [2500, "EXCEEDED"],
  ])("%d minutes → %s", (minutes, status) => {
    expect(usageStatus(usagePercentage(minutes * 60, 1000))).toBe(status);
  });

  it("judges the status on the percentage it reports (never EXCEEDED at a shown 100 %)", () => {
    expect(usagePercentage(60.001, 1)).toBe(100);
    expect(usageStatus(usagePercentage(60.001, 1))).toBe("CRITICAL");
    expect(usagePercentage(60.01, 1)).toBe(100.02);
    expect(usageStatus(usagePercentage(60.01, 1))).toBe("EXCEEDED");
  });
});
