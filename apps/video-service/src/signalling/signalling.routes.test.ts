import { SIGNAL_MAX_FRAME_BYTES, SIGNAL_WELCOME_PEER, SignalCloseCodes } from "@clinic/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { durableDatabase } from "../testing/durable-database.ts";
import { closedWithin, connectSignal, type SignalClient, signalUrl } from "../testing/signal-client.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";

describe("signalling over WebSocket (embedded provider)", () => {
  let h: Harness;
  let base: string;
  const open: SignalClient[] = [];
  const connect = (sessionId: string, token: string | undefined) => {
    const client = connectSignal(signalUrl(base, sessionId, token));
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    h = await createHarness();
    base = await h.listen();
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await h.close();
  });

  it("two attendees get welcome/joined, exchange offer/answer/ice relayed with a server-stamped from", async () => {
    const m = await h.meeting();
    const doctor = connect(m.sessionId, m.doctor.join_token);
    expect(await doctor.next("welcome")).toEqual({
      type: "welcome",
      session_id: m.sessionId,
      attendee_id: m.doctor.attendee_id,
      attendees: [],
    });
    const patient = connect(m.sessionId, m.patient.join_token);
    const welcome = await patient.next("welcome");
    expect(welcome.attendees).toEqual([
      {
        attendee_id: m.doctor.attendee_id,
        user_id: users.doctor.id,
        user_type: "DOCTOR",
        name: users.doctor.name,
        status: "CONNECTED",
      },
    ]);
    expect((await doctor.next("attendee.joined")).attendee).toMatchObject({
      attendee_id: m.patient.attendee_id,
      user_type: "PATIENT",
    });

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
    patient.send({ type: "media", audio: false, video: true });
    expect(await doctor.next("media")).toEqual({
      type: "media",
      from: m.patient.attendee_id,
      audio: false,
      video: true,
    });
    patient.send({ type: "heartbeat" });
    expect(await patient.next("heartbeat")).toEqual({ type: "heartbeat" });

    // A client cannot spoof `from`, nor reach someone outside its session.
    patient.send({ type: "offer", to: m.doctor.attendee_id, sdp: "x", from: "someone-else" });
    expect(await patient.next("error")).toMatchObject({ code: "BAD_MESSAGE" });
    patient.send({ type: "offer", to: "attendee-elsewhere", sdp: "x" });
    expect(await patient.next("error")).toMatchObject({ code: "UNKNOWN_ATTENDEE" });
    patient.ws.send("not json");
    expect(await patient.next("error")).toMatchObject({ code: "BAD_MESSAGE" });

    const details = await h.app.inject({
      url: `/api/video/sessions/${m.sessionId}`,
      headers: await h.auth(users.doctor),
    });
    for (const a of details.json().attendees) {
      expect(a).toMatchObject({ status: "CONNECTED", join_time: h.clock.now.toISOString(), leave_time: null });
    }

    // End: both hear session.ended, then the server closes with 4410.
    h.advance(10 * 60_000);
    expect((await h.end(m.sessionId)).statusCode).toBe(200);
    for (const client of [doctor, patient]) {
      expect(await client.next("session.ended")).toEqual({
        type: "session.ended",
        session_id: m.sessionId,
        reason: "ENDED_BY_DOCTOR",
      });
      expect((await closedWithin(client)).code).toBe(SignalCloseCodes.sessionEnded);
    }
    const after = await h.app.inject({
      url: `/api/video/sessions/${m.sessionId}`,
      headers: await h.auth(users.doctor),
    });
    for (const a of after.json().attendees) {
      expect(a).toMatchObject({ status: "LEFT", leave_time: h.clock.now.toISOString() });
    }
    const usage = await h.app.inject({ url: "/api/video/metrics/usage", headers: await h.auth(users.admin) });
    const entry = usage.json().sessions.find((s: { session_id: string }) => s.session_id === m.sessionId);
    expect(entry).toMatchObject({
      attendees: 2,
      attendee_minutes: 20,
      duration_minutes: 10,
      patient_name: users.patient.name,
    });
  });

  it("an offer and ICE sent as the socket opens, to SIGNAL_WELCOME_PEER, reach whom welcome names first; alone, nobody", async () => {
    const m = await h.meeting();
    const early = (client: SignalClient, sdp: string) =>
      client.ws.once("open", () => {
        client.send({ type: "offer", to: SIGNAL_WELCOME_PEER, sdp });
        client.send({ type: "ice", to: SIGNAL_WELCOME_PEER, candidate: null });
      });
    // Alone: welcome names nobody, so the early offer goes nowhere, silently (no error frame).
    const doctor = connect(m.sessionId, m.doctor.join_token);
    early(doctor, "v=0 lonely");
    expect((await doctor.next("welcome")).attendees).toEqual([]);
    doctor.send({ type: "heartbeat" });
    await doctor.next("heartbeat");
    // The patient's offer, sent before its welcome, reaches the doctor (named first) with `from` stamped.
    const patient = connect(m.sessionId, m.patient.join_token);
    early(patient, "v=0 early offer");
    expect((await patient.next("welcome")).attendees.map((a) => a.attendee_id)).toEqual([m.doctor.attendee_id]);
    expect(await doctor.next("offer")).toEqual({ type: "offer", from: m.patient.attendee_id, sdp: "v=0 early offer" });
    expect(await doctor.next("ice")).toEqual({ type: "ice", from: m.patient.attendee_id, candidate: null });
    // After welcome too, the placeholder means the same attendee.
    patient.send({ type: "ice", to: SIGNAL_WELCOME_PEER, candidate: null });
    await doctor.next("ice");
    patient.send({ type: "heartbeat" });
    await patient.next("heartbeat");
    doctor.send({ type: "heartbeat" });
    await doctor.next("heartbeat");
    expect(doctor.messages.filter((x) => x.type === "offer")).toHaveLength(1);
    expect([...doctor.messages, ...patient.messages].filter((x) => x.type === "error")).toEqual([]);
  });

  it("a socket opened without a token authenticates with its first frame; what follows it is kept for after welcome", async () => {
    const m = await h.meeting();
    const doctor = connect(m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    // As a browser does while its POST /join is under way: the socket first, the token once known.
    const patient = connect(m.sessionId, undefined);
    await new Promise((resolve) => patient.ws.once("open", resolve));
    await new Promise((resolve) => setTimeout(resolve, 20));
    patient.send({ type: "auth", token: m.patient.join_token });
    patient.send({ type: "offer", to: SIGNAL_WELCOME_PEER, sdp: "v=0 after auth" });
    expect((await patient.next("welcome")).attendees.map((a) => a.attendee_id)).toEqual([m.doctor.attendee_id]);
    expect(await doctor.next("attendee.joined")).toMatchObject({ attendee: { attendee_id: m.patient.attendee_id } });
    expect(await doctor.next("offer")).toEqual({ type: "offer", from: m.patient.attendee_id, sdp: "v=0 after auth" });
    const audit = await h.auditRows("session.signal.connect", m.sessionId);
    expect(audit.filter((row) => row.actor_id === users.patient.id).map((row) => row.outcome)).toEqual(["ALLOWED"]);
  });

  it("a tokenless socket its browser closes before the auth frame is not an access attempt: no audit row", async () => {
    const m = await h.meeting();
    // As when the join is refused or the page goes elsewhere while the socket was opening.
    const abandoned = connect(m.sessionId, undefined);
    await new Promise((resolve) => abandoned.ws.once("open", resolve));
    abandoned.close();
    await abandoned.closed;
    const patient = connect(m.sessionId, undefined);
    patient.ws.once("open", () => patient.send({ type: "auth", token: m.patient.join_token }));
    await patient.next("welcome");
    const audit = await h.auditRows("session.signal.connect", m.sessionId);
    expect(audit.map(({ actor_id, outcome }) => ({ actor_id, outcome }))).toEqual([
      { actor_id: users.patient.id, outcome: "ALLOWED" },
    ]);
  });

  it("a replaced attendee's connection is unregistered at once, before its browser answers the close", async () => {
    const m = await h.meeting();
    const doctor = connect(m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    const patient = connect(m.sessionId, m.patient.join_token);
    await patient.next("welcome");
    await doctor.next("attendee.joined");
    // The old browser reads nothing more: it will not answer the server's close.
    patient.ws.pause();
    const again = await h.join(m.sessionId, users.patient);
    // Gone from the hub as the join answers: the rejoin's `welcome` cannot name it.
    expect(h.app.video.hub.attendeesOf(m.sessionId).map((a) => a.attendee_id)).toEqual([m.doctor.attendee_id]);
    expect(await doctor.next("attendee.left")).toEqual({ type: "attendee.left", attendee_id: m.patient.attendee_id });
    const rejoined = connect(m.sessionId, again.attendee.join_token);
    expect((await rejoined.next("welcome")).attendees.map((a) => a.attendee_id)).toEqual([m.doctor.attendee_id]);
    patient.ws.resume();
  });

  it("refuses a token of another meeting (4403), a bad or missing token (4401), an unknown session (4404)", async () => {
    const first = await h.meeting();
    const second = await h.meeting();
    const intruder = connect(first.sessionId, second.patient.join_token);
    expect((await closedWithin(intruder)).code).toBe(SignalCloseCodes.forbidden);
    const forged = connect(first.sessionId, `${first.patient.join_token.slice(0, -4)}AAAA`);
    expect((await closedWithin(forged)).code).toBe(SignalCloseCodes.invalidToken);
    const accessToken = connect(first.sessionId, await h.token(users.patient));
    expect((await closedWithin(accessToken)).code).toBe(SignalCloseCodes.invalidToken);
    // No `?token`: the first frame must carry it; another frame, or a bad one in it, is refused.
    const none = connect(first.sessionId, undefined);
    none.ws.once("open", () => none.send({ type: "heartbeat" }));
    expect((await closedWithin(none)).code).toBe(SignalCloseCodes.invalidToken);
    const badAuth = connect(first.sessionId, undefined);
    badAuth.ws.once("open", () =>
      badAuth.send({ type: "auth", token: `${first.patient.join_token.slice(0, -4)}AAAA` }),
    );
    expect((await closedWithin(badAuth)).code).toBe(SignalCloseCodes.invalidToken);
    const otherMeeting = connect(first.sessionId, undefined);
    otherMeeting.ws.once("open", () => otherMeeting.send({ type: "auth", token: second.patient.join_token }));
    expect((await closedWithin(otherMeeting)).code).toBe(SignalCloseCodes.forbidden);
    const malformed = connect("sess-nope", first.patient.join_token);
    expect((await closedWithin(malformed)).code).toBe(SignalCloseCodes.sessionNotFound);
    const audit = await h.auditRows("session.signal.connect", first.sessionId);
    expect(audit).toContainEqual(expect.objectContaining({ actor_id: users.patient.id, outcome: "DENIED" }));
    // The intruder never appeared to anyone, and the rightful owner still connects.
    const owner = connect(first.sessionId, first.patient.join_token);
    expect((await owner.next("welcome")).attendees).toEqual([]);
  });

  it("joining again replaces the older connection (4409) and its token no longer connects", async () => {
    const m = await h.meeting();
    const doctor = connect(m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    const oldPatient = connect(m.sessionId, m.patient.join_token);
    await oldPatient.next("welcome");

    const rejoin = await h.join(m.sessionId, users.patient);
    expect(await oldPatient.next("replaced")).toEqual({ type: "replaced" });
    expect((await closedWithin(oldPatient)).code).toBe(SignalCloseCodes.replaced);
    expect((await doctor.next("attendee.left")).attendee_id).toBe(m.patient.attendee_id);

    const stale = connect(m.sessionId, m.patient.join_token);
    expect((await closedWithin(stale)).code).toBe(SignalCloseCodes.replaced);
    const fresh = connect(m.sessionId, rejoin.attendee.join_token);
    expect((await fresh.next("welcome")).attendees.map((a) => a.attendee_id)).toEqual([m.doctor.attendee_id]);
    const list = (
      await h.app.inject({ url: `/api/video/sessions/${m.sessionId}`, headers: await h.auth(users.doctor) })
    )
      .json()
      .attendees.filter((a: { status: string }) => a.status === "CONNECTED");
    expect(list).toHaveLength(2);
  });

  it("after a drop and a re-join, the old token (attendee LEFT, now REPLACED) cannot reconnect", async () => {
    const m = await h.meeting();
    const dropped = connect(m.sessionId, m.patient.join_token);
    await dropped.next("welcome");
    dropped.close();
    await closedWithin(dropped);
    for (let i = 0; i < 100; i++) {
      const row = await h.app.video.database.db
        .selectFrom("attendees")
        .select("status")
        .where("attendee_id", "=", m.patient.attendee_id)
        .executeTakeFirst();
      if (row?.status === "LEFT") break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const rejoin = await h.join(m.sessionId, users.patient);
    const old = connect(m.sessionId, m.patient.join_token);
    expect((await closedWithin(old)).code).toBe(SignalCloseCodes.replaced);
    const fresh = connect(m.sessionId, rejoin.attendee.join_token);
    await fresh.next("welcome");
  });

  it("drops a flood of messages past 60 per second and says so once", async () => {
    const m = await h.meeting();
    const doctor = connect(m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    const patient = connect(m.sessionId, m.patient.join_token);
    await patient.next("welcome");
    for (let i = 0; i < 100; i++) patient.send({ type: "media", audio: i % 2 === 0, video: true });
    expect(await patient.next("error")).toMatchObject({ code: "RATE_LIMITED" });
    patient.send({ type: "heartbeat" });
    await new Promise((r) => setTimeout(r, 100));
    const relayed = doctor.messages.filter((msg) => msg.type === "media").length;
    expect(relayed).toBeGreaterThan(0);
    expect(relayed).toBeLessThanOrEqual(60);
    expect(patient.messages.filter((msg) => msg.type === "error")).toHaveLength(1);
  });

  it("records proof of life on messages, so another process can tell a live connection from a dead one", async () => {
    const m = await h.meeting();
    const doctor = connect(m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    h.advance(30_000);
    doctor.send({ type: "heartbeat" });
    await doctor.next("heartbeat");
    let seen: Date | undefined;
    for (let i = 0; i < 100 && seen?.getTime() !== h.clock.now.getTime(); i++) {
      const row = await h.app.video.database.db
        .selectFrom("attendance_intervals")
        .select("last_seen_at")
        .where("attendee_id", "=", m.doctor.attendee_id)
        .executeTakeFirst();
      seen = row ? new Date(row.last_seen_at) : undefined;
      if (seen?.getTime() !== h.clock.now.getTime()) await new Promise((r) => setTimeout(r, 10));
    }
    expect(seen?.toISOString()).toBe(h.clock.now.toISOString());
  });

  it("relays only the checked fields of an ICE candidate, nothing a client adds to it", async () => {
    const m = await h.meeting();
    const doctor = connect(m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    const patient = connect(m.sessionId, m.patient.join_token);
    await patient.next("welcome");
    const candidate = { candidate: "candidate:1 1 udp 1 10.0.0.1 5000 typ host", sdpMid: null, usernameFragment: "uf" };
    doctor.send({
      type: "ice",
      to: m.patient.attendee_id,
      candidate: { ...candidate, note: "<script>", sdpMLineIndex: 1 },
    });
    expect(await patient.next("ice")).toEqual({
      type: "ice",
      from: m.doctor.attendee_id,
      candidate: { ...candidate, sdpMLineIndex: 1 },
    });
    doctor.send({ type: "ice", to: m.patient.attendee_id, candidate: null });
    expect(await patient.next("ice")).toEqual({ type: "ice", from: m.doctor.attendee_id, candidate: null });
  });

  it("a frame over the size limit closes that socket (1009), the others hear it left, the service stays up", async () => {
    const m = await h.meeting();
    const doctor = connect(m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    const patient = connect(m.sessionId, m.patient.join_token);
    await patient.next("welcome");
    patient.ws.send("x".repeat(SIGNAL_MAX_FRAME_BYTES + 1));
    expect((await closedWithin(patient)).code).toBe(1009);
    expect(await doctor.next("attendee.left")).toEqual({ type: "attendee.left", attendee_id: m.patient.attendee_id });
    doctor.send({ type: "heartbeat" });
    expect(await doctor.next("heartbeat")).toEqual({ type: "heartbeat" });
  });

  it("the same join token connecting twice closes the older connection", async () => {
    const m = await h.meeting();
    const first = connect(m.sessionId, m.doctor.join_token);
    await first.next("welcome");
    const second = connect(m.sessionId, m.doctor.join_token);
    await second.next("welcome");
    expect((await closedWithin(first)).code).toBe(SignalCloseCodes.replaced);
    const intervals = await h.app.video.database.db
      .selectFrom("attendance_intervals")
      .selectAll()
      .where("attendee_id", "=", m.doctor.attendee_id)
      .execute();
    expect(intervals.filter((i) => i.left_at === null)).toHaveLength(1);
  });
});

describe("signalling heartbeat", () => {
  it("closes a silent connection with 4408 and records the leave; a tokenless one silent before its auth frame, 4401", async () => {
    const h = await createHarness({ heartbeatTimeoutMs: 300 });
    try {
      const base = await h.listen();
      const { body } = await h.startedSession();
      const client = connectSignal(signalUrl(base, body.session_id, body.doctor_attendee.join_token));
      await client.next("welcome");
      expect((await closedWithin(client, 5000)).code).toBe(SignalCloseCodes.heartbeatTimeout);
      // The leave is written after the close; poll briefly (bounded).
      let status = "";
      for (let i = 0; i < 50 && status !== "LEFT"; i++) {
        const details = await h.app.inject({
          url: `/api/video/sessions/${body.session_id}`,
          headers: await h.auth(users.doctor),
        });
        status = details.json().attendees[0].status;
        if (status !== "LEFT") await new Promise((r) => setTimeout(r, 20));
      }
      expect(status).toBe("LEFT");
      // A socket opened without a token that sends none in time: a missing token (4401), on record.
      const tokenless = connectSignal(signalUrl(base, body.session_id, undefined));
      expect((await closedWithin(tokenless, 5000)).code).toBe(SignalCloseCodes.invalidToken);
      const audit = await h.auditRows("session.signal.connect", body.session_id);
      expect(audit).toContainEqual(expect.objectContaining({ actor_id: "anonymous", outcome: "DENIED" }));
    } finally {
      await h.close();
    }
  });
});

describe("graceful shutdown", () => {
  it("records the leave of everyone still connected before the database closes", async () => {
    const database = durableDatabase();
    const first = await createHarness({ database });
    const base = await first.listen();
    const { body } = await first.startedSession();
    const client = connectSignal(signalUrl(base, body.session_id, body.doctor_attendee.join_token));
    await client.next("welcome");
    first.advance(5 * 60_000);
    const stoppedAt = first.clock.now.toISOString();
    await first.close(true);
    expect((await closedWithin(client)).code).toBe(1001);

    const second = await createHarness({ database });
    try {
      const details = await second.app.inject({
        url: `/api/video/sessions/${body.session_id}`,
        headers: await second.auth(users.doctor),
      });
      expect(details.json().attendees[0]).toMatchObject({ status: "LEFT", leave_time: stoppedAt });
    } finally {
      await second.close();
    }
  });
});
