import { randomUUID } from "node:crypto";
import {
  type Attendee as ChimeAttendee,
  type Meeting as ChimeMeeting,
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  NotFoundException,
} from "@aws-sdk/client-chime-sdk-meetings";
import type { AuthUser } from "@clinic/platform";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startReservationTtlMs } from "../sessions/session-start.service.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { createChimeMediaProvider } from "./chime/chime-media-provider.ts";

// Races between requests on the Chime provider, with only the AWS client replaced by a small
// stateful Chime that keeps Chime's idempotency: CreateMeeting with one ClientRequestToken
// returns the same meeting — even once it was deleted (AWS promises no fresh meeting for a
// reused token; this fake takes the pessimistic reading), CreateAttendee with one ExternalUserId
// in a meeting the same attendee until it is deleted; a deleted meeting takes no attendees.
const chime = mockClient(ChimeSDKMeetingsClient);

function fakeChime() {
  const meetings = new Map<string, ChimeMeeting>();
  const ended = new Set<string>();
  const attendees = new Map<string, ChimeAttendee>();
  /** Gates the next CreateMeeting / CreateAttendee calls wait on, in call order. */
  const holds = { meeting: [] as Promise<void>[], attendee: [] as Promise<void>[] };
  const entered = { meeting: 0, attendee: 0 };
  /** Errors the next CreateAttendee calls throw, in call order. */
  const attendeeFailures: Error[] = [];
  chime.reset();
  chime.on(CreateMeetingCommand).callsFake(async (input: { ClientRequestToken: string; ExternalMeetingId: string }) => {
    entered.meeting++;
    await holds.meeting.shift();
    let meeting = meetings.get(input.ClientRequestToken);
    if (!meeting) {
      const id = randomUUID();
      meeting = {
        MeetingId: id,
        ExternalMeetingId: input.ExternalMeetingId,
        MediaRegion: "us-east-1",
        MediaPlacement: { AudioHostUrl: `${id}.k.m1.ue1.app.chime.aws:3478`, SignalingUrl: `wss://signal/${id}` },
      };
      meetings.set(input.ClientRequestToken, meeting);
    }
    return { Meeting: meeting };
  });
  chime.on(CreateAttendeeCommand).callsFake(async (input: { MeetingId: string; ExternalUserId: string }) => {
    entered.attendee++;
    await holds.attendee.shift();
    const failure = attendeeFailures.shift();
    if (failure) throw failure;
    if (ended.has(input.MeetingId)) throw new NotFoundException({ message: "meeting ended", $metadata: {} });
    const key = `${input.MeetingId}/${input.ExternalUserId}`;
    let attendee = attendees.get(key);
    if (!attendee) {
      attendee = { AttendeeId: randomUUID(), ExternalUserId: input.ExternalUserId, JoinToken: randomUUID() };
      attendees.set(key, attendee);
    }
    return { Attendee: attendee };
  });
  chime.on(DeleteAttendeeCommand).callsFake(async (input: { MeetingId: string; AttendeeId: string }) => {
    for (const [key, a] of attendees) if (a.AttendeeId === input.AttendeeId) attendees.delete(key);
    return {};
  });
  chime.on(DeleteMeetingCommand).callsFake(async (input: { MeetingId: string }) => {
    ended.add(input.MeetingId);
    for (const key of attendees.keys()) if (key.startsWith(`${input.MeetingId}/`)) attendees.delete(key);
    return {};
  });
  return {
    entered,
    ended,
    attendeeFailures,
    /** The next `op` call waits until the returned function is called. */
    hold(op: "meeting" | "attendee"): () => void {
      let open: () => void = () => undefined;
      holds[op].push(
        new Promise<void>((resolve) => {
          open = resolve;
        }),
      );
      return open;
    },
  };
}

/** Polls `done` every 10 ms, at most 1,000 times (10 s). */
async function until(what: string, done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (done()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`gave up waiting: ${what}`);
}

