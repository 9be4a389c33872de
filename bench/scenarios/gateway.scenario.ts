import { mkdirSync } from "node:fs";
import { loadavg } from "node:os";
import { resolve } from "node:path";
import { ChildServer } from "../lib/child-process.ts";
import { type BenchContext, type Scenario, SkipScenario } from "../lib/context.ts";
import { cpuCores, cpuSnapshot } from "../lib/cpu.ts";
import { assertHealthyLoad, type LoadResult, measureHttp } from "../lib/http-load.ts";
import { baselineEntry, partExists, serverEntry } from "../lib/paths.ts";
import { ratio, round } from "../lib/stats.ts";
import type { VideoServerInfo } from "../servers/video-server-info.ts";

interface Pair {
  connections: number;
  direct: LoadResult;
  gateway: LoadResult;
  throughput_ratio: number;
  added_p50_ms: number;
  added_p99_ms: number;
}

/** The floor: the gateway in front of an upstream that answers a constant body, vs that upstream directly. */
export interface TrivialFloor {
  direct_rps: number;
  gateway_rps: number;
  /** gateway_rps ÷ direct_rps (issue 14's goal: ≥ 0.30). */
  ratio: number;
  connections: number;
  direct: LoadResult;
  gateway: LoadResult;
  /** Cores each process kept busy during the gateway's run (warm-up and window), `other` the rest of the machine. */
  cores_during_gateway_run: Record<string, number>;
  load_average: { before: number[]; after: number[] };
  /** Where the gateway's CPU profile went (`BENCH_CPU_PROF`), if asked for. */
  cpu_profile_dir?: string;
}

/**
 * The gateway's own cost, which a real service's work hides: the real gateway (built as
 * below, its own process) in front of `baselines/constant.server.ts` (bare `node:http`, a
 * constant JSON body, its own process), then that upstream hit directly, same connections and
 * duration, back to back. `BENCH_CPU_PROF=<dir>` runs the gateway child with `--cpu-prof`
 * (the profile is written to <dir> when it stops).
 */
export async function measureTrivialFloor(ctx: BenchContext): Promise<TrivialFloor> {
  const { durationSec, connections } = ctx.options;
  const profileDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const before = loadavg().map((v) => Math.round(v * 100) / 100);
  const upstream = await ChildServer.start(baselineEntry("constant"));
  try {
    const gateway = await ChildServer.start(
      serverEntry("gateway"),
      { videoUrl: `http://127.0.0.1:${upstream.port}` },
      120_000,
      profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
    );
    try {
      // The gateway first, then direct, as the list-sessions pairs do: each run has its own warm-up.
      const cpuBefore = cpuSnapshot({ gateway: gateway.pid, upstream: upstream.pid, bench: process.pid });
      const proxied = await measureHttp({
        url: `http://127.0.0.1:${gateway.port}/video/api/trivial`,
        durationSec,
        connections,
      });
      const cores = cpuCores(
        cpuBefore,
        cpuSnapshot({ gateway: gateway.pid, upstream: upstream.pid, bench: process.pid }),
      );
      const direct = await measureHttp({
        url: `http://127.0.0.1:${upstream.port}/api/trivial`,
        durationSec,
        connections,
      });
      assertHealthyLoad(direct);
      assertHealthyLoad(proxied);
      return {
        direct_rps: direct.requests_per_sec,
        gateway_rps: proxied.requests_per_sec,
        ratio: ratio(proxied.requests_per_sec, direct.requests_per_sec, 3),
        connections,
        direct,
        gateway: proxied,
        cores_during_gateway_run: cores,
        load_average: { before, after: loadavg().map((v) => Math.round(v * 100) / 100) },
        ...(profileDir ? { cpu_profile_dir: profileDir } : {}),
      };
    } finally {
      await gateway.stop();
    }
  } finally {
    await upstream.stop();
  }
}

