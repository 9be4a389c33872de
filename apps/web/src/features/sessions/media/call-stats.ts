import type { CallQualitySummary } from "@clinic/contracts";
import type { LinkSample } from "./adaptation.ts";

/**
 * Reads what weak-network adaptation and the quality record (issue 12) need from one
 * RTCPeerConnection.getStats() report, and sums a call's readings into the summary the
 * browser sends at the end (POST /api/video/sessions/{id}/quality).
 */

/** Cumulative counters of the previous reading, for rates and loss since then. */
export interface StatsCounters {
  atMs: number;
  bytesSent: number;
  bytesReceived: number;
  videoBytesSent: number;
  packetsLost: number;
  packetsReceived: number;
}

export interface StatsReading {
  link: LinkSample;
  outgoingKbps: number | null;
  incomingKbps: number | null;
  /** "1280x720" while video is being sent; null when none went out since the previous reading. */
  sentResolution: string | null;
  /** The selected candidate pair goes through a TURN relay (either end a `relay` candidate). */
  onRelay: boolean;
  /** Packets this side received and lost since the previous reading. */
  packetsLost: number;
  packetsReceived: number;
  counters: StatsCounters;
}

type Stat = Record<string, unknown>;
const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);

function selectedPair(stats: Map<string, Stat>): Stat | undefined {
  for (const stat of stats.values()) {
    if (stat.type === "transport" && typeof stat.selectedCandidatePairId === "string") {
      const pair = stats.get(stat.selectedCandidatePairId);
      if (pair) return pair;
    }
  }
  for (const stat of stats.values()) {
    if (stat.type === "candidate-pair" && stat.state === "succeeded" && stat.nominated !== false) return stat;
  }
  return undefined;
}

