/**
 * Weak-network adaptation (issue 12), pure: from WebRTC stats samples (one every 2 s) decide
 * what video this side sends. Four levels, each with the sender encoding it applies
 * (RTCRtpSender.setParameters, encodings[0]):
 *
 *   high        full camera resolution (720p), 30 fps, ≤ 1.5 Mbit/s
 *   medium      resolution ÷ 2, 15 fps, ≤ 500 kbit/s
 *   low         resolution ÷ 4, 10 fps, ≤ 150 kbit/s
 *   audio-only  video not sent at all (the floor: the voice is what a consultation needs)
 *
 * Each sample names the level the link can carry (`targetLevel`, thresholds below). Hysteresis:
 * down quickly (after `downAfter` samples in a row that want a lower level, straight to the
 * mildest of them), up slowly (after `upAfter` samples in a row that allow a higher one, one
 * level at a time), so a blip neither drops the picture nor makes it flap.
 */

export type AdaptationLevel = "high" | "medium" | "low" | "audio-only";

/** Best first. */
export const LEVELS: readonly AdaptationLevel[] = ["high", "medium", "low", "audio-only"];

export interface VideoEncoding {
  active: boolean;
  scaleResolutionDownBy: number;
  maxFramerate: number;
  /** bit/s */
  maxBitrate: number;
}

export const ENCODINGS: Record<AdaptationLevel, VideoEncoding> = {
  high: { active: true, scaleResolutionDownBy: 1, maxFramerate: 30, maxBitrate: 1_500_000 },
  medium: { active: true, scaleResolutionDownBy: 2, maxFramerate: 15, maxBitrate: 500_000 },
  low: { active: true, scaleResolutionDownBy: 4, maxFramerate: 10, maxBitrate: 150_000 },
  "audio-only": { active: false, scaleResolutionDownBy: 4, maxFramerate: 10, maxBitrate: 150_000 },
};

/** One stats sample of the link; null: not measured in this sample. */
export interface LinkSample {
  /** Round trip (ms): remote-inbound-rtp `roundTripTime`, else the candidate pair's. */
  rttMs: number | null;
  /** Loss of what this side sends (%): remote-inbound-rtp `fractionLost`. */
  lossPct: number | null;
  /** The congestion controller's estimate (kbit/s): candidate-pair `availableOutgoingBitrate`. */
  availableKbps: number | null;
}

/** The least a level needs: below any of these figures the link cannot carry it. */
export interface LevelFloor {
  minKbps: number;
  maxLossPct: number;
  maxRttMs: number;
}

export const THRESHOLDS: Record<Exclude<AdaptationLevel, "audio-only">, LevelFloor> = {
  high: { minKbps: 800, maxLossPct: 4, maxRttMs: 400 },
  medium: { minKbps: 300, maxLossPct: 10, maxRttMs: 800 },
  low: { minKbps: 100, maxLossPct: 20, maxRttMs: 1500 },
};

export interface AdaptationOptions {
  /** Samples in a row wanting less before stepping down (2 × 2 s). */
  downAfter: number;
  /** Samples in a row allowing more before stepping up one level (5 × 2 s). */
  upAfter: number;
}

export const DEFAULT_ADAPTATION: AdaptationOptions = { downAfter: 2, upAfter: 5 };

const rank = (level: AdaptationLevel) => LEVELS.indexOf(level);

/**
 * The best level one sample allows. `ignoreBitrate`: in audio-only no video is sent, so the
 * bitrate estimate says little about what video would get; recovery is judged on RTT and loss.
 */
export function targetLevel(sample: LinkSample, ignoreBitrate = false): AdaptationLevel | null {
  const { rttMs, lossPct } = sample;
  const kbps = ignoreBitrate ? null : sample.availableKbps;
  if (rttMs === null && lossPct === null && kbps === null) return null;
  for (const level of ["high", "medium", "low"] as const) {
    const floor = THRESHOLDS[level];
    const fits =
      (kbps === null || kbps >= floor.minKbps) &&
      (lossPct === null || lossPct <= floor.maxLossPct) &&
      (rttMs === null || rttMs <= floor.maxRttMs);
    if (fits) return level;
  }
  return "audio-only";
}

/** The hysteresis around `targetLevel`; one per call (its state is the current level and two run lengths). */
export class AdaptationPolicy {
  private current: AdaptationLevel = "high";
  private worse: AdaptationLevel[] = [];
  private betterRun = 0;
  private readonly options: AdaptationOptions;

  constructor(options: Partial<AdaptationOptions> = {}) {
    this.options = { ...DEFAULT_ADAPTATION, ...options };
  }

  get level(): AdaptationLevel {
    return this.current;
  }

  /** Takes one sample; answers the level to send at from now on. A sample with no figures changes nothing. */
  next(sample: LinkSample): AdaptationLevel {
    const target = targetLevel(sample, this.current === "audio-only");
    if (target === null) return this.current;
    if (rank(target) > rank(this.current)) {
      this.betterRun = 0;
      this.worse.push(target);
      if (this.worse.length >= this.options.downAfter) {
        // The mildest of the bad samples: a run that is bad but not dire does not drop to the floor.
        this.current = this.worse.reduce((a, b) => (rank(a) < rank(b) ? a : b));
        this.worse = [];
      }
    } else if (rank(target) < rank(this.current)) {
      this.worse = [];
      if (++this.betterRun >= this.options.upAfter) {
        this.current = LEVELS[rank(this.current) - 1] ?? "high";
        this.betterRun = 0;
      }
    } else {
      this.worse = [];
      this.betterRun = 0;
    }
    return this.current;
  }

  reset() {
    this.current = "high";
    this.worse = [];
    this.betterRun = 0;
  }
}
