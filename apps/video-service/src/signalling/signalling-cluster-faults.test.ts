import { SignalCloseCodes } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import type { Redis } from "@clinic/platform/redis";
import { scanKeys, startTcpProxy, viaProxy } from "@clinic/platform/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { closedWithin } from "../testing/signal-client.ts";
import { signalClients, type TestCluster, testCluster, twoInstances } from "../testing/signal-cluster.ts";
import { type Harness, users } from "../testing/video-test-harness.ts";
import { createInProcessSignalCluster, type InProcessSignalCluster, type SignalFanout } from "./signal-fanout.ts";

// Faults of the link between two instances: a connection closing mid-announce, an attendee
// moving between instances, one instance cut off from Redis. CI sets REDIS_URL (keys and
// channels of this file only, under a random prefix); without it the link is in-process.
const redisUrl = process.env.REDIS_URL;
/** `vi.waitFor` bounded in time, so a broken link fails the test, not hangs it. */
const bounded = { timeout: 15_000, interval: 100 };
const ids = (attendees: { attendee_id: string }[]) => attendees.map((x) => x.attendee_id);

/** A direct connection to the test's Redis (not through any proxy), to look at what it holds. */
async function inspector(url: string): Promise<Redis> {
  const { connectRedis, redisReady } = await import("@clinic/platform/redis");
  const redis = connectRedis(url, { logger: { info: () => undefined, warn: () => undefined }, name: "test-inspector" });
  await redisReady(redis);
  return redis;
}

/**
 * An in-process link where the test can hold back instance `held`'s next presence read (the
 * read of who is connected elsewhere, done while its first connection of a session is
 * announced), to close that connection at exactly that moment.
 */
function holdingLink(held: string) {
  const inner = createInProcessSignalCluster();
  let hold: { reached: () => void; released: Promise<void> } | undefined;
  const cluster: InProcessSignalCluster = {
    node(instanceId) {
      const fanout = inner.node(instanceId);
      if (instanceId !== held) return fanout;
      const read = fanout.presence.bind(fanout);
      fanout.presence = async (...args: Parameters<SignalFanout["presence"]>) => {
        const current = hold;
        hold = undefined;
        if (current) {
          current.reached();
          await current.released;
        }
        return read(...args);
      };
      return fanout;
    },
  };
  return {
    cluster,
    /** The next presence read waits for `release()`; `reached` resolves once it waits (bounded). */
    holdNextRead() {
      let reached!: () => void;
      let release!: () => void;
      const waiting = new Promise<void>((resolve) => {
        reached = resolve;
      });
      hold = { reached, released: new Promise<void>((resolve) => (release = resolve)) };
      const timeout = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("presence never read")), bounded.timeout).unref(),
      );
      return { reached: Promise.race([waiting, timeout]), release };
    },
  };
}

