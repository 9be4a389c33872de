import { SignalCloseCodes } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import { startTcpProxy, viaProxy } from "@clinic/platform/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { closedWithin, type SignalClient } from "../testing/signal-client.ts";
import { signalClients, type TestCluster, testCluster, twoInstances } from "../testing/signal-cluster.ts";
import { type Harness, users } from "../testing/video-test-harness.ts";

// CI sets REDIS_URL: the two instances are linked through a real Redis (keys and channels of
// this file only). Without it they are linked in-process, with the same semantics.
const redisUrl = process.env.REDIS_URL;
/** `vi.waitFor` bounded in time, so a broken link fails the test, not hangs it. */
const bounded = { timeout: 15_000, interval: 100 };

describe(`signalling across two instances (${redisUrl ? "Redis" : "in-process"})`, () => {
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

  /** The doctor connected to A, the patient to B, each knowing the other. */
  async function split() {
    const m = await a.meeting();
    const doctor = connect(baseA, m.sessionId, m.doctor.join_token);
    expect((await doctor.next("welcome")).attendees).toEqual([]);
    const patient = connect(baseB, m.sessionId, m.patient.join_token);
    const welcome = await patient.next("welcome");
    expect(welcome.attendees.map((x) => x.attendee_id)).toEqual([m.doctor.attendee_id]);
    expect((await doctor.next("attendee.joined")).attendee.attendee_id).toBe(m.patient.attendee_id);
    return { m, doctor, patient, welcome };
  }

  const attendeeState = (attendeeId: string) =>
    a.app.video.database.db
      .selectFrom("attendance_intervals")
      .select(["id", "left_at"])
      .where("attendee_id", "=", attendeeId)
      .orderBy("id")
      .execute();

  it("names the instance that answered: x-served-by on every response, its id in /health", async () => {
    const health = await fetch(`${baseA}/health`);
    expect(health.headers.get("x-served-by")).toBe("video-a");
    expect(await health.json()).toMatchObject({
      status: "UP",
      instance: "video-a",
      checks: { signalling_fanout: "UP" },
    });
    const other = await fetch(`${baseB}/health`);
    expect(other.headers.get("x-served-by")).toBe("video-b");
    expect(await other.json()).toMatchObject({ instance: "video-b" });
    // Errors, unknown routes, malformed URLs, the documents and the probes too.
    for (const path of ["/api/video/sessions", "/nowhere", "/api/video/sessions/%E0%A4%A", "/docs/json", "/livez"]) {
      const response = await fetch(`${baseB}${path}`);
      expect({ path, servedBy: response.headers.get("x-served-by") }).toEqual({ path, servedBy: "video-b" });
    }
  });

  it("doctor on A, patient on B: welcome lists the other; offer, answer, ICE and media cross; a leave is heard", async () => {
    const { m, doctor, patient, welcome } = await split();
    expect(welcome.attendees).toEqual([
      {
        attendee_id: m.doctor.attendee_id,
        user_id: users.doctor.id,
        user_type: "DOCTOR",
        name: users.doctor.name,
        status: "CONNECTED",
      },
    ]);

    patient.send({ type: "offer", to: m.doctor.attendee_id, sdp: "v=0 offer" });
    expect(await doctor.next("offer")).toEqual({ type: "offer", from: m.patient.attendee_id, sdp: "v=0 offer" });
    doctor.send({ type: "answer", to: m.patient.attendee_id, sdp: "v=0 answer" });
    expect(await patient.next("answer")).toEqual({ type: "answer", from: m.doctor.attendee_id, sdp: "v=0 answer" });
    const candidate = {
      candidate: "candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host",
      sdpMid: "0",
      sdpMLineIndex: 0,
    };
    doctor.send({ type: "ice", to: m.patient.attendee_id, candidate });
    expect(await patient.next("ice")).toEqual({ type: "ice", from: m.doctor.attendee_id, candidate });
    patient.send({ type: "ice", to: m.doctor.attendee_id, candidate: null });
    expect(await doctor.next("ice")).toEqual({ type: "ice", from: m.patient.attendee_id, candidate: null });
    patient.send({ type: "media", audio: false, video: true });
    expect(await doctor.next("media")).toEqual({
      type: "media",
      from: m.patient.attendee_id,
      audio: false,
      video: true,
    });
    // Nobody by that id anywhere in the session: still refused at once.
    patient.send({ type: "offer", to: "attendee-elsewhere", sdp: "x" });
    expect(await patient.next("error")).toMatchObject({ code: "UNKNOWN_ATTENDEE" });

    patient.close();
    expect(await doctor.next("attendee.left")).toEqual({ type: "attendee.left", attendee_id: m.patient.attendee_id });
    await b.video.settle();
    const intervals = await attendeeState(m.patient.attendee_id);
    expect(intervals).toHaveLength(1);
    expect(intervals[0]?.left_at).not.toBeNull();
  });

  it("an end on A closes B's sockets with session.ended (4410) and records every leave", async () => {
    const { m, doctor, patient } = await split();
    a.advance(5 * 60_000);
    expect((await a.end(m.sessionId)).statusCode).toBe(200);
    for (const client of [patient, doctor]) {
      expect(await client.next("session.ended")).toEqual({
        type: "session.ended",
        session_id: m.sessionId,
        reason: "ENDED_BY_DOCTOR",
      });
      expect((await closedWithin(client)).code).toBe(SignalCloseCodes.sessionEnded);
    }
    await b.video.settle();
    const details = await a.app.inject({
      url: `/api/video/sessions/${m.sessionId}`,
      headers: await a.auth(users.doctor),
    });
    for (const attendee of details.json().attendees) {
      expect(attendee).toMatchObject({ status: "LEFT", leave_time: a.clock.now.toISOString() });
    }
  });

  it("a rejoin over HTTP on A disconnects the replaced attendee's socket on B (4409); the doctor hears it leave", async () => {
    const { m, doctor, patient } = await split();
    const rejoined = await a.join(m.sessionId, users.patient);
    expect(await patient.next("replaced")).toEqual({ type: "replaced" });
    expect((await closedWithin(patient)).code).toBe(SignalCloseCodes.replaced);
    expect(await doctor.next("attendee.left")).toEqual({ type: "attendee.left", attendee_id: m.patient.attendee_id });
    // The replaced token no longer connects, on either instance; the new one does.
    const stale = connect(baseA, m.sessionId, m.patient.join_token);
    expect((await closedWithin(stale)).code).toBe(SignalCloseCodes.replaced);
    const fresh = connect(baseB, m.sessionId, rejoined.attendee.join_token);
    expect((await fresh.next("welcome")).attendees.map((x) => x.attendee_id)).toEqual([m.doctor.attendee_id]);
    expect((await doctor.next("attendee.joined")).attendee.attendee_id).toBe(rejoined.attendee.attendee_id);
  });

  it("the same attendee connecting on A replaces its socket on B (4409) without a leave: one open interval, still CONNECTED", async () => {
    const { m, doctor, patient } = await split();
    const [before] = await attendeeState(m.patient.attendee_id);
    const again = connect(baseA, m.sessionId, m.patient.join_token);
    expect((await again.next("welcome")).attendees.map((x) => x.attendee_id)).toEqual([m.doctor.attendee_id]);
    expect(await patient.next("replaced")).toEqual({ type: "replaced" });
    expect((await closedWithin(patient)).code).toBe(SignalCloseCodes.replaced);
    // Both instances done with the close (B's close handler ran, its writes and messages settled).
    await vi.waitFor(() => expect(b.websocketServer.clients.size).toBe(0), bounded);
    await b.video.settle();
    await a.app.video.settle();

    const intervals = await attendeeState(m.patient.attendee_id);
    expect(intervals.filter((i) => i.left_at === null).map((i) => i.id)).toHaveLength(1);
    expect(intervals.find((i) => i.id === before?.id)?.left_at).not.toBeNull();
    const details = await a.app.inject({
      url: `/api/video/sessions/${m.sessionId}`,
      headers: await a.auth(users.doctor),
    });
    const patientRow = details.json().attendees.find((x: { user_type: string }) => x.user_type === "PATIENT");
    expect(patientRow.status).toBe("CONNECTED");
    // The doctor never heard the patient leave; relays reach the new socket.
    doctor.send({ type: "offer", to: m.patient.attendee_id, sdp: "v=0 again" });
    expect(await again.next("offer")).toEqual({ type: "offer", from: m.doctor.attendee_id, sdp: "v=0 again" });
    expect(doctor.messages.filter((x) => x.type === "attendee.left")).toEqual([]);
  });

  it("A's sweeper leaves alone the attendance of a patient connected to B, however long since it was heard", async () => {
    const { m } = await split();
    a.advance(10 * 60_000); // far past STALE_ATTENDANCE_MS, without a message (the clock is the test's)
    await a.app.video.sweepIdle();
    const intervals = await attendeeState(m.patient.attendee_id);
    expect(intervals.map((i) => i.left_at)).toEqual([null]);
  });
});

