import { describe, expect, it } from "vitest";
import { AdaptationPolicy, ENCODINGS, type LinkSample, targetLevel } from "./adaptation.ts";

const good: LinkSample = { rttMs: 60, lossPct: 0.5, availableKbps: 2500 };
const fair: LinkSample = { rttMs: 250, lossPct: 6, availableKbps: 600 }; // medium
const poor: LinkSample = { rttMs: 500, lossPct: 12, availableKbps: 200 }; // low
const dire: LinkSample = { rttMs: 900, lossPct: 30, availableKbps: 60 }; // below the floor

const feed = (policy: AdaptationPolicy, sample: LinkSample, times: number) => {
  let level = policy.level;
  for (let i = 0; i < times; i++) level = policy.next(sample);
  return level;
};

describe("targetLevel: what one sample allows", () => {
  it("maps RTT, loss and available bitrate to a level, the worst figure deciding", () => {
    expect(targetLevel(good)).toBe("high");
    expect(targetLevel(fair)).toBe("medium");
    expect(targetLevel(poor)).toBe("low");
    expect(targetLevel(dire)).toBe("audio-only");
    expect(targetLevel({ ...good, availableKbps: 90 })).toBe("audio-only");
    expect(targetLevel({ ...good, lossPct: 25 })).toBe("audio-only");
    expect(targetLevel({ ...good, rttMs: 2000 })).toBe("audio-only");
    expect(targetLevel({ ...good, rttMs: 450 })).toBe("medium");
  });

  it("judges on what was measured, and nothing measured is no evidence", () => {
    expect(targetLevel({ rttMs: null, lossPct: null, availableKbps: 250 })).toBe("low");
    expect(targetLevel({ rttMs: null, lossPct: null, availableKbps: null })).toBeNull();
  });

  it("in audio-only ignores the bitrate estimate (no video is sent to probe it)", () => {
    expect(targetLevel({ ...good, availableKbps: 40 }, true)).toBe("high");
    expect(targetLevel({ ...dire, availableKbps: 40 }, true)).toBe("audio-only");
  });
});

describe("AdaptationPolicy: hysteresis", () => {
  it("starts high and steps down after two bad samples in a row, not after one", () => {
    const policy = new AdaptationPolicy();
    expect(policy.level).toBe("high");
    expect(policy.next(fair)).toBe("high");
    expect(policy.next(good)).toBe("high"); // a blip
    expect(policy.next(fair)).toBe("high");
    expect(policy.next(fair)).toBe("medium");
    expect(feed(policy, poor, 2)).toBe("low");
  });

  it("drops straight to audio-only below the floor, but only as far as the mildest bad sample says", () => {
    const fast = new AdaptationPolicy();
    expect(feed(fast, dire, 2)).toBe("audio-only");
    const mixed = new AdaptationPolicy();
    mixed.next(dire);
    expect(mixed.next(poor)).toBe("low");
  });

  it("steps up one level at a time, only after five good samples in a row", () => {
    const policy = new AdaptationPolicy();
    feed(policy, dire, 2);
    expect(feed(policy, good, 4)).toBe("audio-only");
    expect(policy.next(good)).toBe("low");
    expect(feed(policy, good, 4)).toBe("low");
    expect(policy.next(good)).toBe("medium");
    expect(feed(policy, good, 5)).toBe("high");
  });

  it("a bad sample restarts the climb; a sample at the current level holds it", () => {
    const policy = new AdaptationPolicy();
    feed(policy, poor, 2);
    feed(policy, good, 4);
    policy.next(poor); // at the current level: holds, and the good run starts again
    expect(feed(policy, good, 4)).toBe("low");
    expect(policy.next(good)).toBe("medium");
  });

  it("ignores samples without figures", () => {
    const policy = new AdaptationPolicy();
    policy.next(dire);
    policy.next({ rttMs: null, lossPct: null, availableKbps: null });
    expect(policy.next(dire)).toBe("audio-only");
  });

  it("takes other run lengths", () => {
    const policy = new AdaptationPolicy({ downAfter: 1, upAfter: 2 });
    expect(policy.next(fair)).toBe("medium");
    policy.next(good);
    expect(policy.next(good)).toBe("high");
  });
});

describe("ENCODINGS: what each level sends", () => {
  it("halves then quarters the resolution, lowers the frame rate, and sends no video in audio-only", () => {
    expect(ENCODINGS.high).toMatchObject({ active: true, scaleResolutionDownBy: 1, maxFramerate: 30 });
    expect(ENCODINGS.medium).toMatchObject({ active: true, scaleResolutionDownBy: 2, maxFramerate: 15 });
    expect(ENCODINGS.low).toMatchObject({ active: true, scaleResolutionDownBy: 4, maxFramerate: 10 });
    expect(ENCODINGS["audio-only"].active).toBe(false);
  });
});
