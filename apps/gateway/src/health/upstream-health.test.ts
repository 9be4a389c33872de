import { describe, expect, it } from "vitest";
import { buildApp } from "../app.ts";
import { loadGatewayConfig } from "../config.ts";
import { deadUpstreamUrl, startEchoUpstream } from "../testing/echo-upstream.ts";
import { startGateway } from "../testing/gateway-fixture.ts";

describe("GET /health", () => {
  it("is UP with each upstream's status when all answer", async () => {
    const f = await startGateway();
    try {
      const res = await f.gateway.inject({ url: "/health" });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        status: "UP",
        service: "gateway",
        checks: { auth: "UP", appointments: "UP", video: "UP" },
        upstreams: {
          auth: { status: "UP", http_status: 200, checks: { database: "UP" } },
          appointments: { status: "UP", http_status: 200, checks: { database: "UP" } },
          video: { status: "UP", http_status: 200, checks: { database: "UP" } },
        },
      });
    } finally {
      await f.close();
    }
  });

  it("is 503 DOWN naming the upstream that is unreachable or unhealthy", async () => {
    const [auth, video] = await Promise.all([startEchoUpstream(), startEchoUpstream({ healthStatus: 503 })]);
    const config = loadGatewayConfig({
      AUTH_URL: auth.url,
      APPOINTMENTS_URL: await deadUpstreamUrl(),
      VIDEO_URL: video.url,
      LOG_LEVEL: "silent",
    });
    const gateway = await buildApp({ config });
    try {
      const res = await gateway.inject({ url: "/health" });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({
        status: "DOWN",
        checks: { auth: "UP", appointments: "DOWN", video: "DOWN" },
        upstreams: {
          appointments: { status: "DOWN", reason: "UNREACHABLE" },
          video: { status: "DOWN", http_status: 503 },
        },
      });
    } finally {
      await gateway.close();
      await Promise.all([auth.close(), video.close()]);
    }
  });

  it("reports an upstream that does not answer in time as DOWN with reason TIMEOUT", async () => {
    const slow = await startEchoUpstream({ healthDelayMs: 1500 });
    const config = loadGatewayConfig({ VIDEO_URL: slow.url, UPSTREAM_TIMEOUT_MS: "300", LOG_LEVEL: "silent" });
    const gateway = await buildApp({ config });
    try {
      const res = await gateway.inject({ url: "/health" });
      expect(res.statusCode).toBe(503);
      expect(res.json().upstreams.video).toEqual({ status: "DOWN", reason: "TIMEOUT" });
    } finally {
      await gateway.close();
      await slow.close();
    }
  });
});
