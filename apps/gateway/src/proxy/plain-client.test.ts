import { createHash } from "node:crypto";
import { get, type IncomingMessage } from "node:http";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayFixture, startGateway } from "../testing/gateway-fixture.ts";

/**
 * The fast path's own HTTP/1 client (`plain-client.ts`) over real HTTP, in front of a raw TCP
 * upstream whose answers the test writes byte for byte: each way an answer can be framed
 * (length, chunked, up to the close, none for HEAD/204), 1xx before the answer, timeouts,
 * kept-alive connections (reused, closed by the upstream, closed with the gateway), a client
 * going away, backpressure, and answers the client must refuse.
 */
type Responder = (socket: Socket, request: { method: string; path: string; nth: number }) => void;

const big = Buffer.alloc(64 * 1024 * 1024, 0);
for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) % 251;
const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

interface Answer {
  status: number;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

describe("the fast path's HTTP/1 client", () => {
  let upstream: Server;
  let f: GatewayFixture;
  let port: number;
  const routes = new Map<string, Responder>();
  /** Every upstream connection, in order, with the requests it carried. */
  const connections: { socket: Socket; requests: string[]; closed: boolean }[] = [];

  beforeAll(async () => {
    upstream = createServer((socket) => {
      const entry = { socket, requests: [] as string[], closed: false };
      connections.push(entry);
      socket.on("close", () => {
        entry.closed = true;
      });
      socket.on("error", () => {});
      let pending = "";
      socket.on("data", (data: Buffer) => {
        pending += data.toString("latin1");
        for (let end = pending.indexOf("\r\n\r\n"); end >= 0; end = pending.indexOf("\r\n\r\n")) {
          const head = pending.slice(0, end);
          pending = pending.slice(end + 4);
          const [method = "", path = ""] = (head.split("\r\n")[0] ?? "").split(" ");
          entry.requests.push(path);
          const respond = routes.get(path.split("?")[0] as string);
          if (respond) respond(socket, { method, path, nth: entry.requests.length });
          else socket.write("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
        }
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const upstreamPort = (upstream.address() as AddressInfo).port;
    f = await startGateway({ VIDEO_URL: `http://127.0.0.1:${upstreamPort}`, UPSTREAM_TIMEOUT_MS: "400" });
    await f.gateway.listen({ port: 0, host: "127.0.0.1" });
    port = (f.gateway.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await f?.close();
    for (const { socket } of connections) socket.destroy();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  /** A request through the gateway (its own connection), the whole answer read. */
  const request = (path: string, method = "GET"): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = get({ host: "127.0.0.1", port, path: `/video${path}`, method, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      });
      req.on("error", reject);
    });
  const taken = () => f.gateway.fastPath?.taken ?? Number.NaN;
  const waitFor = async (what: () => boolean) => {
    while (!what()) await new Promise((resolve) => setTimeout(resolve, 10));
  };

  it("passes answers framed by a length, chunked (extensions, trailers, split anywhere) and by the close, intact", async () => {
    routes.set("/len", (socket) =>
      socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nContent-Length: 5\r\n\r\nhello"),
    );
    routes.set("/chunked", (socket) => {
      const bytes = Buffer.from(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nx-a: 1\r\n\r\n" +
          "5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nx-trailer: t\r\n\r\n",
        "latin1",
      );
      // Every byte on its own: no boundary is special.
      let at = 0;
      const next = () => {
        if (at >= bytes.length) return;
        socket.write(bytes.subarray(at, at + 1));
        at++;
        setImmediate(next);
      };
      next();
    });
    routes.set("/until-close", (socket) => {
      socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nall of ");
      setTimeout(() => socket.end("it"), 20);
    });
    const before = taken();
    const len = await request("/len");
    expect(len).toMatchObject({ status: 200, body: Buffer.from("hello") });
    expect(len.headers["content-length"]).toBe("5");
    const chunked = await request("/chunked");
    expect(chunked.status).toBe(200);
    expect(chunked.body.toString()).toBe("hello 0123456789");
    expect(chunked.headers["x-a"]).toBe("1");
    expect(chunked.headers["x-trailer"]).toBeUndefined();
    const close = await request("/until-close");
    expect(close).toMatchObject({ status: 200, body: Buffer.from("all of it") });
    // All three went the fast path's way, and each connection stays usable after.
    expect(taken()).toBe(before + 3);
    expect((await request("/len")).body.toString()).toBe("hello");
  });

  it("ends HEAD, 204 and 304 answers at their head, whatever length they name, and keeps the connection", async () => {
    routes.set("/head", (socket, { method }) =>
      socket.write(
        method === "HEAD"
          ? "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n"
          : "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello",
      ),
    );
    routes.set("/204", (socket) => socket.write("HTTP/1.1 204 No Content\r\n\r\n"));
    routes.set("/304", (socket) => socket.write('HTTP/1.1 304 Not Modified\r\netag: "x"\r\ncontent-length: 5\r\n\r\n'));
    const head = await request("/head", "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe("5");
    expect(head.body.length).toBe(0);
    expect((await request("/204")).status).toBe(204);
    const notModified = await request("/304");
    expect(notModified.status).toBe(304);
    expect(notModified.headers.etag).toBe('"x"');
    expect((await request("/head")).body.toString()).toBe("hello");
  });

  it("skips a 103 Early Hints before the answer", async () => {
    routes.set("/hints", (socket) =>
      socket.write("HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"),
    );
    expect(await request("/hints")).toMatchObject({ status: 200, body: Buffer.from("ok") });
  });

  it("answers 504 when no head comes within UPSTREAM_TIMEOUT_MS, and cuts the client off when the body stalls", async () => {
    routes.set("/silent", () => {});
    const silent = await request("/silent");
    expect(silent.status).toBe(504);
    expect(JSON.parse(silent.body.toString())).toMatchObject({ code: "UPSTREAM_TIMEOUT", status: 504 });
    routes.set("/stall", (socket) => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhalf"));
    await expect(request("/stall")).rejects.toThrow();
  });

  it("sends a read once more on a new connection when a kept-alive one was closed under it, never a 502", async () => {
    // The second request on any connection finds it closed by the upstream (its idle timeout as it arrived).
    routes.set("/flaky", (socket, { nth }) => {
      if (nth > 1) socket.destroy();
      else socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
    });
    const first = await request("/flaky");
    expect(first.status).toBe(200);
    const from = connections.length;
    const second = await request("/flaky");
    expect(second).toMatchObject({ status: 200, body: Buffer.from("ok") });
    expect(connections.length).toBe(from + 1);
  });

  it("opens a new connection after an answer with connection: close, and reuses one kept alive", async () => {
    routes.set("/bye", (socket) => socket.write("HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok"));
    routes.set("/stay", (socket) => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"));
    await request("/bye");
    await request("/bye");
    await request("/stay");
    await request("/stay");
    // Each /bye's connection carried nothing after it and was closed; both /stay went on one.
    const bye = connections.filter((c) => c.requests.includes("/bye"));
    expect(bye).toHaveLength(2);
    for (const c of bye) expect(c.requests.at(-1)).toBe("/bye");
    await waitFor(() => bye.every((c) => c.closed));
    const stay = connections.filter((c) => c.requests.includes("/stay"));
    expect(stay).toHaveLength(1);
    expect(stay[0]?.requests.filter((path) => path === "/stay")).toHaveLength(2);
  });

  it("answers 502 to an answer it cannot read: no status line, a bad header, two lengths", async () => {
    routes.set("/garbage", (socket) => socket.write("HELLO\r\n\r\n"));
    routes.set("/bad-header", (socket) =>
      socket.write("HTTP/1.1 200 OK\r\nno colon here\r\ncontent-length: 0\r\n\r\n"),
    );
    routes.set("/two-lengths", (socket) =>
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\nok!"),
    );
    for (const path of ["/garbage", "/bad-header", "/two-lengths"]) {
      const answer = await request(path);
      expect(answer.status, path).toBe(502);
      expect(JSON.parse(answer.body.toString())).toMatchObject({ code: "UPSTREAM_UNAVAILABLE" });
    }
  });

  it("closes the upstream connection when the client goes away mid-answer", async () => {
    let upstreamSocket: Socket | undefined;
    routes.set("/endless", (socket) => {
      upstreamSocket = socket;
      socket.write("HTTP/1.1 200 OK\r\ncontent-length: 1000000\r\n\r\nstart");
    });
    await new Promise<void>((resolve, reject) => {
      const req = get({ host: "127.0.0.1", port, path: "/video/endless", agent: false }, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => {});
      req.on("close", () => resolve());
      setTimeout(() => reject(new Error("no answer")), 5000).unref();
    });
    const entry = connections.find((c) => c.socket === upstreamSocket);
    await waitFor(() => entry?.closed === true);
    expect(entry?.closed).toBe(true);
  });

  it("holds the upstream back while the client reads nothing (backpressure), then delivers it all intact", async () => {
    let finished = false;
    let blocked = false;
    routes.set("/huge", (socket) => {
      socket.write(`HTTP/1.1 200 OK\r\ncontent-length: ${big.length}\r\n\r\n`);
      let at = 0;
      const more = () => {
        while (at < big.length) {
          const chunk = big.subarray(at, at + 1024 * 1024);
          at += chunk.length;
          if (!socket.write(chunk)) {
            blocked = true;
            socket.once("drain", more);
            return;
          }
        }
        socket.once("drain", () => {
          finished = true;
        });
        if (socket.writableLength === 0) finished = true;
      };
      more();
    });
    const answer = await new Promise<{ body: Buffer; finishedBeforeRead: boolean }>((resolve, reject) => {
      get({ host: "127.0.0.1", port, path: "/video/huge", agent: false }, (res) => {
        res.pause();
        void waitFor(() => blocked).then(async () => {
          // Time enough for a gateway without backpressure to take all 64 MiB off the upstream.
          await new Promise((r) => setTimeout(r, 500));
          const finishedBeforeRead = finished;
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () => resolve({ body: Buffer.concat(chunks), finishedBeforeRead }));
          res.resume();
        });
      }).on("error", reject);
    });
    expect(answer.finishedBeforeRead).toBe(false);
    expect(answer.body.length).toBe(big.length);
    expect(sha(answer.body)).toBe(sha(big));
  });
});

describe("the fast path's HTTP/1 client when the gateway closes", () => {
  it("closes its kept-alive upstream connections", async () => {
    const sockets: Socket[] = [];
    const closed: boolean[] = [];
    const upstream = createServer((socket) => {
      const index = sockets.push(socket) - 1;
      closed[index] = false;
      socket.on("close", () => {
        closed[index] = true;
      });
      socket.on("data", () => socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const f = await startGateway({ VIDEO_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
    try {
      await f.gateway.listen({ port: 0, host: "127.0.0.1" });
      const { port } = f.gateway.server.address() as AddressInfo;
      const status = await new Promise<number>((resolve, reject) => {
        get({ host: "127.0.0.1", port, path: "/video/x", agent: false }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        }).on("error", reject);
      });
      expect(status).toBe(200);
      expect(f.gateway.fastPath?.taken).toBe(1);
      expect(closed).toEqual([false]);
    } finally {
      await f.close();
    }
    // Well before an idle connection's own end (4 s).
    for (let waited = 0; !closed[0] && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(closed).toEqual([true]);
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });
});
