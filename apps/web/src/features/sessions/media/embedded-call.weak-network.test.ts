import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeSocket } from "../../../test/fake-socket.ts";
import type { CallCredentials } from "./call-state.ts";
import { EmbeddedCall } from "./embedded-call.ts";

/**
 * Weak-network adaptation through the engine (issue 12): stats reports injected in place of
 * getStats drive the call to audio-only and back; the video sender's parameters change and
 * the others are told through signalling.
 */

/** An RTCRtpSender that keeps what setParameters was given. */
class FakeSender {
  parameters: { encodings: Record<string, unknown>[] } = { encodings: [{ active: true }] };
  constructor(readonly kind: string) {}
  getParameters() {
    return structuredClone(this.parameters);
  }
  async setParameters(parameters: { encodings: Record<string, unknown>[] }) {
    this.parameters = structuredClone(parameters);
  }
  async replaceTrack() {}
}

/** The browser's RTCPeerConnection (not ours): connected at once, its senders recorded. */
class FakePeerConnection {
  static all: FakePeerConnection[] = [];
  senders: FakeSender[] = [];
  onicecandidate: unknown = null;
  ontrack: unknown = null;
  onconnectionstatechange: unknown = null;
  connectionState = "connected";
  remoteDescription = null;
  constructor() {
    FakePeerConnection.all.push(this);
  }
  addTrack(track: { kind: string }) {
    const sender = new FakeSender(track.kind);
    this.senders.push(sender);
    return sender;
  }
  async createOffer() {
    return { type: "offer", sdp: "v=0" };
  }
  async setLocalDescription() {}
  close() {}
  video() {
    return this.senders.find((s) => s.kind === "video") as FakeSender;
  }
}

interface Link {
  rttMs: number;
  lossPct: number;
  availableKbps: number;
  relay?: boolean;
}
const good: Link = { rttMs: 50, lossPct: 0, availableKbps: 2500 };
const dire: Link = { rttMs: 900, lossPct: 30, availableKbps: 60 };

/** A getStats() report as Chromium shaped it, with counters that grow per report. */
function statsReport(link: Link, n: number, videoSent: boolean): RTCStatsReport {
  const stats = [
    { id: "T1", type: "transport", selectedCandidatePairId: "CP1" },
    {
      id: "CP1",
      type: "candidate-pair",
      state: "succeeded",
      nominated: true,
      localCandidateId: "L1",
      remoteCandidateId: "R1",
      currentRoundTripTime: link.rttMs / 1000,
      availableOutgoingBitrate: link.availableKbps * 1000,
    },
    { id: "L1", type: "local-candidate", candidateType: link.relay ? "relay" : "host" },
    { id: "R1", type: "remote-candidate", candidateType: "srflx" },
    {
      id: "RIV",
      type: "remote-inbound-rtp",
      kind: "video",
      roundTripTime: link.rttMs / 1000,
      fractionLost: link.lossPct / 100,
    },
    {
      id: "OV",
      type: "outbound-rtp",
      kind: "video",
      bytesSent: videoSent ? n * 250_000 : 1_000,
      frameWidth: 1280,
      frameHeight: 720,
    },
    { id: "OA", type: "outbound-rtp", kind: "audio", bytesSent: n * 8_000 },
    {
      id: "IV",
      type: "inbound-rtp",
      kind: "video",
      bytesReceived: n * 200_000,
      packetsReceived: n * 100,
      packetsLost: 0,
    },
  ];
  return new Map(stats.map((s) => [s.id, s])) as unknown as RTCStatsReport;
}

const credentials: CallCredentials = {
  session_id: "sess-1",
  attendee_id: "att-patient",
  join_token: "tok",
  media_provider: "embedded",
  signaling_url: "/api/video/sessions/sess-1/signal",
  ice_servers: [],
  ice_transport_policy: "all",
  chime: null,
};
const track = (kind: string) => ({ kind, enabled: true, stop: () => undefined });
const tracks = [track("audio"), track("video")];
const fakeStream = {
  getTracks: () => tracks,
  getAudioTracks: () => tracks.filter((t) => t.kind === "audio"),
  getVideoTracks: () => tracks.filter((t) => t.kind === "video"),
};
const doctor = { attendee_id: "att-doctor", user_id: "doc-1", user_type: "DOCTOR", name: "Dr. A", status: "CONNECTED" };
const socket = () => FakeSocket.all[FakeSocket.all.length - 1] as FakeSocket;
const modesSent = () =>
  socket()
    .sent.filter((m) => m.type === "quality-mode")
    .map((m) => m.mode);

