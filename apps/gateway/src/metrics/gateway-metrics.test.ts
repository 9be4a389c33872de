import { afterEach, describe, expect, it } from "vitest";
import type { EchoBody } from "../testing/echo-upstream.ts";
import { type GatewayFixture, startGateway } from "../testing/gateway-fixture.ts";
import { normalise } from "./gateway-metrics.ts";

/** Every spelling that reaches a `/metrics` — the gateway's own, or a service's behind its prefix. */
const metricsPaths = [
  "/metrics",
  "/metrics/",
  "/metrics?format=text",
  "/auth/metrics",
  "/appointments/metrics",
  "/video/metrics",
  "/video/metrics/",
  "/video//metrics",
  "/video/%6Detrics",
  "/video/METRICS",
  "/video/api/../metrics",
  "/video/api/%2E%2E/metrics",
  "/video/metrics;jsessionid=1",
];

describe("metrics are never served or forwarded by the gateway", () => {
  let f: GatewayFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it("answers 404 for every path that would reach a /metrics (the echo upstreams would answer 200)", async () => {
    f = await startGateway();
    for (const url of metricsPaths) {
      for (const headers of [{}, { accept: "text/html", "sec-fetch-mode": "navigate" }]) {
        const res = await f.gateway.inject({ url, headers });
        expect(res.statusCode, url).toBe(404);
        expect(res.json(), url).toMatchObject({ status: 404, code: "ROUTE_NOT_FOUND" });
        expect(res.body, url).not.toContain("http_request_duration_seconds");
      }
    }
  });

  it("still forwards the APIs, including the video service's usage under /metrics/usage", async () => {
    f = await startGateway();
    const usage = await f.gateway.inject({ url: "/video/api/video/metrics/usage?month=2026-12" });
    expect(usage.statusCode).toBe(200);
    expect(usage.json<EchoBody>().url).toBe("/api/video/metrics/usage?month=2026-12");
    const page = await f.gateway.inject({ url: "/doctor/metrics-overview", headers: { accept: "text/html" } });
    expect(page.statusCode).toBe(200);
  });

  it("serves its own metrics on GATEWAY_METRICS_PORT only, bound to 127.0.0.1 by default", async () => {
    f = await startGateway({ GATEWAY_METRICS_PORT: "0" });
    await f.gateway.inject({ url: "/auth/api/auth/me" });
    const listener = f.gateway.metricsListener;
    expect(listener?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(listener?.url ?? "");
    expect(res.status).toBe(200);
    const text = await res.text();
    const count = text.split("\n").find((l) => l.startsWith("http_request_duration_seconds_count{"));
    expect(count).toContain('route="/auth/*"');
    expect(count).toContain('service="gateway"');
    expect(count).toMatch(/ 1$/);
    // Not on the public port.
    expect((await f.gateway.inject({ url: "/metrics" })).statusCode).toBe(404);
  });

  it("has no metrics listener unless GATEWAY_METRICS_PORT is set", async () => {
    f = await startGateway();
    expect(f.gateway.metricsListener).toBeUndefined();
  });

  it("normalises a path the way an upstream might read it", () => {
    expect(normalise("/video/api/%2e%2e/METRICS")).toBe("/video/metrics");
    expect(normalise("/video//metrics")).toBe("/video/metrics");
    expect(normalise("/video/%E0%A4%A")).toBe("/video/%e0%a4%a");
  });
});

describe("gateway probes", () => {
  let f: GatewayFixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it("livez and readyz answer 200 even when an upstream is down (its /health says so)", async () => {
    f = await startGateway({ APPOINTMENTS_URL: "http://127.0.0.1:9" });
    expect((await f.gateway.inject({ url: "/livez" })).json()).toEqual({ status: "UP" });
    const ready = await f.gateway.inject({ url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "UP", checks: {} });
    expect((await f.gateway.inject({ url: "/health" })).statusCode).toBe(503);
  });

  it("forwards a service's probes under its prefix", async () => {
    f = await startGateway();
    const res = await f.gateway.inject({ url: "/video/readyz", headers: { accept: "text/html" } });
    expect(res.json<EchoBody>().url).toBe("/readyz");
  });
});
