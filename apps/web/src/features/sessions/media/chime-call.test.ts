import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeSocket } from "../../../test/fake-socket.ts";
import type { CallCredentials } from "./call-state.ts";

// amazon-chime-sdk-js replaced by a recorder: which SDK calls the engine makes, and when.
const sdk = vi.hoisted(() => ({
  calls: [] as string[],
  sessions: 0,
  /** The attendees the engine configured its meeting sessions with. */
  attendees: [] as unknown[],
  /** What getRTCPeerConnectionStats answers next (an RTCStatsReport is a Map of stats). */
  report: null as Map<string, Record<string, unknown>> | null,
}));
vi.mock("amazon-chime-sdk-js", () => {
  const audioVideo = () =>
    new Proxy(
      {},
      {
        get:
          (_target, name: string) =>
          (..._args: unknown[]) => {
            sdk.calls.push(name);
            if (name === "getRTCPeerConnectionStats") return Promise.resolve(sdk.report);
            return name.startsWith("start") || name.startsWith("bind") ? Promise.resolve() : undefined;
          },
      },
    );
  return {
    ConsoleLogger: class {},
    DefaultDeviceController: class {},
    LogLevel: { WARN: 2 },
    MeetingSessionStatusCode: { MeetingEnded: 12, TURNCredentialsForbidden: 23, AudioJoinedFromAnotherDevice: 2 },
    MeetingSessionConfiguration: class {
      constructor(_meeting: unknown, attendee: { Attendee: unknown }) {
        sdk.attendees.push(attendee.Attendee);
      }
    },
    DefaultMeetingSession: class {
      audioVideo = audioVideo();
      constructor() {
        sdk.sessions++;
      }
    },
  };
});

const { ChimeCall } = await import("./chime-call.ts");
type FetchMediaCredentials = import("./chime-call.ts").FetchMediaCredentials;
const { ApiError } = await import("../../../lib/api-error.ts");

const credentials: CallCredentials = {
  session_id: "sess-1",
  attendee_id: "chime-att-1",
  join_token: "presence-token",
  media_provider: "chime",
  signaling_url: "/api/video/sessions/sess-1/signal",
  ice_servers: [],
  ice_transport_policy: "all",
  chime: { Meeting: { MeetingId: "m-1" }, Attendee: { AttendeeId: "chime-att-1", JoinToken: "chime-token" } },
};
const fakeStream = { getTracks: () => [], getAudioTracks: () => [], getVideoTracks: () => [] };
const last = () => FakeSocket.all[FakeSocket.all.length - 1] as FakeSocket;
const doctor = {
  attendee_id: "chime-doc",
  user_id: "doc-1",
  user_type: "DOCTOR",
  name: "Dr. Who",
  status: "CONNECTED",
};

