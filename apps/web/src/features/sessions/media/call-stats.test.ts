import { describe, expect, it } from "vitest";
import { CallStatsRecorder, readStats } from "./call-stats.ts";

const report = (stats: Record<string, unknown>[]) =>
  new Map(stats.map((s) => [s.id as string, s])) as unknown as RTCStatsReport;

const pair = (extra: Record<string, unknown> = {}) => ({
  id: "CP",
  type: "candidate-pair",
  state: "succeeded",
  nominated: true,
  localCandidateId: "L",
  remoteCandidateId: "R",
  currentRoundTripTime: 0.12,
  availableOutgoingBitrate: 640_000,
  ...extra,
});

describe("readStats", () => {
  it("reads RTT and loss from remote-inbound-rtp, the available bitrate from the selected pair, relay from either candidate", () => {
    const reading = readStats(
      report([
        pair(),
        { id: "L", type: "local-candidate", candidateType: "host" },
        { id: "R", type: "remote-candidate", candidateType: "relay" },
        { id: "RA", type: "remote-inbound-rtp", kind: "audio", roundTripTime: 0.3, fractionLost: 0.02 },
        { id: "RV", type: "remote-inbound-rtp", kind: "video", roundTripTime: 0.2, fractionLost: 0.05 },
      ]),
      null,
      1_000,
    );
    expect(reading.link).toEqual({ rttMs: 200, lossPct: 5, availableKbps: 640 });
    expect(reading.onRelay).toBe(true);
    expect(reading.outgoingKbps).toBeNull(); // a rate needs two readings
  });

  it("falls back to the candidate pair's RTT; no pair, no relay and no bitrate", () => {
    expect(readStats(report([pair()]), null, 0).link.rttMs).toBe(120);
    expect(readStats(report([]), null, 0)).toMatchObject({
      link: { rttMs: null, lossPct: null, availableKbps: null },
      onRelay: false,
    });
  });

  it("gives rates and the sent resolution between two readings, and starts over when the counters restart", () => {
    const at = (bytes: number) =>
      report([
        { id: "OV", type: "outbound-rtp", kind: "video", bytesSent: bytes, frameWidth: 640, frameHeight: 360 },
        {
          id: "IV",
          type: "inbound-rtp",
          kind: "video",
          bytesReceived: bytes / 2,
          packetsReceived: 90,
          packetsLost: 10,
        },
      ]);
    const first = readStats(at(100_000), null, 0);
    const second = readStats(at(350_000), first.counters, 2_000);
    expect(second.outgoingKbps).toBe(1000);
    expect(second.incomingKbps).toBe(500);
    expect(second.sentResolution).toBe("640x360");
    // Video paused (no bytes since): no resolution is being sent.
    expect(readStats(at(350_000), second.counters, 4_000).sentResolution).toBeNull();
    const restarted = readStats(at(1_000), second.counters, 6_000);
    expect(restarted).toMatchObject({ outgoingKbps: null, packetsLost: 10, packetsReceived: 90 });
  });
});

describe("CallStatsRecorder", () => {
  it("summarises medians, loss over the call, the most common resolution and bounded figures", () => {
    const recorder = new CallStatsRecorder();
    const reading = (rttMs: number, resolution: string | null, lost = 0) => ({
      link: { rttMs, lossPct: null, availableKbps: null },
      outgoingKbps: rttMs * 10,
      incomingKbps: 70_000_000,
      sentResolution: resolution,
      onRelay: false,
      packetsLost: lost,
      packetsReceived: 99,
      counters: { atMs: 0, bytesSent: 0, bytesReceived: 0, videoBytesSent: 0, packetsLost: 0, packetsReceived: 0 },
    });
    recorder.record(reading(10, "1280x720"), 0, false);
    recorder.record(reading(30, "640x360", 1), 2_000, false);
    recorder.record(reading(20, "640x360"), 4_000, true);
    recorder.record(reading(40, null), 60_000, true); // a long gap counts 5 s at most
    expect(recorder.summary()).toEqual({
      rtt_ms_median: 25,
      packet_loss_pct: 0.3,
      outgoing_kbps_median: 250,
      incoming_kbps_median: 100_000,
      sent_resolution: "640x360",
      relay_seconds: 0,
      audio_only_seconds: 7,
      call_seconds: 9,
    });
  });
});
