import { SIGNAL_WELCOME_PEER, SignalCloseCodes } from "@clinic/contracts";
import type { App } from "@clinic/platform";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { closedWithin, type SignalClient } from "../testing/signal-client.ts";
import { signalClients, type TestCluster, testCluster, twoInstances } from "../testing/signal-cluster.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

/** `vi.waitFor` bounded in time, so a broken waiting room fails the test, not hangs it. */
const bounded = { timeout: 10_000, interval: 50 };
const ids = (list: { attendee_id: string }[]) => list.map((a) => a.attendee_id);
/** Messages that would mean the two met (or media flowed) while one of them waits. */
const meeting = (client: SignalClient) =>
  client.messages.filter((m) => ["attendee.joined", "offer", "answer", "ice", "media", "admitted"].includes(m.type));

describe("waiting room (embedded signalling)", () => {
  let h: Harness;
  let base: string;
  const sockets = signalClients();
  const connect = (sessionId: string, token: string) => sockets.connect(base, sessionId, token);

  beforeAll(async () => {
    h = await createHarness();
    base = await h.listen();
  });
  afterEach(async () => {
    await sockets.closeAll();
    await h.app.video.settle();
  });
  afterAll(async () => {
    await h.close();
  });

  /** The doctor connected; the patient connected with a valid join token and waiting. */
  async function waiting() {
    const m = await h.meeting({ waitingRoom: true });
    const doctor = connect(m.sessionId, m.doctor.join_token);
    expect((await doctor.next("welcome")).attendees).toEqual([]);
    expect(await doctor.next("lobby")).toEqual({ type: "lobby", auto_admit: false, waiting: [] });
    const patient = connect(m.sessionId, m.patient.join_token);
    expect((await patient.next("welcome")).attendees).toEqual([]);
    expect(await patient.next("waiting")).toEqual({ type: "waiting", position: 1, doctor_name: users.doctor.name });
    const lobby = await doctor.next("lobby");
    expect(lobby.waiting).toEqual([
      { attendee_id: m.patient.attendee_id, name: users.patient.name, since: expect.any(String) },
    ]);
    return { m, doctor, patient };
  }

  it("a patient with a valid join token waits: nobody meets them, and no relay reaches them or leaves them", async () => {
    const { m, doctor, patient } = await waiting();
    // The doctor's offer and ICE to the waiting patient are refused; so is anything the patient sends.
    doctor.send({ type: "offer", to: m.patient.attendee_id, sdp: "v=0 offer" });
    expect(await doctor.next("error")).toMatchObject({ code: "UNKNOWN_ATTENDEE" });
    doctor.send({ type: "ice", to: m.patient.attendee_id, candidate: null });
    expect(await doctor.next("error")).toMatchObject({ code: "UNKNOWN_ATTENDEE" });
    doctor.send({ type: "media", audio: false, video: true });
    patient.send({ type: "offer", to: m.doctor.attendee_id, sdp: "v=0 offer" });
    expect(await patient.next("error")).toMatchObject({ code: "NOT_ADMITTED" });
    patient.send({ type: "ice", to: m.doctor.attendee_id, candidate: null });
    expect(await patient.next("error")).toMatchObject({ code: "NOT_ADMITTED" });
    patient.send({ type: "media", audio: true, video: true });
    expect(await patient.next("error")).toMatchObject({ code: "NOT_ADMITTED" });
    // Heartbeats still answer (the waiting connection stays alive and counted).
    patient.send({ type: "heartbeat" });
    await patient.next("heartbeat");
    doctor.send({ type: "heartbeat" });
    await doctor.next("heartbeat");
    expect(meeting(doctor)).toEqual([]);
    expect(meeting(patient)).toEqual([]);
    // A rejoin (a fresh attendee and join token) does not skip the waiting room either.
    const again = await h.join(m.sessionId, users.patient);
    const rejoined = connect(m.sessionId, again.attendee.join_token);
    expect((await rejoined.next("welcome")).attendees).toEqual([]);
    expect((await rejoined.next("waiting")).position).toBe(1);
    rejoined.send({ type: "offer", to: m.doctor.attendee_id, sdp: "v=0 offer" });
    expect(await rejoined.next("error")).toMatchObject({ code: "NOT_ADMITTED" });
    expect(meeting(doctor)).toEqual([]);
    // Waiting counts as attendance: the interval opened at connect.
    const open = await h.app.video.database.db
      .selectFrom("attendance_intervals")
      .select("left_at")
      .where("attendee_id", "=", again.attendee.attendee_id)
      .execute();
    expect(open).toEqual([{ left_at: null }]);
  });

  it("a waiting patient's offer prepared before welcome (SIGNAL_WELCOME_PEER) reaches nobody, and shows no error", async () => {
    const { doctor, patient } = await waiting();
    patient.send({ type: "offer", to: SIGNAL_WELCOME_PEER, sdp: "v=0 offer" });
    patient.send({ type: "ice", to: SIGNAL_WELCOME_PEER, candidate: null });
    patient.send({ type: "heartbeat" });
    await patient.next("heartbeat");
    doctor.send({ type: "heartbeat" });
    await doctor.next("heartbeat");
    expect(meeting(doctor)).toEqual([]);
    expect(patient.messages.filter((x) => x.type === "error")).toEqual([]);
  });

  it("the doctor admits: the patient gets admitted with the doctor listed, the doctor attendee.joined, and offers flow", async () => {
    const { m, doctor, patient } = await waiting();
    const reply = await h.admit(m.sessionId, m.patient.attendee_id);
    expect(reply.statusCode, reply.body).toBe(200);
    expect(reply.json()).toMatchObject({
      session_id: m.sessionId,
      attendee_id: m.patient.attendee_id,
      user_id: users.patient.id,
      admitted_by: users.doctor.id,
    });
    expect(ids((await patient.next("admitted")).attendees)).toEqual([m.doctor.attendee_id]);
    expect((await doctor.next("attendee.joined")).attendee.attendee_id).toBe(m.patient.attendee_id);
    expect((await doctor.next("lobby")).waiting).toEqual([]);
    patient.send({ type: "offer", to: m.doctor.attendee_id, sdp: "v=0 offer" });
    expect(await doctor.next("offer")).toEqual({ type: "offer", from: m.patient.attendee_id, sdp: "v=0 offer" });
    doctor.send({ type: "answer", to: m.patient.attendee_id, sdp: "v=0 answer" });
    expect(await patient.next("answer")).toEqual({ type: "answer", from: m.doctor.attendee_id, sdp: "v=0 answer" });
    // Admitting again answers the same admission; the audit has the doctor's decisions.
    const twice = await h.admit(m.sessionId, m.patient.attendee_id);
    expect(twice.json().admitted_at).toBe(reply.json().admitted_at);
    const audited = await h.auditRows("session.admit", m.sessionId);
    expect(audited.map(({ actor_id, outcome }) => ({ actor_id, outcome }))).toEqual([
      { actor_id: users.doctor.id, outcome: "ALLOWED" },
      { actor_id: users.doctor.id, outcome: "ALLOWED" },
    ]);
    // Admission is the person's: their rejoin meets the doctor at once.
    const again = await h.join(m.sessionId, users.patient);
    const rejoined = connect(m.sessionId, again.attendee.join_token);
    expect(ids((await rejoined.next("welcome")).attendees)).toEqual([m.doctor.attendee_id]);
    expect(rejoined.messages.some((x) => x.type === "waiting")).toBe(false);
  });

  it("only the session's doctor admits or sets auto-admit; clear 404 and 409 otherwise", async () => {
    const { m } = await waiting();
    for (const who of [users.patient, users.otherDoctor, users.admin, users.otherPatient]) {
      expect((await h.admit(m.sessionId, m.patient.attendee_id, who)).statusCode).toBe(403);
      const put = await h.app.inject({
        method: "PUT",
        url: `/api/video/sessions/${m.sessionId}/waiting-room`,
        headers: await h.auth(who),
        payload: { auto_admit: true },
      });
      expect(put.statusCode).toBe(403);
    }
    const unknown = await h.admit(m.sessionId, "attendee-00000000-0000-4000-8000-000000000000");
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, "ATTENDEE_NOT_FOUND"]);
    const doctorSelf = await h.admit(m.sessionId, m.doctor.attendee_id);
    expect([doctorSelf.statusCode, doctorSelf.json().code]).toEqual([409, "DOCTOR_ALWAYS_ADMITTED"]);
    const badBody = await h.app.inject({
      method: "PUT",
      url: `/api/video/sessions/${m.sessionId}/waiting-room`,
      headers: await h.auth(users.doctor),
      payload: { auto_admit: "yes please" },
    });
    expect(badBody.statusCode).toBe(400);
    const noSession = await h.admit("sess-00000000-0000-4000-8000-000000000000", m.patient.attendee_id);
    expect(noSession.statusCode).toBe(404);
    // A rejoin replaced the attendee: the old entry cannot be admitted (the current one can).
    await h.join(m.sessionId, users.patient);
    const replaced = await h.admit(m.sessionId, m.patient.attendee_id);
    expect([replaced.statusCode, replaced.json().code]).toEqual([409, "ATTENDEE_REPLACED"]);
    await h.end(m.sessionId);
    const ended = await h.admit(m.sessionId, m.patient.attendee_id);
    expect([ended.statusCode, ended.json().code]).toEqual([409, "SESSION_ALREADY_ENDED"]);
    // None of the refusals let the patient in.
    const admissions = await h.app.video.database.db
      .selectFrom("session_admissions")
      .selectAll()
      .where("session_id", "=", m.sessionId)
      .execute();
    expect(admissions).toEqual([]);
  });

  it("auto-admit: turning it on lets in whoever waits, and the next patient connect meets the doctor directly", async () => {
    const { m, doctor, patient } = await waiting();
    const on = await h.autoAdmit(m.sessionId);
    expect(on).toEqual({ session_id: m.sessionId, auto_admit: true, admitted_attendee_ids: [m.patient.attendee_id] });
    expect(ids((await patient.next("admitted")).attendees)).toEqual([m.doctor.attendee_id]);
    expect((await doctor.next("attendee.joined")).attendee.attendee_id).toBe(m.patient.attendee_id);
    await vi.waitFor(() => {
      const last = doctor.messages.filter((x) => x.type === "lobby").at(-1);
      expect(last).toEqual({ type: "lobby", auto_admit: true, waiting: [] });
    }, bounded);

    // Set before the patient ever connects (the harness default): no waiting at all.
    const direct = await h.meeting();
    const doctor2 = connect(direct.sessionId, direct.doctor.join_token);
    await doctor2.next("welcome");
    expect(await doctor2.next("lobby")).toEqual({ type: "lobby", auto_admit: true, waiting: [] });
    const patient2 = connect(direct.sessionId, direct.patient.join_token);
    expect(ids((await patient2.next("welcome")).attendees)).toEqual([direct.doctor.attendee_id]);
    expect((await doctor2.next("attendee.joined")).attendee.attendee_id).toBe(direct.patient.attendee_id);
    expect(patient2.messages.some((x) => x.type === "waiting")).toBe(false);
  });

  it("removing a patient who still waits: the doctor's lobby drops them, and a later admit is refused (409)", async () => {
    const { m, doctor, patient } = await waiting();
    const removed = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${m.sessionId}/attendees/${m.patient.attendee_id}/remove`,
      headers: await h.auth(users.doctor),
      payload: {},
    });
    expect(removed.statusCode, removed.body).toBe(200);
    expect((await closedWithin(patient)).code).toBe(SignalCloseCodes.removed);
    await vi.waitFor(() => {
      const last = doctor.messages.filter((x) => x.type === "lobby").at(-1);
      expect(last).toEqual({ type: "lobby", auto_admit: false, waiting: [] });
    }, bounded);
    // Admitting the removed attendee (a stale Admit button) would let a re-invited person skip the waiting room.
    const admit = await h.admit(m.sessionId, m.patient.attendee_id);
    expect([admit.statusCode, admit.json().code]).toEqual([409, "ATTENDEE_NOT_IN_CALL"]);
    const admissions = await h.app.video.database.db
      .selectFrom("session_admissions")
      .selectAll()
      .where("session_id", "=", m.sessionId)
      .execute();
    expect(admissions).toEqual([]);
    expect(meeting(doctor)).toEqual([]);
  });

  it("the doctor ends the session while a patient waits: the waiting socket hears session.ended and closes with 4410", async () => {
    const { m, patient } = await waiting();
    expect((await h.end(m.sessionId)).statusCode).toBe(200);
    expect(await patient.next("session.ended")).toMatchObject({ type: "session.ended" });
    expect((await closedWithin(patient)).code).toBe(SignalCloseCodes.sessionEnded);
    expect(meeting(patient)).toEqual([]);
  });

  it("position: two patients waiting for one doctor (two sessions) are 1 and 2; the second moves up when the first is let in", async () => {
    const first = await h.meeting({ waitingRoom: true });
    const { body: second } = await h.startedSession({
      patient_id: users.otherPatient.id,
      patient_name: users.otherPatient.name,
    });
    const other = await h.join(second.session_id, users.otherPatient);
    const p1 = connect(first.sessionId, first.patient.join_token);
    expect((await p1.next("waiting")).position).toBe(1);
    h.advance(1000);
    const p2 = connect(second.session_id, other.attendee.join_token);
    expect(await p2.next("waiting")).toEqual({ type: "waiting", position: 2, doctor_name: users.doctor.name });
    const reply = await h.admit(first.sessionId, first.patient.attendee_id);
    expect(reply.statusCode, reply.body).toBe(200);
    await p1.next("admitted");
    await vi.waitFor(() => {
      expect(p2.messages.filter((x) => x.type === "waiting").at(-1)).toMatchObject({ position: 1 });
    }, bounded);
  });
});

// CI sets REDIS_URL: the two instances are linked through a real Redis (keys of this file only).
const redisUrl = process.env.REDIS_URL;

describe(`waiting room across two instances (${redisUrl ? "Redis" : "in-process"})`, () => {
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

  it("doctor on A, patient waiting on B: A's lobby shows them, an admit on A lets them in on B, and offers cross", async () => {
    const m = await a.meeting({ waitingRoom: true });
    const doctor = sockets.connect(baseA, m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    await doctor.next("lobby");
    const patient = sockets.connect(baseB, m.sessionId, m.patient.join_token);
    expect((await patient.next("welcome")).attendees).toEqual([]);
    expect((await patient.next("waiting")).position).toBe(1);
    await vi.waitFor(() => {
      const last = doctor.messages.filter((x) => x.type === "lobby").at(-1);
      expect(last && "waiting" in last ? ids(last.waiting) : []).toEqual([m.patient.attendee_id]);
    }, bounded);
    // Across instances too, nothing reaches the waiting patient nor leaves them.
    doctor.send({ type: "offer", to: m.patient.attendee_id, sdp: "v=0 offer" });
    expect(await doctor.next("error")).toMatchObject({ code: "UNKNOWN_ATTENDEE" });
    patient.send({ type: "offer", to: m.doctor.attendee_id, sdp: "v=0 offer" });
    expect(await patient.next("error")).toMatchObject({ code: "NOT_ADMITTED" });
    expect(meeting(doctor)).toEqual([]);

    const reply = await a.admit(m.sessionId, m.patient.attendee_id);
    expect(reply.statusCode, reply.body).toBe(200);
    expect(ids((await patient.next("admitted", 10_000)).attendees)).toEqual([m.doctor.attendee_id]);
    expect((await doctor.next("attendee.joined", 10_000)).attendee.attendee_id).toBe(m.patient.attendee_id);
    patient.send({ type: "offer", to: m.doctor.attendee_id, sdp: "v=0 offer" });
    expect(await doctor.next("offer", 10_000)).toEqual({
      type: "offer",
      from: m.patient.attendee_id,
      sdp: "v=0 offer",
    });
    doctor.send({ type: "answer", to: m.patient.attendee_id, sdp: "v=0 answer" });
    expect(await patient.next("answer", 10_000)).toEqual({
      type: "answer",
      from: m.doctor.attendee_id,
      sdp: "v=0 answer",
    });
  });

  it("a patient waiting on B before the doctor connects on A: the doctor is not offered them until admitted", async () => {
    const m = await a.meeting({ waitingRoom: true });
    const patient = sockets.connect(baseB, m.sessionId, m.patient.join_token);
    await patient.next("waiting");
    const doctor = sockets.connect(baseA, m.sessionId, m.doctor.join_token);
    expect((await doctor.next("welcome")).attendees).toEqual([]);
    expect(ids((await doctor.next("lobby")).waiting)).toEqual([m.patient.attendee_id]);
    expect(meeting(patient)).toEqual([]);
    await a.autoAdmit(m.sessionId);
    expect(ids((await patient.next("admitted", 10_000)).attendees)).toEqual([m.doctor.attendee_id]);
    expect((await doctor.next("attendee.joined", 10_000)).attendee.attendee_id).toBe(m.patient.attendee_id);
  });
});
