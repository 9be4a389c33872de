import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import Fastify, { type FastifyInstance } from "fastify";
import { WebSocketServer } from "ws";

export interface EchoUpstreamOptions {
  /** Status of GET /health (200 by default). */
  healthStatus?: number;
  /** Delay before answering GET /health. */
  healthDelayMs?: number;
  /** Delay before answering GET /slow. */
  slowMs?: number;
  /** Hold every WebSocket upgrade until `acceptUpgrades()`: an upstream slow to accept. */
  holdUpgrades?: boolean;
  /** Sent as `x-served-by` on every HTTP answer, as a video-service instance names itself. */
  servedBy?: string;
  /** Listen on this port instead of a free one (an instance started again where it was). */
  port?: number;
}

export interface EchoUpstream {
  url: string;
  app: FastifyInstance;
  /** Each WebSocket connection's request path+query and headers, as the upstream saw them, and its close code. */
  sockets: { url: string; headers: Record<string, string | string[] | undefined>; closeCode?: number }[];
  /** The size in bytes of every WebSocket message that reached the upstream. */
  messageBytes: number[];
  /** The TCP sockets of upgrades held by `holdUpgrades` (destroyed when the gateway gave up on one). */
  heldUpgrades: Duplex[];
  /** Completes the held upgrades and accepts later ones at once. */
  acceptUpgrades(): void;
  /** false: `GET /readyz` answers 503 NOT_READY (a dependency down); true (the start): it is echoed with 200. */
  setReady(ready: boolean): void;
  close(): Promise<void>;
}

export interface EchoBody {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

/**
 * A real HTTP + WebSocket server on 127.0.0.1:<free port> standing in for a service: it
 * echoes what reached it (method, url, headers, body), answers /health, can be slow, and
 * echoes WebSocket messages back prefixed with "echo:".
 */
export async function startEchoUpstream(options: EchoUpstreamOptions = {}): Promise<EchoUpstream> {
  const app = Fastify({ logger: false });
  const sockets: EchoUpstream["sockets"] = [];
  const messageBytes: number[] = [];
  const heldUpgrades: Duplex[] = [];
  const held: (() => void)[] = [];
  let holding = options.holdUpgrades ?? false;
  let ready = true;
  let closed: Promise<void> | undefined;
  if (options.servedBy) {
    const servedBy = options.servedBy;
    app.addHook("onSend", async (_request, reply) => {
      reply.header("x-served-by", servedBy);
    });
  }
  app.addHook("onRequest", async (request, reply) => {
    if (!ready && request.url === "/readyz") {
      return reply
        .status(503)
        .send({ error: "Not ready", status: 503, code: "NOT_READY", checks: { database: "DOWN" } });
    }
  });
  app.get("/health", async (_request, reply) => {
    if (options.healthDelayMs) await new Promise((resolve) => setTimeout(resolve, options.healthDelayMs));
    return reply.status(options.healthStatus ?? 200).send({ status: "UP", checks: { database: "UP" } });
  });
  app.get("/slow", async () => {
    await new Promise((resolve) => setTimeout(resolve, options.slowMs ?? 1000));
    return { slow: true };
  });
  app.all("/*", async (request) => ({
    method: request.method,
    url: request.url,
    headers: request.headers,
    body: request.body,
  }));
  const wss = new WebSocketServer({ noServer: true });
  app.server.on("upgrade", (request, socket, head) => {
    const accept = () =>
      wss.handleUpgrade(request, socket, head, (ws) => {
        const seen: EchoUpstream["sockets"][number] = { url: request.url ?? "", headers: request.headers };
        sockets.push(seen);
        ws.on("message", (data) => {
          messageBytes.push(Buffer.isBuffer(data) ? data.length : String(data).length);
          ws.send(`echo:${String(data)}`);
        });
        ws.on("close", (code) => {
          seen.closeCode = code;
        });
      });
    if (!holding) return accept();
    // Read while held (nothing comes before our 101) so that the gateway dropping the
    // connection is seen: a socket nobody reads never notices its end.
    socket.resume();
    socket.once("end", () => socket.destroy());
    heldUpgrades.push(socket);
    held.push(accept);
  });
  await app.listen({ port: options.port ?? 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    sockets,
    messageBytes,
    heldUpgrades,
    acceptUpgrades: () => {
      holding = false;
      for (const accept of held.splice(0)) accept();
    },
    setReady: (value) => {
      ready = value;
    },
    // Once: a test may stop an instance (a replica killed) before the fixture closes everything.
    close: () => {
      closed ??= (async () => {
        for (const client of wss.clients) client.terminate();
        for (const socket of heldUpgrades) socket.destroy();
        wss.close();
        await app.close();
      })();
      return closed;
    },
  };
}

/** A URL on 127.0.0.1 where nothing listens (a port just released). */
export async function deadUpstreamUrl(): Promise<string> {
  const probe = Fastify();
  await probe.listen({ port: 0, host: "127.0.0.1" });
  const { port } = probe.server.address() as AddressInfo;
  await probe.close();
  return `http://127.0.0.1:${port}`;
}
