import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { SIGNAL_PROBE_PATH } from "@clinic/contracts";
import { captureLogs } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { buildApp } from "../app.ts";
import { loadGatewayConfig } from "../config.ts";
import { deadUpstreamUrl, type EchoBody, startEchoUpstream } from "../testing/echo-upstream.ts";
import { type GatewayFixture, startGateway } from "../testing/gateway-fixture.ts";

describe("gateway proxy", () => {
  let f: GatewayFixture;
  beforeAll(async () => {
    f = await startGateway();
  });
  afterAll(() => f.close());

  it.each([
    ["/video/api/video/sessions", "video", "/api/video/sessions"],
    ["/video/api/video/sessions/sess-1/join?x=1&y=two", "video", "/api/video/sessions/sess-1/join?x=1&y=two"],
    ["/auth/api/auth/.well-known/jwks.json", "auth", "/api/auth/.well-known/jwks.json"],
    ["/appointments/api/appointments?status=SCHEDULED", "appointments", "/api/appointments?status=SCHEDULED"],
    ["/video/docs/json", "video", "/docs/json"],
  ] as const)("GET %s reaches the %s service as %s", async (path, service, expected) => {
    const res = await f.gateway.inject({ method: "GET", url: path, headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(200);
    const body = res.json<EchoBody>();
    expect(body.url).toBe(expected);
    // It reached that upstream and no other: each echo server sees its own port in host.
    expect(body.headers.host).toBe(new URL(f.upstreams[service].url).host);
    expect(body.headers["x-forwarded-prefix"]).toBe(`/${service}`);
  });

  it("forwards method, body and authorization unchanged", async () => {
    const res = await f.gateway.inject({
      method: "POST",
      url: "/video/api/video/sessions/appt-1/start",
      headers: { authorization: "Bearer abc.def.ghi", "content-type": "application/json" },
      payload: { notes: "x".repeat(10) },
    });
    const body = res.json<EchoBody>();
    expect(body).toMatchObject({
      method: "POST",
      url: "/api/video/sessions/appt-1/start",
      body: { notes: "xxxxxxxxxx" },
    });
    expect(body.headers.authorization).toBe("Bearer abc.def.ghi");
  });

  it("forwards the caller's x-request-id and echoes it back", async () => {
    const res = await f.gateway.inject({ url: "/auth/api/auth/me", headers: { "x-request-id": "trace-123" } });
    expect(res.json<EchoBody>().headers["x-request-id"]).toBe("trace-123");
    expect(res.headers["x-request-id"]).toBe("trace-123");
  });

  it("assigns a request id when the caller sent none or an unusable one", async () => {
    for (const headers of [{}, { "x-request-id": "bad id with spaces\u0000" }]) {
      const res = await f.gateway.inject({ url: "/auth/api/auth/me", headers });
      const forwarded = res.json<EchoBody>().headers["x-request-id"];
      expect(forwarded).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers["x-request-id"]).toBe(forwarded);
    }
  });

  it("does not route look-alike prefixes to a service", async () => {
    const res = await f.gateway.inject({ url: "/videos/api/video/sessions", headers: { accept: "application/json" } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ status: 404, code: "ROUTE_NOT_FOUND" });
  });

  it("resolves dot segments before routing, so a path cannot climb out of one service into another", async () => {
    const address = await f.gateway.listen({ port: 0, host: "127.0.0.1" });
    // A raw request: fetch and inject would normalise the dot segments before sending.
    const body = await new Promise<EchoBody>((resolve, reject) => {
      const req = request(`${address}/video/api/%2e%2e/%2e%2e/auth/api/auth/me`, (res) => {
        let text = "";
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve(JSON.parse(text) as EchoBody));
      });
      req.on("error", reject);
      req.end();
    });
    // It is the public path /auth/api/auth/me, served by auth as such, never /api/.. on video.
    expect(body.url).toBe("/api/auth/me");
    expect(body.headers.host).toBe(new URL(f.upstreams.auth.url).host);
    expect(body.headers["x-forwarded-prefix"]).toBe("/auth");
  });

  it("serves the web app for a browser navigation to a non-API path under a prefix", async () => {
    const res = await f.gateway.inject({ url: "/appointments/today", headers: { accept: "text/html" } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    // The service's own pages still reach it, even for a browser.
    const docs = await f.gateway.inject({ url: "/video/docs", headers: { accept: "text/html" } });
    expect(docs.json<EchoBody>().url).toBe("/docs");
  });
});

describe("gateway proxy failures", () => {
  it("answers 502 UPSTREAM_UNAVAILABLE with the error shape when the upstream is down", async () => {
    const logs = captureLogs();
    const config = loadGatewayConfig({ VIDEO_URL: await deadUpstreamUrl(), WEB_DIST_DIR: "/nonexistent" });
    const gateway = await buildApp({ config, logStream: logs.stream });
    // A real listener: a request body streamed into a refused connection behaves differently under inject.
    const address = await gateway.listen({ port: 0, host: "127.0.0.1" });
    try {
      for (const method of ["GET", "POST"] as const) {
        const res = await fetch(`${address}/video/api/video/sessions`, {
          method,
          ...(method === "POST" ? { body: "{}", headers: { "content-type": "application/json" } } : {}),
        });
        expect(res.status).toBe(502);
        expect(await res.json()).toEqual({
          error: "The video service is unavailable, try again shortly",
          status: 502,
          code: "UPSTREAM_UNAVAILABLE",
        });
      }
      expect(logs.text()).toContain('"upstream":"video","code":"UPSTREAM_UNAVAILABLE"');
    } finally {
      await gateway.close();
    }
  });

  it("answers 504 UPSTREAM_TIMEOUT when the upstream is slower than UPSTREAM_TIMEOUT_MS", async () => {
    const slow = await startEchoUpstream({ slowMs: 2000 });
    const config = loadGatewayConfig({ AUTH_URL: slow.url, UPSTREAM_TIMEOUT_MS: "200", LOG_LEVEL: "silent" });
    const gateway = await buildApp({ config });
    try {
      const res = await gateway.inject({ url: "/auth/slow" });
      expect(res.statusCode).toBe(504);
      expect(res.json()).toEqual({
        error: "The auth service did not answer in time",
        status: 504,
        code: "UPSTREAM_TIMEOUT",
      });
      // Below the limit the same upstream answers normally.
      expect((await gateway.inject({ url: "/auth/api/auth/me" })).statusCode).toBe(200);
    } finally {
      await gateway.close();
      await slow.close();
    }
  });

  it("passes an upstream's own error through once, without retrying", async () => {
    const upstream = await startEchoUpstream();
    let calls = 0;
    upstream.app.server.prependListener("request", (req) => {
      if (req.url === "/health") calls++;
    });
    const sick = await startEchoUpstream({ healthStatus: 503 });
    const config = loadGatewayConfig({ VIDEO_URL: sick.url, LOG_LEVEL: "silent" });
    const gateway = await buildApp({ config });
    let sickCalls = 0;
    sick.app.server.prependListener("request", (req) => {
      if (req.url === "/health") sickCalls++;
    });
    try {
      const res = await gateway.inject({ url: "/video/health" });
      expect(res.statusCode).toBe(503);
      expect(sickCalls).toBe(1);
      expect(calls).toBe(0);
    } finally {
      await gateway.close();
      await Promise.all([upstream.close(), sick.close()]);
    }
  });
});

describe("gateway WebSocket pass-through", () => {
  let f: GatewayFixture;
  let base: string;
  beforeAll(async () => {
    f = await startGateway();
    await f.gateway.listen({ port: 0, host: "127.0.0.1" });
    base = `ws://127.0.0.1:${(f.gateway.server.address() as AddressInfo).port}`;
  });
  afterAll(() => f.close());

  it("upgrades /video/... to the video service with the prefix stripped and messages both ways", async () => {
    const ws = new WebSocket(`${base}/video/api/video/sessions/sess-1/signal?token=secret-join-token`, {
      headers: { "x-request-id": "ws-trace-1", origin: "http://localhost:8000" },
    });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once("open", () => ws.send("hello"));
      ws.once("message", (data) => resolve(String(data)));
      ws.once("error", reject);
      setTimeout(() => reject(new Error("no WebSocket reply within 5 s")), 5000).unref();
    });
    ws.close();
    expect(reply).toBe("echo:hello");
    const seen = f.upstreams.video.sockets.at(-1);
    expect(seen?.url).toBe("/api/video/sessions/sess-1/signal?token=secret-join-token");
    expect(seen?.headers["x-request-id"]).toBe("ws-trace-1");
    expect(seen?.headers["x-forwarded-prefix"]).toBe("/video");
    expect(seen?.headers.origin).toBe("http://localhost:8000");
    // The join token reached the upstream but never a log line.
    expect(f.logs.text()).toContain("websocket upgrade");
    expect(f.logs.text()).not.toContain("secret-join-token");
  });

  it("upgrades the pre-call check's probe (/video/api/video/signal-probe) to the video service like signalling", async () => {
    const ws = new WebSocket(`${base}/video${SIGNAL_PROBE_PATH}`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once("open", () => ws.send("probe"));
      ws.once("message", (data) => resolve(String(data)));
      ws.once("error", reject);
      setTimeout(() => reject(new Error("no WebSocket reply within 5 s")), 5000).unref();
    });
    ws.close();
    expect(reply).toBe("echo:probe");
    expect(f.upstreams.video.sockets.at(-1)?.url).toBe(SIGNAL_PROBE_PATH);
  });

  it("refuses an upgrade under a prefix that has no WebSocket, instead of leaving it hanging", async () => {
    const ws = new WebSocket(`${base}/auth/api/auth/me`);
    const status = await new Promise<number>((resolve, reject) => {
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.once("open", () => reject(new Error("upgrade unexpectedly accepted")));
      setTimeout(() => reject(new Error("no answer within 5 s")), 5000).unref();
    });
    expect(status).toBe(400);
  });

  it("closes the client's WebSocket with 1011 when the video service is unreachable", async () => {
    const config = loadGatewayConfig({ VIDEO_URL: await deadUpstreamUrl(), LOG_LEVEL: "silent", WEB_DIST_DIR: "/x" });
    const gateway = await buildApp({ config });
    await gateway.listen({ port: 0, host: "127.0.0.1" });
    try {
      const port = (gateway.server.address() as AddressInfo).port;
      const ws = new WebSocket(`ws://127.0.0.1:${port}/video/api/video/sessions/s/signal?token=t`);
      const code = await new Promise<number>((resolve, reject) => {
        ws.once("close", (closeCode) => resolve(closeCode));
        setTimeout(() => reject(new Error("not closed within 5 s")), 5000).unref();
      });
      expect(code).toBe(1011);
    } finally {
      await gateway.close();
    }
  });
});
