import { randomBytes } from "node:crypto";
import { ConfigError, type EventBus, InProcessBus, RabbitMqBus } from "@clinic/platform";
import { captureLogs, deleteBrokerObjects, eventually, testDatabase } from "@clinic/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningStack, runStack, videoReplicas } from "../src/stack.ts";

/** The seeded demo doctor, as the start banner prints it (main.ts). */
const doctor = { email: "doctor@demo.clinic", password: "doctor-demo" };

/** What these tests read of `GET /api/video/sessions`. */
interface SessionList {
  total: number;
  sessions: { session_id: string; appointment_id: string; status: string }[];
}

/** `VIDEO_REPLICAS=N REDIS_URL=… npm start`: N video-service instances behind the gateway. */
describe("VIDEO_REPLICAS is checked before anything starts", () => {
  const start = (env: Record<string, string>) =>
    runStack({ ports: { gateway: 0, auth: 0, appointments: 0, video: 0 }, seed: false, logLevel: "silent", env });

  it("is 1 when unset, and takes 1 to 8", () => {
    expect(videoReplicas({})).toBe(1);
    expect(videoReplicas({ VIDEO_REPLICAS: "1" })).toBe(1);
    expect(videoReplicas({ VIDEO_REPLICAS: "8", REDIS_URL: "redis://127.0.0.1:6379" })).toBe(8);
  });

  it.each(["0", "9", "two", "1.5", "-1", "2x", "08 1"])("refuses VIDEO_REPLICAS=%s in one line", async (value) => {
    const refused = start({ VIDEO_REPLICAS: value, REDIS_URL: "redis://127.0.0.1:6379" });
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(
      /^Invalid configuration:\n {2}- VIDEO_REPLICAS: must be a whole number from 1 to 8$/,
    );
  });

  it("refuses more than one instance without REDIS_URL, naming both variables", async () => {
    const refused = start({ VIDEO_REPLICAS: "2" });
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(refused).rejects.toThrow(/VIDEO_REPLICAS=2 needs REDIS_URL/);
  });

  it("refuses to make up the shared join-token key under NODE_ENV=production", async () => {
    // Nothing connects to this Redis: the refusal comes first. (ALLOW_EMBEDDED_DB: else the
    // missing DATABASE_URL is what production refuses first.)
    const refused = start({
      VIDEO_REPLICAS: "2",
      REDIS_URL: "redis://127.0.0.1:1",
      NODE_ENV: "production",
      ALLOW_EMBEDDED_DB: "1",
    });
    await expect(refused).rejects.toThrow(
      /JOIN_TOKEN_PRIVATE_JWK: is required with REDIS_URL when NODE_ENV=production/,
    );
  });
});

describe("the default stack: one video instance", () => {
  const video = testDatabase("stack_one_video");
  let stack: RunningStack;
  beforeAll(async () => {
    stack = await runStack({
      ports: { gateway: 0, auth: 0, appointments: 0, video: 0 },
      host: "127.0.0.1",
      databases: { video: video.options },
      dataDir: ":memory:",
      seed: false,
      logLevel: "silent",
      env: {},
    });
  });
  afterAll(async () => {
    await stack?.close();
    await video.drop();
  });

  it("lists that one instance, and the gateway reaches it", async () => {
    expect(stack.urls.videoInstances).toEqual([stack.urls.video]);
    expect((await fetch(`${stack.urls.video}/livez`)).status).toBe(200);
    expect((await fetch(`${stack.urls.gateway}/video/livez`)).status).toBe(200);
  });
});

// Both buses: the in-process one always, RabbitMQ (one subscriber per queue per process)
// when AMQP_URL is set (CI).
const buses = [
  { label: "in-process bus", amqpUrl: undefined },
  ...(process.env.AMQP_URL ? [{ label: "RabbitMQ", amqpUrl: process.env.AMQP_URL }] : []),
];

