import type { App } from "@clinic/platform";
import { captureLogs } from "@clinic/platform/testing";
import { buildApp } from "../app.ts";
import { loadGatewayConfig } from "../config.ts";
import { type EchoUpstream, type EchoUpstreamOptions, startEchoUpstream } from "./echo-upstream.ts";

export interface GatewayFixture {
  gateway: App;
  /** `video` is the first video instance. */
  upstreams: { auth: EchoUpstream; appointments: EchoUpstream; video: EchoUpstream };
  /** Every video instance (one unless `videoInstances` asked for more), each sending `x-served-by: video-<n>`. */
  videoInstances: EchoUpstream[];
  logs: ReturnType<typeof captureLogs>;
  close(): Promise<void>;
}

/**
 * The real gateway in front of three real echo upstreams; `env` overrides its configuration,
 * `video` configures the video upstream (e.g. slow to accept WebSockets), `videoInstances`
 * starts that many video upstreams, all in VIDEO_URL (balanced).
 */
export async function startGateway(
  env: Record<string, string> = {},
  upstreams: { video?: EchoUpstreamOptions; videoInstances?: number } = {},
  /** `fastPath: false`: every request through Fastify's routes and hooks (see `proxy/fast-path.ts`). */
  options: { fastPath?: boolean } = {},
): Promise<GatewayFixture> {
  const count = upstreams.videoInstances ?? 1;
  const [auth, appointments, ...videoInstances] = await Promise.all([
    startEchoUpstream(),
    startEchoUpstream(),
    ...Array.from({ length: count }, (_, index) =>
      startEchoUpstream({ ...upstreams.video, ...(count > 1 ? { servedBy: `video-${index + 1}` } : {}) }),
    ),
  ]);
  const video = videoInstances[0] as EchoUpstream;
  const logs = captureLogs();
  const config = loadGatewayConfig({
    AUTH_URL: auth.url,
    APPOINTMENTS_URL: appointments.url,
    VIDEO_URL: videoInstances.map((instance) => instance.url).join(","),
    WEB_DIST_DIR: "/nonexistent/web/dist",
    // Load shedding off: a test machine's event loop stalls under parallel suites, and a 503
    // UNDER_PRESSURE would fail an unrelated test (probes.test.ts covers the shedding).
    MAX_EVENT_LOOP_DELAY_MS: "0",
    ...env,
  });
  const gateway = await buildApp({ config, logStream: logs.stream, ...options });
  await gateway.ready();
  return {
    gateway,
    upstreams: { auth, appointments, video },
    videoInstances,
    logs,
    close: async () => {
      await gateway.close();
      // A test may have stopped an instance and started another in its place: close what is in the list.
      await Promise.all([auth.close(), appointments.close(), ...videoInstances.map((instance) => instance.close())]);
    },
  };
}