beforeEach(() => {
  FakeSocket.all = [];
  FakePeerConnection.all = [];
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", FakeSocket);
  vi.stubGlobal("RTCPeerConnection", FakePeerConnection);
  Object.defineProperty(navigator, "mediaDevices", {
    value: { getUserMedia: vi.fn(async () => fakeStream) },
    configurable: true,
  });
});
afterEach(() => {
  Reflect.deleteProperty(navigator, "mediaDevices");
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** A patient's call connected to the doctor, its stats coming from `link` (changed by the test). */
async function weakCall() {
  const state = { link: good, n: 0 };
  const statsSource = vi.fn(async (_pc: RTCPeerConnection) => {
    state.n += 1;
    return statsReport(state.link, state.n, call.getState().adaptation !== "audio-only");
  });
  const call = new EmbeddedCall(credentials, vi.fn(), statsSource);
  await call.start();
  socket().open();
  socket().receive({ type: "welcome", session_id: "sess-1", attendee_id: "att-patient", attendees: [doctor] });
  await vi.advanceTimersByTimeAsync(0);
  const pc = FakePeerConnection.all[0] as FakePeerConnection;
  return { call, state, statsSource, pc };
}

describe("EmbeddedCall weak-network adaptation (injected stats)", () => {
  it("reads the injected stats source every 2 s, not the browser's getStats", async () => {
    const { statsSource, pc } = await weakCall();
    await vi.advanceTimersByTimeAsync(6_000);
    expect(statsSource).toHaveBeenCalledTimes(3);
    expect(statsSource).toHaveBeenCalledWith(pc);
  });

  it("a weak link goes audio-only: video sender inactive, the others told, the notice state set; then it recovers", async () => {
    const { call, state, pc } = await weakCall();
    await vi.advanceTimersByTimeAsync(4_000);
    expect(call.getState().adaptation).toBe("high");
    expect(modesSent()).toEqual([]);

    state.link = dire;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(call.getState().adaptation).toBe("high"); // one bad sample is a blip
    await vi.advanceTimersByTimeAsync(2_000);
    expect(call.getState().adaptation).toBe("audio-only");
    expect(pc.video().parameters.encodings[0]).toMatchObject({ active: false });
    expect(modesSent()).toEqual(["audio-only"]);

    // Recovery: five good samples per level, one level at a time; video comes back at the lowest.
    state.link = good;
    await vi.advanceTimersByTimeAsync(8_000);
    expect(call.getState().adaptation).toBe("audio-only");
    await vi.advanceTimersByTimeAsync(2_000);
    expect(call.getState().adaptation).toBe("low");
    expect(pc.video().parameters.encodings[0]).toMatchObject({
      active: true,
      scaleResolutionDownBy: 4,
      maxFramerate: 10,
    });
    expect(modesSent()).toEqual(["audio-only", "video"]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(call.getState().adaptation).toBe("medium");
    expect(pc.video().parameters.encodings[0]).toMatchObject({ scaleResolutionDownBy: 2, maxFramerate: 15 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(call.getState().adaptation).toBe("high");
    expect(pc.video().parameters.encodings[0]).toMatchObject({ scaleResolutionDownBy: 1, maxFramerate: 30 });
    expect(modesSent()).toEqual(["audio-only", "video"]);
  });

  it("tells a (re)joining attendee that it is still audio-only", async () => {
    const { state } = await weakCall();
    state.link = dire;
    await vi.advanceTimersByTimeAsync(4_000);
    socket().receive({ type: "attendee.joined", attendee: { ...doctor, attendee_id: "att-doctor-2" } });
    expect(modesSent()).toEqual(["audio-only", "audio-only"]);
  });

  it("the other side's audio-only: marked on that remote, and no video sent to them until they recover", async () => {
    const { call, pc } = await weakCall();
    socket().receive({ type: "quality-mode", from: "att-doctor", mode: "audio-only" });
    await vi.advanceTimersByTimeAsync(0);
    expect(call.getState().remotes[0]).toMatchObject({ attendee_id: "att-doctor", audioOnly: true });
    expect(pc.video().parameters.encodings[0]).toMatchObject({ active: false });
    socket().receive({ type: "quality-mode", from: "att-doctor", mode: "video" });
    await vi.advanceTimersByTimeAsync(0);
    expect(call.getState().remotes[0]).toMatchObject({ audioOnly: false });
    expect(pc.video().parameters.encodings[0]).toMatchObject({ active: true, scaleResolutionDownBy: 1 });
  });

  it("sums the call into a quality summary that outlives the hang-up", async () => {
    const { call, state } = await weakCall();
    expect(call.qualitySummary()).toBeNull();
    state.link = { ...good, relay: true };
    await vi.advanceTimersByTimeAsync(10_000); // 5 samples on the relay
    state.link = dire;
    await vi.advanceTimersByTimeAsync(8_000); // 2 to go audio-only, 2 more in it
    call.leave();
    const summary = call.qualitySummary();
    expect(summary).toMatchObject({
      sent_resolution: "1280x720",
      relay_seconds: 8,
      audio_only_seconds: 4,
      call_seconds: 16,
      packet_loss_pct: 0,
    });
    expect(summary?.rtt_ms_median).toBe(50);
    expect(summary?.outgoing_kbps_median).toBeGreaterThan(900);
    expect(summary?.incoming_kbps_median).toBe(800);
  });
});
