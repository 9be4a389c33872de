import { ChildServer } from "../lib/child-process.ts";
import { type BenchContext, type Scenario, SkipScenario } from "../lib/context.ts";
import { partExists, serverEntry } from "../lib/paths.ts";
import { scratchSchema } from "../lib/pg-scratch.ts";
import { percentile, ratio, round } from "../lib/stats.ts";
import type { VideoServerInfo } from "../servers/video-server-info.ts";

interface Explain {
  sql: string;
  plan: string[];
  uses_index: boolean;
  seq_scan_of_intervals: boolean;
  seq_scanned: string[];
  execution_ms: number;
  index_only_plan: string[];
  index_only_ms: number;
}

interface SizeResult {
  intervals: number;
  requests: number;
  p50_ms: number;
  p99_ms: number;
  response_kib: number;
  total_attendee_minutes: number;
  expected_minutes: number;
  explain: Explain;
}

/** The month measured, and the months of history before it (so the table holds more than one month). */
function months(now = new Date()) {
  const at = (back: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1)).toISOString().slice(0, 7);
  return { target: at(1), history: [2, 3, 4, 5, 6, 7].map(at) };
}

async function timeRequests(url: string, token: string, maxRequests: number, maxMs: number) {
  const fetchOnce = async () => {
    const t0 = performance.now();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`usage → ${response.status} ${text.slice(0, 200)}`);
    return { ms: performance.now() - t0, text };
  };
  let last = await fetchOnce(); // warm-up, not counted
  const samples: number[] = [];
  const deadline = performance.now() + maxMs;
  while (samples.length < maxRequests && (samples.length < 3 || performance.now() < deadline)) {
    last = await fetchOnce();
    samples.push(last.ms);
  }
  return { samples, body: JSON.parse(last.text) as { total_attendee_minutes: number }, bytes: last.text.length };
}

const share = (intervals: number, background: number) => Math.round((intervals / (intervals + background)) * 100);

async function measureDatabase(
  ctx: BenchContext,
  params: Record<string, unknown>,
): Promise<{ database: string; sizes: SizeResult[]; background: number }> {
  const { quick } = ctx.options;
  const sizes = quick ? [1000, 10_000] : [1000, 10_000, 100_000];
  const { target, history } = months();
  const video = await ChildServer.start(serverEntry("video"), params);
  try {
    const info = video.info as unknown as VideoServerInfo;
    // Background the query must not read: other clinics in the same month, this clinic's earlier months.
    const background = quick ? 2000 : 20_000;
    for (let c = 0; c < 5; c++) {
      await video.call("seedUsage", {
        intervals: background,
        clinicId: `bench-other-${c}`,
        month: target,
        tag: `bg-other-${c}`,
      });
    }
    for (const month of history) {
      await video.call("seedUsage", { intervals: background, month, tag: `bg-${month}` });
    }
    const results: SizeResult[] = [];
    let seeded = 0;
    for (const size of sizes) {
      // In steps of at most 10,000: one 90,000-row insert can outlast the service's 15 s statement
      // timeout on a loaded machine.
      for (let step = 0; seeded < size && step < 100; step++) {
        const n = Math.min(10_000, size - seeded);
        await video.call("seedUsage", { intervals: n, month: target, tag: `target-${size}-${step}` });
        seeded += n;
      }
      await video.call("analyze");
      const explain = (await video.call("explainUsage", { month: target })) as Explain;
      const { samples, body, bytes } = await timeRequests(
        `http://127.0.0.1:${video.port}/api/video/metrics/usage?month=${target}`,
        info.adminToken,
        quick ? 5 : 20,
        15_000,
      );
      results.push({
        intervals: size,
        requests: samples.length,
        p50_ms: round(percentile(samples, 50), 1),
        p99_ms: round(percentile(samples, 99), 1),
        response_kib: round(bytes / 1024, 0),
        total_attendee_minutes: body.total_attendee_minutes,
        expected_minutes: size * 15,
        explain,
      });
    }
    return { database: info.database, sizes: results, background: background * (5 + history.length) };
  } finally {
    await video.stop();
  }
}

/** 4. GET /metrics/usage for a month holding 1k → 10k → 100k attendance intervals, with the query plan. */
export const usageScenario: Scenario = {
  name: "usage",
  title: "4. GET /api/video/metrics/usage with 1k → 10k → 100k attendance intervals in the month",
  async run(ctx: BenchContext) {
    if (!partExists("apps/video-service/src/index.ts")) throw new SkipScenario("video service not in this checkout");
    const runs = [await measureDatabase(ctx, {})];
    if (ctx.options.databaseUrl) {
      const scratch = scratchSchema(ctx.options.databaseUrl, "usage");
      try {
        runs.push(await measureDatabase(ctx, { databaseUrl: ctx.options.databaseUrl, schema: scratch.schema }));
      } finally {
        await scratch.drop();
      }
    }
    for (const run of runs) {
      ctx.table(
        `${run.database}: sequential requests as the clinic admin (background: other clinics and earlier months)`,
        [
          "intervals",
          "requests",
          "p50 ms",
          "p99 ms",
          "growth p50 ×",
          "response KiB",
          "minutes ok",
          "query ms",
          "tables read in full (seq scan)",
          "query ms, seq scans off",
        ],
        run.sizes.map((s, i) => [
          s.intervals,
          s.requests,
          s.p50_ms,
          s.p99_ms,
          i === 0 ? null : ratio(s.p50_ms, run.sizes[i - 1]?.p50_ms ?? Number.NaN),
          s.response_kib,
          s.total_attendee_minutes === s.expected_minutes ? "yes" : `no (${s.total_attendee_minutes})`,
          s.explain.execution_ms,
          s.explain.seq_scanned.join(", ") || "none",
          s.explain.index_only_ms,
        ]),
      );
      // Every plan is printed: the smaller sizes show the index path, the largest what the planner does at scale.
      for (const s of run.sizes) {
        process.stdout.write(
          `\n${run.database} EXPLAIN ANALYZE at ${s.intervals} intervals:\n${s.explain.plan.join("\n")}\n`,
        );
      }
      for (const s of run.sizes) {
        if (s.explain.seq_scanned.length > 0) {
          ctx.note(
            `${run.database} at ${s.intervals} intervals (${share(s.intervals, run.background)} % of the table): ` +
              `seq scan of ${s.explain.seq_scanned.join(" and ")} (${s.explain.execution_ms} ms; ` +
              `${s.explain.index_only_ms} ms with seq scans off)`,
          );
        }
      }
    }
    const sql = runs[0]?.sizes[0]?.explain.sql;
    if (sql) ctx.note(`the query (built by usage-rollups.repository.ts sessionRollupPageQuery): ${sql}`);
    return { runs };
  },
};
