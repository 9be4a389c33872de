import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type InstanceReport, UpstreamPool } from "../proxy/upstream-pool.ts";
import { type EchoUpstream, startEchoUpstream } from "../testing/echo-upstream.ts";
import { type GatewayFixture, startGateway } from "../testing/gateway-fixture.ts";

const unavailable = {
  error: "The video service is unavailable, try again shortly",
  status: 502,
  code: "UPSTREAM_UNAVAILABLE",
};

/** Checks only when a test asks (`checkNow()`): an hour between two rounds. */
const manualChecks = { GATEWAY_HEALTH_INTERVAL_MS: "3600000" };

describe("gateway balancing over two video instances", () => {
  let f: GatewayFixture;
  let base: string;
  beforeEach(async () => {
    f = await startGateway(manualChecks, { videoInstances: 2 });
    await f.gateway.listen({ port: 0, host: "127.0.0.1" });
    base = `127.0.0.1:${(f.gateway.server.address() as AddressInfo).port}`;
    await pool().checkNow();
  });
  afterEach(() => f.close());

  const pool = () => {
    const video = f.gateway.upstreamPools.video;
    if (!video) throw new Error("the video route is not balanced");
    return video;
  };
  const call = (method = "GET", body?: string) =>
    fetch(`http://${base}/video/api/video/sessions`, {
      method,
      ...(body ? { body, headers: { "content-type": "application/json" } } : {}),
    });
  const servedBy = async (method = "GET", body?: string) => {
    const res = await call(method, body);
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    return res.headers.get("x-served-by");
  };
  /** Stops instance `index` (a replica killed); returns a function starting it again on its port. */
  const stop = async (index: number) => {
    const instance = f.videoInstances[index] as EchoUpstream;
    await instance.close();
    return async () => {
      const again = await startEchoUpstream({
        port: Number(new URL(instance.url).port),
        servedBy: `video-${index + 1}`,
      });
      f.videoInstances[index] = again;
      return again;
    };
  };
  const health = async () => {
    const res = await fetch(`http://${base}/health`);
    const body = (await res.json()) as { upstreams: { video: { status: string; instances: InstanceReport[] } } };
    return { status: res.status, video: body.upstreams.video };
  };
  /** Opens a WebSocket, checks the echo, and says which instance took it (by index). */
  const upgrade = async (): Promise<{ ws: WebSocket; instance: number }> => {
    const before = f.videoInstances.map((instance) => instance.sockets.length);
    const ws = new WebSocket(`ws://${base}/video/api/video/sessions/s/signal?token=t`);
    const reply = await new Promise<string>((resolve, reject) => {
      ws.once("open", () => ws.send("hello"));
      ws.once("message", (data) => resolve(String(data)));
      ws.once("error", reject);
      ws.once("close", (code) => reject(new Error(`closed with ${code}`)));
      setTimeout(() => reject(new Error("no WebSocket reply within 5 s")), 5000).unref();
    });
    expect(reply).toBe("echo:hello");
    const grew = f.videoInstances.map((instance, index) => instance.sockets.length - (before[index] ?? 0));
    expect(grew.reduce((a, b) => a + b, 0)).toBe(1);
    return { ws, instance: grew.indexOf(1) };
  };
  const closed = (ws: WebSocket) =>
    new Promise<void>((resolve, reject) => {
      if (ws.readyState === ws.CLOSED) return resolve();
      ws.once("close", () => resolve());
      setTimeout(() => reject(new Error("not closed within 5 s")), 5000).unref();
    });

  it("alternates HTTP requests between the instances, whatever the method", async () => {
    const seen: (string | null)[] = [];
    for (const method of ["GET", "POST", "GET", "PUT", "DELETE", "GET"]) {
      seen.push(await servedBy(method, method === "POST" || method === "PUT" ? "{}" : undefined));
    }
    expect(new Set(seen)).toEqual(new Set(["video-1", "video-2"]));
    for (let i = 1; i < seen.length; i++) expect(seen[i], `request ${i + 1}`).not.toBe(seen[i - 1]);
  });

  it("alternates WebSocket upgrades between the instances", async () => {
    const opened: { ws: WebSocket; instance: number }[] = [];
    for (let i = 0; i < 4; i++) opened.push(await upgrade());
    expect(opened.map((o) => o.instance).sort()).toEqual([0, 0, 1, 1]);
    for (let i = 1; i < opened.length; i++) expect(opened[i]?.instance).not.toBe(opened[i - 1]?.instance);
    for (const { ws } of opened) ws.close();
  });

  it("takes out an instance failing GATEWAY_HEALTH_FAILURES (2) readiness checks, and puts it back after one passing", async () => {
    const [, second] = f.videoInstances as [EchoUpstream, EchoUpstream];
    second.setReady(false);
    await pool().checkNow();
    // One failed check is not enough: still in rotation.
    expect(new Set([await servedBy(), await servedBy()])).toEqual(new Set(["video-1", "video-2"]));
    await pool().checkNow();
    for (let i = 0; i < 4; i++) expect(await servedBy()).toBe("video-1");
    const { video } = await health();
    expect(video.instances[1]).toMatchObject({ status: "DOWN", http_status: 503, checks: { database: "DOWN" } });

    second.setReady(true);
    await pool().checkNow();
    expect(new Set([await servedBy(), await servedBy()])).toEqual(new Set(["video-1", "video-2"]));
  });

  it("retries a GET refused by a stopped instance on the other at once, keeps it out, and puts it back once it answers", async () => {
    // video-1 served this one, so video-2 is next in rotation: it is the one stopped.
    expect(await servedBy()).toBe("video-1");
    const restart = await stop(1);
    // No check has run: the refused connection is retried on video-1, and video-2 is out at once.
    const taken = f.gateway.fastPath?.taken ?? Number.NaN;
    expect(await servedBy()).toBe("video-1");
    // A plain GET: the fast path took it and retried it (proxy/fast-path.ts), as Fastify's route would.
    expect(f.gateway.fastPath?.taken).toBe(taken + 1);
    expect((await health()).video.instances[1]).toMatchObject({ status: "DOWN", reason: "UNREACHABLE" });
    expect(f.logs.text()).toContain("request retried on another instance");
    for (let i = 0; i < 3; i++) expect(await servedBy()).toBe("video-1");
    // The check after it: still refused, still out.
    await pool().checkNow();
    expect(await servedBy()).toBe("video-1");

    await restart();
    await pool().checkNow();
    expect((await health()).video.instances[1]).toMatchObject({ status: "UP", http_status: 200 });
    expect(new Set([await servedBy(), await servedBy()])).toEqual(new Set(["video-1", "video-2"]));
  });

  it("does not retry a refused POST (502), but takes the instance out for the next request", async () => {
    expect(await servedBy()).toBe("video-1");
    await stop(1);
    const refused = await call("POST", "{}");
    expect(refused.status).toBe(502);
    expect(await refused.json()).toEqual(unavailable);
    expect(await servedBy("POST", "{}")).toBe("video-1");
  });

  it("reconnects a WebSocket whose instance was stopped onto the other one, before any check", async () => {
    const first = await upgrade();
    const second = await upgrade();
    expect([first.instance, second.instance]).toEqual([0, 1]);
    // One HTTP request in between: video-2 is next in rotation when the client reconnects.
    expect(await servedBy()).toBe("video-1");
    await stop(1);
    await closed(second.ws);
    // The reconnect is sent to video-2, refused, and retried on video-1: the client sees an open socket.
    const again = await upgrade();
    expect(again.instance).toBe(0);
    expect(f.logs.text()).toContain("websocket upgrade retried on another instance");
    // Sent once connected, its Host names the instance that took it, not the one that refused.
    const reached = f.videoInstances[0] as EchoUpstream;
    expect(reached.sockets.at(-1)?.headers.host).toBe(new URL(reached.url).host);
    // The first socket, on video-1, was never disturbed.
    expect(first.ws.readyState).toBe(WebSocket.OPEN);
    first.ws.close();
    again.ws.close();
  });

  it("answers 502 UPSTREAM_UNAVAILABLE to requests and upgrades when every instance is down", async () => {
    await stop(0);
    await stop(1);
    // Before any check: the first instance refuses, the retry on the second too.
    const before = await call();
    expect(before.status).toBe(502);
    expect(await before.json()).toEqual(unavailable);
    await pool().checkNow();
    for (const method of ["GET", "POST"]) {
      const res = await call(method, method === "POST" ? "{}" : undefined);
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual(unavailable);
    }
    // An upgrade is refused before it happens, with the same body.
    const ws = new WebSocket(`ws://${base}/video/api/video/sessions/s/signal?token=t`);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.on("data", (chunk) => {
          body += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      });
      ws.once("open", () => reject(new Error("upgrade unexpectedly accepted")));
      setTimeout(() => reject(new Error("no answer within 5 s")), 5000).unref();
    });
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body)).toEqual(unavailable);
    expect(f.logs.text()).toContain('"instances_up":0');
  });

  it("lists each instance in /health by position and id (x-served-by), never by its internal URL", async () => {
    const [one, two] = f.videoInstances as [EchoUpstream, EchoUpstream];
    const up = await health();
    expect(up.status).toBe(200);
    expect(up.video).toEqual({
      status: "UP",
      instances: [
        { index: 1, instance: "video-1", status: "UP", last_check: expect.any(String), http_status: 200 },
        { index: 2, instance: "video-2", status: "UP", last_check: expect.any(String), http_status: 200 },
      ],
    });
    expect(Date.parse(up.video.instances[0]?.last_check ?? "")).not.toBeNaN();
    // /health is public: the instances' internal addresses stay out of it.
    const raw = await (await fetch(`http://${base}/health`)).text();
    for (const instance of [one, two]) expect(raw).not.toContain(new URL(instance.url).host);

    await stop(1);
    await pool().checkNow();
    const degraded = await health();
    // The service still answers through video-1: the gateway stays UP and names the instance down.
    expect(degraded.status).toBe(200);
    expect(degraded.video.status).toBe("UP");
    // The id seen last is kept while the instance does not answer.
    expect(degraded.video.instances[1]).toEqual({
      index: 2,
      instance: "video-2",
      status: "DOWN",
      last_check: expect.any(String),
      since: expect.any(String),
      reason: "UNREACHABLE",
    });

    await stop(0);
    await pool().checkNow();
    const down = await fetch(`http://${base}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      status: "DOWN",
      checks: { video: "DOWN" },
      upstreams: { video: { status: "DOWN" } },
    });
  });
});

describe("gateway balancing health checks", () => {
  it("checks every GATEWAY_HEALTH_INTERVAL_MS on its own: a stopped instance goes out, started again it comes back", async () => {
    const f = await startGateway({ GATEWAY_HEALTH_INTERVAL_MS: "100" }, { videoInstances: 2 });
    const statusOfSecond = async () => {
      const res = await f.gateway.inject({ url: "/health" });
      return res.json<{ upstreams: { video: { instances: InstanceReport[] } } }>().upstreams.video.instances[1]?.status;
    };
    const waitFor = async (status: "UP" | "DOWN") => {
      // Bounded: at most 100 looks, 50 ms apart; the checks run every 100 ms.
      for (let i = 0; i < 100 && (await statusOfSecond()) !== status; i++) await new Promise((r) => setTimeout(r, 50));
      return statusOfSecond();
    };
    try {
      const second = f.videoInstances[1] as EchoUpstream;
      const port = Number(new URL(second.url).port);
      await second.close();
      expect(await waitFor("DOWN")).toBe("DOWN");
      f.videoInstances[1] = await startEchoUpstream({ port, servedBy: "video-2" });
      expect(await waitFor("UP")).toBe("UP");
    } finally {
      await f.close();
    }
  });

  it("counts every balanced upgrade against GATEWAY_WS_MAX_PER_ADDRESS, whichever instance took it", async () => {
    const f = await startGateway({ ...manualChecks, GATEWAY_WS_MAX_PER_ADDRESS: "2" }, { videoInstances: 2 });
    await f.gateway.listen({ port: 0, host: "127.0.0.1" });
    const url = `ws://127.0.0.1:${(f.gateway.server.address() as AddressInfo).port}/video/api/video/sessions/s/signal`;
    const open = (ws: WebSocket) =>
      new Promise<number>((resolve, reject) => {
        // Open end to end: the echo comes back through the instance.
        ws.once("open", () => ws.send("x"));
        ws.once("message", () => resolve(101));
        ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        setTimeout(() => reject(new Error("no answer within 5 s")), 5000).unref();
      });
    const sockets = [new WebSocket(url), new WebSocket(url)];
    try {
      expect(await Promise.all(sockets.map(open))).toEqual([101, 101]);
      expect(f.videoInstances.map((instance) => instance.sockets.length)).toEqual([1, 1]);
      const third = new WebSocket(url);
      expect(await open(third)).toBe(429);
    } finally {
      for (const ws of sockets) ws.close();
      await f.close();
    }
  });

  it("leaves a single VIDEO_URL unbalanced and unchecked, as before", async () => {
    const f = await startGateway(manualChecks);
    try {
      expect(f.gateway.upstreamPools).toEqual({});
      const res = await f.gateway.inject({ url: "/health" });
      expect(res.json().upstreams.video).toEqual({ status: "UP", http_status: 200, checks: { database: "UP" } });
    } finally {
      await f.close();
    }
  });
});

describe("an instance whose name does not resolve", () => {
  it("is taken out after GATEWAY_HEALTH_FAILURES checks, not at the first DNS failure", async () => {
    const pool = new UpstreamPool({
      name: "video",
      // .invalid never resolves (RFC 6761): every check fails with ENOTFOUND / EAI_AGAIN.
      urls: ["http://video-1.invalid:8086", "http://video-2.invalid:8086"],
      intervalMs: 3_600_000,
      failureThreshold: 2,
      probeTimeoutMs: 5000,
      connectTimeoutMs: 5000,
      log: pino({ level: "silent" }),
    });
    try {
      await pool.checkNow();
      expect(pool.report().instances.map((i) => i.status)).toEqual(["UP", "UP"]);
      await pool.checkNow();
      expect(pool.report().instances.map((i) => i.status)).toEqual(["DOWN", "DOWN"]);
    } finally {
      pool.stop();
    }
  });
});