describe(`signalling connect limits count across instances (${redisUrl ? "Redis" : "in-process"})`, () => {
  let cluster: TestCluster;
  let a: Harness;
  let b: App;
  let baseA: string;
  let baseB: string;
  const sockets = signalClients();

  beforeAll(async () => {
    cluster = await testCluster(redisUrl);
    ({ a, b, baseA, baseB } = await twoInstances(cluster, { env: { SIGNAL_CONNECTS_PER_MINUTE: "2" } }));
  });
  afterAll(async () => {
    await sockets.closeAll();
    await b?.close();
    await a?.close();
    await cluster?.cleanup();
  });

  it("the third connect from one address in a minute is refused (1013) whichever instance it reaches", async () => {
    const m = await a.meeting();
    const address = "127.0.0.7";
    for (const base of [baseA, baseB]) {
      const client = sockets.connect(base, m.sessionId, "not-a-token", address);
      expect((await closedWithin(client)).code).toBe(SignalCloseCodes.invalidToken);
    }
    const third = sockets.connect(baseA, m.sessionId, m.doctor.join_token, address);
    expect(await closedWithin(third)).toEqual({
      code: SignalCloseCodes.tryAgainLater,
      reason: "too many connects, try again later",
    });
    // A minute later (the domain clock) the bucket has refilled, on both instances.
    a.advance(60_000);
    const later = sockets.connect(baseB, m.sessionId, m.doctor.join_token, address);
    await later.next("welcome");
  });
});

