import { randomUUID } from "node:crypto";
import {
  type Attendee as ChimeAttendee,
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
} from "@aws-sdk/client-chime-sdk-meetings";
import { SignalCloseCodes } from "@clinic/contracts";
import type { AuthUser } from "@clinic/platform";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closedWithin, connectSignal, type SignalClient, signalUrl } from "../testing/signal-client.ts";
import { createHarness, type Harness } from "../testing/video-test-harness.ts";
import { createChimeMediaProvider } from "./chime/chime-media-provider.ts";

// Attendance under MEDIA_PROVIDER=chime (issue 12, item 7): the Chime client also holds the
// video service's signalling socket, presence only, so the server records attendance exactly as
// for embedded calls. Only the AWS client is replaced, by a small stateful Chime that keeps
// Chime's idempotency: CreateAttendee with one ExternalUserId in a meeting answers the SAME
// attendee (AttendeeId and JoinToken) until it is deleted.
const chime = mockClient(ChimeSDKMeetingsClient);

function fakeChime() {
  const attendees = new Map<string, ChimeAttendee>();
  chime.reset();
  chime.on(CreateMeetingCommand).callsFake(async (input: { ExternalMeetingId: string }) => {
    const id = randomUUID();
    return {
      Meeting: {
        MeetingId: id,
        ExternalMeetingId: input.ExternalMeetingId,
        MediaRegion: "us-east-1",
        MediaPlacement: {
          AudioHostUrl: `${id}.k.m1.ue1.app.chime.aws:3478`,
          SignalingUrl: `wss://signal.m1.ue1.app.chime.aws/control/${id}`,
        },
      },
    };
  });
  chime.on(CreateAttendeeCommand).callsFake(async (input: { MeetingId: string; ExternalUserId: string }) => {
    const key = `${input.MeetingId}/${input.ExternalUserId}`;
    let attendee = attendees.get(key);
    if (!attendee) {
      attendee = { AttendeeId: randomUUID(), ExternalUserId: input.ExternalUserId, JoinToken: `chime-${randomUUID()}` };
      attendees.set(key, attendee);
    }
    return { Attendee: attendee };
  });
  chime.on(DeleteAttendeeCommand).resolves({});
  chime.on(DeleteMeetingCommand).resolves({});
}

/** Each test its own clinic, so usage figures do not mix. */
function clinic(name: string) {
  const doctor: AuthUser = { id: `doc-${name}`, role: "DOCTOR", clinic_id: name, name: "Dr. Who", email: "d@x.test" };
  const patient: AuthUser = { id: `pat-${name}`, role: "PATIENT", clinic_id: name, name: "Pat", email: "p@x.test" };
  const admin: AuthUser = { id: `adm-${name}`, role: "ADMIN", clinic_id: name, name: "Ad Min", email: "a@x.test" };
  return { doctor, patient, admin, appointment: { clinic_id: name, doctor_id: doctor.id, patient_id: patient.id } };
}

