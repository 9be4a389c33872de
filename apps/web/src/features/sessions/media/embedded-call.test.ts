import { SIGNAL_WELCOME_PEER } from "@clinic/contracts/signalling";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../../lib/api-error.ts";
import { FakeSocket } from "../../../test/fake-socket.ts";
import { MAX_RECONNECT_ATTEMPTS } from "./backoff.ts";
import type { CallCredentials } from "./call-state.ts";
import { EmbeddedCall } from "./embedded-call.ts";

const credentials = (token: string, overrides: Partial<CallCredentials> = {}): CallCredentials => ({
  session_id: "sess-1",
  attendee_id: `att-${token}`,
  join_token: token,
  media_provider: "embedded",
  signaling_url: "/api/video/sessions/sess-1/signal",
  ice_servers: [],
  ice_transport_policy: "all",
  chime: null,
  ...overrides,
});

const fakeStream = { getTracks: () => [], getAudioTracks: () => [], getVideoTracks: () => [] };
const last = () => FakeSocket.all[FakeSocket.all.length - 1] as FakeSocket;

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", FakeSocket);
  Object.defineProperty(navigator, "mediaDevices", {
    value: { getUserMedia: vi.fn(async () => fakeStream) },
    configurable: true,
  });
});
afterEach(() => {
  Reflect.deleteProperty(navigator, "mediaDevices");
});

async function connectedCall(rejoin = vi.fn(async () => credentials("fresh"))) {
  const call = new EmbeddedCall(credentials("first"), rejoin);
  await call.start();
  last().open();
  last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "att-first", attendees: [] });
  return { call, rejoin };
}

