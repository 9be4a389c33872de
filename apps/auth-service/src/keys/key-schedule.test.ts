import { describe, expect, it } from "vitest";
import { keySchedule } from "./key-schedule.ts";

const at = (minutes: number) => new Date(Date.UTC(2026, 11, 2, 12, minutes));
const key = (kid: string, activatesAt: number, retired?: number) => ({
  kid,
  activates_at: at(activatesAt),
  created_at: at(activatesAt),
  retired_at: retired === undefined ? null : at(retired),
});
const states = (keys: ReturnType<typeof key>[], now: number) =>
  keySchedule(keys, at(now), 16 * 60).map((s) => [s.key.kid, s.state, s.retiresAt?.toISOString()]);

describe("key schedule", () => {
  const keys = [key("k2", 10), key("k1", 0)];

  it("signs with one key at a time and publishes the previous one for the overlap", () => {
    expect(states(keys, 5)).toEqual([
      ["k1", "active", at(26).toISOString()],
      ["k2", "upcoming", undefined],
    ]);
    expect(states(keys, 10)).toEqual([
      ["k1", "previous", at(26).toISOString()],
      ["k2", "active", undefined],
    ]);
    expect(states(keys, 26)).toEqual([
      ["k1", "retired", at(26).toISOString()],
      ["k2", "active", undefined],
    ]);
  });

  it("never leaves the oldest live key unused (a clock before its activation), and skips retired keys", () => {
    expect(states([key("k1", 30)], 0)).toEqual([["k1", "active", undefined]]);
    expect(states([key("k0", 0, 5), key("k1", 10)], 1)).toEqual([
      ["k0", "retired", undefined],
      ["k1", "active", undefined],
    ]);
  });
});
