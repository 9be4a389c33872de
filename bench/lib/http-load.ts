import autocannon from "autocannon";
import { percentile, round } from "./stats.ts";

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  durationSec: number;
  connections: number;
}

export interface LoadResult {
  url: string;
  requests_per_sec: number;
  p50_ms: number;
  p99_ms: number;
  mean_ms: number;
  total_requests: number;
  non_2xx: number;
  errors: number;
}

/**
 * Closed-loop HTTP load with autocannon (programmatic). A short warm-up first lets the
 * JIT, connection pools and caches settle so the measured window compares steady states.
 */
export async function measureHttp(options: LoadOptions): Promise<LoadResult> {
  const base = { url: options.url, headers: options.headers ?? {}, connections: options.connections, timeout: 10 };
  await autocannon({ ...base, duration: Math.min(2, options.durationSec) });
  // autocannon's own histogram keeps whole milliseconds, too coarse for a sub-ms server;
  // its per-response event carries the exact time, so percentiles are taken from that.
  const latencies: number[] = [];
  const instance = autocannon({ ...base, duration: options.durationSec });
  instance.on("response", (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const r = await instance;
  return {
    url: options.url,
    requests_per_sec: round(r.requests.average, 0),
    p50_ms: round(percentile(latencies, 50), 3),
    p99_ms: round(percentile(latencies, 99), 3),
    mean_ms: round(latencies.reduce((s, v) => s + v, 0) / latencies.length, 3),
    total_requests: r.requests.total,
    non_2xx: r.non2xx,
    errors: r.errors,
  };
}

/** Refuses to report a throughput made of error responses. */
export function assertHealthyLoad(result: LoadResult): void {
  if (result.non_2xx > 0 || result.errors > 0 || result.total_requests === 0) {
    throw new Error(
      `load on ${result.url} was not clean: ${result.non_2xx} non-2xx, ${result.errors} errors, ${result.total_requests} requests`,
    );
  }
}
