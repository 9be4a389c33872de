import type { AddressInfo } from "node:net";
import { captureLogs } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { buildApp } from "./app.ts";
import { loadGatewayConfig } from "./config.ts";
import { startEchoUpstream } from "./testing/echo-upstream.ts";
import { type GatewayFixture, startGateway } from "./testing/gateway-fixture.ts";

describe("CORS", () => {
  let f: GatewayFixture;
  beforeAll(async () => {
    f = await startGateway({ CORS_ORIGINS: "https://clinic.example,http://localhost:5173" });
  });
  afterAll(() => f.close());

  const preflight = (origin: string) =>
    f.gateway.inject({
      method: "OPTIONS",
      url: "/video/api/video/sessions/appt-1/start",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });

  it("answers a preflight from an allowed origin itself, without bothering the upstream", async () => {
    const res = await preflight("https://clinic.example");
    expect(res.statusCode).toBe(204);
    expect(res.headers["access-control-allow-origin"]).toBe("https://clinic.example");
    expect(String(res.headers["access-control-allow-methods"])).toContain("POST");
    expect(String(res.headers["access-control-allow-headers"])).toContain("authorization");
    expect(res.body).toBe("");
  });

  it("gives a refused origin no CORS grant, so the browser blocks the call", async () => {
    const res = await preflight("https://evil.example");
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
    const simple = await f.gateway.inject({ url: "/auth/api/auth/me", headers: { origin: "https://evil.example" } });
    expect(simple.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("grants an allowed origin on the actual request and exposes the request id", async () => {
    const res = await f.gateway.inject({ url: "/auth/api/auth/me", headers: { origin: "http://localhost:5173" } });
    expect(res.headers["access-control-allow-origin"]).toBe("http://localhost:5173");
    expect(String(res.headers["access-control-expose-headers"])).toContain("x-request-id");
  });

  it("allows only the gateway's own origins by default", () => {
    expect(loadGatewayConfig({}).CORS_ORIGINS).toBe("http://localhost:8000,http://127.0.0.1:8000");
  });
});

describe("request log", () => {
  it("writes one line per request with method, path, status, duration, request id and upstream, no query", async () => {
    const f = await startGateway();
    try {
      await f.gateway.inject({
        url: "/video/api/video/sessions/sess-1/join?token=join-token-123&patient_name=Jane",
        headers: { "x-request-id": "log-trace-1", authorization: "Bearer secret.jwt.value" },
      });
      const lines = f.logs.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.reqId === "log-trace-1");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        msg: "request",
        method: "GET",
        path: "/video/api/video/sessions/sess-1/join",
        status: 200,
        upstream: "video",
        reqId: "log-trace-1",
      });
      expect(lines[0]?.duration_ms).toEqual(expect.any(Number));
      for (const secret of ["join-token-123", "Jane", "secret.jwt.value", "token="]) {
        expect(f.logs.text()).not.toContain(secret);
      }
    } finally {
      await f.close();
    }
  });

  it("keeps WebSocket join tokens out of the log even at debug level", async () => {
    const video = await startEchoUpstream();
    const logs = captureLogs();
    const config = loadGatewayConfig({ VIDEO_URL: video.url, LOG_LEVEL: "trace", WEB_DIST_DIR: "/nonexistent" });
    const gateway = await buildApp({ config, logStream: logs.stream });
    await gateway.listen({ port: 0, host: "127.0.0.1" });
    try {
      const port = (gateway.server.address() as AddressInfo).port;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/video/api/video/sessions/s/signal?token=debug-join-token`);
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => ws.send("ping"));
        ws.once("message", () => resolve());
        ws.once("error", reject);
        setTimeout(() => reject(new Error("no WebSocket reply within 5 s")), 5000).unref();
      });
      ws.close();
      // The proxy library logged the upstream URL at debug level: without its query.
      expect(logs.text()).toContain("proxy websocket");
      expect(logs.text()).not.toContain("debug-join-token");
    } finally {
      await gateway.close();
      await video.close();
    }
  });
});