export function readStats(report: RTCStatsReport, previous: StatsCounters | null, nowMs: number): StatsReading {
  const stats = new Map<string, Stat>();
  report.forEach((stat: Stat) => {
    if (typeof stat.id === "string") stats.set(stat.id, stat);
  });
  const pair = selectedPair(stats);
  const candidateType = (id: unknown) => (typeof id === "string" ? stats.get(id)?.candidateType : undefined);
  const onRelay = pair
    ? candidateType(pair.localCandidateId) === "relay" || candidateType(pair.remoteCandidateId) === "relay"
    : false;

  let rttMs: number | null = null;
  let lossPct: number | null = null;
  let frame: string | null = null;
  const counters: StatsCounters = {
    atMs: nowMs,
    bytesSent: 0,
    bytesReceived: 0,
    videoBytesSent: 0,
    packetsLost: 0,
    packetsReceived: 0,
  };
  for (const stat of stats.values()) {
    if (stat.type === "remote-inbound-rtp") {
      // What the other side reports of our streams: its RTT and the share of our packets lost.
      const rtt = num(stat.roundTripTime);
      if (rtt !== null && (rttMs === null || stat.kind === "video")) rttMs = rtt * 1000;
      const lost = num(stat.fractionLost);
      if (lost !== null) lossPct = Math.max(lossPct ?? 0, Math.min(1, Math.max(0, lost)) * 100);
    } else if (stat.type === "outbound-rtp") {
      const bytes = num(stat.bytesSent) ?? 0;
      counters.bytesSent += bytes;
      if (stat.kind === "video") {
        counters.videoBytesSent += bytes;
        const width = num(stat.frameWidth);
        const height = num(stat.frameHeight);
        if (width && height) frame = `${Math.round(width)}x${Math.round(height)}`;
      }
    } else if (stat.type === "inbound-rtp") {
      counters.bytesReceived += num(stat.bytesReceived) ?? 0;
      counters.packetsLost += Math.max(0, num(stat.packetsLost) ?? 0);
      counters.packetsReceived += num(stat.packetsReceived) ?? 0;
    }
  }
  if (rttMs === null && pair) {
    const rtt = num(pair.currentRoundTripTime);
    if (rtt !== null) rttMs = rtt * 1000;
  }
  const available = pair ? num(pair.availableOutgoingBitrate) : null;

  // Counters restart with a new peer connection (a reconnect): then everything counts as new.
  const restarted =
    !previous || counters.bytesSent < previous.bytesSent || counters.bytesReceived < previous.bytesReceived;
  const base = restarted ? null : previous;
  const seconds = base ? (nowMs - base.atMs) / 1000 : 0;
  const kbps = (now: number, before: number) => (base && seconds > 0 ? ((now - before) * 8) / 1000 / seconds : null);
  const videoFlowing = base ? counters.videoBytesSent > base.videoBytesSent : counters.videoBytesSent > 0;
  return {
    link: { rttMs, lossPct, availableKbps: available === null ? null : available / 1000 },
    outgoingKbps: kbps(counters.bytesSent, base?.bytesSent ?? 0),
    incomingKbps: kbps(counters.bytesReceived, base?.bytesReceived ?? 0),
    sentResolution: videoFlowing ? frame : null,
    onRelay,
    packetsLost: Math.max(0, counters.packetsLost - (base?.packetsLost ?? 0)),
    packetsReceived: Math.max(0, counters.packetsReceived - (base?.packetsReceived ?? 0)),
    counters,
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const round1 = (value: number | null, max: number) =>
  value === null ? null : Math.min(max, Math.max(0, Math.round(value * 10) / 10));
const wholeSeconds = (ms: number) => Math.min(86_400, Math.max(0, Math.round(ms / 1000)));

/** A reading counts for at most this long: a longer gap (no connected link) is not call time. */
const MAX_STEP_MS = 5_000;

/** One call's readings, summed. The summary outlives the call (it is sent after hang-up). */
export class CallStatsRecorder {
  private readonly rtts: number[] = [];
  private readonly outgoing: number[] = [];
  private readonly incoming: number[] = [];
  private readonly resolutions = new Map<string, number>();
  private lost = 0;
  private received = 0;
  private relayMs = 0;
  private audioOnlyMs = 0;
  private callMs = 0;
  private lastAt: number | null = null;

  /** `audioOnly`: the level in force since the previous reading was audio-only. */
  record(reading: StatsReading, nowMs: number, audioOnly: boolean) {
    const stepMs = this.lastAt === null ? 0 : Math.min(MAX_STEP_MS, Math.max(0, nowMs - this.lastAt));
    this.lastAt = nowMs;
    this.callMs += stepMs;
    if (reading.onRelay) this.relayMs += stepMs;
    if (audioOnly) this.audioOnlyMs += stepMs;
    if (reading.link.rttMs !== null) this.rtts.push(reading.link.rttMs);
    if (reading.outgoingKbps !== null) this.outgoing.push(reading.outgoingKbps);
    if (reading.incomingKbps !== null) this.incoming.push(reading.incomingKbps);
    if (reading.sentResolution) {
      this.resolutions.set(reading.sentResolution, (this.resolutions.get(reading.sentResolution) ?? 0) + 1);
    }
    this.lost += reading.packetsLost;
    this.received += reading.packetsReceived;
  }

  /** Null until a connected call was measured at least once. */
  summary(): CallQualitySummary | null {
    if (this.lastAt === null) return null;
    let resolution: string | null = null;
    let most = 0;
    for (const [value, count] of this.resolutions) {
      if (count > most) [resolution, most] = [value, count];
    }
    const packets = this.lost + this.received;
    return {
      rtt_ms_median: round1(median(this.rtts), 60_000),
      packet_loss_pct: packets > 0 ? round1((this.lost / packets) * 100, 100) : null,
      outgoing_kbps_median: round1(median(this.outgoing), 100_000),
      incoming_kbps_median: round1(median(this.incoming), 100_000),
      sent_resolution: resolution,
      relay_seconds: wholeSeconds(this.relayMs),
      audio_only_seconds: wholeSeconds(this.audioOnlyMs),
      call_seconds: wholeSeconds(this.callMs),
    };
  }
}
