import { describe, expect, it } from "vitest";
import { type CallableAppointment, callIsDue, joinWindow, joinWindowHint, joinWindowState } from "./join-window.ts";

const start = "2026-01-25T14:00:00Z";
const at = (iso: string) => new Date(iso);

describe("joinWindow", () => {
  const window = joinWindow(start, 30);

  it("opens 10 minutes before the start and closes 30 minutes after the scheduled end", () => {
    expect(window.opensAt.toISOString()).toBe("2026-01-25T13:50:00.000Z");
    expect(window.closesAt.toISOString()).toBe("2026-01-25T15:00:00.000Z");
  });

  it.each([
    ["2026-01-25T13:49:59Z", "before"],
    ["2026-01-25T13:50:00Z", "open"],
    ["2026-01-25T14:15:00Z", "open"],
    ["2026-01-25T15:00:00Z", "open"],
    ["2026-01-25T15:00:01Z", "after"],
  ] as const)("at %s the window is %s", (now, state) => {
    expect(joinWindowState(window, at(now))).toBe(state);
  });

  it("honours configured minutes", () => {
    const custom = joinWindow(start, 20, 5, 0);
    expect(custom.opensAt.toISOString()).toBe("2026-01-25T13:55:00.000Z");
    expect(custom.closesAt.toISOString()).toBe("2026-01-25T14:20:00.000Z");
  });

  it("says when the window opens, is open until, or has passed", () => {
    expect(joinWindowHint(window, at("2026-01-25T13:00:00Z"))).toMatch(/^Video opens at /);
    expect(joinWindowHint(window, at("2026-01-25T14:00:00Z"))).toMatch(/^Video is open until /);
    expect(joinWindowHint(window, at("2026-01-25T16:00:00Z"))).toBe(
      "The time to start this video consultation has passed",
    );
  });
});

describe("callIsDue", () => {
  const now = new Date("2026-12-01T10:00:00Z");
  const at = (minutesFromNow: number, overrides: Partial<CallableAppointment> = {}): CallableAppointment => ({
    video_enabled: true,
    status: "SCHEDULED",
    start_time: new Date(now.getTime() + minutesFromNow * 60_000).toISOString(),
    duration_minutes: 30,
    ...overrides,
  });

  it("is due inside the join window and while the call runs", () => {
    expect(callIsDue(at(5), now)).toBe(true);
    expect(callIsDue(at(-50), now)).toBe(true);
    expect(callIsDue(at(-500, { status: "IN_PROGRESS" }), now)).toBe(true);
  });

  it("is not due before the window, after it, for an in-person visit or a finished one", () => {
    expect(callIsDue(at(11), now)).toBe(false);
    expect(callIsDue(at(-61), now)).toBe(false);
    expect(callIsDue(at(0, { video_enabled: false }), now)).toBe(false);
    expect(callIsDue(at(0, { status: "COMPLETED" }), now)).toBe(false);
    expect(callIsDue(at(0, { status: "CANCELLED" }), now)).toBe(false);
  });
});
