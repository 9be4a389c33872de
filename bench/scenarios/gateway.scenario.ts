import { ChildServer } from "../lib/child-process.ts";
import { type BenchContext, type Scenario, SkipScenario } from "../lib/context.ts";
import { assertHealthyLoad, type LoadResult, measureHttp } from "../lib/http-load.ts";
import { partExists, serverEntry } from "../lib/paths.ts";
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
        return { database: info.database, runs: pairs };
      } finally {
        await gateway.stop();
      }
    } finally {
      await video.stop();
    }
  },
};
