import { ChildServer } from "../lib/child-process.ts";
import { type BenchContext, type Scenario, SkipScenario } from "../lib/context.ts";
import { assertHealthyLoad, measureHttp } from "../lib/http-load.ts";
import { partExists, serverEntry } from "../lib/paths.ts";
import { ratio, round } from "../lib/stats.ts";
import type { VideoServerInfo } from "../servers/video-server-info.ts";

/** 2. The same `GET /api/video/sessions` direct and through the gateway (`/video` prefix stripped). */
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
        const direct = await measureHttp({
          url: `http://127.0.0.1:${video.port}${path}`,
          headers,
          durationSec,
          connections,
        });
        const proxied = await measureHttp({
          url: `http://127.0.0.1:${gateway.port}/video${path}`,
          headers,
          durationSec,
          connections,
        });
        assertHealthyLoad(direct);
        assertHealthyLoad(proxied);
        const throughputRatio = ratio(proxied.requests_per_sec, direct.requests_per_sec, 3);
        const addedP50 = round(proxied.p50_ms - direct.p50_ms, 3);
        const addedP99 = round(proxied.p99_ms - direct.p99_ms, 3);
        ctx.table(
          `${connections} connections, ${durationSec} s each; gateway and video service are separate processes`,
          ["path", "req/s", "p50 ms", "p99 ms", "mean ms"],
          [
            ["direct :video/api/video/sessions", direct.requests_per_sec, direct.p50_ms, direct.p99_ms, direct.mean_ms],
            [
              "gateway /video/api/video/sessions",
              proxied.requests_per_sec,
              proxied.p50_ms,
              proxied.p99_ms,
              proxied.mean_ms,
            ],
            [
              "ratio gateway / direct",
              throughputRatio,
              ratio(proxied.p50_ms, direct.p50_ms),
              ratio(proxied.p99_ms, direct.p99_ms),
              null,
            ],
            ["added by the gateway (ms)", null, addedP50, addedP99, null],
          ],
        );
        return {
          database: info.database,
          direct,
          gateway: proxied,
          throughput_ratio: throughputRatio,
          added_p50_ms: addedP50,
          added_p99_ms: addedP99,
        };
      } finally {
        await gateway.stop();
      }
    } finally {
      await video.stop();
    }
  },
};
