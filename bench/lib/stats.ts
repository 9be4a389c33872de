/** Nearest-rank percentile of already-collected samples (milliseconds, counts, ...). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  if (p < 0 || p > 100) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export interface Summary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

export function summarise(samples: readonly number[]): Summary {
  const count = samples.length;
  const mean = count === 0 ? Number.NaN : samples.reduce((s, v) => s + v, 0) / count;
  return {
    count,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    mean,
    max: count === 0 ? Number.NaN : Math.max(...samples),
  };
}

/** `a / b`, rounded for printing; NaN when the reference is zero or missing. */
export function ratio(a: number, b: number, digits = 2): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return Number.NaN;
  return round(a / b, digits);
}

export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const mib = (bytes: number) => round(bytes / 1024 / 1024, 1);