// Needs a Redis (CI sets REDIS_URL): more than one instance refuses to start without it.
describe.skipIf(!process.env.REDIS_URL).each(buses)("two video instances (VIDEO_REPLICAS=2, $label)", ({ amqpUrl }) => {
  const run = randomBytes(4).toString("hex");
  const exchange = `test.replicas.${run}`;
  const queuePrefix = `test-replicas-${run}-`;
  const databases = {
    auth: testDatabase("stack_rep_auth"),
    appointments: testDatabase("stack_rep_appts"),
    video: testDatabase("stack_rep_video"),
  };
  const logs = captureLogs();
  let stack: RunningStack;
  let token: string;

  const sessions = async (base: string, status?: string) => {
    const res = await fetch(`${base}/api/video/sessions?limit=100${status ? `&status=${status}` : ""}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as SessionList;
  };
  const duplicates = async (base: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return Number(/^inbox_duplicates_total\{[^}]*consumer="video-service"[^}]*\} (\d+)/m.exec(text)?.[1]);
  };

  beforeAll(async () => {
    const bus: EventBus = amqpUrl
      ? await RabbitMqBus.connect({ url: amqpUrl, exchange, queuePrefix, retryDelayMs: 50 })
      : new InProcessBus();
    stack = await runStack({
      bus,
      ports: { gateway: 0, auth: 0, appointments: 0, video: 0 },
      host: "127.0.0.1",
      databases: {
        auth: databases.auth.options,
        appointments: databases.appointments.options,
        video: databases.video.options,
      },
      seed: true,
      logStream: logs.stream,
      env: {
        VIDEO_REPLICAS: "2",
        REDIS_URL: process.env.REDIS_URL,
        REDIS_KEY_PREFIX: `test:stack:${randomBytes(4).toString("hex")}:`,
      },
    });
    const login = await fetch(`${stack.urls.gateway}/auth/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(doctor),
    });
    expect(login.status).toBe(200);
    token = ((await login.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await stack?.close();
    await stack?.bus.close();
    for (const database of Object.values(databases)) await database.drop();
    if (amqpUrl) {
      const queues = ["appointments-service", "video-service"].map((service) => `${queuePrefix}${service}`);
      await deleteBrokerObjects(amqpUrl, exchange, queues);
    }
  });

  it("runs each instance on its own port, answering as itself, with one join-token key", async () => {
    const { video, videoInstances } = stack.urls;
    expect(videoInstances).toHaveLength(2);
    expect(new Set(videoInstances).size).toBe(2);
    expect(video).toBe(videoInstances[0]);
    for (const [index, base] of videoInstances.entries()) {
      const res = await fetch(`${base}/health`);
      expect(res.status, base).toBe(200);
      expect(res.headers.get("x-served-by"), base).toBe(`video-${index + 1}`);
    }
    expect(logs.text()).toContain("generated one join-token signing key, shared by this process's video instances");
    // The gateway was given every instance: its /health reports each, by position in
    // VIDEO_URL (never its internal URL) and, once checked, the id it answers with.
    const health = (await (await fetch(`${stack.urls.gateway}/health`)).json()) as {
      upstreams: { video: { instances?: { index: number; instance?: string }[] } };
    };
    const reported = health.upstreams.video.instances ?? [];
    expect(reported.map((i) => i.index)).toEqual([1, 2]);
    for (const i of reported) if (i.instance) expect(i.instance).toBe(`video-${i.index}`);
  });

  it("shares one database between the instances, each event handled by one of them", async () => {
    const [first = "", second = ""] = stack.urls.videoInstances;
    // The demo appointments' booked events become sessions, seen alike through both instances.
    const seen = await eventually("the demo sessions through both instances", async () => {
      const [a, b] = [await sessions(first), await sessions(second)];
      return a.total > 0 && a.total === b.total ? { a, b } : undefined;
    });
    expect(seen.a.sessions.map((s) => s.session_id).sort()).toEqual(seen.b.sessions.map((s) => s.session_id).sort());
    // Competing consumers: no instance was handed an event another one had already handled.
    expect(await duplicates(first)).toBe(0);
    expect(await duplicates(second)).toBe(0);
  });

  it("goes on with the other instance when one stops: its events still arrive", async () => {
    const [first = "", second = ""] = stack.urls.videoInstances;
    // A session not started yet, of an appointment that can still be cancelled.
    const scheduled = await fetch(`${stack.urls.gateway}/appointments/api/appointments?status=SCHEDULED&limit=100`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(scheduled.status).toBe(200);
    const cancellable = new Set(
      ((await scheduled.json()) as { appointments: { id: string }[] }).appointments.map((a) => a.id),
    );
    const created = (await sessions(second, "CREATED")).sessions.find((s) => cancellable.has(s.appointment_id));
    expect(created).toBeDefined();

    await stack.stopVideoInstance(0);
    await expect(fetch(`${first}/livez`)).rejects.toThrow();
    expect((await fetch(`${second}/livez`)).status).toBe(200);

    // A cancellation published now reaches the running instance, never the stopped one.
    const cancel = await fetch(
      `${stack.urls.gateway}/appointments/api/appointments/${created?.appointment_id}/cancel`,
      { method: "POST", headers: { authorization: `Bearer ${token}` } },
    );
    expect(cancel.status, await cancel.clone().text()).toBe(200);
    await eventually("the session cancelled through the running instance", async () => {
      const cancelled = await sessions(second, "CANCELLED");
      return cancelled.sessions.some((s) => s.appointment_id === created?.appointment_id) || undefined;
    });
    // Every delivery settled (retries included): none failed on the stopped instance.
    if (stack.bus instanceof InProcessBus) await stack.bus.drain();
    expect(await stack.bus.deadLetterCount("video-service")).toBe(0);
  });
});
