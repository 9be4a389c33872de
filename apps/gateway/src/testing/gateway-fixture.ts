import type { App } from "@clinic/platform";
import { captureLogs } from "@clinic/platform/testing";
import { buildApp } from "../app.ts";
import { loadGatewayConfig } from "../config.ts";
import { type EchoUpstream, type EchoUpstreamOptions, startEchoUpstream } from "./echo-upstream.ts";

export interface GatewayFixture {
  gateway: App;
  upstreams: { auth: EchoUpstream; appointments: EchoUpstream; video: EchoUpstream };
  logs: ReturnType<typeof captureLogs>;
  close(): Promise<void>;
}

/**
 * The real gateway in front of three real echo upstreams; `env` overrides its configuration,
 * `video` configures the video upstream (e.g. slow to accept WebSockets).
 */
export async function startGateway(
  env: Record<string, string> = {},
  upstreams: { video?: EchoUpstreamOptions } = {},
): Promise<GatewayFixture> {
  const [auth, appointments, video] = await Promise.all([
    startEchoUpstream(),
    startEchoUpstream(),
    startEchoUpstream(upstreams.video),
  ]);
  const logs = captureLogs();
  const config = loadGatewayConfig({
    AUTH_URL: auth.url,
    APPOINTMENTS_URL: appointments.url,
    VIDEO_URL: video.url,
    WEB_DIST_DIR: "/nonexistent/web/dist",
    // Load shedding off: a test machine's event loop stalls under parallel suites, and a 503
    // UNDER_PRESSURE would fail an unrelated test (probes.test.ts covers the shedding).
    MAX_EVENT_LOOP_DELAY_MS: "0",
    ...env,
  });
  const gateway = await buildApp({ config, logStream: logs.stream });
  await gateway.ready();
  return {
    gateway,
    upstreams: { auth, appointments, video },
    logs,
    close: async () => {
      await gateway.close();
      await Promise.all([auth.close(), appointments.close(), video.close()]);
    },
  };
}
