import { randomBytes } from "node:crypto";
import type { JoinSessionResponse, SessionDetails } from "@clinic/contracts";
import type { AuthUser } from "@clinic/platform";
import { connectRedis, type Redis, redisReady } from "@clinic/platform/redis";
import { captureLogs, deleteRedisKeys, eventually, testDatabase } from "@clinic/platform/testing";
import { type RunningStack, runStack } from "@clinic/stack";
import { closedWithin, connectSignal, type SignalClient, signalUrl } from "@clinic/video-service/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backend, busTopology } from "../support/bus.ts";
import {
  appointmentStatus,
  autoAdmit,
  bookNow,
  endSession,
  giveConsent,
  type Started,
  startSession,
} from "../support/flows.ts";
import { call } from "../support/http.ts";
import { createTokenKit, type Person, people, type TokenKit } from "../support/people.ts";
import { testDirectory } from "../support/system.ts";

const redisUrl = process.env.REDIS_URL;
const quiet = { info: () => undefined, warn: () => undefined };
/** What a client sees when the gateway's upstream socket dies without a close frame: ws may not send 1006, @fastify/http-proxy lifts it to 3000 + 1006. */
const upstreamLost = 4006;

interface Variant {
  name: string;
  /** Cut its connections first (no closing handshake), or close it as a replica going away. */
  abrupt: boolean;
  /** The doctor's client's way back: the web app's (a rejoin over HTTP, then signalling), or its join token again. */
  back: "rejoin" | "same token";
  /** The close code the doctor's client gets through the gateway. */
  code: number;
}

const variants: Variant[] = [
  {
    name: "stopped, 1001; back as the web app comes back: a rejoin, then signalling",
    abrupt: false,
    back: "rejoin",
    code: 1001,
  },
  {
    name: "cut off without a closing handshake; back with the same join token",
    abrupt: true,
    back: "same token",
    code: upstreamLost,
  },
];

interface Peer {
  client: SignalClient;
  attendeeId: string;
  joinToken: string;
}

/**
 * `VIDEO_REPLICAS=2` (the stack `npm start` runs) on a real Redis: the doctor's and the
 * patient's signalling reach two different video instances through the gateway and
 * negotiate; the doctor's instance A then goes mid-call. The doctor's client comes back
 * through the gateway, which takes it to B (A refuses connections: the gateway's
 * connect-refused retry, or A already out of rotation), is welcomed with the patient, and
 * the two negotiate again. The HTTP API then shows one live attendee per person, the
 * doctor's first attendance closed and one open; the end reaches both.
 * Needs Redis (CI sets REDIS_URL): two instances refuse to start without it, and
 * `apps/stack/test/video-replicas.test.ts` is skipped without it the same way.
 */
