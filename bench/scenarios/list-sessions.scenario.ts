import { ChildServer } from "../lib/child-process.ts";
import { type BenchContext, type Scenario, SkipScenario } from "../lib/context.ts";
import { assertHealthyLoad, measureHttp } from "../lib/http-load.ts";
import { baselineEntry, partExists, serverEntry } from "../lib/paths.ts";
import { ratio, round } from "../lib/stats.ts";
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

    const video = await ChildServer.start(serverEntry("video"), { seedSessions: sessions });
    const info = video.info as unknown as VideoServerInfo;
    const service = await measureHttp({
      url: `http://127.0.0.1:${video.port}/api/video/sessions?limit=20&offset=0`,
      headers: { authorization: `Bearer ${info.doctorToken}` },
      durationSec,
      connections,
    }).finally(() => video.stop());
    assertHealthyLoad(service);

    const throughputRatio = ratio(service.requests_per_sec, reference.requests_per_sec, 3);
    ctx.table(
      `${connections} connections, ${durationSec} s each, database ${info.database}`,
      ["server", "req/s", "p50 ms", "p99 ms", "mean ms"],
      [
        ["bare Fastify hello", reference.requests_per_sec, reference.p50_ms, reference.p99_ms, reference.mean_ms],
        ["GET /api/video/sessions", service.requests_per_sec, service.p50_ms, service.p99_ms, service.mean_ms],
        [
          "ratio service / hello",
          throughputRatio,
          ratio(service.p50_ms, reference.p50_ms),
          ratio(service.p99_ms, reference.p99_ms),
          null,
        ],
      ],
    );
    ctx.note(`the service answers ${round(throughputRatio * 100, 1)} % of the bare server's requests per second`);
    return { database: info.database, sessions, reference, service, throughput_ratio: throughputRatio };
  },
};
