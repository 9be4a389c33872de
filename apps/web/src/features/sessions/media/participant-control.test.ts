import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../../../lib/api-error.ts";
import { FakeSocket } from "../../../test/fake-socket.ts";
import type { CallCredentials } from "./call-state.ts";
import { EmbeddedCall } from "./embedded-call.ts";

const credentials = (token: string): CallCredentials => ({
  session_id: "sess-1",
  attendee_id: `att-${token}`,
  join_token: token,
  media_provider: "embedded",
  signaling_url: "/api/video/sessions/sess-1/signal",
  ice_servers: [],
  ice_transport_policy: "all",
  chime: null,
});

/** A microphone and a camera whose `enabled` and `stop` the test can see. */
function fakeMedia() {
  const audio = { kind: "audio", enabled: true, stop: vi.fn(), getSettings: () => ({}) };
  const video = { kind: "video", enabled: true, stop: vi.fn(), getSettings: () => ({}) };
  const stream = {
    getTracks: () => [audio, video],
    getAudioTracks: () => [audio],
    getVideoTracks: () => [video],
  };
  return { audio, video, stream };
}
const last = () => FakeSocket.all[FakeSocket.all.length - 1] as FakeSocket;
let media: ReturnType<typeof fakeMedia>;

beforeEach(() => {
  FakeSocket.all = [];
  media = fakeMedia();
  vi.useFakeTimers();
  vi.stubGlobal("WebSocket", FakeSocket);
  Object.defineProperty(navigator, "mediaDevices", {
    value: { getUserMedia: vi.fn(async () => media.stream), enumerateDevices: vi.fn(async () => []) },
    configurable: true,
  });
});
afterEach(() => {
  Reflect.deleteProperty(navigator, "mediaDevices");
  vi.useRealTimers();
});

async function connectedCall(rejoin = vi.fn(async () => credentials("fresh"))) {
  const call = new EmbeddedCall(credentials("first"), rejoin);
  await call.start();
  last().open();
  last().receive({ type: "welcome", session_id: "sess-1", attendee_id: "att-first", attendees: [] });
  return { call, rejoin };
}

describe("participant control in the call engine", () => {
  it("the doctor's mute request mutes the microphone, says so, tells the others — and the person may unmute", async () => {
    const { call } = await connectedCall();
    last().receive({ type: "mute.requested", by: "DOCTOR" });
    expect(media.audio.enabled).toBe(false);
    expect(call.getState()).toMatchObject({ audioEnabled: false, phase: "connected" });
    expect(call.getState().message).toBe("The doctor muted your microphone. You can unmute when you need to speak.");
    expect(last().sent).toContainEqual({ type: "media", audio: false, video: true });
    call.setAudio(true);
    expect(media.audio.enabled).toBe(true);
    expect(last().sent).toContainEqual({ type: "media", audio: true, video: true });
  });

  it("`removed` then 4411: the final `removed` state — camera and microphone stopped, no reconnect, no rejoin", async () => {
    const { call, rejoin } = await connectedCall();
    last().receive({ type: "removed" });
    last().drop(4411);
    expect(call.getState()).toMatchObject({
      phase: "removed",
      message: "The doctor removed you from this consultation.",
      localStream: null,
    });
    expect(media.audio.stop).toHaveBeenCalled();
    expect(media.video.stop).toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(rejoin).not.toHaveBeenCalled();
    expect(FakeSocket.all).toHaveLength(1);
    expect(call.getState().phase).toBe("removed");
  });

  it("a close with 4411 alone (the message lost) is just as final", async () => {
    const { call, rejoin } = await connectedCall();
    last().drop(4411);
    expect(call.getState().phase).toBe("removed");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(rejoin).not.toHaveBeenCalled();
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("a drop whose rejoin is refused with PARTICIPANT_REMOVED ends in `removed`, not in a retry loop", async () => {
    const rejoin = vi.fn(async (): Promise<CallCredentials> => {
      throw new ApiError({
        status: 403,
        code: "PARTICIPANT_REMOVED",
        error: "The doctor removed you from this consultation. To join again, ask the clinic for a new invite link.",
      });
    });
    const { call } = await connectedCall(rejoin);
    last().drop(1006);
    await vi.advanceTimersByTimeAsync(1000);
    expect(rejoin).toHaveBeenCalledOnce();
    expect(call.getState().phase).toBe("removed");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(rejoin).toHaveBeenCalledOnce();
  });
});
