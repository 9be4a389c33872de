import { request } from "node:http";
import { type AddressInfo, connect } from "node:net";
import { securityHeaders } from "@clinic/platform";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadUpstreamUrl, type EchoBody } from "../testing/echo-upstream.ts";
import { type GatewayFixture, startGateway } from "../testing/gateway-fixture.ts";

/**
 * The fast path (`fast-path.ts`) against Fastify's path for the same requests: two gateways
 * in front of their own echo upstreams, one with the fast path (the default), one without,
 * both over real HTTP (`inject` never reaches the server, so it always takes Fastify's path).
 * Whatever the fast path takes must answer exactly as Fastify would; whatever it leaves must
 * reach Fastify untouched.
 */

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** The gateway's log lines, parsed. */
const entries = (f: GatewayFixture) => f.logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
const portOf = (f: GatewayFixture) => (f.gateway.server.address() as AddressInfo).port;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Response headers minus those that differ by nature (date, the generated id, the length of a body naming a port). */
function comparable(headers: Answer["headers"], keepId: boolean) {
  const { date: _date, "content-length": length, "x-request-id": id, ...rest } = headers;
  return { ...rest, "content-length": length === undefined ? "absent" : "present", ...(keepId ? { id } : {}) };
}

/** What the upstream saw, minus what differs between the two gateways (its own host, a generated id). */
function seenUpstream(answer: Answer, keepId: boolean) {
  const echo = JSON.parse(answer.body) as EchoBody;
  const { host: _host, "x-request-id": id, ...headers } = echo.headers;
  // Each gateway's own address, unless the caller named a host.
  headers["x-forwarded-host"] = (headers["x-forwarded-host"] ?? "").replace(/^127\.0\.0\.1:\d+$/, "gateway");
  return { method: echo.method, url: echo.url, body: echo.body, headers, ...(keepId ? { id } : {}) };
}

