import { createHash } from "node:crypto";
import { createServer, get, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayFixture, startGateway } from "../testing/gateway-fixture.ts";
import {
  type Exchange,
  type ForwardTarget,
  forward,
  type OwnHeaders,
  type UpstreamClients,
  validHeaders,
} from "./upstream-client.ts";

/**
 * The gateway's own HTTP forwarding (`upstream-client.ts`, undici in place of reply-from), in
 * front of a bare `node:http` upstream whose answers the test controls byte by byte: bodies
 * streamed both ways intact, hop-by-hop headers dropped both ways, the gateway's own headers
 * on every answer, kept-alive upstream connections, and failures before and during an answer.
 */
const big = Buffer.alloc(4 * 1024 * 1024 + 17, 0);
for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

interface Seen {
  headers: IncomingMessage["headers"];
  remotePort: number | undefined;
}

describe("forwarding to an upstream", () => {
  let upstream: Server;
  let f: GatewayFixture;
  let base: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      seen.push({ headers: req.headers, remotePort: req.socket.remotePort });
      const path = (req.url ?? "").split("?")[0];
      if (path === "/api/big") {
        // Streamed in chunks, with no content-length: chunked to the gateway.
        let offset = 0;
        res.writeHead(200, { "content-type": "application/octet-stream" });
        const more = () => {
          while (offset < big.length) {
            const chunk = big.subarray(offset, offset + 65536);
            offset += chunk.length;
            if (!res.write(chunk)) return void res.once("drain", more);
          }
          res.end();
        };
        return more();
      }
      if (path === "/api/upload") {
        const hash = createHash("sha256");
        let bytes = 0;
        req.on("data", (chunk: Buffer) => {
          hash.update(chunk);
          bytes += chunk.length;
        });
        req.on("end", () => {
          res.writeHead(201, { "content-type": "application/json" });
          res.end(JSON.stringify({ bytes, sha256: hash.digest("hex") }));
        });
        return;
      }
      req.resume();
      if (path === "/api/headers") {
        res.setHeader("connection", "x-upstream-private");
        res.setHeader("x-upstream-private", "for the gateway's hop only");
        res.setHeader("keep-alive", "timeout=5");
        res.setHeader("set-cookie", ["a=1; Path=/", "b=2; Path=/"]);
        res.setHeader("location", "/api/next");
        res.setHeader("x-request-id", "chosen-by-the-upstream");
        res.writeHead(302, { "content-type": "application/json" });
        return res.end(JSON.stringify({ headers: req.headers }));
      }
      if (path === "/api/reset-before") return req.socket.destroy();
      if (path === "/api/cut") {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": "100000" });
        res.write(Buffer.alloc(1000, 1));
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ url: req.url }));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const { port } = upstream.address() as AddressInfo;
    f = await startGateway({ VIDEO_URL: `http://127.0.0.1:${port}` });
    await f.gateway.listen({ port: 0, host: "127.0.0.1" });
    base = `http://127.0.0.1:${(f.gateway.server.address() as AddressInfo).port}/video`;
  });
  afterAll(async () => {
    await f.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it("streams a large answer through intact", async () => {
    const res = await fetch(`${base}/api/big`);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.length).toBe(big.length);
    expect(sha(body)).toBe(sha(big));
  });

  it("streams a large request body up intact, with a length and chunked", async () => {
    const sized = await fetch(`${base}/api/upload`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: big,
    });
    expect(sized.status).toBe(201);
    expect(await sized.json()).toEqual({ bytes: big.length, sha256: sha(big) });

    const chunks = [big.subarray(0, 1_000_000), big.subarray(1_000_000)];
    const chunked = await fetch(`${base}/api/upload`, {
      method: "PUT",
      headers: { "content-type": "application/octet-stream" },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift();
          if (next) controller.enqueue(next);
          else controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(201);
    expect(await chunked.json()).toEqual({ bytes: big.length, sha256: sha(big) });
  });

  it("passes the query string as written and strips the prefix", async () => {
    const res = await fetch(`${base}/api/echo?b=2&a=%20x&a=1`);
    expect(await res.json()).toEqual({ url: "/api/echo?b=2&a=%20x&a=1" });
  });

  it("drops hop-by-hop headers both ways, keeps repeated ones, and adds the gateway's own", async () => {
    const res = await f.gateway.inject({
      url: "/video/api/headers",
      headers: {
        connection: "keep-alive, x-client-private",
        "x-client-private": "for the client's hop only",
        "keep-alive": "timeout=10",
        "proxy-connection": "keep-alive",
        authorization: "Bearer abc",
        "x-request-id": "req-from-client-1",
      },
    });
    expect(res.statusCode).toBe(302);
    // What reached the upstream.
    const { headers } = res.json<{ headers: Record<string, string> }>();
    expect(headers["x-client-private"]).toBeUndefined();
    expect(headers["keep-alive"]).toBeUndefined();
    expect(headers["proxy-connection"]).toBeUndefined();
    expect(headers.authorization).toBe("Bearer abc");
    expect(headers["x-request-id"]).toBe("req-from-client-1");
    expect(headers["x-forwarded-prefix"]).toBe("/video");
    expect(headers.host).toMatch(/^127\.0\.0\.1:\d+$/);
    // What reached the client.
    expect(res.headers["x-upstream-private"]).toBeUndefined();
    expect(res.headers["keep-alive"]).toBeUndefined();
    expect(res.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(res.headers.location).toBe("/video/api/next");
    // The gateway's request id wins over the upstream's, and its security headers are there.
    expect(res.headers["x-request-id"]).toBe("req-from-client-1");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("answers the same headers on the fast path (real HTTP), written in one writeHead", async () => {
    const { port } = f.gateway.server.address() as AddressInfo;
    const taken = f.gateway.fastPath?.taken ?? Number.NaN;
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      get(
        { host: "127.0.0.1", port, path: "/video/api/headers", headers: { "x-request-id": "req-from-client-2" } },
        (r) => {
          r.resume();
          r.on("end", () => resolve(r));
        },
      ).on("error", reject);
    });
    expect(f.gateway.fastPath?.taken).toBe(taken + 1);
    expect(res.statusCode).toBe(302);
    expect(res.headers["x-upstream-private"]).toBeUndefined();
    // Node's own, not the upstream's.
    expect(res.headers["keep-alive"]).toBe(`timeout=${Math.floor(f.gateway.server.keepAliveTimeout / 1000)}`);
    expect(res.headers["set-cookie"]).toEqual(["a=1; Path=/", "b=2; Path=/"]);
    expect(res.headers.location).toBe("/video/api/next");
    expect(res.headers["content-type"]).toBe("application/json");
    // The request id once, the gateway's; the security headers there once each.
    const names = res.rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
    expect(names.filter((name) => name === "x-request-id")).toHaveLength(1);
    expect(res.headers["x-request-id"]).toBe("req-from-client-2");
    expect(names.filter((name) => name === "x-content-type-options")).toHaveLength(1);
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("drops a header Node refuses to send, not the answer", () => {
    expect(
      validHeaders(["a", "1", "bad name", "2", "c", "x\u0001y", "set-cookie", ["k=1", "bad\u0000", "j=2"]]),
    ).toEqual(["a", "1", "set-cookie", ["k=1", "j=2"]]);
  });

  it("reuses one kept-alive upstream connection for requests one after another", async () => {
    await fetch(`${base}/api/warm`).then((res) => res.arrayBuffer());
    const from = seen.length;
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${base}/api/ping-${i}`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    const ports = new Set(seen.slice(from).map((s) => s.remotePort));
    expect(seen.length - from).toBe(5);
    expect(ports.size).toBe(1);
  });

  it("answers 502 when the upstream drops the connection before answering, and logs one line for it", async () => {
    const res = await fetch(`${base}/api/reset-before`);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({
      error: "The video service is unavailable, try again shortly",
      status: 502,
      code: "UPSTREAM_UNAVAILABLE",
    });
    expect(res.headers.get("x-request-id")).toBeTruthy();
    expect(f.logs.text()).toContain('"upstream failed"');
  });

  it("cuts the client's connection when the upstream's answer breaks off midway, and keeps serving", async () => {
    const res = await fetch(`${base}/api/cut`);
    expect(res.status).toBe(200);
    // The declared length never arrives: the body read fails instead of looking complete.
    await expect(res.arrayBuffer()).rejects.toThrow();
    const after = await fetch(`${base}/api/after-cut`);
    expect(await after.json()).toEqual({ url: "/api/after-cut" });
  });
});

describe("the answer's header list", () => {
  /**
   * The list `writeHead` gets for an upstream answer, with `own` as the gateway's headers. The
   * upstream is a stand-in for the plain client answering at once (head, then the whole body).
   */
  function headList(own: OwnHeaders, upstream: string[], complete = true) {
    const written: unknown[] = [];
    const res = {
      destroyed: false,
      on: () => res,
      writeHead: (...args: unknown[]) => written.push(args),
      end: (chunk?: Buffer) => written.push(["end", chunk ? String(chunk) : undefined]),
    };
    const exchange = {
      req: { method: "GET", headers: { host: "gw" }, complete },
      res,
      id: "req-id-0001",
      body: null,
      replayable: true,
      plain: true,
      begin: () => own,
      refuse: () => {},
    } as unknown as Exchange;
    const clients = {
      plain: {
        request: (_origin: string, _request: unknown, handler: PlainStandIn) => {
          handler.onConnect(() => {});
          handler.onHead(200, "OK", upstream.slice(), () => {});
          handler.onLastData(Buffer.from("{}"));
          return true;
        },
      },
    } as unknown as UpstreamClients;
    const target: ForwardTarget = {
      origin: "http://127.0.0.1:1",
      host: "127.0.0.1:1",
      path: "/x",
      extraHeaders: {},
      rewriteLocation: (location) => location.replace("/api", "/video/api"),
      failed: () => {},
    };
    forward(clients, exchange, target);
    return written;
  }
  interface PlainStandIn {
    onConnect(abort: () => void): void;
    onHead(status: number, text: string, headers: string[], resume: () => void): void;
    onLastData(chunk: Buffer): void;
  }

  const own: [string, string | number | string[]][] = [
    ["x-frame-options", "DENY"],
    ["vary", "Origin"],
    ["x-content-type-options", "nosniff"],
    ["cache-control", "no-store"],
    ["x-num", 7],
    ["x-list", ["a", "b"]],
    ["access-control-expose-headers", "x-request-id, retry-after"],
  ];
  const answers: string[][] = [
    ["Content-Type", "application/json", "Content-Length", "2"],
    // Own headers overridden in place, several set-cookie gathered, Location rewritten.
    ["Vary", "Accept", "Set-Cookie", "a=1", "Cache-Control", "private", "Set-Cookie", "b=2", "Location", "/api/next"],
    // Hop-by-hop (and what Connection lists) dropped, the upstream's x-request-id replaced.
    [
      "Connection",
      "x-secret, keep-alive",
      "X-Secret",
      "1",
      "Keep-Alive",
      "timeout=5",
      "X-Request-Id",
      "theirs",
      "Etag",
      '"1"',
    ],
    ["X-Frame-Options", "SAMEORIGIN", "Transfer-Encoding", "chunked", "x-num", "8"],
  ];

  it("is the same, in the same order, from an own list made once (frozen) as header by header", () => {
    const withId: [string, string | number | string[]][] = [
      ...own.slice(0, 3),
      ["x-request-id", "own"],
      ...own.slice(3),
    ];
    for (const list of [own, withId]) {
      for (const upstream of answers) {
        for (const complete of [true, false]) {
          const once = headList(Object.freeze(list.map((h) => Object.freeze(h))), upstream, complete);
          // A list made per request (Fastify's path) goes header by header, as before.
          const each = headList(
            list.map((h) => [...h] as [string, string | number | string[]]),
            upstream,
            complete,
          );
          expect(once).toEqual(each);
        }
      }
    }
    expect(headList(Object.freeze([...own]), answers[1] as string[])).toEqual([
      [
        200,
        "OK",
        [
          "x-frame-options",
          "DENY",
          "vary",
          "Accept",
          "x-content-type-options",
          "nosniff",
          "cache-control",
          "private",
          "x-num",
          "7",
          "x-list",
          ["a", "b"],
          "access-control-expose-headers",
          "x-request-id, retry-after",
          "set-cookie",
          ["a=1", "b=2"],
          "location",
          "/video/api/next",
          "x-request-id",
          "req-id-0001",
        ],
      ],
      ["end", "{}"],
    ]);
  });
});
