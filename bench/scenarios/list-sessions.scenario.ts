import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { ChildServer } from "../lib/child-process.ts";
import { type BenchContext, type Scenario, SkipScenario } from "../lib/context.ts";
import { assertHealthyLoad, measureHttp } from "../lib/http-load.ts";
import { baselineEntry, partExists, serverEntry } from "../lib/paths.ts";
import { scratchSchema } from "../lib/pg-scratch.ts";
import { ratio } from "../lib/stats.ts";
import type { VideoServerInfo } from "../servers/video-server-info.ts";

const sessions = 10_000;

/** 1. A bare Fastify "hello" vs `GET /api/video/sessions` (page of 20 of 10,000), same run. */
export const listSessionsScenario: Scenario = {
  name: "list-sessions",
  title: "1. GET /api/video/sessions (20 of 10,000) vs a bare Fastify hello",
  async run(ctx: BenchContext) {
    const { durationSec, connections } = ctx.options;
    const hello = await ChildServer.start(baselineEntry("hello"));
    const reference = await measureHttp({
      url: `http://127.0.0.1:${hello.port}/hello`,
      durationSec,
      connections,
    }).finally(() => hello.stop());
    assertHealthyLoad(reference);
    if (!partExists("apps/video-service/src/index.ts")) {
      ctx.table(
        "bare Fastify hello (reference only)",
        ["server", "req/s", "p50 ms", "p99 ms"],
        [["hello", reference.requests_per_sec, reference.p50_ms, reference.p99_ms]],
      );
      throw new SkipScenario("video service not in this checkout; only the reference was measured");
    }

    // `BENCH_CPU_PROF=<dir>`: each video child runs with `--cpu-prof` (written to <dir> when it stops).
    const profileDir = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const measureService = async (params: Record<string, unknown>) => {
      const video = await ChildServer.start(
        serverEntry("video"),
        { ...params, seedSessions: sessions },
        120_000,
        profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [],
      );
      const info = video.info as unknown as VideoServerInfo;
      const url = `http://127.0.0.1:${video.port}/api/video/sessions?limit=20&offset=0`;
      const headers = { authorization: `Bearer ${info.doctorToken}` };
      try {
        const page = (await (await fetch(url, { headers })).json()) as { total: number; sessions: unknown[] };
        if (page.total !== sessions || page.sessions.length !== 20) {
          throw new Error(`expected 20 of ${sessions} sessions, got ${page.sessions.length} of ${page.total}`);
        }
        const load = await measureHttp({ url, headers, durationSec, connections });
        assertHealthyLoad(load);
        return { database: info.database, load };
      } finally {
        await video.stop();
      }
    };
    const services = [await measureService({})];
    if (ctx.options.databaseUrl) {
      const scratch = scratchSchema(ctx.options.databaseUrl, "list");
      try {
        services.push(await measureService({ databaseUrl: ctx.options.databaseUrl, schema: scratch.schema }));
      } finally {
        await scratch.drop();
      }
    }
    ctx.table(
      `${connections} connections, ${durationSec} s each; the doctor has ${sessions} sessions`,
      ["server", "req/s", "p50 ms", "p99 ms", "mean ms", "req/s ÷ hello", "p50 ÷ hello", "p99 ÷ hello"],
      [
        [
          "bare Fastify hello",
          reference.requests_per_sec,
          reference.p50_ms,
          reference.p99_ms,
          reference.mean_ms,
          1,
          1,
          1,
        ],
        ...services.map(({ database, load }) => [
          `GET /api/video/sessions (${database})`,
          load.requests_per_sec,
          load.p50_ms,
          load.p99_ms,
          load.mean_ms,
          ratio(load.requests_per_sec, reference.requests_per_sec, 4),
          ratio(load.p50_ms, reference.p50_ms, 1),
          ratio(load.p99_ms, reference.p99_ms, 1),
        ]),
      ],
    );
    return {
      sessions,
      reference,
      services: services.map(({ database, load }) => ({
        database,
        ...load,
        throughput_ratio: ratio(load.requests_per_sec, reference.requests_per_sec, 4),
      })),
    };
  },
};
