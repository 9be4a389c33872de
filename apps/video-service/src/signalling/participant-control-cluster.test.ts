import { SignalCloseCodes } from "@clinic/contracts";
import type { App, AuthUser } from "@clinic/platform";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { closedWithin } from "../testing/signal-client.ts";
import { signalClients, type TestCluster, testCluster, twoInstances } from "../testing/signal-cluster.ts";
import { type Harness, users } from "../testing/video-test-harness.ts";

// CI sets REDIS_URL: the two instances are linked through a real Redis (keys and channels under
// this file's own prefix). Without it they are linked in-process, with the same semantics.
const redisUrl = process.env.REDIS_URL;

/** Participant control (issue 12) when the doctor's request and the participant's socket are on different instances. */
describe(`participant control across two instances (${redisUrl ? "Redis" : "in-process"})`, () => {
  let cluster: TestCluster;
  let a: Harness;
  let b: App;
  let baseA: string;
  let baseB: string;
  const sockets = signalClients();

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

  /** POST …/attendees/{id}/<verb> on instance `app`. */
  const control = async (app: App, verb: "mute" | "remove" | "admit", sessionId: string, attendeeId: string) =>
    app.inject({
      method: "POST",
      url: `/api/video/sessions/${sessionId}/attendees/${attendeeId}/${verb}`,
      headers: await a.auth(users.doctor as AuthUser),
      payload: {},
    });

  /** The doctor connected to A, the patient to B (admitted from the waiting room), each knowing the other. */
  async function split() {
    const m = await a.meeting();
    const doctor = sockets.connect(baseA, m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    const patient = sockets.connect(baseB, m.sessionId, m.patient.join_token);
    await patient.next("welcome");
    const admitted = await control(a.app, "admit", m.sessionId, m.patient.attendee_id);
    expect(admitted.statusCode, admitted.body).toBe(200);
    expect((await doctor.next("attendee.joined", 10_000)).attendee.attendee_id).toBe(m.patient.attendee_id);
    return { m, doctor, patient };
  }

  it("a mute asked on A reaches the patient's socket on B", async () => {
    const { m, patient } = await split();
    const response = await control(a.app, "mute", m.sessionId, m.patient.attendee_id);
    expect(response.statusCode, response.body).toBe(200);
    expect(await patient.next("mute.requested", 10_000)).toEqual({ type: "mute.requested", by: "DOCTOR" });
    expect(patient.ws.readyState).toBe(patient.ws.OPEN);
  });

  it("a removal asked on A closes the patient's socket on B with 4411; the doctor on A hears attendee.left once", async () => {
    const { m, doctor, patient } = await split();
    const response = await control(a.app, "remove", m.sessionId, m.patient.attendee_id);
    expect(response.statusCode, response.body).toBe(200);
    expect(await patient.next("removed", 10_000)).toEqual({ type: "removed" });
    expect((await closedWithin(patient, 10_000)).code).toBe(SignalCloseCodes.removed);
    expect(await doctor.next("attendee.left", 10_000)).toEqual({
      type: "attendee.left",
      attendee_id: m.patient.attendee_id,
    });
    await b.video.settle();
    await a.app.video.settle();
    expect(doctor.messages.filter((x) => x.type === "attendee.left")).toHaveLength(1);
    // Its token is refused on either instance.
    for (const base of [baseA, baseB]) {
      const again = sockets.connect(base, m.sessionId, m.patient.join_token);
      expect((await closedWithin(again, 10_000)).code).toBe(SignalCloseCodes.removed);
    }
    expect(doctor.ws.readyState).toBe(doctor.ws.OPEN);
  });
});