describe.skipIf(!redisUrl).each(variants)(
  `video failover: the doctor's instance goes mid-call ($name, ${backend})`,
  (variant) => {
    const topology = busTopology("failover");
    const prefix = `test:failover:${randomBytes(4).toString("hex")}:`;
    const databases = {
      auth: testDatabase("fo_auth"),
      appointments: testDatabase("fo_appointments"),
      video: testDatabase("fo_video"),
    };
    const logs = captureLogs();
    const sockets: SignalClient[] = [];
    let stack: RunningStack;
    let tokens: TokenKit;
    let redis: Redis;
    /** The video API through the gateway, as the browser reaches it. */
    let video: string;
    let sessionId: string;
    let appointmentId: string;
    let doctor: Peer;
    let patient: Peer;
    /** The instance ids the doctor (A) and the patient (B) are connected to at first. */
    let a: string;
    let b: string;
    let firstDoctorAttendee: string;

    const token = (person: Person) => tokens.sign(people[person]);
    const api = () => ({
      urls: {
        auth: "",
        jwks: "",
        gateway: stack.urls.gateway,
        video,
        appointments: `${stack.urls.gateway}/appointments`,
      },
      token: (person: Person | AuthUser) => tokens.sign(typeof person === "string" ? people[person] : person),
    });
    const instanceUrl = (instanceId: string) =>
      stack.urls.videoInstances[Number(instanceId.replace("video-", "")) - 1]!;

    /** Signalling through the gateway, with the web app's heartbeat every 10 s. */
    const connect = (joinToken: string): SignalClient => {
      const client = connectSignal(signalUrl(video, sessionId, joinToken));
      const beat = setInterval(() => {
        if (client.ws.readyState === client.ws.OPEN) client.send({ type: "heartbeat" });
      }, 10_000);
      void client.closed.then(() => clearInterval(beat));
      sockets.push(client);
      return client;
    };

    /** Attendee id → the instance its signalling connection is on, as the instances tell each other (Redis presence). */
    const whereConnected = async (): Promise<Map<string, string>> => {
      const raw = await redis.hgetall(`${prefix}signal:presence:${sessionId}`);
      const entries = Object.values(raw).map(
        (v) => JSON.parse(v) as { node: string; attendee: { attendee_id: string } },
      );
      return new Map(entries.map((e) => [e.attendee.attendee_id, e.node.split("/")[0] ?? ""]));
    };

    /** The instance's own count of open signalling connections. */
    const connectionsOn = async (instanceId: string) => {
      const text = await (await fetch(`${instanceUrl(instanceId)}/metrics`)).text();
      return Number(/^video_signalling_connections(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1]);
    };

    /**
     * The gateway balances round robin over the two instances: once `instanceId` has answered a
     * request through it, the next request or WebSocket goes to the other one.
     */
    const nextGoesPast = async (instanceId: string) => {
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${video}/livez`);
        await res.arrayBuffer();
        if (res.headers.get("x-served-by") === instanceId) return;
      }
      throw new Error(`${instanceId} never answered through the gateway`);
    };

    /** `from` offers (as a newcomer does on welcome), `to` answers, and an ICE candidate follows: SDP both ways. */
    const negotiate = async (from: Peer, to: Peer, round: string) => {
      from.client.send({ type: "offer", to: to.attendeeId, sdp: `v=0 offer ${round}` });
      expect(await to.client.next("offer", 10_000)).toEqual({
        type: "offer",
        from: from.attendeeId,
        sdp: `v=0 offer ${round}`,
      });
      to.client.send({ type: "answer", to: from.attendeeId, sdp: `v=0 answer ${round}` });
      expect(await from.client.next("answer", 10_000)).toEqual({
        type: "answer",
        from: to.attendeeId,
        sdp: `v=0 answer ${round}`,
      });
      const candidate = {
        candidate: `candidate:1 1 udp 2122260223 192.0.2.1 5440${round.length} typ host`,
        sdpMid: "0",
      };
      from.client.send({ type: "ice", to: to.attendeeId, candidate });
      expect(await to.client.next("ice", 10_000)).toEqual({ type: "ice", from: from.attendeeId, candidate });
    };

    const details = async () => {
      const reply = await call<SessionDetails>(video, "GET", `/api/video/sessions/${sessionId}`, {
        token: await token("doctor"),
      });
      expect(reply.status, reply.text).toBe(200);
      return reply.body;
    };

    /** The attendance intervals themselves (PostgreSQL only: the stack's in-memory PGlite is not reachable from here). */
    const intervals = async () => {
      const { url, schema } = databases.video.options;
      if (!url || !schema) return undefined;
      const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        const { rows } = await client.query<{ attendee_id: string; left_at: Date | null }>(
          "SELECT attendee_id, left_at FROM attendance_intervals WHERE session_id = $1 ORDER BY id",
          [sessionId],
        );
        return rows;
      } finally {
        await client.end();
      }
    };

    beforeAll(async () => {
      tokens = await createTokenKit();
      stack = await runStack({
        ports: { gateway: 0, auth: 0, appointments: 0, video: 0 },
        host: "127.0.0.1",
        databases: {
          auth: databases.auth.options,
          appointments: databases.appointments.options,
          video: databases.video.options,
        },
        bus: await topology.connect(),
        seed: false,
        // The suite signs tokens for the test people, whom the auth service never stored.
        directory: testDirectory(),
        logStream: logs.stream,
        env: {
          VIDEO_REPLICAS: "2",
          REDIS_URL: redisUrl,
          REDIS_KEY_PREFIX: prefix,
          AUTH_SIGNING_KEY: tokens.signingKey,
          // The gateway's own readiness round (every 2 s by default) could take A out at any
          // moment; once a minute, A is still in rotation when the doctor comes back, so what
          // takes the doctor to B is the gateway noticing A refuse a connection.
          GATEWAY_HEALTH_INTERVAL_MS: "60000",
        },
      });
      video = `${stack.urls.gateway}/video`;
      redis = connectRedis(redisUrl as string, { logger: quiet, name: "test-failover" });
      await redisReady(redis);
    });

    afterAll(async () => {
      for (const client of sockets) client.close();
      await stack?.close();
      await topology.cleanup();
      await Promise.all(Object.values(databases).map((d) => d.drop()));
      redis?.disconnect();
      // This test's keys only (never FLUSHALL: other test files share the server).
      await deleteRedisKeys(redisUrl as string, prefix);
    });

    it("puts the doctor and the patient on different instances through the gateway; they negotiate", async () => {
      const appointment = await bookNow(api());
      appointmentId = appointment.id;
      const doctorToken = await token("doctor");
      const started = await startSession(video, doctorToken, appointment.id);
      expect(started.status, started.text).toBe(200);
      sessionId = started.body.session_id;
      // The patient meets the doctor without waiting for Admit (the waiting room is not this test's).
      await autoAdmit(video, doctorToken, sessionId);
      const { doctor_attendee }: Started = started.body;
      firstDoctorAttendee = doctor_attendee.attendee_id;

      const patientToken = await token("patient");
      await giveConsent(video, patientToken, sessionId);
      const joined = await call<JoinSessionResponse>(video, "POST", `/api/video/sessions/${sessionId}/join`, {
        token: patientToken,
        body: {},
      });
      expect(joined.status, joined.text).toBe(200);

      doctor = { client: connect(doctor_attendee.join_token), ...ids(doctor_attendee) };
      expect((await doctor.client.next("welcome", 10_000)).attendees).toEqual([]);
      a = await eventually("the doctor's presence", async () => (await whereConnected()).get(doctor.attendeeId));

      // Balancing has no stickiness: steer the patient's WebSocket to the other instance.
      await nextGoesPast(a);
      patient = { client: connect(joined.body.attendee.join_token), ...ids(joined.body.attendee) };
      const welcome = await patient.client.next("welcome", 10_000);
      expect(welcome.attendees.map((x) => x.attendee_id)).toEqual([doctor.attendeeId]);
      expect((await doctor.client.next("attendee.joined", 10_000)).attendee.attendee_id).toBe(patient.attendeeId);

      const where = await whereConnected();
      b = where.get(patient.attendeeId) ?? "";
      expect(new Set([a, b])).toEqual(new Set(["video-1", "video-2"]));
      expect(await connectionsOn(a)).toBe(1);
      expect(await connectionsOn(b)).toBe(1);

      // The newcomer offers to whoever welcome listed (as the web app does), across the instances.
      await negotiate(patient, doctor, "one");
    });

    it(`A goes mid-call (${variant.abrupt ? "cut off" : "stopped"}): the doctor is back through the gateway on B with the patient, and they negotiate again`, async () => {
      expect(a, "the first test put the two sides apart").toBeDefined();
      const indexOfA = stack.urls.videoInstances.indexOf(instanceUrl(a));
      // The next WebSocket through the gateway goes to A, which is in rotation still.
      if (variant.back === "same token") await nextGoesPast(b);
      await stack.stopVideoInstance(indexOfA, { abrupt: variant.abrupt });

      expect((await closedWithin(doctor.client, 10_000)).code).toBe(variant.code);
      // B heard A's connection go: the patient is told, and stays connected.
      expect((await patient.client.next("attendee.left", 10_000)).attendee_id).toBe(doctor.attendeeId);
      expect(patient.client.ws.readyState).toBe(patient.client.ws.OPEN);

      if (variant.back === "rejoin") {
        // embedded-call.ts on any other close: POST /join again (tried again on failure, as a
        // 502 from A refusing is), then signalling with the fresh attendee's token.
        const doctorToken = await token("doctor");
        let rejoined: JoinSessionResponse | undefined;
        for (let attempt = 0; attempt < 3 && !rejoined; attempt++) {
          const reply = await call<JoinSessionResponse>(video, "POST", `/api/video/sessions/${sessionId}/join`, {
            token: doctorToken,
            body: {},
          });
          if (reply.status === 200) rejoined = reply.body;
          else expect(reply.status, reply.text).toBe(502);
        }
        expect(rejoined, "the rejoin went through").toBeDefined();
        doctor = { client: connect(rejoined!.attendee.join_token), ...ids(rejoined!.attendee) };
        expect(doctor.attendeeId).not.toBe(firstDoctorAttendee);
      } else {
        doctor = { ...doctor, client: connect(doctor.joinToken) };
      }

      const welcome = await doctor.client.next("welcome", 10_000);
      expect(welcome.attendees.map((x) => x.attendee_id)).toEqual([patient.attendeeId]);
      expect((await patient.client.next("attendee.joined", 10_000)).attendee.attendee_id).toBe(doctor.attendeeId);
      expect(await whereConnected()).toEqual(
        new Map([
          [doctor.attendeeId, b],
          [patient.attendeeId, b],
        ]),
      );
      expect(await connectionsOn(b)).toBe(2);
      await negotiate(doctor, patient, "two");

      // The gateway found A refusing (a request or the WebSocket's connection) and took it out.
      if (variant.back === "same token") expect(logs.text()).toContain("websocket upgrade retried on another instance");
      // Its /health names the instances by position in VIDEO_URL, which lists video-1, video-2 in order.
      const health = (await (await fetch(`${stack.urls.gateway}/health`)).json()) as {
        upstreams: { video: { instances: { index: number; status: string; reason?: string }[] } };
      };
      const status = new Map(health.upstreams.video.instances.map((i) => [`video-${i.index}`, i]));
      expect(status.get(a)).toMatchObject({ status: "DOWN", reason: "UNREACHABLE" });
      expect(status.get(b)).toMatchObject({ status: "UP" });
    });

    it("the API shows one live attendee per person, the doctor's first attendance closed and one open; the end reaches both", async () => {
      expect(doctor?.client, "the doctor came back").toBeDefined();
      const { attendees } = await details();
      const live = attendees.filter((x) => x.status === "CONNECTED" || x.status === "JOINING");
      expect(live.map((x) => [x.user_type, x.status]).sort()).toEqual([
        ["DOCTOR", "CONNECTED"],
        ["PATIENT", "CONNECTED"],
      ]);
      expect(live.map((x) => x.attendee_id).sort()).toEqual([doctor.attendeeId, patient.attendeeId].sort());
      const doctors = attendees.filter((x) => x.user_type === "DOCTOR");
      const first = doctors.find((x) => x.attendee_id === firstDoctorAttendee);
      if (variant.back === "rejoin") {
        // The first attendee's attendance closed when A went; the rejoin replaced it.
        expect(doctors).toHaveLength(2);
        expect(first).toMatchObject({
          status: "REPLACED",
          join_time: expect.any(String),
          leave_time: expect.any(String),
        });
        expect(doctors.find((x) => x.attendee_id === doctor.attendeeId)).toMatchObject({
          status: "CONNECTED",
          leave_time: null,
        });
      } else {
        // One attendee, connected again on B (the API shows no leave time while connected;
        // its closed first attendance is in the record, below).
        expect(doctors).toHaveLength(1);
        expect(first).toMatchObject({ status: "CONNECTED", join_time: expect.any(String), leave_time: null });
      }
      expect(attendees.filter((x) => x.user_type === "PATIENT")).toEqual([
        expect.objectContaining({ attendee_id: patient.attendeeId, status: "CONNECTED", leave_time: null }),
      ]);
      const recorded = await intervals();
      if (recorded) {
        // The record itself: the doctor's first interval closed, one open (on B); the patient's one open.
        const doctorIntervals = recorded.filter((r) => r.attendee_id !== patient.attendeeId);
        expect(doctorIntervals.map((r) => r.left_at === null)).toEqual([false, true]);
        expect(doctorIntervals.map((r) => r.attendee_id)).toEqual([firstDoctorAttendee, doctor.attendeeId]);
        expect(recorded.filter((r) => r.attendee_id === patient.attendeeId).map((r) => r.left_at)).toEqual([null]);
      }

      const ended = await endSession(video, await token("doctor"), sessionId);
      expect(ended.status, ended.text).toBe(200);
      for (const side of [doctor, patient]) {
        expect(await side.client.next("session.ended", 10_000)).toMatchObject({ reason: "ENDED_BY_DOCTOR" });
        expect((await closedWithin(side.client, 10_000)).code).toBe(4410);
      }
      const after = await details();
      expect(after.status).toBe("COMPLETED");
      expect(after.attendees.filter((x) => x.status === "CONNECTED" || x.status === "JOINING")).toEqual([]);
      if (recorded) expect((await intervals())?.filter((r) => r.left_at === null)).toEqual([]);
      await eventually("the appointment COMPLETED", async () =>
        (await appointmentStatus(api(), appointmentId)).status === "COMPLETED" ? true : undefined,
      );
      expect(logs.text()).not.toContain("could not record leave");
    });
  },
);

function ids(attendee: { attendee_id: string; join_token: string }) {
  return { attendeeId: attendee.attendee_id, joinToken: attendee.join_token };
}
