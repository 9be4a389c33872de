import type { AddressInfo } from "node:net";
import { SIGNAL_MAX_FRAME_BYTES } from "@clinic/contracts";
import { afterEach, describe, expect, it, vi } from "vitest";
import WebSocket from "ws";
import type { EchoUpstreamOptions } from "../testing/echo-upstream.ts";
import { type GatewayFixture, startGateway } from "../testing/gateway-fixture.ts";
import { preOpenLimits } from "./websocket-guard.ts";

const signalPath = "/video/api/video/sessions/sess-1/signal?token=t";
const bounded = { timeout: 5000, interval: 20 };

/**
 * The limits on proxied WebSockets (issue 15: a 20 MiB frame went through, no cap, no idle
 * timeout, unbounded buffering before the upstream opens), against the real gateway on a
 * real port in front of the echo upstream.
 */
describe("gateway WebSocket limits", () => {
  let f: GatewayFixture | undefined;
  const clients: WebSocket[] = [];
  afterEach(async () => {
    for (const ws of clients.splice(0)) ws.terminate();
    await f?.close();
    f = undefined;
  });

  async function gateway(env: Record<string, string> = {}, video?: EchoUpstreamOptions): Promise<string> {
    f = await startGateway({ LOG_LEVEL: "silent", ...env }, video ? { video } : {});
    await f.gateway.listen({ port: 0, host: "127.0.0.1" });
    return `ws://127.0.0.1:${(f.gateway.server.address() as AddressInfo).port}`;
  }

  function connect(url: string, options: WebSocket.ClientOptions = {}): WebSocket {
    const ws = new WebSocket(url, options);
    ws.on("error", () => undefined); // a refused upgrade also emits error; the tests read events below
    clients.push(ws);
    return ws;
  }

  const opened = (ws: WebSocket) =>
    new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
      setTimeout(() => reject(new Error("not open within 5 s")), 5000).unref();
    });

  const closed = (ws: WebSocket, within = 5000) =>
    new Promise<{ code: number; reason: string }>((resolve, reject) => {
      ws.once("close", (code, reason) => resolve({ code, reason: String(reason) }));
      setTimeout(() => reject(new Error(`not closed within ${within} ms`)), within).unref();
    });

  const refused = (ws: WebSocket) =>
    new Promise<{ status: number; retryAfter: string | undefined; body: Record<string, unknown> }>(
      (resolve, reject) => {
        ws.once("unexpected-response", (_req, res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => {
            text += chunk;
          });
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              retryAfter: res.headers["retry-after"] as string | undefined,
              body: JSON.parse(text) as Record<string, unknown>,
            }),
          );
        });
        ws.once("open", () => reject(new Error("upgrade unexpectedly accepted")));
        setTimeout(() => reject(new Error("no answer within 5 s")), 5000).unref();
      },
    );

  const echoOf = (ws: WebSocket, text: string) =>
    new Promise<string>((resolve, reject) => {
      ws.once("message", (data) => resolve(String(data)));
      ws.send(text);
      setTimeout(() => reject(new Error("no echo within 5 s")), 5000).unref();
    });

  it("closes a frame over the video service's 64 KiB with 1009 and never forwards it", async () => {
    const base = await gateway();
    const ws = connect(`${base}${signalPath}`);
    await opened(ws);
    // The control: a frame at the limit goes through.
    expect(await echoOf(ws, "x".repeat(SIGNAL_MAX_FRAME_BYTES - 10))).toHaveLength(SIGNAL_MAX_FRAME_BYTES - 5);
    const close = closed(ws);
    ws.send(Buffer.alloc(20 * 1024 * 1024, 1)); // the probe's 20 MiB
    expect((await close).code).toBe(1009);
    expect(Math.max(...(f as GatewayFixture).upstreams.video.messageBytes)).toBeLessThanOrEqual(SIGNAL_MAX_FRAME_BYTES);
  });

  it("refuses the connection over GATEWAY_WS_MAX_PER_ADDRESS from one address with 429, and frees the slot on close", async () => {
    const base = await gateway({ GATEWAY_WS_MAX_PER_ADDRESS: "2" });
    const first = connect(`${base}${signalPath}`);
    const second = connect(`${base}${signalPath}`);
    await Promise.all([opened(first), opened(second)]);

    const third = await refused(connect(`${base}${signalPath}`));
    expect(third.status).toBe(429);
    expect(third.body).toMatchObject({ status: 429, code: "WEBSOCKET_LIMIT_REACHED", limit: 2 });
    expect(third.retryAfter).toBeDefined();
    // Another client (127.0.0.2 is this machine too) has its own count.
    await opened(connect(`${base}${signalPath}`, { localAddress: "127.0.0.2" }));

    first.close();
    await closed(first);
    // The slot is freed when the gateway sees the TCP connection end, just after the client does.
    await vi.waitFor(async () => {
      const again = connect(`${base}${signalPath}`);
      await opened(again);
    }, bounded);
  });

  it("counts the X-Forwarded-For client only when TRUST_PROXY trusts the peer", async () => {
    const forwardedFrom = (client: string) => ({ headers: { "x-forwarded-for": client } });
    // Untrusted peer: a forged header does not buy a fresh count.
    let base = await gateway({ GATEWAY_WS_MAX_PER_ADDRESS: "1" });
    await opened(connect(`${base}${signalPath}`, forwardedFrom("10.0.0.1")));
    expect((await refused(connect(`${base}${signalPath}`, forwardedFrom("10.0.0.2")))).status).toBe(429);
    for (const ws of clients.splice(0)) ws.terminate();
    await f?.close();

    // Behind a trusted proxy (127.0.0.1 here), each forwarded client has its own count.
    base = await gateway({ GATEWAY_WS_MAX_PER_ADDRESS: "1", TRUST_PROXY: "127.0.0.1" });
    await opened(connect(`${base}${signalPath}`, forwardedFrom("10.0.0.1")));
    await opened(connect(`${base}${signalPath}`, forwardedFrom("10.0.0.2")));
    expect((await refused(connect(`${base}${signalPath}`, forwardedFrom("10.0.0.1")))).status).toBe(429);
  });

  it("closes a socket whose client stays silent for GATEWAY_WS_IDLE_TIMEOUT_S with 1008, and its upstream half", async () => {
    const base = await gateway({ GATEWAY_WS_IDLE_TIMEOUT_S: "1" });
    const ws = connect(`${base}${signalPath}`);
    await opened(ws);
    const close = await closed(ws, 10_000);
    expect(close).toEqual({ code: 1008, reason: "idle timeout" });
    const upstream = (f as GatewayFixture).upstreams.video;
    await vi.waitFor(() => expect(upstream.sockets.at(-1)?.closeCode).toBe(1008), bounded);
  });

  it("bounds what a client sends before the upstream accepts: over the budget it is closed with 1013 and the upstream half dropped", async () => {
    const base = await gateway({}, { holdUpgrades: true });
    const ws = connect(`${base}${signalPath}`);
    await opened(ws); // the gateway accepted; the upstream has not
    const close = closed(ws);
    for (let i = 0; i < preOpenLimits.preOpenMaxFrames * 4; i++) ws.send(`flood-${i}`);
    expect((await close).code).toBe(1013);

    const upstream = (f as GatewayFixture).upstreams.video;
    // The gateway gave up its half: the held upgrade's connection is gone, nothing is queued for it.
    await vi.waitFor(() => expect(upstream.heldUpgrades[0]?.destroyed).toBe(true), bounded);
    upstream.acceptUpgrades();
    expect(upstream.sockets).toEqual([]);
    expect(upstream.messageBytes).toEqual([]);
  });

  it("bounds the bytes held before the upstream accepts too", async () => {
    const base = await gateway({}, { holdUpgrades: true });
    const ws = connect(`${base}${signalPath}`);
    await opened(ws);
    const close = closed(ws);
    const frames = Math.ceil(preOpenLimits.preOpenMaxBytes / SIGNAL_MAX_FRAME_BYTES) + 1;
    for (let i = 0; i < frames; i++) ws.send(Buffer.alloc(SIGNAL_MAX_FRAME_BYTES, 1));
    expect((await close).code).toBe(1013);
  });

  it("delivers what a client sent before the upstream accepted, within the budget, once it does", async () => {
    const base = await gateway({}, { holdUpgrades: true });
    const ws = connect(`${base}${signalPath}`);
    await opened(ws);
    const echoes: string[] = [];
    ws.on("message", (data) => echoes.push(String(data)));
    for (const text of ["media", "heartbeat", "offer"]) ws.send(text);
    const upstream = (f as GatewayFixture).upstreams.video;
    await vi.waitFor(() => expect(upstream.heldUpgrades).toHaveLength(1), bounded);
    upstream.acceptUpgrades();
    await vi.waitFor(() => expect(echoes).toEqual(["echo:media", "echo:heartbeat", "echo:offer"]), bounded);
  });

  it("closes the upstream half that opens after its client already left", async () => {
    const base = await gateway({}, { holdUpgrades: true });
    const ws = connect(`${base}${signalPath}`);
    await opened(ws);
    const upstream = (f as GatewayFixture).upstreams.video;
    await vi.waitFor(() => expect(upstream.heldUpgrades).toHaveLength(1), bounded);
    ws.close();
    await closed(ws);
    upstream.acceptUpgrades();
    await vi.waitFor(() => expect(upstream.sockets[0]?.closeCode).toBe(1001), bounded);
  });
});