/** Polls `read` every 10 ms until it answers something other than undefined (at most 3 s). */
async function until<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describe("attendance under Chime: the client's presence socket (mocked AWS client, real database)", () => {
  let h: Harness;
  let base: string;
  const clients: SignalClient[] = [];
  const provider = createChimeMediaProvider({ client: new ChimeSDKMeetingsClient({ region: "us-east-1" }) });
  beforeAll(async () => {
    h = await createHarness({ mediaProvider: provider, env: { FREE_TIER_MINUTES: "30" } });
    base = await h.listen();
  });
  beforeEach(() => fakeChime());
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => {
    await h.close();
    chime.restore();
  });
  const db = () => h.app.video.database.db;
  const intervals = (sessionId: string) =>
    db()
      .selectFrom("attendance_intervals")
      .select(["attendee_id", "user_id", "joined_at", "left_at"])
      .where("session_id", "=", sessionId)
      .orderBy("id")
      .execute();
  const openIntervals = async (sessionId: string) => (await intervals(sessionId)).filter((i) => i.left_at === null);
  const attend = async (sessionId: string, token: string) => {
    const client = connectSignal(signalUrl(base, sessionId, token));
    clients.push(client);
    await client.next("welcome");
    return client;
  };
  async function chimeCall(c: ReturnType<typeof clinic>) {
    const start = await h.start(h.addAppointment(c.appointment).id, c.doctor);
    expect(start.statusCode).toBe(200);
    const body = start.json();
    // The waiting room holds a patient until admitted, on Chime as on embedded: let them in at once.
    await h.autoAdmit(body.session_id, true, c.doctor);
    const patient = await h.join(body.session_id, c.patient);
    return { sessionId: body.session_id as string, start: body, patient };
  }
  const usage = async (user: AuthUser) =>
    (await h.app.inject({ url: "/api/video/metrics/usage", headers: await h.auth(user) })).json();

  it("start and join hand out the service's join token and signalling URL; Chime's stay in `chime` for the SDK", async () => {
    const c = clinic("chime-urls");
    const { sessionId, start, patient } = await chimeCall(c);
    for (const [issued, answer] of [
      [start.doctor_attendee, start],
      [patient.attendee, patient],
    ]) {
      expect(answer.media_provider).toBe("chime");
      expect(answer.aws_media_urls.signaling_url).toMatch(
        new RegExp(`^ws://[^/]+/api/video/sessions/${sessionId}/signal$`),
      );
      expect(answer.chime.Meeting.MediaPlacement.SignalingUrl).toMatch(/^wss:\/\/signal\.m1/);
      // The SDK's token is Chime's; the top-level one is ours, for the same attendee.
      expect(answer.chime.Attendee.JoinToken).toMatch(/^chime-/);
      expect(issued.join_token).not.toBe(answer.chime.Attendee.JoinToken);
      expect(await h.app.video.joinTokens.verify(issued.join_token)).toEqual({
        attendee_id: issued.attendee_id,
        meeting_id: answer.meeting_id,
        session_id: sessionId,
        user_id: issued.external_user_id,
      });
      expect(issued.attendee_id).toBe(answer.chime.Attendee.AttendeeId);
    }
  });

  it("connect opens an attendance interval, close closes it; relays are refused, media state still goes through", async () => {
    const c = clinic("chime-intervals");
    const { sessionId, start, patient } = await chimeCall(c);
    expect(await intervals(sessionId)).toEqual([]);
    const doctor = await attend(sessionId, start.doctor_attendee.join_token);
    const pat = await attend(sessionId, patient.attendee.join_token);
    expect((await openIntervals(sessionId)).map((i) => i.user_id).sort()).toEqual([c.doctor.id, c.patient.id]);
    await doctor.next("attendee.joined");

    // Media flows through Chime: WebRTC negotiation over our socket is refused, with an error frame.
    for (const frame of [
      { type: "offer", to: patient.attendee.attendee_id, sdp: "v=0" },
      { type: "answer", to: patient.attendee.attendee_id, sdp: "v=0" },
      { type: "ice", to: patient.attendee.attendee_id, candidate: null },
    ]) {
      doctor.send(frame);
      expect(await doctor.next("error")).toMatchObject({ code: "PRESENCE_ONLY" });
    }
    expect(pat.messages.some((m) => m.type === "offer" || m.type === "answer" || m.type === "ice")).toBe(false);
    doctor.send({ type: "media", audio: false, video: true });
    expect(await pat.next("media")).toMatchObject({ from: start.doctor_attendee.attendee_id, audio: false });
    doctor.send({ type: "heartbeat" });
    await doctor.next("heartbeat");

    h.advance(5 * 60_000);
    pat.close();
    await closedWithin(pat);
    const closed = await until("the patient's interval closed", async () => {
      const mine = (await intervals(sessionId)).filter((i) => i.user_id === c.patient.id);
      return mine.length > 0 && mine.every((i) => i.left_at !== null) ? mine : undefined;
    });
    // Summed: an interval is stored cut at UTC midnight, so a run near midnight closes two pieces.
    const attended = closed.reduce((ms, i) => ms + (i.left_at!.getTime() - i.joined_at.getTime()), 0);
    expect(attended).toBe(5 * 60_000);
    expect((await openIntervals(sessionId)).map((i) => i.user_id)).toEqual([c.doctor.id]);
    await doctor.next("attendee.left");
  });

  it("GET /metrics/usage counts the Chime minutes, and the free tier blocks the clinic's next Chime start (429)", async () => {
    const c = clinic("chime-usage");
    const { sessionId, start, patient } = await chimeCall(c);
    await attend(sessionId, start.doctor_attendee.join_token);
    await attend(sessionId, patient.attendee.join_token);
    h.advance(10 * 60_000);
    // Still-open intervals count up to now.
    expect(await usage(c.admin)).toMatchObject({ total_attendee_minutes: 20, total_sessions: 1 });
    h.advance(6 * 60_000);
    expect((await h.end(sessionId, c.doctor)).statusCode).toBe(200);
    expect(await usage(c.admin)).toMatchObject({
      total_attendee_minutes: 32,
      free_tier_limit: 30,
      status: "EXCEEDED",
      sessions: [{ session_id: sessionId, attendees: 2, attendee_minutes: 32 }],
    });
    expect(chime.commandCalls(DeleteMeetingCommand)).toHaveLength(1);

    const meetingsBefore = chime.commandCalls(CreateMeetingCommand).length;
    const next = await h.start(h.addAppointment(c.appointment).id, c.doctor);
    expect(next.statusCode).toBe(429);
    expect(next.json()).toMatchObject({ code: "FREE_TIER_EXCEEDED", free_tier_limit: 30 });
    expect(chime.commandCalls(CreateMeetingCommand)).toHaveLength(meetingsBefore);
  });

  it("the idle end ends a Chime session nobody is connected to (DeleteMeeting), not one someone is in", async () => {
    const c = clinic("chime-idle");
    const { sessionId, start } = await chimeCall(c);
    const doctor = await attend(sessionId, start.doctor_attendee.join_token);
    h.advance(60 * 60_000);
    expect(await h.app.video.sweepIdle()).not.toContain(sessionId);
    doctor.close();
    await closedWithin(doctor);
    await until("the doctor's leave", async () => ((await openIntervals(sessionId)).length === 0 ? true : undefined));
    h.advance(14 * 60_000);
    expect(await h.app.video.sweepIdle()).not.toContain(sessionId);
    h.advance(2 * 60_000);
    expect(await h.app.video.sweepIdle()).toContain(sessionId);
    const row = await db()
      .selectFrom("sessions")
      .select(["status", "end_reason", "meeting_id"])
      .where("session_id", "=", sessionId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "COMPLETED", end_reason: "IDLE_TIMEOUT" });
    // (Sessions of the tests before, nobody in them for as long, are ended by the same sweep.)
    expect(chime.commandCalls(DeleteMeetingCommand).map((call) => call.args[0].input.MeetingId)).toContain(
      row.meeting_id,
    );
  });

  it("a socket that goes silent is closed after the heartbeat timeout and its interval closed", async () => {
    const quiet = await createHarness({ mediaProvider: provider, heartbeatTimeoutMs: 300 });
    try {
      const quietBase = await quiet.listen();
      const { body } = await quiet.startedSession();
      const client = connectSignal(signalUrl(quietBase, body.session_id, body.doctor_attendee.join_token));
      clients.push(client);
      await client.next("welcome");
      expect((await closedWithin(client, 3000)).code).toBe(SignalCloseCodes.heartbeatTimeout);
      await until("the interval closed", async () => {
        const open = await quiet.app.video.database.db
          .selectFrom("attendance_intervals")
          .select("id")
          .where("session_id", "=", body.session_id)
          .where("left_at", "is", null)
          .execute();
        return open.length === 0 ? true : undefined;
      });
    } finally {
      await quiet.close();
    }
  });

  it("rejoin: Chime hands back the same AttendeeId; no 500, no duplicate row, one open interval, the new credentials work", async () => {
    const c = clinic("chime-rejoin");
    const { sessionId, patient } = await chimeCall(c);
    const first = await attend(sessionId, patient.attendee.join_token);

    // The patient reloads the page (or opens a second window): POST /join again.
    const again = await h.join(sessionId, c.patient);
    expect(again.attendee.attendee_id).toBe(patient.attendee.attendee_id);
    expect(again.chime.Attendee).toEqual(patient.chime.Attendee);
    expect(again.attendee.join_token).not.toBe(patient.attendee.join_token);
    const second = await attend(sessionId, again.attendee.join_token);
    // The older window is told it was replaced; its leave records nothing.
    await first.next("replaced");
    expect((await closedWithin(first)).code).toBe(SignalCloseCodes.replaced);

    const rows = await db()
      .selectFrom("attendees")
      .select(["attendee_id", "status"])
      .where("session_id", "=", sessionId)
      .where("user_type", "=", "PATIENT")
      .execute();
    expect(rows).toEqual([{ attendee_id: patient.attendee.attendee_id, status: "CONNECTED" }]);
    const patientIntervals = (await intervals(sessionId)).filter((i) => i.user_id === c.patient.id);
    expect(patientIntervals).toHaveLength(2);
    expect(patientIntervals.filter((i) => i.left_at === null)).toHaveLength(1);
    expect(chime.commandCalls(DeleteAttendeeCommand)).toHaveLength(0);

    // Leaving and joining once more: the same Chime attendee is made live again.
    second.close();
    await closedWithin(second);
    await until("the leave", async () =>
      (await openIntervals(sessionId)).some((i) => i.user_id === c.patient.id) ? undefined : true,
    );
    const third = await h.join(sessionId, c.patient);
    expect(third.attendee.attendee_id).toBe(patient.attendee.attendee_id);
    await attend(sessionId, third.attendee.join_token);
    expect((await openIntervals(sessionId)).filter((i) => i.user_id === c.patient.id)).toHaveLength(1);
    const details = (
      await h.app.inject({ url: `/api/video/sessions/${sessionId}`, headers: await h.auth(c.doctor) })
    ).json();
    expect(details.attendees.filter((a: { user_type: string }) => a.user_type === "PATIENT")).toMatchObject([
      { attendee_id: patient.attendee.attendee_id, status: "CONNECTED", leave_time: null },
    ]);
  });
});
