import {
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  ServiceUnavailableException,
} from "@aws-sdk/client-chime-sdk-meetings";
import { SignalCloseCodes } from "@clinic/contracts";
import type { App, AuthUser } from "@clinic/platform";
import { metricSample } from "@clinic/platform/testing";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createChimeMediaProvider } from "../meetings/chime/chime-media-provider.ts";
import { durableDatabase } from "../testing/durable-database.ts";
import { closedWithin, connectSignal, type SignalClient, signalUrl } from "../testing/signal-client.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { retryDelayMs } from "./provider-cleanup.ts";

/** Participant control (issue 12): the session's doctor mutes and removes participants. */
describe("participant control: mute and remove", () => {
  let h: Harness;
  let base: string;
  const open: SignalClient[] = [];

  beforeAll(async () => {
    h = await createHarness();
    base = await h.listen();
  });
  afterEach(async () => {
    for (const client of open.splice(0)) client.close();
    await h.app.video.settle();
  });
  afterAll(async () => {
    await h.close();
  });

  const connect = (sessionId: string, token: string) => {
    const client = connectSignal(signalUrl(base, sessionId, token));
    open.push(client);
    return client;
  };
  const control = async (verb: "mute" | "remove", sessionId: string, attendeeId: string, user: AuthUser) =>
    h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${sessionId}/attendees/${attendeeId}/${verb}`,
      headers: await h.auth(user),
      payload: {},
    });
  /** The waiting room (issue 12) holds the patient until the doctor admits them. */
  const admit = async (sessionId: string, attendeeId: string) => {
    const response = await h.admit(sessionId, attendeeId);
    expect(response.statusCode, response.body).toBe(200);
  };
  /** Doctor and patient both connected, and in the call together (admitted by the doctor, no auto-admit). */
  async function inCall() {
    const m = await h.meeting({ waitingRoom: true });
    const doctor = connect(m.sessionId, m.doctor.join_token);
    await doctor.next("welcome");
    const patient = connect(m.sessionId, m.patient.join_token);
    await patient.next("welcome");
    await admit(m.sessionId, m.patient.attendee_id);
    expect((await doctor.next("attendee.joined")).attendee.attendee_id).toBe(m.patient.attendee_id);
    return { m, doctor, patient };
  }
  const joinAs = async (sessionId: string, token: string) =>
    h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${sessionId}/join`,
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    });
  const auditOf = (sessionId: string) =>
    h.app.video.database.db
      .selectFrom("audit_log")
      .select(["actor_id", "action", "outcome"])
      .where("session_id", "=", sessionId)
      .orderBy("id")
      .execute();

  it("mute: the participant's client is asked to mute (and only it); the answer says it was requested", async () => {
    const { m, doctor, patient } = await inCall();
    const response = await control("mute", m.sessionId, m.patient.attendee_id, users.doctor);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      session_id: m.sessionId,
      attendee_id: m.patient.attendee_id,
      status: "REQUESTED",
    });
    expect(await patient.next("mute.requested")).toEqual({ type: "mute.requested", by: "DOCTOR" });
    // The doctor's own socket hears nothing of it, and the patient's stays open.
    doctor.send({ type: "heartbeat" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(doctor.messages.some((x) => x.type === "mute.requested")).toBe(false);
    expect(patient.ws.readyState).toBe(patient.ws.OPEN);
    expect(await auditOf(m.sessionId)).toContainEqual({
      actor_id: users.doctor.id,
      action: "session.muteAttendee",
      outcome: "ALLOWED",
    });
  });

  it("mute: 409 for the doctor's own attendee and for one not in the call, 404 for an unknown or another session's", async () => {
    const { m, patient } = await inCall();
    const self = await control("mute", m.sessionId, m.doctor.attendee_id, users.doctor);
    expect([self.statusCode, self.json().code]).toEqual([409, "CANNOT_MUTE_SELF"]);
    const unknown = await control("mute", m.sessionId, "attendee-nobody", users.doctor);
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, "ATTENDEE_NOT_FOUND"]);
    const other = await h.meeting();
    const elsewhere = await control("mute", m.sessionId, other.patient.attendee_id, users.doctor);
    expect([elsewhere.statusCode, elsewhere.json().code]).toEqual([404, "ATTENDEE_NOT_FOUND"]);
    const badId = await control("mute", m.sessionId, "not an id!", users.doctor);
    expect(badId.statusCode).toBe(400);
    patient.close();
    await patient.closed;
    await h.app.video.settle();
    const gone = await control("mute", m.sessionId, m.patient.attendee_id, users.doctor);
    expect([gone.statusCode, gone.json().code]).toEqual([409, "ATTENDEE_NOT_IN_CALL"]);
  });

  it("only the session's doctor may: the patient, another doctor, an admin and an invite holder are refused (audited)", async () => {
    const { m } = await inCall();
    const appointmentId = (
      await h.app.video.database.db
        .selectFrom("sessions")
        .select("appointment_id")
        .where("session_id", "=", m.sessionId)
        .executeTakeFirstOrThrow()
    ).appointment_id;
    const inviteHolder = await h.tokens.sign(users.patient, {
      scope: "invite",
      appointment_id: appointmentId,
      invite_id: "0b7c3c52-3d5f-4a8e-9f3c-2b1d4e5f6a7b",
      invite_issued_at: new Date().toISOString(),
    });
    for (const verb of ["mute", "remove"] as const) {
      for (const user of [users.patient, users.otherDoctor, users.admin, users.otherPatient, users.foreignAdmin]) {
        const response = await control(verb, m.sessionId, m.patient.attendee_id, user);
        expect({ verb, user: user.id, status: response.statusCode }).toEqual({ verb, user: user.id, status: 403 });
      }
      const response = await h.app.inject({
        method: "POST",
        url: `/api/video/sessions/${m.sessionId}/attendees/${m.patient.attendee_id}/${verb}`,
        headers: { authorization: `Bearer ${inviteHolder}` },
        payload: {},
      });
      expect([response.statusCode, response.json().code]).toEqual([403, "INVITE_SCOPE"]);
      const anonymous = await h.app.inject({
        method: "POST",
        url: `/api/video/sessions/${m.sessionId}/attendees/${m.patient.attendee_id}/${verb}`,
        payload: {},
      });
      expect(anonymous.statusCode).toBe(401);
    }
    // Still in the call: nobody above removed anyone.
    const rows = await h.app.video.database.db
      .selectFrom("attendee_removals")
      .selectAll()
      .where("session_id", "=", m.sessionId)
      .execute();
    expect(rows).toEqual([]);
    const audit = await auditOf(m.sessionId);
    expect(audit).toContainEqual({
      actor_id: users.otherDoctor.id,
      action: "session.removeAttendee",
      outcome: "DENIED",
    });
    expect(audit).toContainEqual({ actor_id: users.patient.id, action: "session.muteAttendee", outcome: "DENIED" });
  });

  it("remove: closes the socket server-side with 4411 after `removed`, the doctor hears attendee.left, attendance closes", async () => {
    const { m, doctor, patient } = await inCall();
    const response = await control("remove", m.sessionId, m.patient.attendee_id, users.doctor);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      session_id: m.sessionId,
      attendee_id: m.patient.attendee_id,
      user_id: users.patient.id,
      status: "REMOVED",
    });
    expect(await patient.next("removed")).toEqual({ type: "removed" });
    expect((await closedWithin(patient)).code).toBe(SignalCloseCodes.removed);
    expect(await doctor.next("attendee.left")).toEqual({ type: "attendee.left", attendee_id: m.patient.attendee_id });
    await h.app.video.settle();
    const db = h.app.video.database.db;
    const attendee = await db
      .selectFrom("attendees")
      .select("status")
      .where("attendee_id", "=", m.patient.attendee_id)
      .executeTakeFirstOrThrow();
    expect(attendee.status).toBe("LEFT");
    const intervals = await db
      .selectFrom("attendance_intervals")
      .select("left_at")
      .where("attendee_id", "=", m.patient.attendee_id)
      .execute();
    expect(intervals.length).toBeGreaterThan(0);
    expect(intervals.every((i) => i.left_at !== null)).toBe(true);
    const audit = await auditOf(m.sessionId);
    expect(audit).toContainEqual({ actor_id: users.doctor.id, action: "session.removeAttendee", outcome: "ALLOWED" });
    expect(audit).toContainEqual({ actor_id: users.doctor.id, action: "session.attendee.removed", outcome: "ALLOWED" });
    // The doctor's own call goes on.
    expect(doctor.ws.readyState).toBe(doctor.ws.OPEN);
  });

  it("remove: the old join token is refused (4411), a join is refused (403 PARTICIPANT_REMOVED) — until a new invite", async () => {
    const { m, patient } = await inCall();
    const removedAt = h.clock.now.getTime();
    expect((await control("remove", m.sessionId, m.patient.attendee_id, users.doctor)).statusCode).toBe(200);
    await closedWithin(patient);
    await h.app.video.settle();

    // The join token has not expired, yet it no longer connects.
    const again = connect(m.sessionId, m.patient.join_token);
    expect((await closedWithin(again)).code).toBe(SignalCloseCodes.removed);
    expect(again.messages.some((x) => x.type === "welcome")).toBe(false);

    // The patient's own account cannot rejoin.
    const refused = await joinAs(m.sessionId, await h.token(users.patient));
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: "PARTICIPANT_REMOVED", status: 403 });
    expect(refused.json().error).toMatch(/removed you from this consultation/);

    const appointmentId = (
      await h.app.video.database.db
        .selectFrom("sessions")
        .select("appointment_id")
        .where("session_id", "=", m.sessionId)
        .executeTakeFirstOrThrow()
    ).appointment_id;
    const invite = (issuedAt: number | undefined) =>
      h.tokens.sign(users.patient, {
        scope: "invite",
        appointment_id: appointmentId,
        invite_id: "0b7c3c52-3d5f-4a8e-9f3c-2b1d4e5f6a7b",
        ...(issuedAt === undefined ? {} : { invite_issued_at: new Date(issuedAt).toISOString() }),
      });
    // An invite made before the removal (the one they came with), or one that does not say when it was made: refused.
    for (const old of [await invite(removedAt - 60_000), await invite(undefined)]) {
      const response = await joinAs(m.sessionId, old);
      expect([response.statusCode, response.json().code]).toEqual([403, "PARTICIPANT_REMOVED"]);
    }
    // A new invite, issued after the removal: in again, with a new attendee whose token connects.
    h.advance(1000);
    const fresh = await joinAs(m.sessionId, await invite(removedAt + 500));
    expect(fresh.statusCode, fresh.body).toBe(200);
    const back = connect(m.sessionId, fresh.json().attendee.join_token);
    expect((await back.next("welcome")).attendee_id).toBe(fresh.json().attendee.attendee_id);
    // …back in the waiting room: the removal took their admission, the doctor lets them in again.
    await back.next("waiting");
    await admit(m.sessionId, fresh.json().attendee.attendee_id);
    await back.next("admitted");
    // …while the old token stays refused (the new join also replaced its attendee: 4409 says so first).
    const oldToken = connect(m.sessionId, m.patient.join_token);
    expect([SignalCloseCodes.removed, SignalCloseCodes.replaced]).toContain((await closedWithin(oldToken)).code);
    expect(oldToken.messages.some((x) => x.type === "welcome")).toBe(false);
  });

  it("remove: the doctor cannot remove themselves (409), nor anyone once the session is over (409)", async () => {
    const { m } = await inCall();
    const self = await control("remove", m.sessionId, m.doctor.attendee_id, users.doctor);
    expect([self.statusCode, self.json().code]).toEqual([409, "CANNOT_REMOVE_SELF"]);
    expect((await h.end(m.sessionId)).statusCode).toBe(200);
    const after = await control("remove", m.sessionId, m.patient.attendee_id, users.doctor);
    expect([after.statusCode, after.json().code]).toEqual([409, "SESSION_ALREADY_ENDED"]);
    const mute = await control("mute", m.sessionId, m.patient.attendee_id, users.doctor);
    expect([mute.statusCode, mute.json().code]).toEqual([409, "SESSION_ALREADY_ENDED"]);
  });

  it("remove: a patient who rejoined (their earlier attendee REPLACED) is removed with every attendee of theirs", async () => {
    const { m, patient } = await inCall();
    const rejoined = await h.join(m.sessionId, users.patient);
    await closedWithin(patient);
    const second = connect(m.sessionId, rejoined.attendee.join_token);
    await second.next("welcome");
    // Named by the earlier attendee id: the person is removed, so their live connection closes too.
    const response = await control("remove", m.sessionId, m.patient.attendee_id, users.doctor);
    expect(response.statusCode, response.body).toBe(200);
    expect((await closedWithin(second)).code).toBe(SignalCloseCodes.removed);
  });
});

