import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeSocket } from "../../../test/fake-socket.ts";
import { ids, joined } from "../../../test/fixtures.ts";
import { stubNetwork } from "../../../test/network.ts";
import { joinAhead } from "./join-ahead.ts";

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal("WebSocket", FakeSocket);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  Reflect.deleteProperty(navigator, "mediaDevices");
});

function fakeCamera() {
  const track = { stop: vi.fn() };
  const stream = { getTracks: () => [track] };
  Object.defineProperty(navigator, "mediaDevices", {
    value: { getUserMedia: vi.fn(async () => stream) },
    configurable: true,
  });
  return track;
}

describe("join ahead (the Join click's own join and camera)", () => {
  it("is taken once, with the join's credentials and the camera still on", async () => {
    const track = fakeCamera();
    stubNetwork({ [`POST /video/api/video/sessions/${ids.session}/join`]: joined });
    joinAhead.start(ids.session);
    const ahead = joinAhead.take(ids.session);
    expect(joinAhead.take(ids.session)).toBeNull();
    expect((await ahead?.credentials)?.join_token).toBe(joined.body.attendee.join_token);
    await ahead?.media;
    expect(track.stop).not.toHaveBeenCalled();
    // The session's signalling socket, opened at the click, without a token (sent as its first frame later).
    expect(FakeSocket.all.map((s) => s.url)).toEqual([
      `ws://localhost:3000/video/api/video/sessions/${ids.session}/signal`,
    ]);
    expect(ahead?.socket).toBe(FakeSocket.all[0]);
    expect(FakeSocket.all[0]?.closedBy).toBeNull();
  });

  it("not taken in time: the camera and microphone are released", async () => {
    vi.useFakeTimers();
    const track = fakeCamera();
    stubNetwork({ [`POST /video/api/video/sessions/${ids.session}/join`]: joined });
    joinAhead.start(ids.session);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(track.stop).toHaveBeenCalledOnce();
    expect(FakeSocket.all[0]?.closedBy).toBe(1000);
    expect(joinAhead.take(ids.session)).toBeNull();
  });
});