// The outage: a TCP proxy between both instances and Redis is cut, then restored. Only on
// Redis (CI sets REDIS_URL); the in-process link cannot fail.
describe.skipIf(!redisUrl)("signalling across instances through a Redis outage", () => {
  let cluster: TestCluster;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let a: Harness;
  let b: App;
  let baseA: string;
  let baseB: string;
  const sockets = signalClients();
  const connect = sockets.connect;

  beforeAll(async () => {
    const target = new URL(redisUrl!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    cluster = await testCluster(redisUrl);
    ({ a, b, baseA, baseB } = await twoInstances(cluster, {
      urls: { a: viaProxy(redisUrl!, proxy.port), b: viaProxy(redisUrl!, proxy.port) },
    }));
  });
  afterAll(async () => {
    await sockets.closeAll();
    await b?.close();
    await a?.close();
    await proxy?.close();
    await cluster?.cleanup();
  });

  /** Connects until welcomed (the instance may still be reconnecting to Redis); bounded. */
  async function connectWhenUp(base: string, sessionId: string, token: string): Promise<SignalClient> {
    for (let attempt = 0; attempt < 60; attempt++) {
      const client = connect(base, sessionId, token);
      const outcome = await Promise.race([
        client.next("welcome", 5000).then(() => "welcome" as const),
        client.closed.then((c) => c.code),
      ]);
      if (outcome === "welcome") return client;
      expect(outcome).toBe(SignalCloseCodes.unavailable);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error("never welcomed");
  }

  it("refuses new connects with 4503 during the cut, applies an end made meanwhile, and recovers by itself", async () => {
    const m = await a.meeting();
    const doctor = connect(baseA, m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    const patient = connect(baseB, m.sessionId, m.patient.join_token);
    await patient.next("welcome");
    await doctor.next("attendee.joined");
    const later = await a.meeting();

    proxy.cut();
    proxy.dropAll();
    // New upgrades on either instance: the clear close code, which the browser retries with backoff.
    for (const base of [baseA, baseB]) {
      await vi.waitFor(async () => {
        const refused = connect(base, later.sessionId, later.patient.join_token);
        expect(await closedWithin(refused)).toEqual({
          code: SignalCloseCodes.unavailable,
          reason: "signalling temporarily unavailable, try again",
        });
      }, bounded);
    }
    const health = await fetch(`${baseB}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "UP", checks: { signalling_fanout: "DOWN" } });

    // The established call stays up; an end on A reaches A's socket now, and B's once Redis is back.
    expect((await a.end(m.sessionId)).statusCode).toBe(200);
    expect((await closedWithin(doctor)).code).toBe(SignalCloseCodes.sessionEnded);
    proxy.restore();
    expect(await patient.next("session.ended", bounded.timeout)).toMatchObject({ reason: "ENDED_BY_DOCTOR" });
    expect((await closedWithin(patient)).code).toBe(SignalCloseCodes.sessionEnded);

    // Nothing restarted: new connections and cross-instance relays work again.
    const doctor2 = await connectWhenUp(baseA, later.sessionId, later.doctor.join_token);
    const patient2 = await connectWhenUp(baseB, later.sessionId, later.patient.join_token);
    expect(await doctor2.next("attendee.joined")).toMatchObject({
      attendee: { attendee_id: later.patient.attendee_id },
    });
    patient2.send({ type: "offer", to: later.doctor.attendee_id, sdp: "v=0 after" });
    expect(await doctor2.next("offer")).toEqual({ type: "offer", from: later.patient.attendee_id, sdp: "v=0 after" });
    doctor2.send({ type: "answer", to: later.patient.attendee_id, sdp: "v=0 answer" });
    expect(await patient2.next("answer")).toMatchObject({ from: later.doctor.attendee_id });
    await vi.waitFor(async () => {
      expect(await (await fetch(`${baseA}/health`)).json()).toMatchObject({ checks: { signalling_fanout: "UP" } });
    }, bounded);
  });
});
