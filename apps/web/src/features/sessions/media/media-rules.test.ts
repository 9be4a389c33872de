import { describe, expect, it } from "vitest";
import { backoffDelayMs, MAX_RECONNECT_ATTEMPTS } from "./backoff.ts";
import { describeMediaError } from "./call-state.ts";
import { classifyQuality, sampleStats } from "./connection-quality.ts";
import { signallingUrl } from "./signalling-url.ts";

describe("reconnect backoff", () => {
  it("doubles from 1 s and stops growing at 30 s", () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
  it("gives up after a bounded number of attempts", () => {
    expect(MAX_RECONNECT_ATTEMPTS).toBeGreaterThan(3);
    expect(MAX_RECONNECT_ATTEMPTS).toBeLessThanOrEqual(10);
  });
});

describe("signallingUrl", () => {
  const page = { href: "https://clinic.example/sessions/x/call" };
  it("reaches a video-service path through the gateway prefix, as wss on an https page", () => {
    expect(signallingUrl("/api/video/sessions/s1/signal", "t 1", page)).toBe(
      "wss://clinic.example/video/api/video/sessions/s1/signal?token=t+1",
    );
  });
  it("keeps an absolute ws URL and adds the token", () => {
    expect(signallingUrl("ws://127.0.0.1:8086/api/video/sessions/s1/signal", "abc", page)).toBe(
      "ws://127.0.0.1:8086/api/video/sessions/s1/signal?token=abc",
    );
  });
  it("turns http into ws", () => {
    expect(signallingUrl("http://localhost:8000/video/api/video/sessions/s1/signal", "abc", page)).toMatch(
      /^ws:\/\/localhost:8000\//,
    );
  });
});

describe("connection quality", () => {
  it.each([
    [{ rttMs: 40, lossPct: 0 }, "good"],
    [{ rttMs: 200, lossPct: 1 }, "fair"],
    [{ rttMs: 50, lossPct: 5 }, "fair"],
    [{ rttMs: 500, lossPct: 0 }, "poor"],
    [{ rttMs: 50, lossPct: 12 }, "poor"],
    [{ rttMs: null, lossPct: null }, "unknown"],
  ] as const)("%o is %s", (sample, quality) => {
    expect(classifyQuality(sample)).toBe(quality);
  });

  it("reads RTT from the succeeded candidate pair and loss since the previous sample", () => {
    const report = new Map<string, Record<string, unknown>>([
      ["p", { type: "candidate-pair", state: "succeeded", nominated: true, currentRoundTripTime: 0.12 }],
      ["a", { type: "inbound-rtp", packetsLost: 15, packetsReceived: 1090 }],
    ]) as unknown as RTCStatsReport;
    const { sample, counters } = sampleStats(report, { lost: 10, received: 1000 });
    expect(sample.rttMs).toBeCloseTo(120);
    expect(sample.lossPct).toBeCloseTo((5 / 95) * 100);
    expect(counters).toEqual({ lost: 15, received: 1090 });
  });
});

describe("camera and microphone errors", () => {
  it("explains a refusal and offers a retry", () => {
    const result = describeMediaError(new DOMException("denied", "NotAllowedError"));
    expect(result.phase).toBe("media-denied");
    expect(result.message).toMatch(/blocked/);
  });
  it("tells apart a missing device", () => {
    expect(describeMediaError(new DOMException("none", "NotFoundError")).message).toMatch(/No camera or microphone/);
  });
});