describe("EmbeddedCall signalling", () => {
  it("connects through the gateway with the join token in the query and announces its media state", async () => {
    const { call } = await connectedCall();
    expect(last().url).toBe("ws://localhost:3000/video/api/video/sessions/sess-1/signal?token=first");
    expect(call.getState().phase).toBe("connected");
    expect(last().sent).toContainEqual({ type: "media", audio: true, video: true });
  });

  it("start(media) uses the camera and microphone already asked for, without asking again", async () => {
    const call = new EmbeddedCall(credentials("first"), vi.fn());
    const early = { ...fakeStream };
    await call.start(Promise.resolve(early as unknown as MediaStream));
    expect(navigator.mediaDevices.getUserMedia).not.toHaveBeenCalled();
    expect(call.getState()).toMatchObject({ phase: "connecting", localStream: early, previewStream: early });
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("start(media) with a refusal: media-denied, and Retry asks the browser again", async () => {
    const call = new EmbeddedCall(credentials("first"), vi.fn());
    await call.start(Promise.reject(new DOMException("Permission denied", "NotAllowedError")));
    expect(call.getState().phase).toBe("media-denied");
    expect(FakeSocket.all).toHaveLength(0);
    await call.retry();
    expect(navigator.mediaDevices.getUserMedia).toHaveBeenCalledOnce();
    expect(call.getState().phase).toBe("connecting");
  });

  it("takes the socket opened before the join answered: its first frame is the join token", async () => {
    const ahead = new FakeSocket("ws://localhost:3000/video/api/video/sessions/sess-1/signal");
    const call = new EmbeddedCall(credentials("first"), vi.fn());
    await call.start(undefined, ahead as unknown as WebSocket);
    expect(FakeSocket.all).toEqual([ahead]);
    ahead.open();
    expect(ahead.sent[0]).toEqual({ type: "auth", token: "first" });
    expect(ahead.sent).toContainEqual({ type: "media", audio: true, video: true });
    ahead.receive({ type: "welcome", session_id: "sess-1", attendee_id: "att-first", attendees: [] });
    expect(call.getState().phase).toBe("connected");
    // Already open when taken: the token goes at once.
    const open = new FakeSocket("ws://localhost:3000/video/api/video/sessions/sess-1/signal");
    open.readyState = 1;
    await new EmbeddedCall(credentials("second"), vi.fn()).start(undefined, open as unknown as WebSocket);
    expect(open.sent[0]).toEqual({ type: "auth", token: "second" });
  });

  it("a socket opened ahead to another URL, or closed meanwhile, is not used: one with the token in its query is", async () => {
    const elsewhere = new FakeSocket("ws://localhost:3000/video/api/video/sessions/sess-2/signal");
    await new EmbeddedCall(credentials("first"), vi.fn()).start(undefined, elsewhere as unknown as WebSocket);
    expect(elsewhere.closedBy).toBe(1000);
    expect(last().url).toBe("ws://localhost:3000/video/api/video/sessions/sess-1/signal?token=first");
    const gone = new FakeSocket("ws://localhost:3000/video/api/video/sessions/sess-1/signal");
    gone.readyState = 3;
    await new EmbeddedCall(credentials("first"), vi.fn()).start(undefined, gone as unknown as WebSocket);
    expect(last()).not.toBe(gone);
    last().open();
    expect(last().sent.some((m) => m.type === "auth")).toBe(false);
  });

  it("sends a heartbeat every 10 s", async () => {
    await connectedCall();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(last().sent.filter((m) => (m as { type: string }).type === "heartbeat")).toHaveLength(2);
  });

  it("after a drop: Reconnecting…, then rejoins through POST /join with a fresh token after 1 s", async () => {
    const { call, rejoin } = await connectedCall();
    last().drop();
    expect(call.getState()).toMatchObject({ phase: "reconnecting", reconnectAttempt: 1, nextRetryInMs: 1000 });
    expect(rejoin).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(rejoin).toHaveBeenCalledOnce();
    expect(FakeSocket.all).toHaveLength(2);
    expect(last().url).toContain("token=fresh");
    last().open();
    expect(call.getState()).toMatchObject({ phase: "connected", reconnectAttempt: 0 });
  });

  it("backs off 1 s, 2 s, 4 s … and gives up after a bounded number of attempts", async () => {
    const rejoin = vi.fn(async (): Promise<CallCredentials> => {
      throw new ApiError({ status: 0, code: "NETWORK_ERROR", error: "offline" });
    });
    const { call } = await connectedCall(rejoin);
    last().drop();
    const delays: (number | null)[] = [];
    for (let i = 0; i < MAX_RECONNECT_ATTEMPTS && call.getState().phase === "reconnecting"; i++) {
      delays.push(call.getState().nextRetryInMs);
      await vi.advanceTimersByTimeAsync(call.getState().nextRetryInMs ?? 0);
    }
    expect(delays.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(Math.max(...(delays as number[]))).toBeLessThanOrEqual(30_000);
    expect(call.getState().phase).toBe("failed");
    expect(call.getState().message).toMatch(/connection to the consultation was lost/);
    expect(rejoin).toHaveBeenCalledTimes(MAX_RECONNECT_ATTEMPTS);
  });

  it("a server without its link to the others (4503): retries with the same token, backing off, and never gives up", async () => {
    const { call, rejoin } = await connectedCall();
    last().drop(1006); // the instance went away; the gateway sends the retry to one that is cut off
    await vi.advanceTimersByTimeAsync(1000);
    const delays: (number | null)[] = [];
    for (let i = 0; i < MAX_RECONNECT_ATTEMPTS + 4; i++) {
      last().open(); // the upgrade succeeds, then the server closes at once
      last().drop(4503);
      expect(call.getState().phase).toBe("reconnecting");
      delays.push(call.getState().nextRetryInMs);
      await vi.advanceTimersByTimeAsync(call.getState().nextRetryInMs ?? 0);
    }
    expect(delays.slice(0, 5)).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(delays.slice(-3)).toEqual([30_000, 30_000, 30_000]);
    expect(rejoin).toHaveBeenCalledOnce(); // for the drop; each 4503 retry reuses that token
    expect(FakeSocket.all.slice(2).every((s) => s.url.includes("token=fresh"))).toBe(true);
    // Served again: welcomed, connected, and the next refusal starts from 1 s.
    last().open();
    last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "att-fresh", attendees: [] });
    expect(call.getState()).toMatchObject({ phase: "connected", reconnectAttempt: 0 });
    last().drop(4503);
    expect(call.getState().nextRetryInMs).toBe(1000);
  });

  it("never holds two sockets: the old one is gone before the rejoin opens a new one", async () => {
    const { call } = await connectedCall();
    last().drop();
    await vi.advanceTimersByTimeAsync(1000);
    last().open();
    const [first, second] = FakeSocket.all;
    first?.receive({ type: "replaced" }); // a late frame on the dead socket changes nothing
    expect(second?.readyState).toBe(1);
    expect(call.getState().phase).toBe("connected");
  });

  it("session.ended closes the call without reconnecting", async () => {
    const { call, rejoin } = await connectedCall();
    last().receive({ type: "session.ended", session_id: "sess-1", reason: "ENDED_BY_DOCTOR" });
    expect(call.getState()).toMatchObject({ phase: "ended", endedReason: "ENDED_BY_DOCTOR" });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(rejoin).not.toHaveBeenCalled();
  });

  it("the session-ended close code also ends the call", async () => {
    const { call, rejoin } = await connectedCall();
    last().drop(4410);
    expect(call.getState().phase).toBe("ended");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(rejoin).not.toHaveBeenCalled();
  });

  it("replaced (joined from another window) stops this window without a reconnect loop", async () => {
    const { call, rejoin } = await connectedCall();
    last().receive({ type: "replaced" });
    expect(call.getState().phase).toBe("replaced");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(rejoin).not.toHaveBeenCalled();
  });

  it("a rejoin answered 409 (the session is over) ends the call", async () => {
    const rejoin = vi.fn(async (): Promise<CallCredentials> => {
      throw new ApiError({ status: 409, code: "SESSION_NOT_IN_PROGRESS", error: "over" });
    });
    const { call } = await connectedCall(rejoin);
    last().drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(call.getState().phase).toBe("ended");
  });

  it("mute and camera toggles are sent to the others as media state", async () => {
    const { call } = await connectedCall();
    call.setAudio(false);
    call.setVideo(false);
    expect(last().sent).toContainEqual({ type: "media", audio: false, video: true });
    expect(last().sent).toContainEqual({ type: "media", audio: false, video: false });
    expect(call.getState()).toMatchObject({ audioEnabled: false, videoEnabled: false });
  });
});

/** The browser's RTCPeerConnection (not ours): records the configuration each link is made with. */
class FakePeerConnection {
  static configs: RTCConfiguration[] = [];
  static all: FakePeerConnection[] = [];
  closed = false;
  onicecandidate: ((event: { candidate: unknown }) => void) | null = null;
  ontrack: unknown = null;
  onconnectionstatechange: unknown = null;
  connectionState = "new";
  remoteDescription: { type: string; sdp: string } | null = null;
  offersMade = 0;
  /** What the next setRemoteDescription fires as `ontrack` (as a browser does inside it). */
  static remoteStream: object | null = null;
  constructor(config: RTCConfiguration) {
    FakePeerConnection.configs.push(config);
    FakePeerConnection.all.push(this);
  }
  addTrack() {
    return { replaceTrack: async () => undefined };
  }
  async createOffer() {
    this.offersMade++;
    return { type: "offer", sdp: "v=0" };
  }
  async setRemoteDescription(description: { type: string; sdp: string }) {
    this.remoteDescription = description;
    const stream = FakePeerConnection.remoteStream;
    if (stream && typeof this.ontrack === "function") this.ontrack({ streams: [stream], track: {} });
  }
  async createAnswer() {
    return { type: "answer", sdp: "v=0 answer" };
  }
  async addIceCandidate() {}
  async setLocalDescription() {}
  close() {
    this.closed = true;
  }
}

describe("EmbeddedCall ICE configuration", () => {
  const remote = { attendee_id: "att-other", user_id: "pat-1", user_type: "PATIENT", name: "P", status: "CONNECTED" };
  const turn = (credential: string) => ({
    urls: ["turn:turn.example:3478"],
    username: `1700000000:${credential}`,
    credential,
  });
  beforeEach(() => {
    FakePeerConnection.configs = [];
    FakePeerConnection.all = [];
    FakePeerConnection.remoteStream = null;
    vi.stubGlobal("RTCPeerConnection", FakePeerConnection);
  });

  it("prepares the offer while the socket connects and sends it, then the ICE gathered meanwhile, as the socket opens", async () => {
    const call = new EmbeddedCall(credentials("first"), vi.fn());
    await call.start();
    await vi.advanceTimersByTimeAsync(0);
    // Made before the socket opened: one peer connection, its offer ready, nothing sent yet.
    expect(FakePeerConnection.all).toHaveLength(1);
    const pc = FakePeerConnection.all[0];
    const candidate = {
      candidate: "candidate:1 1 udp 1 10.0.0.1 5000 typ host",
      sdpMid: "0",
      sdpMLineIndex: 0,
      usernameFragment: "u",
    };
    const gathered = (c: typeof candidate) => pc?.onicecandidate?.({ candidate: { toJSON: () => c } });
    gathered({ ...candidate, sdpMid: "early" });
    expect(last().sent).toEqual([]);
    // Open: the offer and its ICE go with the first frames, to whomever `welcome` will name first.
    last().open();
    const signalling = () => last().sent.filter((m) => m.type === "offer" || m.type === "ice");
    expect(signalling()).toEqual([
      { type: "offer", to: SIGNAL_WELCOME_PEER, sdp: "v=0" },
      { type: "ice", to: SIGNAL_WELCOME_PEER, candidate: { ...candidate, sdpMid: "early" } },
    ]);
    gathered({ ...candidate, sdpMid: "before-welcome" });
    last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "att-first", attendees: [remote] });
    // Welcomed: bound to the attendee named (nothing sent again), later ICE addressed to them.
    gathered({ ...candidate, sdpMid: "after-welcome" });
    expect(signalling()).toEqual([
      { type: "offer", to: SIGNAL_WELCOME_PEER, sdp: "v=0" },
      { type: "ice", to: SIGNAL_WELCOME_PEER, candidate: { ...candidate, sdpMid: "early" } },
      { type: "ice", to: SIGNAL_WELCOME_PEER, candidate: { ...candidate, sdpMid: "before-welcome" } },
      { type: "ice", to: "att-other", candidate: { ...candidate, sdpMid: "after-welcome" } },
    ]);
    expect(FakePeerConnection.all).toHaveLength(1);
    expect(call.getState().remotes.map((r) => r.attendee_id)).toEqual(["att-other"]);
  });

  it("an offer not ready when the socket opens goes when it is, to whom welcome named if it came first", async () => {
    const call = new EmbeddedCall(credentials("first"), vi.fn());
    await call.start();
    // Open and welcomed before createOffer resolved (no timers advanced yet).
    last().open();
    last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "att-first", attendees: [remote] });
    await vi.advanceTimersByTimeAsync(0);
    expect(last().sent.filter((m) => m.type === "offer")).toEqual([{ type: "offer", to: "att-other", sdp: "v=0" }]);
    expect(call.getState().remotes.map((r) => r.attendee_id)).toEqual(["att-other"]);
  });

  it("alone at welcome: the prepared peer connection is closed (whoever comes later offers)", async () => {
    await connectedCall();
    await vi.advanceTimersByTimeAsync(0);
    // The prepared one closed; a spare one (no offer on it) waits for whoever comes.
    expect(FakePeerConnection.all).toHaveLength(2);
    expect(FakePeerConnection.all[0]?.closed).toBe(true);
    expect(FakePeerConnection.all[1]?.closed).toBe(false);
    expect(FakePeerConnection.all[1]?.offersMade).toBe(0);
    // Its offer (if it was ready at open) went only to the placeholder, which the server drops.
    const offers = last().sent.filter((m) => m.type === "offer");
    expect(offers.every((m) => m.to === SIGNAL_WELCOME_PEER)).toBe(true);
  });

  it("waiting alone, an offer is answered on the peer connection made while waiting, and one is made again when they leave", async () => {
    const { call } = await connectedCall();
    await vi.advanceTimersByTimeAsync(0);
    const made = FakePeerConnection.all.length;
    const spare = FakePeerConnection.all.at(-1);
    last().receive({ type: "attendee.joined", attendee: remote });
    last().receive({ type: "offer", from: "att-other", sdp: "v=0 offer" });
    await vi.advanceTimersByTimeAsync(0);
    // No peer connection constructed on the offer: the spare one answered it.
    expect(FakePeerConnection.all).toHaveLength(made);
    expect(spare?.remoteDescription).toEqual({ type: "offer", sdp: "v=0 offer" });
    expect(last().sent.filter((m) => m.type === "answer")).toEqual([
      { type: "answer", to: "att-other", sdp: "v=0 answer" },
    ]);
    // They left (a reconnect comes back as a newcomer and offers again): a new spare waits.
    last().receive({ type: "attendee.left", attendee_id: "att-other" });
    expect(spare?.closed).toBe(true);
    expect(FakePeerConnection.all).toHaveLength(made + 1);
    expect(FakePeerConnection.all.at(-1)?.closed).toBe(false);
    call.leave();
    expect(FakePeerConnection.all.at(-1)?.closed).toBe(true);
  });

  it("an offer's remote stream reaches the page once the answer is on its way, not between the two", async () => {
    const { call } = await connectedCall();
    await vi.advanceTimersByTimeAsync(0);
    FakePeerConnection.remoteStream = { id: "remote-stream" };
    const answerSentWhenShown: boolean[] = [];
    call.subscribe(() => {
      if (call.getState().remotes.some((r) => r.stream) && answerSentWhenShown.length === 0)
        answerSentWhenShown.push(last().sent.some((m) => m.type === "answer"));
    });
    last().receive({ type: "attendee.joined", attendee: remote });
    last().receive({ type: "offer", from: "att-other", sdp: "v=0 offer" });
    await vi.advanceTimersByTimeAsync(0);
    expect(answerSentWhenShown).toEqual([true]);
    expect(call.getState().remotes.find((r) => r.attendee_id === "att-other")?.stream).toEqual({ id: "remote-stream" });
  });

  it("relay-only credentials make every peer connection relay-only, with the fresh TURN credential of each (re)join", async () => {
    const relay = { ice_transport_policy: "relay" as const };
    const rejoin = vi.fn(async () => credentials("fresh", { ...relay, ice_servers: [turn("second")] }));
    const call = new EmbeddedCall(credentials("first", { ...relay, ice_servers: [turn("first")] }), rejoin);
    await call.start();
    last().open();
    last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "att-first", attendees: [remote] });
    await vi.advanceTimersByTimeAsync(0);
    expect(FakePeerConnection.configs).toEqual([{ iceServers: [turn("first")], iceTransportPolicy: "relay" }]);

    last().drop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(rejoin).toHaveBeenCalledOnce();
    last().open();
    last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "att-fresh", attendees: [remote] });
    await vi.advanceTimersByTimeAsync(0);
    expect(FakePeerConnection.configs[1]).toEqual({ iceServers: [turn("second")], iceTransportPolicy: "relay" });
  });

  it("without a relay policy the peer connection may use every path", async () => {
    await connectedCall();
    last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "att-first", attendees: [remote] });
    await vi.advanceTimersByTimeAsync(0);
    // The prepared link (closed: nobody at the first welcome) and the one to `remote`, alike.
    expect(FakePeerConnection.configs).toEqual([
      { iceServers: [], iceTransportPolicy: "all" },
      { iceServers: [], iceTransportPolicy: "all" },
    ]);
  });
});

