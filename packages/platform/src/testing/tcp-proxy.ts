import { createConnection, createServer, type Socket } from "node:net";

/**
 * A TCP relay on 127.0.0.1 in front of a server (the broker, PostgreSQL, Redis), to cut it off
 * or fail one direction of a live connection the way a network or a crash would: `cut()` +
 * `dropAll()` is an outage until `restore()`; `hold("up")` drops what the client
 * sends (its publishes never reach the broker), `hold("down")` drops what the server
 * answers (the broker took the message, the confirm never arrives).
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const held = { up: false, down: false };
  let refusing = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = createConnection(target);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("error", () => undefined);
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on("data", (chunk) => {
      if (!held.up) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!held.down) client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    hold(direction: "up" | "down") {
      held[direction] = true;
    },
    /** New connections are closed at once (the server is unreachable); live ones stay until `dropAll`. */
    cut() {
      refusing = true;
    },
    dropAll() {
      for (const s of sockets) s.destroy();
    },
    restore() {
      refusing = false;
    },
    release() {
      held.up = false;
      held.down = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** `amqp://user:pass@host:port/vhost` (or `redis://…`) with the host and port replaced by the proxy's. */
export function viaProxy(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.hostname = "127.0.0.1";
  parsed.port = String(port);
  return parsed.toString();
}
