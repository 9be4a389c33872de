import type { CallQualitySummary, QualityMode } from "@clinic/contracts";
import { type AdaptationLevel, type AdaptationOptions, AdaptationPolicy } from "./adaptation.ts";
import { CallStatsRecorder, readStats, type StatsCounters } from "./call-stats.ts";

/** Where the stats come from: the browser's by default, a test's reports in tests. */
export type StatsSource = (pc: RTCPeerConnection) => Promise<RTCStatsReport>;
export const browserStats: StatsSource = (pc) => pc.getStats();

export interface WeakNetworkHooks {
  /** Put every link's video sender on this level (adaptation.ts ENCODINGS). */
  apply(level: AdaptationLevel): void;
  /** Entered or left audio-only: tell the others. */
  modeChanged(mode: QualityMode): void;
}

/**
 * The call's weak-network adaptation and quality record, fed one stats report per sample
 * (embedded-call.ts, every 2 s, of the connected link): the policy decides the level, the
 * hooks apply it and announce audio-only, the recorder keeps the figures for the summary.
 */
export class WeakNetwork {
  private readonly policy: AdaptationPolicy;
  private readonly recorder = new CallStatsRecorder();
  private counters: StatsCounters | null = null;

  constructor(
    private readonly hooks: WeakNetworkHooks,
    options: Partial<AdaptationOptions> = {},
  ) {
    this.policy = new AdaptationPolicy(options);
  }

  get level(): AdaptationLevel {
    return this.policy.level;
  }

  sample(report: RTCStatsReport, nowMs: number) {
    const reading = readStats(report, this.counters, nowMs);
    this.counters = reading.counters;
    const before = this.policy.level;
    this.recorder.record(reading, nowMs, before === "audio-only");
    const after = this.policy.next(reading.link);
    if (after === before) return;
    this.hooks.apply(after);
    if (after === "audio-only") this.hooks.modeChanged("audio-only");
    else if (before === "audio-only") this.hooks.modeChanged("video");
  }

  /** A new peer connection starts its counters from zero. */
  linkChanged() {
    this.counters = null;
  }

  summary(): CallQualitySummary | null {
    return this.recorder.summary();
  }
}
