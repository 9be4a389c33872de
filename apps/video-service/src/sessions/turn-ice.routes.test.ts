import { createHmac } from "node:crypto";
import {
  ChimeSDKMeetingsClient,
  CreateAttendeeCommand,
  CreateMeetingCommand,
  DeleteMeetingCommand,
} from "@aws-sdk/client-chime-sdk-meetings";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, describe, expect, it } from "vitest";
import { createChimeMediaProvider } from "../meetings/chime/chime-media-provider.ts";
import { createHarness, users } from "../testing/video-test-harness.ts";

// TURN with ephemeral credentials: start and join hand each person their own TURN entry.
const turnEnv = {
  ICE_SERVERS: JSON.stringify([{ urls: "stun:stun.example:3478" }]),
  TURN_URLS: "turn:turn.example:3478,turns:turn.example:5349",
  TURN_SECRET: "north-secret",
  TURN_TTL_S: "900",
  ICE_TRANSPORT_POLICY: "relay",
};
const hmac = (username: string) => createHmac("sha1", turnEnv.TURN_SECRET).update(username).digest("base64");
const unix = (date: Date) => Math.floor(date.getTime() / 1000);

interface IceServerBody {
  urls: string | string[];
  username?: string;
  credential?: string;
}

describe("TURN credentials in start and join (embedded)", () => {
  const harnesses: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  it("each person gets the static servers plus their own TURN entry, valid TURN_TTL_S from the clock, and the relay policy", async () => {
    const h = await createHarness({ env: turnEnv });
    harnesses.push(h);
    h.clock.now = new Date("2031-05-06T07:08:09.500Z");
    const { body: started } = await h.startedSession();
    const doctorId: string = started.doctor_attendee.attendee_id;
    const expiry = unix(h.clock.now) + 900;
    expect(started.ice_transport_policy).toBe("relay");
    expect(started.ice_servers).toEqual([
      { urls: "stun:stun.example:3478" },
      {
        urls: ["turn:turn.example:3478", "turns:turn.example:5349"],
        username: `${expiry}:${doctorId}`,
        credential: hmac(`${expiry}:${doctorId}`),
      },
    ]);

    h.advance(60_000);
    const patient = await h.join(started.session_id, users.patient);
    const patientId: string = patient.attendee.attendee_id;
    const patientTurn = (patient.ice_servers as IceServerBody[])[1];
    expect(patient.ice_transport_policy).toBe("relay");
    expect(patient.ice_servers).toHaveLength(2);
    expect(patientTurn).toEqual({
      urls: ["turn:turn.example:3478", "turns:turn.example:5349"],
      username: `${expiry + 60}:${patientId}`,
      credential: hmac(`${expiry + 60}:${patientId}`),
    });
    expect(patientId).not.toBe(doctorId);

    // A rejoin (reconnect) is a new attendee with a fresh credential from the clock's now.
    h.advance(600_000);
    const again = await h.join(started.session_id, users.patient);
    const againTurn = (again.ice_servers as IceServerBody[])[1];
    expect(againTurn?.username).toBe(`${expiry + 660}:${again.attendee.attendee_id}`);
    expect(againTurn?.credential).toBe(hmac(againTurn?.username ?? ""));
  });

  it("without TURN configured nothing changes: the static servers only, policy all", async () => {
    const h = await createHarness();
    harnesses.push(h);
    const { body: started } = await h.startedSession();
    expect(started).toMatchObject({ ice_servers: [], ice_transport_policy: "all" });
    const patient = await h.join(started.session_id, users.patient);
    expect(patient).toMatchObject({ ice_servers: [], ice_transport_policy: "all" });
  });

  it("Chime brings its own media servers: no TURN entry and policy all, whatever TURN_* says", async () => {
    const chime = mockClient(ChimeSDKMeetingsClient);
    try {
      let n = 0;
      chime.on(CreateMeetingCommand).resolves({
        Meeting: {
          MeetingId: "5b1c0d4e-0000-4000-8000-000000000009",
          MediaRegion: "us-east-1",
          MediaPlacement: {
            AudioHostUrl: "abc.k.m1.ue1.app.chime.aws:3478",
            SignalingUrl: "wss://signal.m1.ue1.app.chime.aws/control/x",
          },
        },
      });
      chime.on(CreateAttendeeCommand).callsFake((input: { ExternalUserId: string }) => ({
        Attendee: { AttendeeId: `att-${++n}`, ExternalUserId: input.ExternalUserId, JoinToken: "chime-join-token" },
      }));
      chime.on(DeleteMeetingCommand).resolves({});
      const provider = createChimeMediaProvider({ client: new ChimeSDKMeetingsClient({ region: "us-east-1" }) });
      const h = await createHarness({ env: turnEnv, mediaProvider: provider });
      harnesses.push(h);
      const { body: started } = await h.startedSession();
      expect(started).toMatchObject({ media_provider: "chime", ice_servers: [], ice_transport_policy: "all" });
      const patient = await h.join(started.session_id, users.patient);
      expect(patient).toMatchObject({ media_provider: "chime", ice_servers: [], ice_transport_policy: "all" });
    } finally {
      chime.restore();
    }
  });
});
