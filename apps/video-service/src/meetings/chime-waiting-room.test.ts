import { randomUUID } from "node:crypto";
import {
  type Attendee as ChimeAttendee,
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteAttendeeCommand,
  DeleteMeetingCommand,
  ServiceUnavailableException,
} from "@aws-sdk/client-chime-sdk-meetings";
import { SignalCloseCodes } from "@clinic/contracts";
import type { AuthUser } from "@clinic/platform";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closedWithin, connectSignal, type SignalClient, signalUrl } from "../testing/signal-client.ts";
import { createHarness, type Harness, users } from "../testing/video-test-harness.ts";
import { createChimeMediaProvider } from "./chime/chime-media-provider.ts";

// The waiting room under MEDIA_PROVIDER=chime, enforced by the server (issue 12): Chime's
// attendee JoinToken opens the meeting's media by itself, so a patient still waiting must not
// hold it. Only the AWS client is replaced, by a small stateful Chime with Chime's idempotency
// (one ExternalUserId in a meeting gets the same attendee until it is deleted).
const chime = mockClient(ChimeSDKMeetingsClient);
let deleteFails = false;

function fakeChime() {
  const attendees = new Map<string, ChimeAttendee>();
  deleteFails = false;
  chime.reset();
  chime.on(CreateMeetingCommand).callsFake(async (input: { ExternalMeetingId: string }) => {
    const id = randomUUID();
    return {
      Meeting: {
        MeetingId: id,
        ExternalMeetingId: input.ExternalMeetingId,
        MediaRegion: "us-east-1",
        MediaPlacement: { AudioHostUrl: `${id}.k.m1.ue1.app.chime.aws:3478`, SignalingUrl: `wss://signal/${id}` },
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
  chime.on(DeleteAttendeeCommand).callsFake(async (input: { MeetingId: string; AttendeeId: string }) => {
    // Chime unavailable at the removal: the attendee (and its JoinToken) lives on at Chime.
    if (deleteFails) throw new ServiceUnavailableException({ message: "unavailable", $metadata: {} });
    for (const [key, a] of attendees) if (a.AttendeeId === input.AttendeeId) attendees.delete(key);
    return {};
  });
  chime.on(DeleteMeetingCommand).resolves({});
}

describe("the waiting room under Chime: Chime's JoinToken only for someone let in (mocked AWS client)", () => {
  let h: Harness;
  let base: string;
  const clients: SignalClient[] = [];
  const provider = createChimeMediaProvider({ client: new ChimeSDKMeetingsClient({ region: "us-east-1" }) });
  beforeAll(async () => {
    h = await createHarness({ mediaProvider: provider });
    base = await h.listen();
  });
  beforeEach(() => fakeChime());
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await h.app.video.settle();
  });
  afterAll(async () => {
    await h.close();
    chime.restore();
  });

  const connect = (sessionId: string, token: string) => {
    const client = connectSignal(signalUrl(base, sessionId, token));
    clients.push(client);
    return client;
  };
  const credentials = async (sessionId: string, attendeeId: string, headers: Record<string, string>) =>
    h.app.inject({
      url: `/api/video/sessions/${sessionId}/attendees/${attendeeId}/media-credentials`,
      headers,
    });
  const as = (user: AuthUser) => h.auth(user);
  const inviteOf = async (appointmentId: string, issuedAt = new Date(h.clock.now.getTime() - 60_000)) => ({
    authorization: `Bearer ${await h.tokens.sign(users.patient, {
      scope: "invite",
      appointment_id: appointmentId,
      invite_id: "0b7c3c52-3d5f-4a8e-9f3c-2b1d4e5f6a7b",
      invite_issued_at: issuedAt.toISOString(),
    })}`,
  });
  const joinWith = async (sessionId: string, headers: Record<string, string>) =>
    h.app.inject({ method: "POST", url: `/api/video/sessions/${sessionId}/join`, headers, payload: {} });
  /** Chime's JoinToken of the person's attendee, as stored (what must not leak to a waiting patient). */
  const storedJoinToken = async (attendeeId: string) => {
    const row = await h.app.video.database.db
      .selectFrom("attendees")
      .select("provider_data")
      .where("attendee_id", "=", attendeeId)
      .executeTakeFirstOrThrow();
    const data = typeof row.provider_data === "string" ? JSON.parse(row.provider_data) : row.provider_data;
    return data.JoinToken as string;
  };
  const auditOf = (sessionId: string, action: string) =>
    h.app.video.database.db
      .selectFrom("audit_log")
      .select(["actor_id", "outcome"])
      .where("session_id", "=", sessionId)
      .where("action", "=", action)
      .execute();

  /** A started Chime session (no auto-admit) the patient joined: they wait. */
  async function waitingPatient() {
    const { appointment, body: start } = await h.startedSession();
    const joined = await h.join(start.session_id, users.patient);
    return { appointment, start, sessionId: start.session_id as string, joined };
  }

  it("a waiting patient's join carries no Chime JoinToken; the doctor's start does", async () => {
    const { start, sessionId, joined } = await waitingPatient();
    expect(start.chime.Attendee.JoinToken).toMatch(/^chime-/);
    expect(joined.media_provider).toBe("chime");
    expect(joined.chime).toEqual({ Meeting: start.chime.Meeting, Attendee: null });
    const chimeToken = await storedJoinToken(joined.attendee.attendee_id);
    expect(JSON.stringify(joined)).not.toContain(chimeToken);
    // Our presence socket still works: the patient waits there.
    const socket = connect(sessionId, joined.attendee.join_token);
    await socket.next("welcome");
    await socket.next("waiting");
  });

  it("media-credentials: 403 NOT_ADMITTED while waiting, 200 with Chime's attendee once admitted (audited)", async () => {
    const { start, sessionId, joined } = await waitingPatient();
    const attendeeId = joined.attendee.attendee_id;
    const socket = connect(sessionId, joined.attendee.join_token);
    await socket.next("waiting");

    const waiting = await credentials(sessionId, attendeeId, await as(users.patient));
    expect([waiting.statusCode, waiting.json().code]).toEqual([403, "NOT_ADMITTED"]);
    expect(waiting.body).not.toContain(await storedJoinToken(attendeeId));

    expect((await h.admit(sessionId, attendeeId)).statusCode).toBe(200);
    await socket.next("admitted");
    const admitted = await credentials(sessionId, attendeeId, await as(users.patient));
    expect(admitted.statusCode, admitted.body).toBe(200);
    expect(admitted.json()).toEqual({
      session_id: sessionId,
      attendee_id: attendeeId,
      chime: {
        Meeting: start.chime.Meeting,
        Attendee: {
          AttendeeId: attendeeId,
          ExternalUserId: users.patient.id,
          JoinToken: expect.stringMatching(/^chime-/),
        },
      },
    });
    // Admitted now, a rejoin (page reload) gets it straight in the join answer.
    const again = await h.join(sessionId, users.patient);
    expect(again.chime.Attendee).toEqual(admitted.json().chime.Attendee);
    expect(await auditOf(sessionId, "session.readMediaCredentials")).toEqual([
      { actor_id: users.patient.id, outcome: "ALLOWED" },
      { actor_id: users.patient.id, outcome: "ALLOWED" },
    ]);
  });

  it("with auto-admit on, the patient's join carries Chime's attendee at once", async () => {
    const { body: start } = await h.startedSession();
    await h.autoAdmit(start.session_id, true);
    const joined = await h.join(start.session_id, users.patient);
    expect(joined.chime.Attendee).toMatchObject({ AttendeeId: joined.attendee.attendee_id, JoinToken: /^chime-/ });
  });

  it("only one's own attendee: someone else's, another clinic's or another patient's is 403 (audited DENIED)", async () => {
    const { start, sessionId, joined } = await waitingPatient();
    expect((await h.admit(sessionId, joined.attendee.attendee_id)).statusCode).toBe(200);
    const patientAttendee = joined.attendee.attendee_id;
    const doctorAttendee = start.doctor_attendee.attendee_id;
    const refusals: [AuthUser, string][] = [
      [users.doctor, patientAttendee],
      [users.patient, doctorAttendee],
      [users.otherDoctor, patientAttendee],
      [users.otherPatient, patientAttendee],
      [users.admin, patientAttendee],
      [users.foreignAdmin, patientAttendee],
    ];
    for (const [user, attendeeId] of refusals) {
      const reply = await credentials(sessionId, attendeeId, await as(user));
      expect([user.id, reply.statusCode, reply.json().code]).toEqual([user.id, 403, "FORBIDDEN"]);
      expect(reply.body).not.toContain("chime-");
    }
    expect(
      (await auditOf(sessionId, "session.readMediaCredentials")).filter((a) => a.outcome === "DENIED"),
    ).toHaveLength(refusals.length);
    // The doctor's own: always in.
    const own = await credentials(sessionId, doctorAttendee, await as(users.doctor));
    expect(own.statusCode, own.body).toBe(200);
    // An unknown attendee in one's own session: 404; the session over: 409.
    const unknown = await credentials(sessionId, "no-such-attendee", await as(users.patient));
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, "ATTENDEE_NOT_FOUND"]);
    expect((await h.end(sessionId)).statusCode).toBe(200);
    const ended = await credentials(sessionId, patientAttendee, await as(users.patient));
    expect([ended.statusCode, ended.json().code]).toEqual([409, "SESSION_ALREADY_ENDED"]);
  });

  it("an invite holder reads its own attendee in its own appointment's session only", async () => {
    const { appointment, start, sessionId } = await waitingPatient();
    const other = await waitingPatient();
    const invite = await inviteOf(appointment.id);
    const joined = await joinWith(sessionId, invite);
    expect(joined.statusCode, joined.body).toBe(200);
    expect(joined.json().chime.Attendee).toBeNull();
    const attendeeId = joined.json().attendee.attendee_id;
    expect((await credentials(sessionId, attendeeId, invite)).json().code).toBe("NOT_ADMITTED");
    expect((await h.admit(sessionId, attendeeId)).statusCode).toBe(200);
    expect((await credentials(sessionId, attendeeId, invite)).statusCode).toBe(200);
    // Not the doctor's attendee, and nothing in another appointment's session (same patient).
    expect((await credentials(sessionId, start.doctor_attendee.attendee_id, invite)).statusCode).toBe(403);
    expect((await h.admit(other.sessionId, other.joined.attendee.attendee_id)).statusCode).toBe(200);
    const foreign = await credentials(other.sessionId, other.joined.attendee.attendee_id, invite);
    expect([foreign.statusCode, foreign.json().code]).toEqual([403, "FORBIDDEN"]);
  });

  it("removed, Chime's DeleteAttendee failed: the re-invited person gets the same AttendeeId, connects, and waits again", async () => {
    const { appointment, sessionId, joined } = await waitingPatient();
    const attendeeId = joined.attendee.attendee_id;
    const first = connect(sessionId, joined.attendee.join_token);
    await first.next("waiting");
    expect((await h.admit(sessionId, attendeeId)).statusCode).toBe(200);
    await first.next("admitted");

    deleteFails = true;
    const removedAt = h.clock.now.getTime();
    const removal = await h.app.inject({
      method: "POST",
      url: `/api/video/sessions/${sessionId}/attendees/${attendeeId}/remove`,
      headers: await as(users.doctor),
      payload: {},
    });
    expect(removal.statusCode, removal.body).toBe(200);
    expect((await closedWithin(first)).code).toBe(SignalCloseCodes.removed);
    await h.app.video.settle();
    expect(chime.commandCalls(DeleteAttendeeCommand).length).toBeGreaterThan(0);
    const removedCreds = await credentials(sessionId, attendeeId, await as(users.patient));
    expect([removedCreds.statusCode, removedCreds.json().code]).toEqual([403, "PARTICIPANT_REMOVED"]);

    // The doctor sends a new invite; Chime hands back the attendee it still holds.
    h.advance(1_000);
    const invite = await inviteOf(appointment.id, new Date(removedAt + 500));
    const back = await joinWith(sessionId, invite);
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json().attendee.attendee_id).toBe(attendeeId);
    // …back in the waiting room: the removal took the admission, so no Chime JoinToken yet.
    expect(back.json().chime.Attendee).toBeNull();
    const socket = connect(sessionId, back.json().attendee.join_token);
    expect((await socket.next("welcome")).attendee_id).toBe(attendeeId);
    await socket.next("waiting");
    expect((await credentials(sessionId, attendeeId, invite)).json().code).toBe("NOT_ADMITTED");
    expect((await h.admit(sessionId, attendeeId)).statusCode).toBe(200);
    await socket.next("admitted");
    expect((await credentials(sessionId, attendeeId, invite)).statusCode).toBe(200);
    const rows = await h.app.video.database.db
      .selectFrom("attendees")
      .select(["attendee_id", "status"])
      .where("session_id", "=", sessionId)
      .where("user_type", "=", "PATIENT")
      .execute();
    expect(rows).toEqual([{ attendee_id: attendeeId, status: "CONNECTED" }]);
  });
});
