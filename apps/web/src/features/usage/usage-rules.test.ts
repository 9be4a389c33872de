import { describe, expect, it } from "vitest";
import { usageColours, usageStatusFor, videoBlockedReason } from "./usage-status.ts";

describe("usage thresholds", () => {
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