describe("races on the chime media provider (stateful fake of the AWS client)", () => {
  let h: Harness;
  let fake: ReturnType<typeof fakeChime>;
  const provider = createChimeMediaProvider({ client: new ChimeSDKMeetingsClient({ region: "us-east-1" }) });
  beforeAll(async () => {
    // A start that finds a live reservation gives up after 200 ms (409 SESSION_STARTING).
    h = await createHarness({ mediaProvider: provider, startWaitMs: 200 });
  });
  beforeEach(() => {
    fake = fakeChime();
  });
  afterAll(async () => {
    await h.close();
    chime.restore();
  });
  const sessionRow = (appointmentId: string) =>
    h.app.video.database.db
      .selectFrom("sessions")
      .selectAll()
      .where("appointment_id", "=", appointmentId)
      .executeTakeFirstOrThrow();
  const join = async (sessionId: string, user: AuthUser = users.patient) =>
    h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${sessionId}/join`,
      headers: await h.auth(user),
      payload: {},
    });

  it("the reservation outlives Chime's slowest start; a late start ends only its own meeting, never the recorded one", async () => {
    const ttl = startReservationTtlMs(provider);
    // Chime's worst case for one start (two calls, each with its retries) fits twice in the reservation.
    expect(ttl).toBeGreaterThan(2 * 2 * provider.maxCallMs);
    const openFirst = fake.hold("meeting");
    const appointment = h.addAppointment();
    const first = h.start(appointment.id);
    await until("the first start's CreateMeeting", () => fake.entered.meeting === 1);

    // The first start is still waiting on Chime after 61 s (and just before the TTL): it is alive,
    // its reservation stands, and another start neither calls Chime nor takes over.
    for (const age of [61_000, ttl - 1]) {
      h.clock.now = new Date(Date.parse(appointment.start_time) + age);
      const early = await h.start(appointment.id);
      expect(early.statusCode).toBe(409);
      expect(early.json()).toMatchObject({ code: "SESSION_STARTING", retryable: true });
      expect(fake.entered.meeting).toBe(1);
    }

    // Past the TTL the first start is taken for dead: a second start takes over and, while it
    // waits on Chime itself, the first one wakes up with its own meeting (its own token).
    h.advance(1);
    const openSecond = fake.hold("meeting");
    const second = h.start(appointment.id);
    await until("the second start's CreateMeeting", () => fake.entered.meeting === 2);
    openFirst();
    const late = await first;
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: "SESSION_STARTING" });
    // The late start's meeting is nobody's: it ends it, and only it.
    const [lateToken, secondToken] = chime
      .commandCalls(CreateMeetingCommand)
      .map((c) => c.args[0].input.ClientRequestToken);
    expect(lateToken).not.toBe(secondToken);
    const orphan = (await chime.commandCalls(CreateMeetingCommand)[0]!.returnValue)?.Meeting?.MeetingId;
    expect(chime.commandCalls(DeleteMeetingCommand).map((c) => c.args[0].input.MeetingId)).toEqual([orphan]);

    openSecond();
    const won = await second;
    expect(won.statusCode).toBe(200);
    const meetingId = won.json().chime_meeting_id;
    expect(await sessionRow(appointment.id)).toMatchObject({
      status: "IN_PROGRESS",
      meeting_id: meetingId,
      start_token: null,
    });
    expect(meetingId).not.toBe(orphan);
    expect(fake.ended.has(meetingId)).toBe(false);
    expect(chime.commandCalls(DeleteMeetingCommand).map((c) => c.args[0].input.MeetingId)).toEqual([orphan]);
    expect(chime.commandCalls(DeleteAttendeeCommand)).toHaveLength(0);
    // The recorded meeting is usable: the patient joins it.
    await h.consent(won.json().session_id);
    expect((await join(won.json().session_id)).statusCode).toBe(200);
  });

  it("a start that failed after CreateMeeting ends its meeting; the next start gets a new meeting and succeeds", async () => {
    fake.attendeeFailures.push(
      Object.assign(new Error("down"), { name: "ServiceUnavailableException", $fault: "server" }),
    );
    const appointment = h.addAppointment();
    const failed = await h.start(appointment.id);
    expect(failed.statusCode).toBe(502);
    const [ended] = [...fake.ended];
    expect(chime.commandCalls(DeleteMeetingCommand).map((c) => c.args[0].input.MeetingId)).toEqual([ended]);
    expect(await sessionRow(appointment.id)).toMatchObject({ status: "CREATED", meeting_id: null, start_token: null });

    // The next start sends its own token: under the session id as token, this fake (like Chime
    // may) would answer with the deleted meeting and the appointment could never start.
    const retried = await h.start(appointment.id);
    expect(retried.statusCode).toBe(200);
    const meetingId = retried.json().chime_meeting_id;
    expect(meetingId).not.toBe(ended);
    expect(fake.ended.has(meetingId)).toBe(false);
    const sent = chime.commandCalls(CreateMeetingCommand).map((c) => c.args[0].input);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.ClientRequestToken).not.toBe(sent[1]!.ClientRequestToken);
    expect(sent.map((i) => i.ExternalMeetingId)).toEqual([retried.json().session_id, retried.json().session_id]);
    expect(await sessionRow(appointment.id)).toMatchObject({ status: "IN_PROGRESS", meeting_id: meetingId });
    await h.consent(retried.json().session_id);
    expect((await join(retried.json().session_id)).statusCode).toBe(200);
  });

  it("joining again gets Chime's same attendee back: recorded once, never deleted", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    await h.consent(sessionId);
    const a = await join(sessionId);
    const b = await join(sessionId);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(b.json().attendee.attendee_id).toBe(a.json().attendee.attendee_id);
    // The doctor's reconnect gets the start's attendee back, too.
    const doctor = await join(sessionId, users.doctor);
    expect(doctor.statusCode).toBe(200);
    expect(doctor.json().attendee.attendee_id).toBe(body.doctor_attendee.attendee_id);

    expect(chime.commandCalls(DeleteAttendeeCommand)).toHaveLength(0);
    const rows = await h.app.video.database.db
      .selectFrom("attendees")
      .select(["attendee_id", "user_type", "status"])
      .where("session_id", "=", sessionId)
      .orderBy("user_type")
      .execute();
    expect(rows).toEqual([
      { attendee_id: body.doctor_attendee.attendee_id, user_type: "DOCTOR", status: "JOINING" },
      { attendee_id: a.json().attendee.attendee_id, user_type: "PATIENT", status: "JOINING" },
    ]);
  });

  it("two joins of one person at once: both answer with Chime's one attendee, which is never deleted", async () => {
    const { body } = await h.startedSession();
    const sessionId = body.session_id as string;
    await h.consent(sessionId);
    const before = fake.entered.attendee;
    const open = [fake.hold("attendee"), fake.hold("attendee")];
    const joins = [join(sessionId), join(sessionId)];
    await until("both CreateAttendee calls", () => fake.entered.attendee === before + 2);
    for (const o of open) o();
    const [a, b] = await Promise.all(joins);
    expect([a!.statusCode, b!.statusCode]).toEqual([200, 200]);
    expect(a!.json().attendee.attendee_id).toBe(b!.json().attendee.attendee_id);
    expect(chime.commandCalls(DeleteAttendeeCommand)).toHaveLength(0);
    const live = await h.app.video.database.db
      .selectFrom("attendees")
      .select("attendee_id")
      .where("session_id", "=", sessionId)
      .where("user_type", "=", "PATIENT")
      .where("status", "in", ["JOINING", "CONNECTED"])
      .execute();
    expect(live).toEqual([{ attendee_id: a!.json().attendee.attendee_id }]);
  });
});
