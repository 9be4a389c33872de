import {
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteMeetingCommand,
  ServiceUnavailableException,
} from "@aws-sdk/client-chime-sdk-meetings";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startReservationTtlMs } from "../sessions/session-start.service.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { createChimeMediaProvider } from "./chime/chime-media-provider.ts";

// The sessions service on the Chime provider, with only the AWS client mocked.
const chime = mockClient(ChimeSDKMeetingsClient);
const meeting = {
  MeetingId: "5b1c0d4e-0000-4000-8000-000000000001",
  MediaRegion: "us-east-1",
  MediaPlacement: {
    AudioHostUrl: "abc.k.m1.ue1.app.chime.aws:3478",
    ScreenDataUrl: "wss://bitpw.m1.ue1.app.chime.aws:443/v2/screen/x",
    SignalingUrl: "wss://signal.m1.ue1.app.chime.aws/control/x",
  },
};
const attendee = { AttendeeId: "att-1", ExternalUserId: users.doctor.id, JoinToken: "chime-join-token" };
let attendees = 0;
const freshAttendee = () => ({ Attendee: { ...attendee, AttendeeId: `att-${++attendees}` } });

describe("sessions on the chime media provider (mocked AWS client)", () => {
  let h: Harness;
  const provider = createChimeMediaProvider({ client: new ChimeSDKMeetingsClient({ region: "us-east-1" }) });
  beforeAll(async () => {
    h = await createHarness({ mediaProvider: provider });
  });
  beforeEach(() => {
    chime.reset();
    chime.on(CreateMeetingCommand).resolves({ Meeting: meeting });
    chime.on(CreateAttendeeCommand).callsFake(freshAttendee);
    chime.on(DeleteMeetingCommand).resolves({});
  });
  afterAll(async () => {
    await h.close();
    chime.restore();
  });
  const sessionOf = (appointmentId: string) =>
    h.app.video.database.db.selectFrom("sessions").selectAll().where("appointment_id", "=", appointmentId).execute();

  it("start answers the guide's shape plus chime {Meeting, Attendee} for MeetingSessionConfiguration", async () => {
    const appointment = h.addAppointment();
    const response = await h.start(appointment.id);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      status: "IN_PROGRESS",
      chime_meeting_id: meeting.MeetingId,
      media_provider: "chime",
      doctor_attendee: { attendee_id: "att-1", external_user_id: users.doctor.id },
      aws_media_urls: { audio_host_url: meeting.MediaPlacement.AudioHostUrl },
      chime: { Meeting: meeting, Attendee: attendee },
    });
    const sessionId = response.json().session_id;
    // The top-level join token and signalling URL are the service's presence socket (attendance);
    // Chime's own stay in `chime` for the SDK (meetings/chime-attendance.test.ts).
    expect(response.json().doctor_attendee.join_token).not.toBe(attendee.JoinToken);
    expect(response.json().aws_media_urls.signaling_url).toMatch(
      new RegExp(`/api/video/sessions/${sessionId}/signal$`),
    );
    expect(chime.commandCalls(CreateMeetingCommand)[0]?.args[0].input).toMatchObject({ ExternalMeetingId: sessionId });
  });

  it("20 parallel starts create exactly one Chime meeting", async () => {
    const appointment = h.addAppointment();
    const responses = await Promise.all(Array.from({ length: 20 }, () => h.start(appointment.id)));
    expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
    expect(responses.filter((r) => r.statusCode === 409)).toHaveLength(19);
    expect(chime.commandCalls(CreateMeetingCommand)).toHaveLength(1);
    expect(chime.commandCalls(CreateAttendeeCommand)).toHaveLength(1);
  });

  it("an AWS failure creating the attendee → 502 MEDIA_PROVIDER_ERROR, the meeting deleted, the session not started", async () => {
    chime.on(CreateAttendeeCommand).rejects(new ServiceUnavailableException({ message: "down", $metadata: {} }));
    const appointment = h.addAppointment();
    const response = await h.start(appointment.id);
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({ status: 502, code: "MEDIA_PROVIDER_ERROR" });
    expect(chime.commandCalls(DeleteMeetingCommand)).toHaveLength(1);
    // The session the start made stays CREATED, as appointment.booked would have made it, with
    // no meeting and its start reservation given back.
    expect(await sessionOf(appointment.id)).toMatchObject([
      { status: "CREATED", meeting_id: null, start_token: null, start_reserved_at: null },
    ]);
    const events = await h.app.video.database.db.selectFrom("outbox").select("payload").execute();
    expect(events.some((e) => JSON.stringify(e.payload).includes(appointment.id))).toBe(false);

    // Once AWS is back, the same appointment starts normally.
    chime.on(CreateAttendeeCommand).callsFake(freshAttendee);
    expect((await h.start(appointment.id)).statusCode).toBe(200);
  });

  // The mocked client answers as the real one does once its own retries (3 attempts) are spent.
  it("an AWS failure creating the meeting → 502 and the appointment can be started again at once", async () => {
    chime.on(CreateMeetingCommand).rejects(new ServiceUnavailableException({ message: "down", $metadata: {} }));
    const appointment = h.addAppointment();
    const response = await h.start(appointment.id);
    expect(response.statusCode).toBe(502);
    expect(response.json()).toMatchObject({
      code: "MEDIA_PROVIDER_ERROR",
      operation: "createMeeting",
      retryable: true,
    });
    expect(chime.commandCalls(DeleteMeetingCommand)).toHaveLength(0);
    // The failed start gave its reservation back: the next start does not wait for it to expire.
    expect(await sessionOf(appointment.id)).toMatchObject([{ status: "CREATED", start_token: null }]);

    chime.on(CreateMeetingCommand).resolves({ Meeting: meeting });
    const retried = await h.start(appointment.id);
    expect(retried.statusCode).toBe(200);
    expect(retried.json()).toMatchObject({ status: "IN_PROGRESS", chime_meeting_id: meeting.MeetingId });
  });

  it("a start that took over an expired reservation keeps its meeting: the late first start never ends the recorded one", async () => {
    // This mock answers every CreateMeeting with one meeting whatever the token: the late start's
    // meeting is the recorded one, so it must keep it (its own meeting would otherwise be ended).
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    chime.on(CreateMeetingCommand).callsFake(async () => {
      if (++calls === 1) await gate;
      return { Meeting: meeting };
    });
    const appointment = h.addAppointment();
    const first = h.start(appointment.id);
    for (let i = 0; i < 1000 && calls === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toBe(1);
    // The first start's process looks dead: its reservation is older than the TTL.
    h.advance(startReservationTtlMs(provider));
    const second = await h.start(appointment.id);
    expect(second.statusCode).toBe(200);
    release();
    const late = await first;
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: "SESSION_ALREADY_STARTED", session_id: second.json().session_id });
    expect(chime.commandCalls(DeleteMeetingCommand)).toHaveLength(0);
    expect(await sessionOf(appointment.id)).toMatchObject([{ status: "IN_PROGRESS", meeting_id: meeting.MeetingId }]);
  });
});