describe("EmbeddedCall waiting room", () => {
  it("shows the patient's place and the doctor's name, then clears it and meets the doctor once admitted", async () => {
    const { call } = await connectedCall();
    last().receive({ type: "waiting", position: 2, doctor_name: "Dr. Ada Lovelace" });
    expect(call.getState().waiting).toEqual({ position: 2, doctorName: "Dr. Ada Lovelace" });
    expect(call.getState().remotes).toEqual([]);
    const doctor = {
      attendee_id: "att-doc",
      user_id: "doc",
      user_type: "DOCTOR",
      name: "Dr. Ada",
      status: "CONNECTED",
    };
    last().receive({ type: "admitted", attendees: [doctor] });
    await vi.advanceTimersByTimeAsync(0);
    expect(call.getState().waiting).toBeNull();
    // Offered to, as after welcome (the remote is added before its peer connection is made).
    expect(call.getState().remotes.map((r) => r.attendee_id)).toEqual(["att-doc"]);
  });

  it("gives the doctor the lobby: who waits and whether auto-admit is on", async () => {
    const { call } = await connectedCall();
    last().receive({
      type: "lobby",
      auto_admit: false,
      waiting: [{ attendee_id: "att-pat", name: "John Doe", since: "2026-12-04T10:00:00.000Z" }],
    });
    expect(call.getState().lobby).toEqual({
      autoAdmit: false,
      waiting: [{ attendeeId: "att-pat", name: "John Doe", since: "2026-12-04T10:00:00.000Z" }],
    });
  });
});