beforeEach(() => {
  FakeSocket.all = [];
  sdk.calls = [];
  sdk.sessions = 0;
  sdk.attendees = [];
  sdk.report = null;
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", FakeSocket);
  Object.defineProperty(navigator, "mediaDevices", {
    value: { getUserMedia: vi.fn(async () => fakeStream) },
    configurable: true,
  });
});
afterEach(() => {
  Reflect.deleteProperty(navigator, "mediaDevices");
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const chimeAttendee = { AttendeeId: "chime-att-1", ExternalUserId: "pat-1", JoinToken: "chime-token" };
const noFetch: FetchMediaCredentials = vi.fn(async () => {
  throw new Error("not expected: the join answered the attendee");
});

async function started(given: CallCredentials = credentials, fetchMediaCredentials: FetchMediaCredentials = noFetch) {
  const call = new ChimeCall(
    given,
    vi.fn(async () => given),
    fetchMediaCredentials,
  );
  await call.start();
  last().open();
  return call;
}

describe("ChimeCall: the presence socket beside Chime's media", () => {
  it("start(media) uses the camera and microphone the call screen already asked for", async () => {
    const call = new ChimeCall(credentials, vi.fn(), noFetch);
    const early = { ...fakeStream };
    await call.start(Promise.resolve(early as unknown as MediaStream));
    expect(navigator.mediaDevices.getUserMedia).not.toHaveBeenCalled();
    expect(call.getState()).toMatchObject({ localStream: early, previewStream: early, phase: "connecting" });
  });

  it("opens the service's socket with the presence token, and starts Chime's media once someone is there", async () => {
    const call = await started();
    expect(last().url).toBe("ws://localhost:3000/video/api/video/sessions/sess-1/signal?token=presence-token");
    last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "chime-att-1", attendees: [doctor] });
    await vi.advanceTimersByTimeAsync(0);
    expect(sdk.sessions).toBe(1);
    expect(sdk.calls).toEqual(expect.arrayContaining(["start", "startLocalVideoTile"]));
    // Mute goes to the SDK and, as media state, to the others over the socket.
    call.setAudio(false);
    expect(sdk.calls).toContain("realtimeMuteLocalAudio");
    expect(last().sent).toContainEqual({ type: "media", audio: false, video: true });
  });

  it("a patient in the waiting room gets no Chime media until admitted", async () => {
    const call = await started();
    last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "chime-att-1", attendees: [] });
    last().receive({ type: "waiting", position: 1, doctor_name: "Dr. Who" });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(sdk.sessions).toBe(0);
    expect(call.getState()).toMatchObject({ phase: "connected", waiting: { position: 1, doctorName: "Dr. Who" } });
    last().receive({ type: "admitted", attendees: [doctor] });
    await vi.advanceTimersByTimeAsync(0);
    expect(sdk.sessions).toBe(1);
    expect(call.getState().waiting).toBeNull();
  });

  it("an empty welcome with no waiting after it (the first one in) starts the media after a moment", async () => {
    await started();
    last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "chime-att-1", attendees: [] });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(sdk.sessions).toBe(0);
    await vi.advanceTimersByTimeAsync(600);
    expect(sdk.sessions).toBe(1);
  });

  it.each([
    [4410, "ended"],
    [4409, "replaced"],
    [4411, "removed"],
  ])("close code %i → %s: the meeting session is stopped and the socket not reopened", async (code, phase) => {
    const call = await started();
    last().receive({ type: "lobby", auto_admit: false, waiting: [] });
    await vi.advanceTimersByTimeAsync(0);
    last().drop(code);
    expect(call.getState().phase).toBe(phase);
    expect(sdk.calls).toContain("stop");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("session.ended over the socket ends the call with its reason", async () => {
    const call = await started();
    last().receive({ type: "lobby", auto_admit: false, waiting: [] });
    await vi.advanceTimersByTimeAsync(0);
    last().receive({ type: "session.ended", session_id: "sess-1", reason: "IDLE_TIMEOUT" });
    expect(call.getState()).toMatchObject({ phase: "ended", endedReason: "IDLE_TIMEOUT" });
    expect(sdk.calls).toContain("stop");
  });

  it("a waiting patient's join has no Chime attendee: it is fetched once admitted, then the SDK session starts with it", async () => {
    const waiting: CallCredentials = { ...credentials, chime: { Meeting: { MeetingId: "m-1" }, Attendee: null } };
    const fetch = vi.fn(async () => ({
      session_id: "sess-1",
      attendee_id: "chime-att-1",
      chime: { Meeting: { MeetingId: "m-1" }, Attendee: chimeAttendee },
    }));
    await started(waiting, fetch);
    last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "chime-att-1", attendees: [] });
    last().receive({ type: "waiting", position: 1, doctor_name: "Dr. Who" });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(fetch).not.toHaveBeenCalled();
    expect(sdk.sessions).toBe(0);
    last().receive({ type: "admitted", attendees: [doctor] });
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledWith("sess-1", "chime-att-1");
    expect(sdk.sessions).toBe(1);
    expect(sdk.attendees).toEqual([chimeAttendee]);
    expect(sdk.calls).toContain("start");
  });

  it("credentials refused as NOT_ADMITTED (the `waiting` was late) start nothing; `admitted` then fetches again", async () => {
    const waiting: CallCredentials = { ...credentials, chime: { Meeting: { MeetingId: "m-1" }, Attendee: null } };
    let admitted = false;
    const fetch = vi.fn(async () => {
      if (!admitted) throw new ApiError({ status: 403, code: "NOT_ADMITTED", error: "wait" });
      return { session_id: "sess-1", attendee_id: "chime-att-1", chime: { Meeting: {}, Attendee: chimeAttendee } };
    });
    const call = await started(waiting, fetch);
    last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "chime-att-1", attendees: [] });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(sdk.sessions).toBe(0);
    expect(call.getState().phase).not.toBe("reconnecting");
    admitted = true;
    last().receive({ type: "admitted", attendees: [doctor] });
    await vi.advanceTimersByTimeAsync(0);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(sdk.sessions).toBe(1);
  });

  it("keeps a quality summary from the SDK's peer-connection stats, readable after the call ended", async () => {
    const call = await started();
    expect(call.qualitySummary()).toBeNull();
    last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "chime-att-1", attendees: [doctor] });
    await vi.advanceTimersByTimeAsync(0);
    const stats = (sent: number, received: number) =>
      new Map(
        [
          { id: "OV", type: "outbound-rtp", kind: "video", bytesSent: sent, frameWidth: 640, frameHeight: 360 },
          {
            id: "IV",
            type: "inbound-rtp",
            kind: "video",
            bytesReceived: received,
            packetsLost: 1,
            packetsReceived: 99,
          },
          { id: "RV", type: "remote-inbound-rtp", kind: "video", roundTripTime: 0.08, fractionLost: 0 },
        ].map((s) => [s.id, s]),
      );
    sdk.report = stats(0, 0);
    await vi.advanceTimersByTimeAsync(2_000);
    sdk.report = stats(125_000, 250_000); // 2 s later: 500 kbit/s out, 1000 in
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sdk.calls.filter((c) => c === "getRTCPeerConnectionStats")).toHaveLength(2);
    last().receive({ type: "session.ended", session_id: "sess-1", reason: "ENDED_BY_DOCTOR" });
    expect(call.getState().phase).toBe("ended");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(sdk.calls.filter((c) => c === "getRTCPeerConnectionStats")).toHaveLength(2);
    expect(call.qualitySummary()).toEqual({
      rtt_ms_median: 80,
      packet_loss_pct: 1,
      outgoing_kbps_median: 500,
      incoming_kbps_median: 1000,
      sent_resolution: "640x360",
      relay_seconds: 0,
      audio_only_seconds: 0,
      call_seconds: 2,
    });
  });
});
