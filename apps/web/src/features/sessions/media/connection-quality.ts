import type { Quality } from "./call-state.ts";

export interface QualitySample {
  rttMs: number | null;
  lossPct: number | null;
}

export interface PacketCounters {
  lost: number;
  received: number;
}

/** Good: RTT < 150 ms and loss < 2 %; Fair: RTT < 400 ms and loss < 8 %; otherwise Poor. */
export function classifyQuality({ rttMs, lossPct }: QualitySample): Quality {
  if (rttMs === null && lossPct === null) return "unknown";
  const rtt = rttMs ?? 0;
  const loss = lossPct ?? 0;
  if (rtt < 150 && loss < 2) return "good";
  if (rtt < 400 && loss < 8) return "fair";
  return "poor";
}

/** Reads RTT from the selected candidate pair and loss since the previous sample. */
export function sampleStats(
  report: RTCStatsReport,
  previous: PacketCounters | null,
): { sample: QualitySample; counters: PacketCounters } {
  let rttMs: number | null = null;
  const counters: PacketCounters = { lost: 0, received: 0 };
  report.forEach((stat: Record<string, unknown>) => {
    if (stat.type === "candidate-pair" && stat.state === "succeeded" && typeof stat.currentRoundTripTime === "number") {
      if (stat.nominated !== false) rttMs = stat.currentRoundTripTime * 1000;
    }
    if (stat.type === "inbound-rtp") {
      counters.lost += typeof stat.packetsLost === "number" ? Math.max(0, stat.packetsLost) : 0;
      counters.received += typeof stat.packetsReceived === "number" ? stat.packetsReceived : 0;
    }
  });
  let lossPct: number | null = null;
  if (previous) {
    const lost = counters.lost - previous.lost;
    const received = counters.received - previous.received;
    lossPct = lost + received > 0 ? (Math.max(0, lost) / (lost + received)) * 100 : null;
  }
  return { sample: { rttMs, lossPct }, counters };
}
