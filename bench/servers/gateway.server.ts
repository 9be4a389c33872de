/**
 * The gateway in its own process, proxying /video/* to the video service the bench started
 * (`videoUrl`: one base URL, or several comma-separated for replicas, balanced round robin).
 */
import { buildApp, loadGatewayConfig } from "@clinic/gateway";
import { serveChild } from "../lib/serve-child.ts";

serveChild(async (params) => {
  const config = loadGatewayConfig({
    ...process.env,
    PORT: "0",
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    VIDEO_URL: String(params.videoUrl),
    APPOINTMENTS_URL: String(params.appointmentsUrl ?? "http://127.0.0.1:9"),
    AUTH_URL: String(params.authUrl ?? "http://127.0.0.1:9"),
    // Every bench WebSocket comes from 127.0.0.1; the per-address cap (20 by default) is for browsers.
    ...(params.wsMaxPerAddress ? { GATEWAY_WS_MAX_PER_ADDRESS: String(params.wsMaxPerAddress) } : {}),
  });
  const app = await buildApp({ config });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return { port: address.port, close: () => app.close() };
});