/**
 * 2. The same `GET /api/video/sessions` direct and through the gateway (`/video` prefix
 * stripped), at full load and with one connection: at full load the video service is the
 * bottleneck and the ratio says what the gateway costs in throughput; with one connection
 * nothing queues and the difference is the proxy hop itself.
 */
export const gatewayScenario: Scenario = {
  name: "gateway",
  title: "2. GET /api/video/sessions direct vs through the gateway",
  async run(ctx: BenchContext) {
    if (!partExists("apps/video-service/src/index.ts") || !partExists("apps/gateway/src/index.ts")) {
      throw new SkipScenario("video service or gateway not in this checkout");
    }
    const { durationSec, connections } = ctx.options;
    const trivial = await measureTrivialFloor(ctx);
    ctx.table(
      `trivial upstream (bare node:http, constant body), ${connections} connections, ${durationSec} s; load average ${trivial.load_average.before.join(" ")} → ${trivial.load_average.after.join(" ")}`,
      [
        "path",
        "req/s",
        "p50 ms",
        "p99 ms",
        "gateway ÷ direct (goal ≥ 0.30)",
        "cores busy: gateway / upstream / bench / other",
      ],
      [
        ["direct", trivial.direct_rps, trivial.direct.p50_ms, trivial.direct.p99_ms, null, null],
        [
          "gateway /video/…",
          trivial.gateway_rps,
          trivial.gateway.p50_ms,
          trivial.gateway.p99_ms,
          trivial.ratio,
          ["gateway", "upstream", "bench", "other"].map((k) => trivial.cores_during_gateway_run[k]).join(" / "),
        ],
      ],
    );
    // BENCH_GATEWAY_TRIVIAL_ONLY=1: the floor alone (while working on the gateway's own cost).
    if (process.env.BENCH_GATEWAY_TRIVIAL_ONLY === "1") return { trivial };
    const video = await ChildServer.start(serverEntry("video"), { seedSessions: 10_000 });
    try {
      const gateway = await ChildServer.start(serverEntry("gateway"), { videoUrl: `http://127.0.0.1:${video.port}` });
      try {
        const info = video.info as unknown as VideoServerInfo;
        const headers = { authorization: `Bearer ${info.doctorToken}` };
        const path = "/api/video/sessions?limit=20&offset=0";
        const pairs: Pair[] = [];
        for (const c of [connections, 1]) {
          const direct = await measureHttp({
            url: `http://127.0.0.1:${video.port}${path}`,
            headers,
            durationSec,
            connections: c,
          });
          const proxied = await measureHttp({
            url: `http://127.0.0.1:${gateway.port}/video${path}`,
            headers,
            durationSec,
            connections: c,
          });
          assertHealthyLoad(direct);
          assertHealthyLoad(proxied);
          pairs.push({
            connections: c,
            direct,
            gateway: proxied,
            throughput_ratio: ratio(proxied.requests_per_sec, direct.requests_per_sec, 3),
            added_p50_ms: round(proxied.p50_ms - direct.p50_ms, 3),
            added_p99_ms: round(proxied.p99_ms - direct.p99_ms, 3),
          });
        }
        ctx.table(
          `${durationSec} s per run, database ${info.database}; gateway and video service in separate processes`,
          ["connections", "path", "req/s", "p50 ms", "p99 ms", "gateway/direct req/s", "added p50 ms", "added p99 ms"],
          pairs.flatMap((p) => [
            [p.connections, "direct", p.direct.requests_per_sec, p.direct.p50_ms, p.direct.p99_ms, null, null, null],
            [
              p.connections,
              "gateway /video/…",
              p.gateway.requests_per_sec,
              p.gateway.p50_ms,
              p.gateway.p99_ms,
              p.throughput_ratio,
              p.added_p50_ms,
              p.added_p99_ms,
            ],
          ]),
        );
        return { database: info.database, runs: pairs, trivial };
      } finally {
        await gateway.stop();
      }
    } finally {
      await video.stop();
    }
  },
};