describe("signalling: a connection that closes while its instance announces it (in-process, held back)", () => {
  const link = holdingLink("video-b");
  let cluster: TestCluster;
  let a: Harness;
  let b: App;
  let baseA: string;
  let baseB: string;
  const sockets = signalClients();
  const connect = sockets.connect;

  beforeAll(async () => {
    cluster = await testCluster(undefined);
    ({ a, b, baseA, baseB } = await twoInstances(cluster, { signalCluster: link.cluster }));
  });
  afterAll(async () => {
    await sockets.closeAll();
    await b?.close();
    await a?.close();
    await cluster?.cleanup();
  });

  it("leaves no trace on A, and the attendee's next connection on the same instance relays both ways", async () => {
    const m = await a.meeting();
    const doctor = connect(baseA, m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");

    // B's first connection of the session closes while B reads who is connected elsewhere.
    const held = link.holdNextRead();
    const gone = connect(baseB, m.sessionId, m.patient.join_token);
    await held.reached;
    gone.close();
    await closedWithin(gone);
    await vi.waitFor(() => expect(b.video.hub.connectionCount).toBe(0), bounded);
    held.release();
    await b.video.settle();
    await a.app.video.settle();

    // It is in nobody's presence.
    expect(await a.app.video.hub.isConnected(m.sessionId, m.patient.attendee_id)).toBe(false);

    const patient = connect(baseB, m.sessionId, m.patient.join_token);
    expect(ids((await patient.next("welcome")).attendees)).toEqual([m.doctor.attendee_id]);
    expect((await doctor.next("attendee.joined")).attendee.attendee_id).toBe(m.patient.attendee_id);
    doctor.send({ type: "offer", to: m.patient.attendee_id, sdp: "v=0 offer" });
    expect(await patient.next("offer")).toEqual({ type: "offer", from: m.doctor.attendee_id, sdp: "v=0 offer" });
    patient.send({ type: "answer", to: m.doctor.attendee_id, sdp: "v=0 answer" });
    expect(await doctor.next("answer")).toEqual({ type: "answer", from: m.patient.attendee_id, sdp: "v=0 answer" });
    // The doctor heard of the live connection only (never a join of the closed one after its leave).
    expect(doctor.messages.filter((x) => x.type.startsWith("attendee."))).toEqual([
      { type: "attendee.joined", attendee: expect.objectContaining({ attendee_id: m.patient.attendee_id }) },
    ]);
  });
});

describe(`signalling: an attendee moving between instances (${redisUrl ? "Redis" : "in-process"})`, () => {
  let cluster: TestCluster;
  let a: Harness;
  let b: App;
  let baseA: string;
  let baseB: string;
  const sockets = signalClients();
  const connect = sockets.connect;

  beforeAll(async () => {
    cluster = await testCluster(redisUrl);
    ({ a, b, baseA, baseB } = await twoInstances(cluster));
  });
  afterEach(async () => {
    await sockets.closeAll();
    await b.video.settle();
    await a.app.video.settle();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await cluster?.cleanup();
  });

  it("a patient who reconnected from A to B and then left is gone for the doctor on B: not in welcome, UNKNOWN_ATTENDEE", async () => {
    const m = await a.meeting();
    const first = connect(baseA, m.sessionId, m.patient.join_token);
    expect((await first.next("welcome")).attendees).toEqual([]);
    // B's first connection of the session: the presence it reads still holds the patient on A.
    const moved = connect(baseB, m.sessionId, m.patient.join_token);
    expect((await moved.next("welcome")).attendees).toEqual([]);
    expect((await closedWithin(first)).code).toBe(SignalCloseCodes.replaced);
    const doctor = connect(baseB, m.sessionId, m.doctor.join_token);
    expect(ids((await doctor.next("welcome")).attendees)).toEqual([m.patient.attendee_id]);

    moved.close();
    expect(await doctor.next("attendee.left")).toEqual({ type: "attendee.left", attendee_id: m.patient.attendee_id });
    await b.video.settle();
    await a.app.video.settle();
    // The doctor's page refreshes (on B again): nobody else is there.
    const refreshed = connect(baseB, m.sessionId, m.doctor.join_token);
    expect((await refreshed.next("welcome")).attendees).toEqual([]);
    refreshed.send({ type: "offer", to: m.patient.attendee_id, sdp: "v=0 offer" });
    expect(await refreshed.next("error")).toMatchObject({ code: "UNKNOWN_ATTENDEE" });
  });

  it.skipIf(!redisUrl)("no key or channel name in Redis holds a name, an email or a client address", async () => {
    const m = await a.meeting();
    const doctor = connect(baseA, m.sessionId, m.doctor.join_token, "127.0.0.21");
    await doctor.next("welcome");
    const patient = connect(baseB, m.sessionId, m.patient.join_token, "127.0.0.22");
    await patient.next("welcome");
    await doctor.next("attendee.joined");

    const redis = await inspector(redisUrl!);
    try {
      const keys = await scanKeys(redis, cluster.prefix);
      const channels = (await redis.pubsub("CHANNELS", `${cluster.prefix}*`)) as string[];
      // What is looked at: the connect limits, the presence, the session's channel.
      expect(keys.filter((k) => k.includes("signal:connects:address:")).length).toBeGreaterThanOrEqual(2);
      expect(keys).toContain(`${cluster.prefix}signal:presence:${m.sessionId}`);
      expect(channels).toContain(`${cluster.prefix}signal:session:${m.sessionId}`);
      const secrets = ["127.0.0.21", "127.0.0.22", users.doctor.name, users.doctor.email, users.patient.name];
      for (const name of [...keys, ...channels]) {
        for (const secret of [...secrets, users.patient.email]) expect(name).not.toContain(secret);
      }
    } finally {
      redis.disconnect();
    }
  });
});

// One instance's link to Redis is cut (its own TCP proxy) while the other's stays up: only on
// Redis (CI sets REDIS_URL); the in-process link cannot fail.
describe.skipIf(!redisUrl)("signalling when one instance is cut off from Redis", () => {
  let cluster: TestCluster;
  let proxyA: Awaited<ReturnType<typeof startTcpProxy>>;
  let proxyB: Awaited<ReturnType<typeof startTcpProxy>>;
  let redis: Redis;
  let a: Harness;
  let b: App;
  let baseA: string;
  let baseB: string;
  const sockets = signalClients();
  const connect = sockets.connect;

  beforeAll(async () => {
    const target = new URL(redisUrl!);
    const server = { host: target.hostname, port: Number(target.port || 6379) };
    proxyA = await startTcpProxy(server);
    proxyB = await startTcpProxy(server);
    redis = await inspector(redisUrl!);
    cluster = await testCluster(redisUrl);
    ({ a, b, baseA, baseB } = await twoInstances(cluster, {
      urls: { a: viaProxy(redisUrl!, proxyA.port), b: viaProxy(redisUrl!, proxyB.port) },
    }));
  });
  afterEach(async () => {
    // Both linked again before the next test (its leaves told).
    await reconnect(proxyA, a.app);
    await reconnect(proxyB, b);
    await sockets.closeAll();
    await b.video.settle();
    await a.app.video.settle();
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await proxyA?.close();
    await proxyB?.close();
    redis?.disconnect();
    await cluster?.cleanup();
  });

  async function cutOff(proxy: typeof proxyA, app: App) {
    proxy.cut();
    proxy.dropAll();
    await vi.waitFor(() => expect(app.video.hub.fanoutUp).toBe(false), bounded);
  }
  /** Linked again, and done catching up (its restore and the re-check of its connections). */
  async function reconnect(proxy: typeof proxyA, app: App) {
    proxy.restore();
    await vi.waitFor(() => expect(app.video.hub.fanoutUp).toBe(true), bounded);
    await app.video.settle();
  }
  /** What 30 s without a refresh does to the instance's liveness key (NODE_TTL_MS), now. */
  async function lapse(app: App) {
    expect(await redis.del(`${cluster.prefix}signal:node:${app.video.hub.fanout?.node}`)).toBe(1);
  }

  /** The doctor connected to A, the patient to B, each knowing the other. */
  async function split() {
    const m = await a.meeting();
    const doctor = connect(baseA, m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    const patient = connect(baseB, m.sessionId, m.patient.join_token);
    expect(ids((await patient.next("welcome")).attendees)).toEqual([m.doctor.attendee_id]);
    expect((await doctor.next("attendee.joined")).attendee.attendee_id).toBe(m.patient.attendee_id);
    return { m, doctor, patient };
  }

  async function bothWays(
    m: Awaited<ReturnType<typeof split>>["m"],
    doctor: ReturnType<typeof connect>,
    patient: ReturnType<typeof connect>,
  ) {
    doctor.send({ type: "offer", to: m.patient.attendee_id, sdp: "v=0 offer" });
    expect(await patient.next("offer")).toEqual({ type: "offer", from: m.doctor.attendee_id, sdp: "v=0 offer" });
    patient.send({ type: "answer", to: m.doctor.attendee_id, sdp: "v=0 answer" });
    expect(await doctor.next("answer")).toEqual({ type: "answer", from: m.patient.attendee_id, sdp: "v=0 answer" });
  }

  it("B cut off until its liveness lapsed: A drops B's patient, learns of them again once B is back; relays cross both ways", async () => {
    const { m, doctor, patient } = await split();
    await cutOff(proxyB, b);
    await lapse(b);
    await a.app.video.hub.refreshPresence();
    expect(await doctor.next("attendee.left")).toEqual({ type: "attendee.left", attendee_id: m.patient.attendee_id });

    await reconnect(proxyB, b);
    expect((await doctor.next("attendee.joined")).attendee.attendee_id).toBe(m.patient.attendee_id);
    await bothWays(m, doctor, patient);
  });

  it("both cut off, A back first while B's liveness has lapsed: A keeps B's patient (no leave), and the call goes on once B is back", async () => {
    const { m, doctor, patient } = await split();
    await cutOff(proxyA, a.app);
    await cutOff(proxyB, b);
    await lapse(b);
    await reconnect(proxyA, a.app);
    await a.app.video.hub.refreshPresence(); // within the grace after A's outage: nobody pruned

    await reconnect(proxyB, b);
    await bothWays(m, doctor, patient);
    expect(doctor.messages.filter((x) => x.type === "attendee.left")).toEqual([]);
  });

  it("a doctor whose instance is gone and who rejoins on B is not left behind as a ghost: the patient hears the old attendee leave at once", async () => {
    const { m, doctor, patient } = await split();
    // A is unreachable for the cluster (as a crashed instance is): it can tell nobody anything.
    await cutOff(proxyA, a.app);
    const rejoined = await b.inject({
      method: "POST",
      url: `/api/video/sessions/${m.sessionId}/join`,
      headers: await a.auth(users.doctor),
      payload: {},
    });
    expect(rejoined.statusCode).toBe(200);
    const fresh = rejoined.json() as { attendee: { attendee_id: string; join_token: string } };
    expect(await patient.next("attendee.left")).toEqual({ type: "attendee.left", attendee_id: m.doctor.attendee_id });

    const again = connect(baseB, m.sessionId, fresh.attendee.join_token);
    expect(ids((await again.next("welcome")).attendees)).toEqual([m.patient.attendee_id]);
    expect((await patient.next("attendee.joined")).attendee.attendee_id).toBe(fresh.attendee.attendee_id);
    // The patient's refreshed page is welcomed with the one doctor there is.
    const refreshed = connect(baseB, m.sessionId, m.patient.join_token);
    expect(ids((await refreshed.next("welcome")).attendees)).toEqual([fresh.attendee.attendee_id]);
    // And the shared presence, which an instance building its view from scratch reads, holds no ghost.
    await b.video.settle();
    const held = await redis.hkeys(`${cluster.prefix}signal:presence:${m.sessionId}`);
    expect(held).not.toContain(m.doctor.attendee_id);
    doctor.close();
  });

  it("a patient who leaves B while B is cut off is heard leaving on A once B is back", async () => {
    const { m, doctor, patient } = await split();
    await cutOff(proxyB, b);
    patient.close();
    await closedWithin(patient);
    await vi.waitFor(() => expect(b.video.hub.connectionCount).toBe(0), bounded);
    await b.video.settle();
    expect(doctor.messages.filter((x) => x.type === "attendee.left")).toEqual([]);

    await reconnect(proxyB, b);
    expect(await doctor.next("attendee.left")).toEqual({ type: "attendee.left", attendee_id: m.patient.attendee_id });
    expect(await a.app.video.hub.isConnected(m.sessionId, m.patient.attendee_id)).toBe(false);
    doctor.send({ type: "offer", to: m.patient.attendee_id, sdp: "v=0 offer" });
    expect(await doctor.next("error")).toMatchObject({ code: "UNKNOWN_ATTENDEE" });
  });
});
