import { randomBytes } from "node:crypto";
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";
import { demoUsers } from "@clinic/contracts";
import { eventually } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, login, type TestApp } from "../test-app.ts";

const { doctor, patient, admin } = demoUsers;
const redisUrl = process.env.REDIS_URL;

/**
 * A TCP relay between the service and Redis that the test can cut (every connection dropped,
 * new ones refused), stall (connections stay open, nothing is relayed) and restore: a Redis
 * outage without touching the shared server.
 */
async function redisRelay(target: string) {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const clients = new Set<Socket>();
  let cut = false;
  let stalled = false;
  const server: Server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    const server = tcpConnect(Number(upstream.port || 6379), upstream.hostname);
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => {
        sockets.delete(socket);
        client.destroy();
        server.destroy();
      });
    }
    clients.add(client);
    client.on("close", () => clients.delete(client));
    if (stalled) client.pause();
    else client.pipe(server).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const relayed = new URL(target);
  relayed.hostname = "127.0.0.1";
  relayed.port = String((server.address() as { port: number }).port);
  return {
    url: relayed.toString(),
    cut() {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    stall() {
      stalled = true;
      for (const client of clients) {
        client.unpipe();
        client.pause();
      }
    },
    restore() {
      cut = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A connection of the test's own, ready for commands. */
async function testRedis(url: string) {
  const { connectRedis, redisReady } = await import("@clinic/platform/redis");
  const redis = connectRedis(url, { logger: { info: () => undefined, warn: () => undefined }, name: "test" });
  await redisReady(redis);
  return redis;
}

/** Deletes this test's keys (its own random prefix; never anything else). */
async function deleteKeys(prefix: string) {
  if (!redisUrl) return;
  const redis = await testRedis(redisUrl);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}

// Needs a Redis (CI sets REDIS_URL); without REDIS_URL the limit is per process, as before
// (tokens.routes.test.ts).
describe.skipIf(!redisUrl)("login rate limit with REDIS_URL: one count for every replica", () => {
  const prefix = `test:auth:${randomBytes(4).toString("hex")}:`;
  const env = {
    REDIS_URL: redisUrl ?? "",
    REDIS_KEY_PREFIX: prefix,
    LOGIN_RATE_LIMIT_MAX: "3",
    LOGIN_RATE_LIMIT_ADDRESS_MAX: "6",
  };
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await buildTestApp(env, { service: "auth_redis_a" });
    b = await buildTestApp(env, { service: "auth_redis_b" });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await deleteKeys(prefix);
  });

  it("counts one address's guesses at one email over both instances", async () => {
    const ip = "203.0.113.21";
    expect((await login(a.app, doctor.email, "guess-1", ip)).statusCode).toBe(401);
    expect((await login(b.app, doctor.email, "guess-2", ip)).statusCode).toBe(401);
    expect((await login(a.app, doctor.email, "guess-3", ip)).statusCode).toBe(401);
    // Each instance alone has seen fewer than 3; together they have seen 3.
    const limited = await login(b.app, doctor.email, doctor.password, ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ status: 429, code: "RATE_LIMITED" });
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect((await login(a.app, doctor.email, doctor.password, ip)).statusCode).toBe(429);
    // Someone else behind that address, and the doctor elsewhere, still sign in.
    expect((await login(b.app, patient.email, patient.password, ip)).statusCode).toBe(200);
    expect((await login(a.app, doctor.email, doctor.password, "203.0.113.22")).statusCode).toBe(200);
  });

  it("counts one address spraying emails over both instances", async () => {
    const ip = "203.0.113.31";
    for (let i = 0; i < 6; i++) {
      const app = i % 2 === 0 ? a.app : b.app;
      expect((await login(app, `person${i}@demo.clinic`, "Winter2026!", ip)).statusCode).toBe(401);
    }
    expect((await login(a.app, admin.email, admin.password, ip)).statusCode).toBe(429);
    expect((await login(b.app, admin.email, admin.password, ip)).statusCode).toBe(429);
  });

  it("keeps neither emails nor client addresses in clear in Redis", async () => {
    const redis = await testRedis(redisUrl ?? "");
    try {
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join("\n")).not.toContain(doctor.email);
      expect(keys.join("\n")).not.toContain("203.0.113.");
    } finally {
      redis.disconnect();
    }
  });
});

describe.skipIf(!redisUrl)("login rate limit while Redis is down", () => {
  const prefix = `test:auth:${randomBytes(4).toString("hex")}:`;
  let relay: Awaited<ReturnType<typeof redisRelay>>;
  let t: TestApp;
  beforeAll(async () => {
    relay = await redisRelay(redisUrl ?? "");
    t = await buildTestApp(
      { REDIS_URL: relay.url, REDIS_KEY_PREFIX: prefix, LOGIN_RATE_LIMIT_MAX: "3" },
      { service: "auth_redis_down" },
    );
  });
  afterAll(async () => {
    await t?.close();
    await relay?.close();
    await deleteKeys(prefix);
  });

  it("still limits guesses (counted by this instance) and still lets people sign in", async () => {
    expect((await login(t.app, patient.email, patient.password, "203.0.113.40")).statusCode).toBe(200);
    relay.cut();

    const ip = "203.0.113.41";
    for (let i = 0; i < 3; i++) expect((await login(t.app, doctor.email, `guess-${i}`, ip)).statusCode).toBe(401);
    const limited = await login(t.app, doctor.email, doctor.password, ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ status: 429, code: "RATE_LIMITED" });
    expect((await login(t.app, admin.email, admin.password, ip)).statusCode).toBe(200);

    const warnings = t.logs.lines.filter((line) => line.includes("Redis unavailable"));
    expect(warnings).toHaveLength(1);
    expect(t.logs.text()).not.toContain(ip);
    expect(t.logs.text()).not.toContain(doctor.email);
  });

  it("counts in Redis again once it answers", async () => {
    relay.restore();
    // Each probe is one login from a new address (never near a limit); ioredis reconnects
    // with a backoff of at most 2 s.
    let probe = 0;
    await eventually(
      "the limit counting in Redis again",
      async () => {
        probe += 1;
        await login(t.app, patient.email, patient.password, `198.51.100.${probe}`);
        return t.logs.text().includes("login rate limit counting in Redis again") || undefined;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
  });

  it("does not wait on a Redis that stops answering: counts locally after a bounded wait", async () => {
    relay.stall();
    const ip = "203.0.113.51";
    for (let i = 0; i < 3; i++) expect((await login(t.app, doctor.email, `guess-${i}`, ip)).statusCode).toBe(401);
    expect((await login(t.app, doctor.email, doctor.password, ip)).statusCode).toBe(429);
    expect((await login(t.app, admin.email, admin.password, ip)).statusCode).toBe(200);
  });
});