// Under Chime the removed browser's media flows through Amazon: its attendee is deleted there.
describe("participant control on the chime media provider (mocked AWS client)", () => {
  const chime = mockClient(ChimeSDKMeetingsClient);
  const meeting = {
    MeetingId: "5b1c0d4e-0000-4000-8000-0000000000c1",
    MediaRegion: "us-east-1",
    MediaPlacement: {
      AudioHostUrl: "abc.k.m1.ue1.app.chime.aws:3478",
      ScreenDataUrl: "wss://bitpw.m1.ue1.app.chime.aws:443/v2/screen/x",
      SignalingUrl: "wss://signal.m1.ue1.app.chime.aws/control/x",
    },
  };
  let attendees = 0;
  let h: Harness;

  beforeAll(async () => {
    const provider = createChimeMediaProvider({ client: new ChimeSDKMeetingsClient({ region: "us-east-1" }) });
    h = await createHarness({ mediaProvider: provider });
  });
  beforeEach(() => {
    chime.reset();
    chime.on(CreateMeetingCommand).resolves({ Meeting: meeting });
    chime.on(CreateAttendeeCommand).callsFake((input: { ExternalUserId: string }) => ({
      Attendee: {
        AttendeeId: `5b1c0d4e-0000-4000-8000-${String(++attendees).padStart(12, "0")}`,
        ExternalUserId: input.ExternalUserId,
        JoinToken: "chime-join-token",
      },
    }));
    chime.on(DeleteMeetingCommand).resolves({});
  });
  afterAll(async () => {
    await h.close();
    chime.restore();
  });

  it("DeleteAttendee is called for the removed attendee; the removal holds", async () => {
    chime.on(DeleteAttendeeCommand).resolves({});
    const m = await h.meeting();
    const response = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${m.sessionId}/attendees/${m.patient.attendee_id}/remove`,
      headers: await h.auth(users.doctor),
      payload: {},
    });
    expect(response.statusCode, response.body).toBe(200);
    const deletes = chime.commandCalls(DeleteAttendeeCommand).map((c) => c.args[0].input);
    expect(deletes).toEqual([{ MeetingId: meeting.MeetingId, AttendeeId: m.patient.attendee_id }]);
    const rejoin = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${m.sessionId}/join`,
      headers: await h.auth(users.patient),
      payload: {},
    });
    expect([rejoin.statusCode, rejoin.json().code]).toEqual([403, "PARTICIPANT_REMOVED"]);
    // Refused before any attendee is made at Chime for it.
    expect(chime.commandCalls(CreateAttendeeCommand)).toHaveLength(2);
  });

  it("a failing DeleteAttendee is not fatal: the removal is on record, answered 200, the deletion pending", async () => {
    chime.on(DeleteAttendeeCommand).rejects(new ServiceUnavailableException({ message: "down", $metadata: {} }));
    const m = await h.meeting();
    const response = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${m.sessionId}/attendees/${m.patient.attendee_id}/remove`,
      headers: await h.auth(users.doctor),
      payload: {},
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(chime.commandCalls(DeleteAttendeeCommand).length).toBeGreaterThan(0);
    const removal = await h.app.video.database.db
      .selectFrom("attendee_removals")
      .select("user_id")
      .where("session_id", "=", m.sessionId)
      .execute();
    expect(removal).toEqual([{ user_id: users.patient.id }]);
    const pendingRows = await h.app.video.database.db
      .selectFrom("provider_attendee_deletions")
      .select("attendee_id")
      .where("session_id", "=", m.sessionId)
      .execute();
    expect(pendingRows).toEqual([{ attendee_id: m.patient.attendee_id }]);
  });

  // Durable provider cleanup: one transient AWS error must not leave the removed person's Chime
  // JoinToken able to send media until the meeting ends.
  const unavailable = () => new ServiceUnavailableException({ message: "down", $metadata: {} });
  const remove = async (harness: Harness, sessionId: string, attendeeId: string) => {
    const response = await harness.app.inject({
      method: "POST",
      url: `/api/video/sessions/${sessionId}/attendees/${attendeeId}/remove`,
      headers: await harness.auth(users.doctor),
      payload: {},
    });
    expect(response.statusCode, response.body).toBe(200);
  };
  const pending = (harness: Harness, sessionId: string) =>
    harness.app.video.database.db
      .selectFrom("provider_attendee_deletions")
      .select(["attendee_id", "attempts", "last_error_code"])
      .where("session_id", "=", sessionId)
      .execute();
  /** One retry pass, and the one it may have asked for meanwhile (the timer's own pass). */
  const retryPass = async (app: App) => {
    await app.video.providerCleanup.run();
    while (app.video.providerCleanup.inFlight) await app.video.providerCleanup.inFlight;
  };
  /** DeleteAttendee calls for `attendeeId` (rows left by earlier tests of this harness are retried too). */
  const deleteCalls = (attendeeId: string) =>
    chime
      .commandCalls(DeleteAttendeeCommand)
      .map((c) => c.args[0].input.AttendeeId)
      .filter((id) => id === attendeeId);
  const scrape = async (harness: Harness) => (await harness.app.inject({ url: "/metrics" })).body;

  it("DeleteAttendee failing twice is retried with backoff until it succeeds; the removal answered 200 at once", async () => {
    // What earlier tests left pending goes first, so the figures below are this test's alone.
    chime.on(DeleteAttendeeCommand).resolves({});
    h.advance(retryDelayMs(100));
    await retryPass(h.app);
    const m = await h.meeting();
    let failures = 0;
    chime.on(DeleteAttendeeCommand).callsFake((input: { AttendeeId: string }) => {
      if (input.AttendeeId === m.patient.attendee_id && failures++ < 2) throw unavailable();
      return {};
    });
    const before = await scrape(h);
    const failuresBefore =
      metricSample(before, "video_provider_attendee_deletion_failures_total", { reason: "UNAVAILABLE" }) ?? 0;
    expect(metricSample(before, "video_provider_attendee_deletions_pending")).toBe(0);
    await remove(h, m.sessionId, m.patient.attendee_id);
    // Tried once right after the commit; failed, so on record for the pass.
    expect(deleteCalls(m.patient.attendee_id)).toHaveLength(1);
    expect(await pending(h, m.sessionId)).toEqual([
      { attendee_id: m.patient.attendee_id, attempts: 1, last_error_code: "UNAVAILABLE" },
    ]);
    expect(metricSample(await scrape(h), "video_provider_attendee_deletions_pending")).toBe(1);
    // Not due yet: no call.
    await retryPass(h.app);
    expect(deleteCalls(m.patient.attendee_id)).toHaveLength(1);
    h.advance(retryDelayMs(1));
    await retryPass(h.app);
    expect(deleteCalls(m.patient.attendee_id)).toHaveLength(2);
    expect(await pending(h, m.sessionId)).toMatchObject([{ attempts: 2 }]);
    // The next wait is longer (4 s).
    h.advance(retryDelayMs(1));
    await retryPass(h.app);
    expect(deleteCalls(m.patient.attendee_id)).toHaveLength(2);
    h.advance(retryDelayMs(2) - retryDelayMs(1));
    await retryPass(h.app);
    expect(deleteCalls(m.patient.attendee_id)).toHaveLength(3);
    expect(await pending(h, m.sessionId)).toEqual([]);
    const text = await scrape(h);
    expect(metricSample(text, "video_provider_attendee_deletions_pending")).toBe(0);
    expect(metricSample(text, "video_provider_attendee_deletion_failures_total", { reason: "UNAVAILABLE" })).toBe(
      failuresBefore + 2,
    );
  });

  it("the backoff doubles from 2 s and stays at 60 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(retryDelayMs)).toEqual([
      2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000,
    ]);
  });

  it("a pending deletion survives a restart: a new instance on the same database retries it", async () => {
    chime.on(DeleteAttendeeCommand).rejects(unavailable());
    const provider = createChimeMediaProvider({ client: new ChimeSDKMeetingsClient({ region: "us-east-1" }) });
    const database = durableDatabase();
    const first = await createHarness({ mediaProvider: provider, database });
    let second: Harness | undefined;
    try {
      const m = await first.meeting();
      await remove(first, m.sessionId, m.patient.attendee_id);
      expect(await pending(first, m.sessionId)).toHaveLength(1);
      await first.close(true);

      chime.on(DeleteAttendeeCommand).resolves({});
      second = await createHarness({ database, mediaProvider: provider });
      second.clock.now = new Date(first.clock.now.getTime() + retryDelayMs(1));
      await retryPass(second.app);
      expect(deleteCalls(m.patient.attendee_id)).toHaveLength(2);
      expect(chime.commandCalls(DeleteAttendeeCommand).at(-1)?.args[0].input).toEqual({
        MeetingId: meeting.MeetingId,
        AttendeeId: m.patient.attendee_id,
      });
      expect(await pending(second, m.sessionId)).toEqual([]);
    } finally {
      if (second) await second.close();
      else await first.close();
    }
  });

  it("a session that ended drops its pending deletions without calling the provider again", async () => {
    chime.on(DeleteAttendeeCommand).rejects(unavailable());
    const m = await h.meeting();
    await remove(h, m.sessionId, m.patient.attendee_id);
    expect(await pending(h, m.sessionId)).toHaveLength(1);
    expect((await h.end(m.sessionId)).statusCode).toBe(200);
    // Ending the meeting deleted every attendee at Chime.
    expect(chime.commandCalls(DeleteMeetingCommand)).toHaveLength(1);
    h.advance(10 * 60_000);
    await retryPass(h.app);
    expect(await pending(h, m.sessionId)).toEqual([]);
    expect(deleteCalls(m.patient.attendee_id)).toHaveLength(1);
  });

  it("a re-invited person whose join got the same Chime attendee back keeps it: the pending deletion is dropped", async () => {
    // Chime hands the same AttendeeId to the same ExternalUserId while that attendee still exists.
    const seats = new Map<string, string>();
    chime.on(CreateAttendeeCommand).callsFake((input: { ExternalUserId: string }) => {
      const id = seats.get(input.ExternalUserId) ?? `5b1c0d4e-0000-4000-8000-${String(++attendees).padStart(12, "0")}`;
      seats.set(input.ExternalUserId, id);
      return { Attendee: { AttendeeId: id, ExternalUserId: input.ExternalUserId, JoinToken: "chime-join-token" } };
    });
    chime.on(DeleteAttendeeCommand).rejects(unavailable());
    const m = await h.meeting();
    const removedAt = h.clock.now.getTime();
    await remove(h, m.sessionId, m.patient.attendee_id);
    expect(await pending(h, m.sessionId)).toHaveLength(1);

    h.advance(1_000);
    const { appointment_id } = await h.app.video.database.db
      .selectFrom("sessions")
      .select("appointment_id")
      .where("session_id", "=", m.sessionId)
      .executeTakeFirstOrThrow();
    const invite = await h.tokens.sign(users.patient, {
      scope: "invite",
      appointment_id,
      invite_id: "0b7c3c52-3d5f-4a8e-9f3c-2b1d4e5f6a7b",
      invite_issued_at: new Date(removedAt + 500).toISOString(),
    });
    const back = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${m.sessionId}/join`,
      headers: { authorization: `Bearer ${invite}` },
      payload: {},
    });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().attendee.attendee_id).toBe(m.patient.attendee_id);

    chime.on(DeleteAttendeeCommand).resolves({});
    h.advance(retryDelayMs(1));
    await retryPass(h.app);
    expect(await pending(h, m.sessionId)).toEqual([]);
    // Only the failed attempt at the removal: the doctor's new invite let the person back in.
    expect(deleteCalls(m.patient.attendee_id)).toHaveLength(1);
  });

  it("an attendee already gone at Chime (NotFound) counts as deleted", async () => {
    chime.on(DeleteAttendeeCommand).rejects(Object.assign(new Error("gone"), { name: "NotFoundException" }));
    const m = await h.meeting();
    await remove(h, m.sessionId, m.patient.attendee_id);
    expect(deleteCalls(m.patient.attendee_id)).toHaveLength(1);
    expect(await pending(h, m.sessionId)).toEqual([]);
  });
});