describe("gateway fast path", () => {
  let fast: GatewayFixture;
  let slow: GatewayFixture;
  beforeAll(async () => {
    [fast, slow] = await Promise.all([startGateway(), startGateway({}, {}, { fastPath: false })]);
    await Promise.all([fast, slow].map((f) => f.gateway.listen({ port: 0, host: "127.0.0.1" })));
  });
  afterAll(() => Promise.all([fast.close(), slow.close()]));

  const goodId = { "x-request-id": "trace-0123456789" };
  // Plain reads under a prefix: taken by the fast path.
  const taken: [string, string, Record<string, string>][] = [
    ["GET", "/video/api/video/sessions", {}],
    ["GET", "/video/api/video/sessions/s-1/join?x=1&y=%20two&token=abc", { accept: "application/json" }],
    ["HEAD", "/appointments/api/appointments", {}],
    ["GET", "/auth/api/auth/me", goodId],
    ["GET", "/auth/api/auth/me", { "x-request-id": "short" }],
    ["GET", "/video/api/x", { origin: "http://localhost:8000", cookie: "a=b" }],
    ["GET", "/video/api/x", { origin: "https://elsewhere.example" }],
    ["GET", "/video", {}],
    ["GET", "/video/", {}],
    ["GET", "/video?x=1", {}],
    ["GET", "/auth/?x=1", {}],
    ["GET", `/video/api/${"a".repeat(300)}`, {}],
    ["GET", "/video/api/x", { "x-forwarded-proto": "https", "x-forwarded-host": "clinic.example" }],
    ["GET", "/video/api/x", { connection: "keep-alive, x-hop", "x-hop": "1", "keep-alive": "timeout=5" }],
    ["GET", "/video/api/x;v=1/a:b@c", {}],
  ];
  // Everything the gateway refuses or answers itself, or that Fastify must parse: left to Fastify.
  const left: [string, string, Record<string, string>, string?][] = [
    ["GET", "/video/docs/json", {}],
    ["GET", "/video/api/%2e%2e/x", {}],
    ["GET", "/video/api/../x", {}],
    ["GET", "/video/api/../metrics", {}],
    ["GET", "/video//api/x", {}],
    ["GET", "/video/METRICS", {}],
    ["GET", "/videox/api", {}],
    ["GET", "/health", {}],
    ["GET", "/livez", {}],
    ["GET", "/video/today", { accept: "text/html" }],
    ["GET", "/video/api/x", { "x-forwarded-for": "203.0.113.9" }],
    ["GET", "/video/api/x", { upgrade: "websocket" }],
    ["GET", "/video/api/x", { "content-type": "application/json", "content-length": "7" }, '{"a":1}'],
    ["POST", "/video/api/x", { "content-type": "application/json", "content-length": "7" }, '{"a":1}'],
    ["DELETE", "/video/api/x", {}],
    ["OPTIONS", "/video/api/x", { origin: "http://localhost:8000", "access-control-request-method": "GET" }],
    ["OPTIONS", "/video/api/x", {}],
  ];

  it.each(taken)("takes %s %s and answers as Fastify would", async (method, path, headers) => {
    const before = fast.gateway.fastPath?.taken ?? Number.NaN;
    const [a, b] = await Promise.all([
      send(portOf(fast), method, path, headers),
      send(portOf(slow), method, path, headers),
    ]);
    expect(fast.gateway.fastPath?.taken).toBe(before + 1);
    expect(slow.gateway.fastPath).toBeUndefined();
    const keepId = headers["x-request-id"] === goodId["x-request-id"];
    expect(a.status).toBe(b.status);
    expect(comparable(a.headers, keepId)).toEqual(comparable(b.headers, keepId));
    if (keepId) expect(a.headers["x-request-id"]).toBe(goodId["x-request-id"]);
    else expect(a.headers["x-request-id"]).toMatch(uuid);
    for (const [name, value] of Object.entries(securityHeaders)) expect(a.headers[name]).toBe(value);
    if (method === "HEAD") return;
    expect(seenUpstream(a, keepId)).toEqual(seenUpstream(b, keepId));
    // The id the upstream got is the one the client got back.
    expect((JSON.parse(a.body) as EchoBody).headers["x-request-id"]).toBe(a.headers["x-request-id"]);
  });

  it("sets the CORS headers @fastify/cors sets: the allowed origin reflected, a refused one not", async () => {
    const allowed = await send(portOf(fast), "GET", "/video/api/x", { origin: "http://localhost:8000" });
    expect(allowed.headers).toMatchObject({
      "access-control-allow-origin": "http://localhost:8000",
      "access-control-allow-credentials": "true",
      "access-control-expose-headers": "x-request-id, retry-after",
    });
    const refused = await send(portOf(fast), "GET", "/video/api/x", { origin: "https://elsewhere.example" });
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it.each(left)("leaves %s %s to Fastify", async (method, path, headers, body) => {
    const before = fast.gateway.fastPath?.taken ?? Number.NaN;
    const [a, b] = await Promise.all([
      send(portOf(fast), method, path, headers, body),
      send(portOf(slow), method, path, headers, body),
    ]);
    expect(fast.gateway.fastPath?.taken).toBe(before);
    expect(a.status).toBe(b.status);
    expect(comparable(a.headers, false)).toEqual(comparable(b.headers, false));
  });

  it("writes the access line and observes the request histogram, as Fastify's hooks do", async () => {
    const count = async (route = "/video/*") => {
      const text = await fast.gateway.metrics.getSingleMetricAsString("http_request_duration_seconds");
      const series = /http_request_duration_seconds_count\{([^}]*)\} (\d+)/g;
      for (const [, labels = "", value] of text.matchAll(series)) {
        if (
          labels.includes('method="GET"') &&
          labels.includes(`route="${route}"`) &&
          labels.includes('status_code="200"')
        ) {
          return Number(value);
        }
      }
      return 0;
    };
    // `/video` and `/video/` are Fastify's route `/video`; what is below it, `/video/*`.
    const root = await count("/video");
    await send(portOf(fast), "GET", "/video/");
    expect(await count("/video")).toBe(root + 1);
    const before = await count();
    const id = { "x-request-id": "trace-access-0001" };
    const { status } = await send(portOf(fast), "GET", "/video/api/video/sessions?token=secret-token", id);
    expect(status).toBe(200);
    expect(await count()).toBe(before + 1);
    const line = entries(fast).find((entry) => entry.msg === "request" && entry.reqId === id["x-request-id"]);
    expect(line).toMatchObject({ method: "GET", path: "/video/api/video/sessions", status: 200, upstream: "video" });
    expect(typeof line?.duration_ms).toBe("number");
    expect(fast.logs.text()).not.toContain("secret-token");
  });

  it("writes an invite link's path with its token cut out, as Fastify's access line does", async () => {
    const path = "/video/api/video/invites/join/invite-secret-0001?lang=en";
    const ids = { fast: { "x-request-id": "trace-access-0002" }, slow: { "x-request-id": "trace-access-0003" } };
    await Promise.all([send(portOf(fast), "GET", path, ids.fast), send(portOf(slow), "GET", path, ids.slow)]);
    const lineOf = (f: GatewayFixture, reqId: string) =>
      entries(f).find((entry) => entry.msg === "request" && entry.reqId === reqId);
    expect(lineOf(fast, ids.fast["x-request-id"])?.path).toBe("/video/api/video/invites/join/[redacted]");
    expect(lineOf(fast, ids.fast["x-request-id"])?.path).toBe(lineOf(slow, ids.slow["x-request-id"])?.path);
    expect(fast.logs.text()).not.toContain("invite-secret-0001");
  });

  it("leaves requests to Fastify while it sheds load", async () => {
    const gateway = fast.gateway as unknown as { isUnderPressure?: () => boolean };
    const before = fast.gateway.fastPath?.taken ?? Number.NaN;
    gateway.isUnderPressure = () => true;
    try {
      await send(portOf(fast), "GET", "/video/api/x");
    } finally {
      delete gateway.isUnderPressure;
    }
    expect(fast.gateway.fastPath?.taken).toBe(before);
  });
});

describe("gateway fast path, upstream down", () => {
  let fast: GatewayFixture;
  let slow: GatewayFixture;
  beforeAll(async () => {
    const env = { VIDEO_URL: await deadUpstreamUrl() };
    [fast, slow] = await Promise.all([startGateway(env), startGateway(env, {}, { fastPath: false })]);
    await Promise.all([fast, slow].map((f) => f.gateway.listen({ port: 0, host: "127.0.0.1" })));
  });
  afterAll(() => Promise.all([fast.close(), slow.close()]));

  it("answers 502 UPSTREAM_UNAVAILABLE with the same headers and body as Fastify's path, and logs it", async () => {
    const headers = { "x-request-id": "trace-down-0001", origin: "http://localhost:8000" };
    const [a, b] = await Promise.all([
      send(portOf(fast), "GET", "/video/api/video/sessions", headers),
      send(portOf(slow), "GET", "/video/api/video/sessions", headers),
    ]);
    expect(fast.gateway.fastPath?.taken).toBe(1);
    expect(a.status).toBe(502);
    expect(JSON.parse(a.body)).toEqual({
      error: "The video service is unavailable, try again shortly",
      status: 502,
      code: "UPSTREAM_UNAVAILABLE",
    });
    expect(a.body).toBe(b.body);
    expect(comparable(a.headers, true)).toEqual(comparable(b.headers, true));
    expect(a.headers["content-length"]).toBe(b.headers["content-length"]);
    const warning = entries(fast).find((entry) => entry.msg === "upstream failed");
    expect(warning).toMatchObject({ reqId: "trace-down-0001", upstream: "video", code: "UPSTREAM_UNAVAILABLE" });
    const line = entries(fast).find((entry) => entry.msg === "request" && entry.reqId === "trace-down-0001");
    expect(line).toMatchObject({ status: 502, upstream: "video" });
  });
});

describe("gateway fast path while shutting down", () => {
  it("leaves a request that arrives after close() began to Fastify: 503 SHUTTING_DOWN, connection closed", async () => {
    const f = await startGateway({}, { video: { slowMs: 300 } });
    try {
      await f.gateway.listen({ port: 0, host: "127.0.0.1" });
      // Two pipelined requests on one kept-alive socket: the second is read only once the
      // first is answered, which is after close() has begun.
      const socket = connect(portOf(f), "127.0.0.1");
      let received = "";
      socket.on("data", (chunk) => {
        received += String(chunk);
      });
      const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
      const get = "GET /video/slow HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n";
      socket.write(get);
      for (let i = 0; i < 200 && f.gateway.fastPath?.taken !== 1; i++) await new Promise((r) => setTimeout(r, 5));
      expect(f.gateway.fastPath?.taken).toBe(1);
      const closed = f.gateway.close();
      socket.write(get);
      await ended;
      await closed;
      const responses = received.split(/(?=HTTP\/1\.1 )/);
      expect(responses).toHaveLength(2);
      expect(responses[0]).toMatch(/^HTTP\/1\.1 200/);
      const second = responses[1] ?? "";
      expect(second).toMatch(/^HTTP\/1\.1 503/);
      expect(second.toLowerCase()).toContain("connection: close");
      expect(JSON.parse(second.slice(second.indexOf("\r\n\r\n") + 4))).toEqual({
        error: "Service is shutting down",
        status: 503,
        code: "SHUTTING_DOWN",
      });
      expect(f.gateway.fastPath?.taken).toBe(1);
    } finally {
      await f.close();
    }
  });
});
